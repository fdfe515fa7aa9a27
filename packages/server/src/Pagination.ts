/**
 * Pages of lists: a cursor is opaque to clients (base64url of `{ offset }`), a page holds at most `limit` items
 * (default 100) and the cursor of the next page, `null` on the last.
 */
import { Problem } from "@registrar/api"
import { Effect, Encoding, Either } from "effect"

/** Items per page when the request names no limit. */
export const DEFAULT_LIMIT = 100

/** The cursor of the page that starts at `offset`. */
export const encodeCursor = (offset: number): string => Encoding.encodeBase64Url(JSON.stringify({ offset }))

/** The offset a cursor encodes; InvalidCursor for anything this server did not hand out. */
export const decodeCursor = (cursor: string): Effect.Effect<number, Problem.InvalidCursor> => {
  const text = Encoding.decodeBase64UrlString(cursor)
  if (Either.isLeft(text)) return Effect.fail(new Problem.InvalidCursor())
  try {
    const parsed: unknown = JSON.parse(text.right)
    if (typeof parsed === "object" && parsed !== null && "offset" in parsed) {
      const offset = (parsed as { offset: unknown }).offset
      if (typeof offset === "number" && Number.isSafeInteger(offset) && offset >= 0) return Effect.succeed(offset)
    }
  } catch {
    // falls through to the typed failure
  }
  return Effect.fail(new Problem.InvalidCursor())
}

/** The page a cursor and limit select from `items`. */
export const paginate = <A>(
  items: ReadonlyArray<A>,
  params: { readonly cursor?: string | undefined; readonly limit?: number | undefined }
): Effect.Effect<{ readonly items: ReadonlyArray<A>; readonly nextCursor: string | null }, Problem.InvalidCursor> =>
  Effect.map(params.cursor === undefined ? Effect.succeed(0) : decodeCursor(params.cursor), (offset) => {
    const end = offset + (params.limit ?? DEFAULT_LIMIT)
    return { items: items.slice(offset, end), nextCursor: end < items.length ? encodeCursor(end) : null }
  })
