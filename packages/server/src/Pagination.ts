/**
 * Pages of lists, by keyset: a page holds at most `limit` items (default 100) that sort after the last item of the
 * previous page, and the cursor of the next page (`null` on the last). The cursor is opaque to clients: base64url of
 * `{ s, a }`, where `a` is the sort key of the last item handed out (a version index, a feed position, a name) and
 * `s` a digest of the list it belongs to (the endpoint and every parameter but the cursor and the limit).
 *
 * A cursor is validated, not signed, so that every server process over one store accepts every other's: it must
 * decode, belong to the same list, and hold a sort key of the list's shape; anything else is `InvalidCursor` (400).
 * A forged but well-formed cursor only starts the page elsewhere in a list the caller may read anyway; the reads it
 * drives apply access as always. Because pages continue after a key rather than an offset, items added or removed
 * while a client pages never make it see an item twice or miss one that existed throughout.
 */
import { createHash } from "node:crypto"
import { Problem } from "@registrar/api"
import { Effect, Either, Encoding, Schema } from "effect"

/** Items per page when the request names no limit. */
export const DEFAULT_LIMIT = 100

/** The longest cursor accepted; the ones handed out are far shorter. */
export const MAX_CURSOR_LENGTH = 2048

/** The sort keys of the lists: a version index, a feed position, a name. */
export const SortKey = {
  index: Schema.Number.pipe(Schema.int(), Schema.between(0, Number.MAX_SAFE_INTEGER)),
  position: Schema.Struct({
    transactionId: Schema.Number.pipe(Schema.int(), Schema.between(0, Number.MAX_SAFE_INTEGER)),
    globalPosition: Schema.Number.pipe(Schema.int(), Schema.between(0, Number.MAX_SAFE_INTEGER))
  }),
  name: Schema.String.pipe(Schema.maxLength(1024))
}

/** The digest that ties a cursor to its list: the endpoint and its parameters, the cursor and the limit aside. */
export const scopeOf = (list: string, params: Readonly<Record<string, unknown>>): string => {
  const { cursor: _cursor, limit: _limit, ...rest } = params
  const stable = Object.keys(rest)
    .sort()
    .map((name) => [name, rest[name] === undefined ? null : rest[name]])
  return createHash("sha256")
    .update(JSON.stringify([list, stable]))
    .digest("base64url")
    .slice(0, 16)
}

/** The cursor of the page after the item whose sort key is `after`. */
export const encodeCursor = (scope: string, after: unknown): string =>
  Encoding.encodeBase64Url(JSON.stringify({ s: scope, a: after }))

/** The sort key a cursor holds; InvalidCursor for anything this list did not hand out. */
export const decodeCursor = <K, I>(
  scope: string,
  key: Schema.Schema<K, I>,
  cursor: string
): Effect.Effect<K, Problem.InvalidCursor> => {
  if (cursor.length > MAX_CURSOR_LENGTH) return Effect.fail(new Problem.InvalidCursor())
  const text = Encoding.decodeBase64UrlString(cursor)
  if (Either.isLeft(text)) return Effect.fail(new Problem.InvalidCursor())
  let parsed: unknown
  try {
    parsed = JSON.parse(text.right)
  } catch {
    return Effect.fail(new Problem.InvalidCursor())
  }
  if (typeof parsed !== "object" || parsed === null || (parsed as { s?: unknown }).s !== scope) {
    return Effect.fail(new Problem.InvalidCursor())
  }
  return Either.match(Schema.decodeUnknownEither(key)((parsed as { a?: unknown }).a), {
    onLeft: () => Effect.fail(new Problem.InvalidCursor()),
    onRight: (value) => Effect.succeed(value)
  })
}

/** What a paginated request asks for. */
export interface PageParams {
  readonly cursor?: string | undefined
  readonly limit?: number | undefined
}

/** One page and the cursor of the next. */
export interface Page<A> {
  readonly items: ReadonlyArray<A>
  readonly nextCursor: string | null
}

/**
 * One page of a list read by keyset: `read` is asked for one item more than the page holds (to know whether a next
 * page exists) after the sort key the cursor holds, and returns them in the list's order.
 */
export const keysetPage = <A, K, I, E, R>(options: {
  readonly scope: string
  readonly key: Schema.Schema<K, I>
  readonly params: PageParams
  readonly keyOf: (item: A) => K
  readonly read: (page: {
    readonly after: K | undefined
    readonly limit: number
  }) => Effect.Effect<ReadonlyArray<A>, E, R>
}): Effect.Effect<Page<A>, E | Problem.InvalidCursor, R> =>
  Effect.gen(function* () {
    const { cursor } = options.params
    const after = cursor === undefined ? undefined : yield* decodeCursor(options.scope, options.key, cursor)
    const limit = options.params.limit ?? DEFAULT_LIMIT
    const found = yield* options.read({ after, limit: limit + 1 })
    const items = found.slice(0, limit)
    const last = items[items.length - 1]
    return {
      items,
      nextCursor: found.length > limit && last !== undefined ? encodeCursor(options.scope, options.keyOf(last)) : null
    }
  })

/**
 * One page of a list the service answers whole (search results, a source artifact's versions): the same keyset
 * cursors, applied to the list in memory. `keyOf` must give keys that increase along the list.
 */
export const pageInMemory = <A, K extends string | number, I>(
  items: ReadonlyArray<A>,
  options: {
    readonly scope: string
    readonly key: Schema.Schema<K, I>
    readonly params: PageParams
    readonly keyOf: (item: A) => K
  }
): Effect.Effect<Page<A>, Problem.InvalidCursor> =>
  keysetPage({
    ...options,
    read: ({ after, limit }) =>
      Effect.succeed(
        (after === undefined ? items : items.filter((item) => options.keyOf(item) > after)).slice(0, limit)
      )
  })
