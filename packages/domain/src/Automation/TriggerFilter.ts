/**
 * An automation's optional filter on the event's `alias` or `tag`, in W&B's filter language (MongoDB-style):
 * `{"alias": {"$regex": "^prod"}}`, `{"tag": "golden"}`, `{"$or": [{"alias": "prod"}, {"alias": "staging"}]}`.
 *
 * This is the small subset automations need, behind {@link TriggerFilter} so the repository's filter language can
 * replace it without touching callers: fields `alias` and `tag`; operators `$eq`, `$ne`, `$in`, `$nin`, `$regex`;
 * combinators `$and`, `$or`, `$not`. A filter is parsed when the automation is saved, so a wrong one is refused then.
 */
import { Either } from "effect"
import { InvalidTriggerFilter } from "./Errors.js"

/** The facts of an event a filter can look at. */
export interface FilterSubject {
  readonly alias: string
  readonly tag: string
}

/** A parsed filter. */
export type Filter =
  | { readonly _tag: "And"; readonly all: ReadonlyArray<Filter> }
  | { readonly _tag: "Or"; readonly any: ReadonlyArray<Filter> }
  | { readonly _tag: "Not"; readonly filter: Filter }
  | { readonly _tag: "Field"; readonly field: keyof FilterSubject; readonly test: (value: string) => boolean }

/** The interface automations use: parse once when saved, then test each event. */
export interface TriggerFilter {
  readonly parse: (text: string) => Either.Either<Filter, InvalidTriggerFilter>
  readonly matches: (filter: Filter, subject: FilterSubject) => boolean
}

/** The longest filter text, and the longest regular expression in it. */
export const MAX_FILTER_LENGTH = 4096
const MAX_REGEX_LENGTH = 256

class Refused {
  constructor(readonly reason: string) {}
}

const refuse = (reason: string): never => {
  throw new Refused(reason)
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const scalar = (value: unknown, where: string): string =>
  typeof value === "string" ? value : refuse(`${where} needs a string, not ${JSON.stringify(value)}`)

const strings = (value: unknown, where: string): ReadonlyArray<string> =>
  Array.isArray(value) ? value.map((item) => scalar(item, where)) : refuse(`${where} needs a list of strings`)

const condition = (field: keyof FilterSubject, spec: unknown): Filter => {
  if (!isObject(spec)) {
    const expected = scalar(spec, field)
    return { _tag: "Field", field, test: (value) => value === expected }
  }
  const tests = Object.entries(spec).map(([operator, operand]): Filter => {
    switch (operator) {
      case "$eq": {
        const expected = scalar(operand, "$eq")
        return { _tag: "Field", field, test: (value) => value === expected }
      }
      case "$ne": {
        const expected = scalar(operand, "$ne")
        return { _tag: "Field", field, test: (value) => value !== expected }
      }
      case "$in": {
        const set = new Set(strings(operand, "$in"))
        return { _tag: "Field", field, test: (value) => set.has(value) }
      }
      case "$nin": {
        const set = new Set(strings(operand, "$nin"))
        return { _tag: "Field", field, test: (value) => !set.has(value) }
      }
      case "$regex": {
        const source = scalar(operand, "$regex")
        if (source.length > MAX_REGEX_LENGTH) refuse(`a $regex is at most ${MAX_REGEX_LENGTH} characters`)
        let pattern: RegExp
        try {
          pattern = new RegExp(source, "u")
        } catch (error) {
          return refuse(`${JSON.stringify(source)} is not a regular expression (${String(error)})`)
        }
        return { _tag: "Field", field, test: (value) => pattern.test(value) }
      }
      default:
        return refuse(`unknown operator ${JSON.stringify(operator)}; use $eq, $ne, $in, $nin or $regex`)
    }
  })
  if (tests.length === 0) refuse(`the condition on ${field} is empty`)
  return { _tag: "And", all: tests }
}

const node = (spec: unknown): Filter => {
  if (!isObject(spec)) return refuse('a filter is a JSON object such as {"alias": {"$regex": "^prod"}}')
  const parts = Object.entries(spec).map(([key, value]): Filter => {
    switch (key) {
      case "alias":
      case "tag":
        return condition(key, value)
      case "$and":
      case "$or": {
        if (!Array.isArray(value) || value.length === 0) return refuse(`${key} needs a non-empty list of filters`)
        const children = value.map(node)
        return key === "$and" ? { _tag: "And", all: children } : { _tag: "Or", any: children }
      }
      case "$not":
        return { _tag: "Not", filter: node(value) }
      default:
        return refuse(`automations filter on "alias" or "tag" only, not ${JSON.stringify(key)}`)
    }
  })
  if (parts.length === 0) refuse("the filter is empty; leave it out to match every event")
  return parts.length === 1 ? parts[0]! : { _tag: "And", all: parts }
}

const matches = (filter: Filter, subject: FilterSubject): boolean => {
  switch (filter._tag) {
    case "And":
      return filter.all.every((child) => matches(child, subject))
    case "Or":
      return filter.any.some((child) => matches(child, subject))
    case "Not":
      return !matches(filter.filter, subject)
    case "Field":
      return filter.test(subject[filter.field])
  }
}

/** The built-in filter language for automations (a subset of W&B's; see the module comment). */
export const builtIn: TriggerFilter = {
  parse: (text) => {
    if (text.length > MAX_FILTER_LENGTH) {
      return Either.left(new InvalidTriggerFilter({ reason: `it is longer than ${MAX_FILTER_LENGTH} characters` }))
    }
    try {
      return Either.right(node(JSON.parse(text)))
    } catch (error) {
      const reason = error instanceof Refused ? error.reason : `it is not JSON (${String(error)})`
      return Either.left(new InvalidTriggerFilter({ reason }))
    }
  },
  matches
}
