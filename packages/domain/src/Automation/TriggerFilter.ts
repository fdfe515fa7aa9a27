/**
 * An automation's optional filter on the event's `alias` or `tag`, in W&B's filter language (docs/search.md):
 * `{"alias": {"$regex": "^prod"}}`, `{"tag": "golden"}`, `{"$or": [{"alias": "prod"}, {"alias": "staging"}]}`.
 *
 * It is the repository's filter language (`Filter.parseFilter` at the versions level, evaluated by `Filter.matches`),
 * narrowed to the two fields an event carries: every operator, the same limits on size and nesting, and the same
 * regular-expression subset, matched in linear time (a registry admin's pattern cannot stall the dispatcher). A
 * filter is parsed when the automation is saved, so a wrong one is refused then.
 */
import { Either } from "effect"
import * as Search from "../Filter.js"
import { parseJsonText } from "../Filter/JsonText.js"
import { InvalidTriggerFilter } from "./Errors.js"

/** The facts of an event a filter can look at (empty when the event has none). */
export interface FilterSubject {
  readonly alias: string
  readonly tag: string
}

/** A parsed filter. */
export type Filter = Search.Filter

/** The interface automations use: parse once when saved, then test each event. */
export interface TriggerFilter {
  readonly parse: (text: string) => Either.Either<Filter, InvalidTriggerFilter>
  readonly matches: (filter: Filter, subject: FilterSubject) => boolean
}

/** The fields an automation's filter may name. */
const triggerFields: ReadonlyArray<string> = ["alias", "tag"]

/** The fields a filter names, anywhere in it. */
const fieldsOf = (filter: Filter): ReadonlyArray<string> => {
  switch (filter._tag) {
    case "And":
    case "Or":
    case "Nor":
      return filter.filters.flatMap(fieldsOf)
    case "Not":
      return fieldsOf(filter.filter)
    case "Condition":
      return [filter.field.field]
  }
}

const refused = (reason: string) => Either.left(new InvalidTriggerFilter({ reason }))

/** The filter language of automations: W&B's, on `alias` and `tag`. */
export const builtIn: TriggerFilter = {
  parse: (text) =>
    Either.flatMap(
      Either.mapLeft(
        Either.flatMap(parseJsonText(text), (json) => Search.parseFilter("versions", json)),
        (error) => new InvalidTriggerFilter({ reason: error.message })
      ),
      (filter) => {
        const other = fieldsOf(filter).find((field) => !triggerFields.includes(field))
        if (other !== undefined)
          return refused(`automations filter on "alias" or "tag" only, not ${JSON.stringify(other)}`)
        if (filter._tag === "And" && filter.filters.length === 0) {
          return refused("the filter is empty; leave it out to match every event")
        }
        return Either.right(filter)
      }
    ),
  matches: (filter, subject) =>
    Search.matches(filter, {
      id: "",
      alias: subject.alias === "" ? [] : [subject.alias],
      tag: subject.tag === "" ? [] : [subject.tag]
    })
}
