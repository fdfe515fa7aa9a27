/**
 * The PostgreSQL read-model store against the in-memory one (the reference semantics) where the two drivers must
 * agree: rebuilds of several flushes (upserts, patches and deletes across flush boundaries, a flush that fails),
 * filtered fields, and writes the typed tables cannot hold.
 */
import { expect, it } from "@effect/vitest"
import { MemoryReadModelStore } from "@registrar/adapters-memory"
import { Change, type ChangeBatch, type ReadModelStoreShape, type Where } from "@registrar/domain"
import { Effect, Either, type Scope, Stream } from "effect"
import type { Database } from "../../src/internal/Database.js"
import * as PgReadModelStore from "../../src/PgReadModelStore.js"
import { testTables as tables } from "./TestTables.js"

const filters: ReadonlyArray<Where> = [
  { group: "a" },
  { group: "b", patched: true },
  { patched: true },
  { n: 7 },
  { label: "l3" },
  { group: "a", label: "l4" },
  { group: "missing" }
]

const contents = (store: ReadModelStoreShape) =>
  Effect.gen(function* () {
    const result: Record<string, unknown> = {
      checkpoint: yield* store.checkpoint,
      things: yield* store.list("things"),
      others: yield* store.list("others")
    }
    for (const where of filters) {
      result[`things ${JSON.stringify(where)}`] = yield* store.list("things", where)
      result[`count ${JSON.stringify(where)}`] = yield* store.count("things", where)
      result[`others ${JSON.stringify(where)}`] = yield* store.list("others", where)
    }
    return result
  })

const batchesOf = (changes: ReadonlyArray<Change>, size: number): ReadonlyArray<ChangeBatch> =>
  Array.from({ length: Math.ceil(changes.length / size) }, (_, index) => ({
    changes: changes.slice(index * size, (index + 1) * size),
    checkpoint: { transactionId: 3, globalPosition: index + 1 }
  }))

/**
 * About 15,000 changes (the store flushes every 5,000): rows put in one flush and put again, patched, deleted one
 * by one and deleted by an indexed (`group`) and an unindexed field (`label`) in later ones, in a table with indexed
 * fields (`things`) and in one without (`others`).
 */
const acrossFlushes = (): ReadonlyArray<Change> => {
  const changes: Array<Change> = []
  for (const table of ["things", "others"]) {
    for (let n = 0; n < 3_000; n++) changes.push(Change.put(table, `k${n}`, { group: "a", n, label: `l${n % 10}` }))
  }
  for (const table of ["things", "others"]) {
    for (let n = 0; n < 1_000; n++) changes.push(Change.put(table, `k${n}`, { group: "b", n }))
    for (let n = 1_000; n < 2_000; n++) changes.push(Change.patch(table, `k${n}`, { group: "b", patched: true }))
    for (let n = 2_000; n < 2_500; n++) changes.push(Change.delete(table, `k${n}`))
    changes.push(Change.patch(table, "k0", { patched: true }))
  }
  changes.push(Change.deleteWhere("things", "group", "a"), Change.deleteWhere("others", "label", "l5"))
  changes.push(Change.deleteWhere("things", "label", "l6"))
  for (const table of ["things", "others"]) {
    for (let n = 2_000; n < 4_000; n++) changes.push(Change.put(table, `k${n}`, { group: "a", n, label: `l${n % 10}` }))
    changes.push(Change.patch(table, "k1500", { group: "a" }), Change.delete(table, "k1"))
  }
  return changes
}

