/**
 * The filter AST evaluated on plain records (the memory store's path, and the meaning the SQL compiler must match):
 * matching, ordering with the id as tie-break, and keyset pages (docs/search.md#semantics).
 */
import type { Filter, Json, Operation, Order, Position } from "./Ast.js"
import { regexMatches } from "./Regex.js"

/** A row as the filter language sees it: the level's fields by name, and its id. */
export interface FilterRecord {
  readonly id: string
  readonly [field: string]: Json | undefined
}

const isObject = (value: Json | undefined): value is { readonly [key: string]: Json } =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** JSON equality: objects by keys regardless of order, numbers by value. */
export const jsonEquals = (a: Json, b: Json): boolean => {
  if (a === b) return true
  if (Array.isArray(a))
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEquals(item, b[i] as Json))
  if (isObject(a)) {
    if (!isObject(b)) return false
    const keys = Object.keys(a)
    return (
      keys.length === Object.keys(b).length &&
      keys.every((key) => Object.hasOwn(b, key) && jsonEquals(a[key] as Json, b[key] as Json))
    )
  }
  return false
}

const timeFields = new Set(["created_at", "updated_at"])

/** The value of a field (and metadata path) of a record; undefined when absent. */
const valueAt = (record: FilterRecord, field: string, path: ReadonlyArray<string>): Json | undefined => {
  let value = record[field]
  for (const key of path) {
    if (!isObject(value) || !Object.hasOwn(value, key)) return undefined
    value = value[key]
  }
  return value
}

const compare = (operator: string, left: number | string, right: number | string): boolean => {
  switch (operator) {
    case "$lt":
      return left < right
    case "$gt":
      return left > right
    case "$lte":
      return left <= right
    default:
      return left >= right
  }
}

/** A single value (text, number, time or JSON) against an operation. */
const scalarMatches = (value: Json | undefined, operation: Operation, time: boolean): boolean => {
  switch (operation._tag) {
    case "Exists":
      return (value !== undefined) === operation.exists
    case "Compare": {
      if (value === undefined) return operation.operator === "$ne"
      if (operation.operator === "$eq" || operation.operator === "$ne") {
        const equal = time
          ? typeof value === "string" && Date.parse(value) === Date.parse(operation.value as string)
          : jsonEquals(value, operation.value)
        return equal === (operation.operator === "$eq")
      }
      const operand = operation.value
      if (time)
        return (
          typeof value === "string" && compare(operation.operator, Date.parse(value), Date.parse(operand as string))
        )
      if (typeof operand === "number") return typeof value === "number" && compare(operation.operator, value, operand)
      return typeof value === "string" && typeof operand === "string" && compare(operation.operator, value, operand)
    }
    case "Membership": {
      if (operation.operator === "$all") {
        return (
          Array.isArray(value) && operation.values.every((wanted) => value.some((item) => jsonEquals(item, wanted)))
        )
      }
      const found =
        value !== undefined &&
        operation.values.some((item) =>
          time ? typeof value === "string" && Date.parse(value) === Date.parse(item as string) : jsonEquals(value, item)
        )
      return found === (operation.operator === "$in")
    }
    case "Regex":
      return typeof value === "string" && regexMatches(operation.pattern, value)
    case "Contains":
      return typeof value === "string" && value.includes(operation.text)
    case "Size":
      return Array.isArray(value) && value.length === operation.size
  }
}

/** A list of texts (tag, alias) against an operation: Mongo's rule, any item matching. */
const listMatches = (items: ReadonlyArray<Json>, operation: Operation): boolean => {
  switch (operation._tag) {
    case "Exists":
      return operation.exists
    case "Compare": {
      const found = items.some((item) => jsonEquals(item, operation.value))
      return operation.operator === "$eq" ? found : operation.operator === "$ne" ? !found : false
    }
    case "Membership": {
      if (operation.operator === "$all") return operation.values.every((wanted) => items.includes(wanted))
      const found = items.some((item) => operation.values.includes(item))
      return found === (operation.operator === "$in")
    }
    case "Regex":
      return items.some((item) => typeof item === "string" && regexMatches(operation.pattern, item))
    case "Contains":
      return items.some((item) => typeof item === "string" && item.includes(operation.text))
    case "Size":
      return items.length === operation.size
  }
}

/** Whether a record matches a filter. */
export const matches = (filter: Filter, record: FilterRecord): boolean => {
  switch (filter._tag) {
    case "And":
      return filter.filters.every((part) => matches(part, record))
    case "Or":
      return filter.filters.some((part) => matches(part, record))
    case "Nor":
      return !filter.filters.some((part) => matches(part, record))
    case "Not":
      return !matches(filter.filter, record)
    case "Condition": {
      const { field, path } = filter.field
      const value = valueAt(record, field, path)
      if (path.length === 0 && Array.isArray(value) && field !== "metadata") return listMatches(value, filter.operation)
      return scalarMatches(value, filter.operation, timeFields.has(field))
    }
  }
}

/** The value a record is ordered by. */
export const sortValue = (record: FilterRecord, order: Order): string | number => {
  const value = record[order.field]
  return typeof value === "number" || typeof value === "string" ? value : ""
}

const comparable = (value: string | number, order: Order): string | number =>
  order.field === "created_at" || order.field === "updated_at" ? Date.parse(value as string) : value

/** Compares two positions in an order: by sort value, then id, both in the order's direction. */
export const comparePositions = (order: Order, a: Position, b: Position): number => {
  const left = comparable(a.value, order)
  const right = comparable(b.value, order)
  const ascending = left < right ? -1 : left > right ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0
  return order.descending ? -ascending : ascending
}

/** A record's position in an order. */
export const positionOf = (record: FilterRecord, order: Order): Position => ({
  value: sortValue(record, order),
  id: record.id
})

/** One page of the records that match: ordered, after `after`, at most `limit` of them (and whether more follow). */
export const page = <A extends FilterRecord>(
  records: Iterable<A>,
  filter: Filter,
  order: Order,
  limit: number,
  after: Position | undefined
): { readonly items: ReadonlyArray<A>; readonly more: boolean } => {
  const found: Array<A> = []
  for (const record of records) {
    if (after !== undefined && comparePositions(order, positionOf(record, order), after) <= 0) continue
    if (matches(filter, record)) found.push(record)
  }
  found.sort((a, b) => comparePositions(order, positionOf(a, order), positionOf(b, order)))
  return { items: found.slice(0, limit), more: found.length > limit }
}
