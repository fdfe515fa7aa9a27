/**
 * The PostgreSQL read models against the in-memory ones (the reference semantics), on PGlite: random batches of
 * changes (to tables with and without filtered fields), rebuilds larger than one flush, byte-order keys, and a projector
 * failing inside its transaction; then the rebuild suite shared with the server.
 */
import { describe, expect, it } from "@effect/vitest"
import { MemoryReadModelStore } from "@registrar/adapters-memory"
import { Change, type ChangeBatch, type ReadModelStoreShape } from "@registrar/domain"
import { newEvent } from "@registrar/domain/testing"
import { Effect, Either, FastCheck, Option, Stream } from "effect"
import { foldChanges } from "../src/internal/ChangeFold.js"
import { SqlFailure } from "../src/internal/Driver.js"
import * as PgEventStore from "../src/PgEventStore.js"
import * as PgReadModelStore from "../src/PgReadModelStore.js"
import { freshPgliteDatabase } from "./support/Pglite.js"
import { project } from "./support/Projector.js"
import { rebuildSuite } from "./support/Rebuild.js"
import { testTables } from "./support/TestTables.js"

const tables = ["things", "others"]
const keys = ["a", "B", "b", "ä", "a b", "z", "Z9", "✓"]
const groups = ["x", "y"]

const change: FastCheck.Arbitrary<Change> = FastCheck.oneof(
  FastCheck.record({
    table: FastCheck.constantFrom(...tables),
    key: FastCheck.constantFrom(...keys),
    group: FastCheck.constantFrom(...groups),
    size: FastCheck.integer({ min: 0, max: 3 })
  }).map(({ table, key, group, size }) => Change.put(table, key, { key, group, size })),
  FastCheck.record({
    table: FastCheck.constantFrom(...tables),
    key: FastCheck.constantFrom(...keys),
    patch: FastCheck.oneof(
      FastCheck.record({ group: FastCheck.constantFrom(...groups) }),
      FastCheck.record({ size: FastCheck.integer({ min: 0, max: 3 }), extra: FastCheck.boolean() })
    )
  }).map(({ table, key, patch }) => Change.patch(table, key, patch)),
  FastCheck.record({ table: FastCheck.constantFrom(...tables), key: FastCheck.constantFrom(...keys) }).map(
    ({ table, key }) => Change.delete(table, key)
  ),
  FastCheck.record({ table: FastCheck.constantFrom(...tables), group: FastCheck.constantFrom(...groups) }).map(
    ({ table, group }) => Change.deleteWhere(table, "group", group)
  )
)

const batches = FastCheck.array(FastCheck.array(change, { maxLength: 12 }), { minLength: 1, maxLength: 6 }).map(
  (lists): ReadonlyArray<ChangeBatch> =>
    lists.map((changes, index) => ({ changes, checkpoint: { transactionId: index + 1, globalPosition: index + 1 } }))
)

const contents = (store: ReadModelStoreShape) =>
  Effect.gen(function* () {
    const result: Record<string, unknown> = { checkpoint: yield* store.checkpoint }
    for (const table of tables) {
      result[table] = yield* store.list(table)
      for (const group of groups) result[`${table}/${group}`] = yield* store.list(table, { group })
      result[`${table}/size 1`] = yield* store.list(table, { size: 1, group: "x" })
    }
    return result
  })