/** Runs the rebuild tests on fresh databases of one driver. */
export const rebuildSuite = (database: Effect.Effect<Database, unknown, Scope.Scope>): void => {
  it.scopedLive("a rebuild upserts, patches and deletes across flush boundaries as memory does", () =>
    Effect.gen(function* () {
      const pg = yield* PgReadModelStore.make(yield* database, { tables })
      const memory = yield* MemoryReadModelStore.make
      const batches = batchesOf(acrossFlushes(), 700)
      yield* pg.apply({ changes: [Change.put("things", "old", { group: "a" })], checkpoint: batches[0]!.checkpoint })
      yield* pg.replaceAll(Stream.fromIterable(batches))
      yield* memory.replaceAll(Stream.fromIterable(batches))
      expect(yield* contents(pg)).toEqual(yield* contents(memory))
      expect((yield* pg.list("things", { group: "b", patched: true })).length).toBe(900)
      // Incremental writes after the rebuild keep the indexed part in step with the row.
      const next = { transactionId: 4, globalPosition: 1 }
      const changes = [Change.patch("things", "k3", { group: "c" }), Change.put("things", "k9", { group: "c", n: 9 })]
      yield* pg.apply({ changes, checkpoint: next })
      yield* memory.apply({ changes, checkpoint: next })
      expect(yield* pg.list("things", { group: "c" })).toEqual(yield* memory.list("things", { group: "c" }))
      expect(yield* contents(pg)).toEqual(yield* contents(memory))
    })
  )

  it.scopedLive("a flush that fails fails the rebuild, keeps the live read models and drops the fresh table", () =>
    Effect.gen(function* () {
      const db = yield* database
      const pg = yield* PgReadModelStore.make(db, { tables })
      const live = { transactionId: 1, globalPosition: 9 }
      yield* pg.apply({ changes: [Change.put("things", "kept", { group: "a" })], checkpoint: live })
      const freshTables = db.driver.query(
        `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = $1 AND tablename LIKE '%\\_\\_rebuild'`,
        [db.schemaName]
      )
      // jsonb refuses \u0000: a flush in the middle fails, then the last one.
      for (const at of [6_000, 14_000]) {
        const changes = acrossFlushes().map((change, index) =>
          index === at ? Change.put("things", "bad", { group: "a\u0000" }) : change
        )
        const failed = yield* Effect.either(pg.replaceAll(Stream.fromIterable(batchesOf(changes, 700))))
        expect(Either.isLeft(failed) && failed.left._tag).toBe("StoreUnavailable")
        expect(yield* pg.list("things")).toEqual([{ group: "a" }])
        expect(yield* pg.list("things", { group: "a" })).toEqual([{ group: "a" }])
        expect(yield* pg.checkpoint).toEqual(live)
        expect((yield* freshTables)[0]?.n).toBe(0)
      }
    })
  )

  it.scopedLive(
    "a feed that fails while a flush is being written keeps the live read models and drops the fresh tables",
    () =>
      Effect.gen(function* () {
        const db = yield* database
        const pg = yield* PgReadModelStore.make(db, { tables })
        const live = { transactionId: 1, globalPosition: 9 }
        yield* pg.apply({ changes: [Change.put("things", "kept", { group: "a" })], checkpoint: live })
        // 10 batches of 700 changes: the first flush (at 5,000) is being written when the feed fails.
        const feed = Stream.concat(
          Stream.fromIterable(batchesOf(acrossFlushes(), 700).slice(0, 10)),
          Stream.fail("the feed failed" as const)
        )
        expect(yield* Effect.flip(pg.replaceAll(feed))).toBe("the feed failed")
        expect(yield* pg.list("things")).toEqual([{ group: "a" }])
        expect(yield* pg.checkpoint).toEqual(live)
        const fresh = yield* db.driver.query(
          `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = $1 AND tablename LIKE '%\\_\\_rebuild'`,
          [db.schemaName]
        )
        expect(fresh[0]?.n).toBe(0)
        // The next rebuild starts afresh and gives the in-memory store's tables.
        const memory = yield* MemoryReadModelStore.make
        const batches = batchesOf(acrossFlushes(), 700)
        yield* pg.replaceAll(Stream.fromIterable(batches))
        yield* memory.replaceAll(Stream.fromIterable(batches))
        expect(yield* contents(pg)).toEqual(yield* contents(memory))
      })
  )

  it.scopedLive(
    "a rebuild writes text with backslashes, tabs, line breaks and non-ASCII as it is, over many pieces",
    () =>
      Effect.gen(function* () {
        const pg = yield* PgReadModelStore.make(yield* database, { tables })
        const memory = yield* MemoryReadModelStore.make
        const awkward = ["a\\b", "tab\there", "line\nbreak", "cr\rlf\r\n", "\\N", "naïve → ✓ 🦀", '{"q": "\\""}']
        // About 300 KB of COPY text: several pieces of 64 KB, split between rows.
        const changes = Array.from({ length: 2_000 }, (_, n) =>
          Change.put("things", `k${n}\t${awkward[n % awkward.length]}`, {
            group: awkward[n % awkward.length]!,
            label: `${awkward[(n + 1) % awkward.length]}${"x".repeat(100)}`,
            nested: { text: awkward[(n + 2) % awkward.length]!, list: [awkward[(n + 3) % awkward.length]!] },
            n
          })
        )
        const batches = batchesOf(changes, 500)
        yield* pg.replaceAll(Stream.fromIterable(batches))
        yield* memory.replaceAll(Stream.fromIterable(batches))
        expect(yield* pg.list("things")).toEqual(yield* memory.list("things"))
        expect((yield* pg.list("things", { group: "tab\there" })).length).toBe(Math.ceil(2_000 / awkward.length))
      })
  )

  it.scopedLive("a write to a field or table without a column fails whole, naming it, in a batch or a rebuild", () =>
    Effect.gen(function* () {
      const db = yield* database
      const pg = yield* PgReadModelStore.make(db, { tables })
      const first = { transactionId: 1, globalPosition: 1 }
      yield* pg.apply({ changes: [Change.put("things", "a", { group: "x", n: 1 })], checkpoint: first })
      for (const change of [
        Change.put("things", "b", { group: "y", colour: "red" }),
        Change.patch("things", "a", { colour: "red" }),
        Change.put("nowhere", "a", { group: "x" })
      ]) {
        const next = { transactionId: 1, globalPosition: 2 }
        const failed = yield* Effect.either(
          pg.apply({ changes: [Change.put("things", "c", { group: "z" }), change], checkpoint: next })
        )
        expect(Either.isLeft(failed) && failed.left.detail).toMatch(/colour|nowhere/)
        const rebuilt = yield* Effect.either(pg.replaceAll(Stream.make({ changes: [change], checkpoint: next })))
        expect(Either.isLeft(rebuilt) && rebuilt.left._tag).toBe("StoreUnavailable")
        expect(yield* pg.list("things")).toEqual([{ group: "x", n: 1 }])
        expect(yield* pg.checkpoint).toEqual(first)
      }
    })
  )
}
