/**
 * The typed filter AST (docs/search.md): what a JSON filter parses into, once, before it is evaluated on the memory
 * store or compiled to SQL. Operands are already checked and normalised for their field: registry names carry their
 * prefix, versions are numbers, times are ISO instants.
 */
import { Schema } from "effect"

/** A JSON value (an operand compared with metadata). */
export type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [key: string]: Json }

/** Schema of {@link Json}. */
export const Json: Schema.Schema<Json> = Schema.Union(
  Schema.Null,
  Schema.Boolean,
  Schema.Number,
  Schema.String,
  Schema.Array(Schema.suspend((): Schema.Schema<Json> => Json)),
  Schema.Record({ key: Schema.String, value: Schema.suspend((): Schema.Schema<Json> => Json) })
)

/** The levels a filter applies to. */
export const Level = Schema.Literal("registries", "collections", "versions")
/** A level: registries, collections or versions. */
export type Level = typeof Level.Type

/** A field of the level, and for `metadata` the path of keys inside it (empty: the whole metadata object). */
export const FieldRef = Schema.Struct({ field: Schema.String, path: Schema.Array(Schema.String) })
/** A field reference. */
export type FieldRef = typeof FieldRef.Type

/** A comparison with one operand. */
export const Compare = Schema.TaggedStruct("Compare", {
  operator: Schema.Literal("$eq", "$ne", "$lt", "$gt", "$lte", "$gte"),
  value: Json
})

/** Membership in a list ($in, $nin) or holding every item of a list ($all). */
export const Membership = Schema.TaggedStruct("Membership", {
  operator: Schema.Literal("$in", "$nin", "$all"),
  values: Schema.Array(Json)
})

/** Whether the field is present. */
export const Exists = Schema.TaggedStruct("Exists", { exists: Schema.Boolean })

/** A regular expression (the supported subset), matched anywhere in the text. */
export const Regex = Schema.TaggedStruct("Regex", { pattern: Schema.String })

/** A substring. */
export const Contains = Schema.TaggedStruct("Contains", { text: Schema.String })

/** The length of a list. */
export const Size = Schema.TaggedStruct("Size", { size: Schema.Number })

/** What a condition asks of its field. */
export const Operation = Schema.Union(Compare, Membership, Exists, Regex, Contains, Size)
/** An operation. */
export type Operation = typeof Operation.Type

/** A filter: a condition on one field, or a combination of filters. */
export type Filter =
  | { readonly _tag: "Condition"; readonly field: FieldRef; readonly operation: Operation }
  | { readonly _tag: "And" | "Or" | "Nor"; readonly filters: ReadonlyArray<Filter> }
  | { readonly _tag: "Not"; readonly filter: Filter }

/** Schema of {@link Filter}. */
export const Filter: Schema.Schema<Filter> = Schema.Union(
  Schema.TaggedStruct("Condition", { field: FieldRef, operation: Operation }),
  Schema.TaggedStruct("And", { filters: Schema.Array(Schema.suspend((): Schema.Schema<Filter> => Filter)) }),
  Schema.TaggedStruct("Or", { filters: Schema.Array(Schema.suspend((): Schema.Schema<Filter> => Filter)) }),
  Schema.TaggedStruct("Nor", { filters: Schema.Array(Schema.suspend((): Schema.Schema<Filter> => Filter)) }),
  Schema.TaggedStruct("Not", { filter: Schema.suspend((): Schema.Schema<Filter> => Filter) })
)

/** The filter that matches everything. */
export const everything: Filter = { _tag: "And", filters: [] }

/** An order: a field and a direction. */
export const Order = Schema.Struct({
  field: Schema.Literal("name", "created_at", "updated_at", "version"),
  descending: Schema.Boolean
})
/** An order. */
export type Order = typeof Order.Type

/** Where a page starts: strictly after the row with this sort value and id, in the order's direction. */
export const Position = Schema.Struct({ value: Schema.Union(Schema.String, Schema.Number), id: Schema.String })
/** A position in an ordered listing. */
export type Position = typeof Position.Type