describe("PostgreSQL read models on PGlite", () => {
  it("fold keeps the last effect per key and splits at DeleteWhere", () => {
    const segments = foldChanges([
      Change.put("t", "a", { v: 1 }),
      Change.patch("t", "a", { w: 2 }),
      Change.patch("t", "b", { w: 3 }),
      Change.patch("t", "b", { x: 4 }),
      Change.delete("t", "c"),
      Change.patch("t", "c", { v: 5 }),
      Change.deleteWhere("t", "group", "g"),
      Change.put("t", "a", { v: 6 }),
      Change.put("u", "a", { v: 7, w: 8 })
    ])
    expect(segments).toEqual([
      {
        puts: [{ t: "t", k: "a", v: { v: 1, w: 2 } }],
        patches: [{ t: "t", k: "b", v: { w: 3, x: 4 } }],
        deletes: [{ t: "t", k: "c" }],
        deleteWhere: { table: "t", field: "group", value: "g" }
      },
      {
        puts: [
          { t: "t", k: "a", v: { v: 6 } },
          { t: "u", k: "a", v: { v: 7, w: 8 } }
        ],
        patches: [],
        deletes: [],
        deleteWhere: undefined
      }
    ])
  })

  it.scopedLive("random batches give the same tables as the in-memory store, applied or rebuilt", () =>
    Effect.promise(() =>
      FastCheck.assert(
        FastCheck.asyncProperty(batches, (generated) =>
          Effect.runPromise(
            Effect.scoped(
              Effect.gen(function* () {
                const database = yield* freshPgliteDatabase()
                const pg = yield* PgReadModelStore.make(database, { tables: testTables })
                const memory = yield* MemoryReadModelStore.make
                for (const batch of generated) {
                  yield* pg.apply(batch)
                  yield* memory.apply(batch)
                }
                expect(yield* contents(pg)).toEqual(yield* contents(memory))
                yield* pg.replaceAll(Stream.fromIterable(generated))
                expect(yield* contents(pg)).toEqual(yield* contents(memory))
              })
            )
          )
        ),
        { numRuns: 30 }
      )
    )
  )

  it.scopedLive("a rebuild larger than one flush matches the in-memory store and keeps the indexes", () =>
    Effect.gen(function* () {
      const database = yield* freshPgliteDatabase()
      const pg = yield* PgReadModelStore.make(database, { tables: testTables })
      const memory = yield* MemoryReadModelStore.make
      const generated: Array<ChangeBatch> = Array.from({ length: 600 }, (_, index) => ({
        changes: [
          ...Array.from({ length: 20 }, (_, item) =>
            Change.put("bulk", `k${(index * 20 + item) % 7_000}`, { group: `g${item % 5}`, index })
          ),
          Change.patch("bulk", `k${index}`, { patched: true }),
          ...(index % 100 === 99 ? [Change.deleteWhere("bulk", "group", "g1")] : []),
          Change.delete("bulk", `k${index * 3}`)
        ],
        checkpoint: { transactionId: 7, globalPosition: index + 1 }
      }))
      yield* pg.replaceAll(Stream.fromIterable(generated))
      yield* memory.replaceAll(Stream.fromIterable(generated))
      expect(yield* pg.list("bulk")).toEqual(yield* memory.list("bulk"))
      expect(yield* pg.list("bulk", { group: "g3" })).toEqual(yield* memory.list("bulk", { group: "g3" }))
      expect(yield* pg.checkpoint).toEqual({ transactionId: 7, globalPosition: 600 })
      const indexes = yield* database.driver.query(
        `SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = 'rm_bulk' ORDER BY indexname`,
        [database.schemaName]
      )
      expect(indexes.map((row) => row.indexname)).toEqual(["rm_bulk_group_idx", "rm_bulk_pkey"])
      yield* pg.replaceAll(
        Stream.make({
          changes: [Change.put("bulk", "only", { group: "g0" })],
          checkpoint: { transactionId: 8, globalPosition: 1 }
        })
      )
      expect(yield* pg.list("bulk")).toEqual([{ group: "g0" }])
    })
  )

  it.scopedLive("a projector failing between its writes and its checkpoint projects exactly once after restart", () =>
    Effect.gen(function* () {
      const database = yield* freshPgliteDatabase()
      const events = PgEventStore.make(database)
      for (let round = 0; round < 6; round++) {
        yield* events.append(`p-${round % 2}`, [newEvent("A"), newEvent("B")], "any")
      }
      let applies = 0
      const failing = yield* PgReadModelStore.make(database, {
        tables: testTables,
        beforeCheckpoint: () =>
          Effect.suspend(() => {
            applies += 1
            return applies === 2 ? Effect.fail(new SqlFailure({ code: undefined, message: "stopped" })) : Effect.void
          })
      })
      expect(Either.isLeft(yield* Effect.either(project(events, failing, 5)))).toBe(true)
      expect((yield* failing.list("seen")).length).toBe(5)
      const restarted = yield* PgReadModelStore.make(database, { tables: testTables })
      yield* project(events, restarted, 5)
      expect((yield* restarted.list("seen")).length).toBe(12)
      expect(Option.getOrThrow(yield* restarted.get("counters", "events"))).toEqual({ count: 12 })
    })
  )
})

describe("PostgreSQL rebuilds on PGlite", () => {
  rebuildSuite(freshPgliteDatabase())
})
