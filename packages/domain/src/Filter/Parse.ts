/**
 * From JSON (text or value) to the typed filter AST, for one level, with every rule of docs/search.md: bare values
 * mean `$eq`, keys are ANDed, dotted paths reach into metadata, registry names gain their prefix, and hostile input
 * is bounded (depth, conditions, list and text lengths, regex shape).
 */
import { Either } from "effect"
import type { Filter, Json, Level, Operation } from "./Ast.js"
import {
  FilterListTooLong,
  FilterStringTooLong,
  FilterTooComplex,
  InvalidFilterFieldName,
  InvalidFilterOperand,
  UnknownFilterField,
  UnknownFilterOperator
} from "./Errors.js"
import { type FieldKind, fieldsOf, registryPrefix } from "./Fields.js"
import { type FilterParseError, maxConditions, maxListLength, maxPathLength, maxStringLength } from "./Limits.js"
import { parseJsonText } from "./JsonText.js"
import { compileRegex } from "./Regex.js"

/** The 17 operators of the language. */
export const operators = [
  "$and",
  "$or",
  "$nor",
  "$not",
  "$lt",
  "$gt",
  "$lte",
  "$gte",
  "$eq",
  "$ne",
  "$in",
  "$nin",
  "$exists",
  "$regex",
  "$contains",
  "$size",
  "$all"
] as const

const fieldName = /^[A-Za-z_][A-Za-z0-9_]*$/
const isoTime = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/

class Stop {
  constructor(readonly error: FilterParseError) {}
}

const stop = (error: FilterParseError): never => {
  throw new Stop(error)
}

const isObject = (value: Json): value is { readonly [key: string]: Json } =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const describe = (kind: FieldKind): string =>
  ({
    text: "text",
    number: 'a version number (3 or "v3")',
    time: "an ISO time (2024-05-01 or 2024-05-01T12:00:00Z)",
    texts: "text (an item of the list)",
    json: "a JSON value"
  })[kind]

const and = (filters: ReadonlyArray<Filter>): Filter =>
  filters.length === 1 ? (filters[0] as Filter) : { _tag: "And", filters }

