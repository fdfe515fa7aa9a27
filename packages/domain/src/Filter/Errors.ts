/**
 * The filter language's rejections (docs/search.md): each names what was wrong, where in the filter, and what is
 * allowed instead, so a person can fix the filter from the message alone.
 */
import { Schema } from "effect"

/** The filter is not JSON, or is too long to read. */
export class InvalidFilterJson extends Schema.TaggedError<InvalidFilterJson>()("InvalidFilterJson", {
  reason: Schema.String
}) {
  override get message() {
    return `The filter is not valid JSON: ${this.reason}. Write a JSON object such as {"name": {"$regex": "^model"}}.`
  }
}

/** A `$` key that is not one of the 17 operators. */
export class UnknownFilterOperator extends Schema.TaggedError<UnknownFilterOperator>()("UnknownFilterOperator", {
  operator: Schema.String,
  at: Schema.String,
  allowed: Schema.Array(Schema.String)
}) {
  override get message() {
    return `Unknown operator "${this.operator}" at ${this.at}. The operators are: ${this.allowed.join(" ")}.`
  }
}

/** A field this level of the registry does not have. */
export class UnknownFilterField extends Schema.TaggedError<UnknownFilterField>()("UnknownFilterField", {
  field: Schema.String,
  level: Schema.String,
  allowed: Schema.Array(Schema.String)
}) {
  override get message() {
    return `"${this.field}" is not a field of ${this.level}. Filter ${this.level} on: ${this.allowed.join(" ")} (metadata keys as metadata.KEY where allowed).`
  }
}

/** A field name outside the grammar `[A-Za-z_][A-Za-z0-9_]*` (each part of a dotted path). */
export class InvalidFilterFieldName extends Schema.TaggedError<InvalidFilterFieldName>()("InvalidFilterFieldName", {
  field: Schema.String
}) {
  override get message() {
    return `"${this.field}" is not a field name: each part of a field (metadata.owner) is a letter or _ followed by letters, digits or _.`
  }
}

/** The same field or operator appears twice in one object. */
export class DuplicateFilterField extends Schema.TaggedError<DuplicateFilterField>()("DuplicateFilterField", {
  field: Schema.String,
  at: Schema.String
}) {
  override get message() {
    return `"${this.field}" appears twice at ${this.at}. Give each field once; combine conditions on it in one object ({"$gte": 1, "$lt": 5}) or with $and.`
  }
}

/** An operator was given an operand it cannot take (wrong type, or an operator that does not apply to the field). */
export class InvalidFilterOperand extends Schema.TaggedError<InvalidFilterOperand>()("InvalidFilterOperand", {
  at: Schema.String,
  operator: Schema.String,
  expected: Schema.String
}) {
  override get message() {
    return `${this.operator} at ${this.at} needs ${this.expected}.`
  }
}

/** The filter is nested deeper, or holds more conditions, than a query may. */
export class FilterTooComplex extends Schema.TaggedError<FilterTooComplex>()("FilterTooComplex", {
  reason: Schema.String,
  limit: Schema.Number
}) {
  override get message() {
    return `The filter is too complex: ${this.reason} (at most ${this.limit}). Split the question into simpler filters.`
  }
}

/** A list operand ($in, $nin, $all, $and, $or, $nor) is longer than allowed. */
export class FilterListTooLong extends Schema.TaggedError<FilterListTooLong>()("FilterListTooLong", {
  operator: Schema.String,
  length: Schema.Number,
  limit: Schema.Number
}) {
  override get message() {
    return `${this.operator} has ${this.length} items; at most ${this.limit} are allowed. Narrow the list or page through the results.`
  }
}

/** A string operand is longer than allowed. */
export class FilterStringTooLong extends Schema.TaggedError<FilterStringTooLong>()("FilterStringTooLong", {
  at: Schema.String,
  length: Schema.Number,
  limit: Schema.Number
}) {
  override get message() {
    return `The text at ${this.at} has ${this.length} characters; at most ${this.limit} are allowed.`
  }
}

/** A `$regex` pattern outside the supported subset, or prone to catastrophic backtracking. */
export class UnsupportedRegex extends Schema.TaggedError<UnsupportedRegex>()("UnsupportedRegex", {
  pattern: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `The $regex ${JSON.stringify(this.pattern)} is refused: ${this.reason}. Patterns may use literals, ., [classes], ^ $, (groups), | and the quantifiers * + ? {m,n}, without a quantifier on a group that holds one.`
  }
}

/** An order string that is not one of the allowed fields with at most one sign. */
export class InvalidOrder extends Schema.TaggedError<InvalidOrder>()("InvalidOrder", {
  order: Schema.String,
  level: Schema.String,
  allowed: Schema.Array(Schema.String)
}) {
  override get message() {
    return `"${this.order}" is not an order of ${this.level}. Write one field, optionally after + (ascending, the default) or - (descending): ${this.allowed.join(" ")} (for example -created_at).`
  }
}

/** A cursor that this query did not hand out (malformed, or from another level or order). */
export class InvalidSearchCursor extends Schema.TaggedError<InvalidSearchCursor>()("InvalidSearchCursor", {
  reason: Schema.String
}) {
  override get message() {
    return `The cursor is not valid here: ${this.reason}. Pass the nextCursor of the previous page of the same query, or none for the first page.`
  }
}

/** A page size outside 1…limit. */
export class InvalidPageSize extends Schema.TaggedError<InvalidPageSize>()("InvalidPageSize", {
  pageSize: Schema.Number,
  limit: Schema.Number
}) {
  override get message() {
    return `A page size of ${this.pageSize} is not allowed: give a whole number from 1 to ${this.limit} (default 100).`
  }
}

/** Every way a filter, order, cursor or page size can be refused. */
export type FilterError =
  | InvalidFilterJson
  | UnknownFilterOperator
  | UnknownFilterField
  | InvalidFilterFieldName
  | DuplicateFilterField
  | InvalidFilterOperand
  | FilterTooComplex
  | FilterListTooLong
  | FilterStringTooLong
  | UnsupportedRegex
  | InvalidOrder
  | InvalidSearchCursor
  | InvalidPageSize
