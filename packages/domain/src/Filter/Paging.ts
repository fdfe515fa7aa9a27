/**
 * Order strings (`name`, `+name`, `-created_at`), opaque cursors and page sizes (docs/search.md#order-and-pages).
 * A cursor carries the level, the order and the sort value and id of the last row of its page, so it cannot be
 * replayed against another query shape.
 */
import { Either, Encoding } from "effect"
import type { Level, Order, Position } from "./Ast.js"
import { InvalidSearchCursor, InvalidOrder, InvalidPageSize } from "./Errors.js"
import { orderFieldsOf } from "./Fields.js"
import { defaultPageSize, maxPageSize } from "./Limits.js"

/** The order when none is given: by name (registries, collections), by version number (versions). */
export const defaultOrder = (level: Level): Order => ({
  field: level === "versions" ? "version" : "name",
  descending: false
})

/** Parses an order string of a level: one allowed field, optionally after one `+` or `-`. */
export const parseOrder = (level: Level, order: string | undefined): Either.Either<Order, InvalidOrder> => {
  if (order === undefined) return Either.right(defaultOrder(level))
  const allowed = orderFieldsOf[level]
  const sign = order.startsWith("-") ? "-" : order.startsWith("+") ? "+" : ""
  const field = order.slice(sign.length)
  const found = allowed.find((name) => name === field)
  return found === undefined
    ? Either.left(new InvalidOrder({ order, level, allowed: allowed.flatMap((name) => [name, `-${name}`]) }))
    : Either.right({ field: found, descending: sign === "-" })
}

/** The order's string form (`-created_at`). */
export const formatOrder = (order: Order): string => `${order.descending ? "-" : ""}${order.field}`

/** Checks a page size (default 100, at most 1000). */
export const parsePageSize = (pageSize: number | undefined): Either.Either<number, InvalidPageSize> =>
  pageSize === undefined
    ? Either.right(defaultPageSize)
    : Number.isSafeInteger(pageSize) && pageSize >= 1 && pageSize <= maxPageSize
      ? Either.right(pageSize)
      : Either.left(new InvalidPageSize({ pageSize, limit: maxPageSize }))

/** The opaque cursor that continues a listing after `position`. */
export const encodeCursor = (level: Level, order: Order, position: Position): string =>
  Encoding.encodeBase64Url(JSON.stringify([1, level, formatOrder(order), position.value, position.id]))

/** The position a cursor continues after, checked against the query's level and order. */
export const decodeCursor = (
  level: Level,
  order: Order,
  cursor: string | undefined
): Either.Either<Position | undefined, InvalidSearchCursor> => {
  if (cursor === undefined || cursor === "") return Either.right(undefined)
  if (cursor.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
    return Either.left(new InvalidSearchCursor({ reason: "it is not a cursor this service handed out" }))
  }
  const text = Encoding.decodeBase64UrlString(cursor)
  if (Either.isLeft(text)) {
    return Either.left(new InvalidSearchCursor({ reason: "it is not a cursor this service handed out" }))
  }
  let decoded: unknown
  try {
    decoded = JSON.parse(text.right)
  } catch {
    return Either.left(new InvalidSearchCursor({ reason: "it is not a cursor this service handed out" }))
  }
  if (!Array.isArray(decoded) || decoded.length !== 5 || decoded[0] !== 1) {
    return Either.left(new InvalidSearchCursor({ reason: "it is not a cursor this service handed out" }))
  }
  const [, cursorLevel, cursorOrder, value, id] = decoded as [unknown, unknown, unknown, unknown, unknown]
  if (cursorLevel !== level || cursorOrder !== formatOrder(order)) {
    return Either.left(
      new InvalidSearchCursor({
        reason: `it continues a listing of ${String(cursorLevel)} ordered by ${String(cursorOrder)}`
      })
    )
  }
  const valueOk = order.field === "version" ? Number.isSafeInteger(value) : typeof value === "string"
  if (!valueOk || typeof id !== "string") {
    return Either.left(new InvalidSearchCursor({ reason: "it is not a cursor this service handed out" }))
  }
  return Either.right({ value: value as string | number, id })
}