/** Parses a filter for one level. The result is an {@link Filter}; every refusal is a typed error. */
export const parseFilter = (level: Level, input: unknown): Either.Either<Filter, FilterParseError> => {
  let conditions = 0
  const text = (value: Json, at: string, operator: string): string => {
    if (typeof value !== "string") return stop(new InvalidFilterOperand({ at, operator, expected: "text" }))
    if (value.length > maxStringLength) {
      return stop(new FilterStringTooLong({ at, length: value.length, limit: maxStringLength }))
    }
    if (value.includes("\u0000")) return stop(new InvalidFilterOperand({ at, operator, expected: "text without NUL" }))
    return value
  }
  /** One operand of `operator` on a field of `kind`, checked and normalised. */
  const operand = (kind: FieldKind, value: Json, at: string, operator: string, prefixed: boolean): Json => {
    const wrong = () => stop(new InvalidFilterOperand({ at, operator, expected: describe(kind) }))
    switch (kind) {
      case "text":
      case "texts": {
        const found = text(value, at, operator)
        return prefixed && !found.startsWith(registryPrefix) ? `${registryPrefix}${found}` : found
      }
      case "number": {
        if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value
        const written = typeof value === "string" ? /^v(\d{1,12})$/.exec(value) : null
        return written === null ? wrong() : Number(written[1])
      }
      case "time": {
        if (typeof value !== "string" || !isoTime.test(value)) return wrong()
        const at = Date.parse(value)
        return Number.isNaN(at) ? wrong() : new Date(at).toISOString()
      }
      case "json": {
        const check = (item: Json): void => {
          if (typeof item === "string") text(item, at, operator)
          else if (Array.isArray(item)) item.forEach(check)
          else if (isObject(item)) Object.values(item).forEach(check)
        }
        check(value)
        return value
      }
    }
  }
  const list = (value: Json, at: string, operator: string): ReadonlyArray<Json> => {
    if (!Array.isArray(value)) return stop(new InvalidFilterOperand({ at, operator, expected: "a list" }))
    if (value.length > maxListLength) {
      return stop(new FilterListTooLong({ operator, length: value.length, limit: maxListLength }))
    }
    return value
  }
  const count = () => {
    conditions++
    if (conditions > maxConditions) {
      stop(new FilterTooComplex({ reason: "it has too many conditions", limit: maxConditions }))
    }
  }

  /** The operators of one field: `{"$gt": 1, "$lt": 5}`. */
  const fieldOperators = (
    field: string,
    path: ReadonlyArray<string>,
    kind: FieldKind,
    expression: { readonly [key: string]: Json },
    at: string
  ): Filter => {
    const isName = level === "registries" && field === "name"
    const parts: Array<Filter> = []
    for (const [operator, value] of Object.entries(expression)) {
      count()
      const where = `${at}.${operator}`
      const condition = (operation: Operation): Filter => ({ _tag: "Condition", field: { field, path }, operation })
      const onlyFor = (kinds: ReadonlyArray<FieldKind>, what: string) => {
        if (!kinds.includes(kind))
          stop(new InvalidFilterOperand({ at: where, operator, expected: `${what}; ${field} is ${describe(kind)}` }))
      }
      switch (operator) {
        case "$eq":
        case "$ne":
          if (Array.isArray(value) && kind !== "json") {
            stop(new InvalidFilterOperand({ at: where, operator, expected: `${describe(kind)}, not a list (use $in)` }))
          }
          parts.push(condition({ _tag: "Compare", operator, value: operand(kind, value, where, operator, isName) }))
          break
        case "$lt":
        case "$gt":
        case "$lte":
        case "$gte": {
          onlyFor(["text", "number", "time", "json"], "a field holding one value (not tag or alias)")
          const found = operand(kind, value, where, operator, false)
          if (kind === "json" && typeof found !== "number" && typeof found !== "string") {
            stop(new InvalidFilterOperand({ at: where, operator, expected: "a number or text" }))
          }
          parts.push(condition({ _tag: "Compare", operator, value: found }))
          break
        }
        case "$in":
        case "$nin":
        case "$all": {
          if (operator === "$all") onlyFor(["texts", "json"], "a list field (tag, alias, or a metadata list)")
          const values = list(value, where, operator).map((item) => {
            if (kind === "json" && (Array.isArray(item) || isObject(item))) {
              stop(
                new InvalidFilterOperand({
                  at: where,
                  operator,
                  expected: "a list of texts, numbers, booleans or null"
                })
              )
            }
            return operand(kind, item, where, operator, isName && operator !== "$all")
          })
          parts.push(condition({ _tag: "Membership", operator, values }))
          break
        }
        case "$exists":
          if (typeof value !== "boolean")
            stop(new InvalidFilterOperand({ at: where, operator, expected: "true or false" }))
          parts.push(condition({ _tag: "Exists", exists: value as boolean }))
          break
        case "$regex": {
          onlyFor(["text", "texts", "json"], "a text field")
          const pattern = text(value, where, operator)
          const compiled = compileRegex(pattern)
          if (Either.isLeft(compiled)) stop(compiled.left)
          parts.push(condition({ _tag: "Regex", pattern }))
          break
        }
        case "$contains":
          onlyFor(["text", "texts", "json"], "a text field")
          parts.push(condition({ _tag: "Contains", text: text(value, where, operator) }))
          break
        case "$size":
          onlyFor(["texts", "json"], "a list field (tag, alias, or a metadata list)")
          if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
            stop(new InvalidFilterOperand({ at: where, operator, expected: "a whole number of items" }))
          }
          parts.push(condition({ _tag: "Size", size: value as number }))
          break
        case "$not":
          if (
            !isObject(value) ||
            !Object.keys(value).every((key) => key.startsWith("$")) ||
            Object.keys(value).length === 0
          ) {
            stop(
              new InvalidFilterOperand({ at: where, operator, expected: 'an object of operators ({"$regex": "x"})' })
            )
          }
          parts.push({
            _tag: "Not",
            filter: fieldOperators(field, path, kind, value as { [key: string]: Json }, where)
          })
          break
        case "$and":
        case "$or":
        case "$nor":
          stop(
            new InvalidFilterOperand({
              at: where,
              operator,
              expected: `to stand at the top of a filter, not inside the field ${field}`
            })
          )
          break
        default:
          stop(new UnknownFilterOperator({ operator, at: where, allowed: operators }))
      }
    }
    return and(parts)
  }

  /** The condition(s) of one `field: value` pair. */
  const fieldFilter = (key: string, value: Json, at: string): Filter => {
    const segments = key.split(".")
    for (const segment of segments) if (!fieldName.test(segment)) stop(new InvalidFilterFieldName({ field: key }))
    const allowed = fieldsOf[level]
    const [field, ...path] = segments as [string, ...Array<string>]
    const kind = Object.hasOwn(allowed, field) ? allowed[field] : undefined
    if (kind === undefined || (path.length > 0 && kind !== "json")) {
      return stop(new UnknownFilterField({ field: key, level, allowed: Object.keys(allowed) }))
    }
    if (path.length > maxPathLength) {
      stop(new FilterTooComplex({ reason: `the field ${key} has too many parts`, limit: maxPathLength }))
    }
    if (isObject(value)) {
      const keys = Object.keys(value)
      const operatorKeys = keys.filter((name) => name.startsWith("$"))
      if (operatorKeys.length > 0) {
        if (operatorKeys.length < keys.length) {
          stop(
            new InvalidFilterOperand({
              at,
              operator: "a field",
              expected: "either operators ($gt, …) or a value, not both"
            })
          )
        }
        return fieldOperators(field, path, kind, value, at)
      }
    }
    return fieldOperators(field, path, kind, { $eq: value }, at)
  }

  /** A document: every key ANDed. */
  const document = (value: Json, at: string): Filter => {
    if (!isObject(value)) {
      return stop(
        new InvalidFilterOperand({ at, operator: "a filter", expected: 'a JSON object such as {"name": "x"}' })
      )
    }
    const parts: Array<Filter> = []
    for (const [key, item] of Object.entries(value)) {
      const where = at === "the top level" ? key : `${at}.${key}`
      if (!key.startsWith("$")) {
        parts.push(fieldFilter(key, item, where))
        continue
      }
      count()
      switch (key) {
        case "$and":
        case "$or":
        case "$nor": {
          const filters = list(item, where, key).map((entry, index) => document(entry, `${where}[${index}]`))
          if (filters.length === 0)
            stop(new InvalidFilterOperand({ at: where, operator: key, expected: "a non-empty list of filters" }))
          parts.push({ _tag: key === "$and" ? "And" : key === "$or" ? "Or" : "Nor", filters })
          break
        }
        case "$not":
          parts.push({ _tag: "Not", filter: document(item, where) })
          break
        default:
          if ((operators as ReadonlyArray<string>).includes(key)) {
            stop(
              new InvalidFilterOperand({
                at: where,
                operator: key,
                expected: `a field to apply to, as in {"name": {"${key}": …}}`
              })
            )
          }
          stop(new UnknownFilterOperator({ operator: key, at: where, allowed: operators }))
      }
    }
    return and(parts)
  }

  try {
    let value: Json
    if (typeof input === "string") {
      const parsed = parseJsonText(input)
      if (Either.isLeft(parsed)) return Either.left(parsed.left)
      value = parsed.right
    } else {
      // A value given as an object is read through its JSON text, so the same bounds apply.
      const parsed = parseJsonText(JSON.stringify(input ?? {}) ?? "{}")
      if (Either.isLeft(parsed)) return Either.left(parsed.left)
      value = parsed.right
    }
    return Either.right(document(value, "the top level"))
  } catch (thrown) {
    if (thrown instanceof Stop) return Either.left(thrown.error)
    throw thrown
  }
}
