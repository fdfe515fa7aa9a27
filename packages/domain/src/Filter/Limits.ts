/** The bounds every filter is held to (docs/search.md#limits), and the errors a filter's parsing can end in. */
import type {
  DuplicateFilterField,
  FilterListTooLong,
  FilterStringTooLong,
  FilterTooComplex,
  InvalidFilterFieldName,
  InvalidFilterJson,
  InvalidFilterOperand,
  UnknownFilterField,
  UnknownFilterOperator,
  UnsupportedRegex
} from "./Errors.js"

/** The most conditions and combinators one filter holds. */
export const maxConditions = 64

/** The most items of an `$in`, `$nin`, `$all`, `$and`, `$or` or `$nor` list. */
export const maxListLength = 100

/** The longest text operand. */
export const maxStringLength = 256

/** The most keys of a dotted metadata path after `metadata`. */
export const maxPathLength = 8

/** The default page size. */
export const defaultPageSize = 100

/** The largest page size. */
export const maxPageSize = 1000

/** Every way parsing a filter can fail. */
export type FilterParseError =
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
