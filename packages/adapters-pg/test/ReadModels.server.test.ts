/**
 * Read models on a server at volume: `list(table, where)` uses the filtered field's index, a rebuild's throughput; then the rebuild
 * suite shared with PGlite, on a pool.
 */
import { expect, it } from "@effect/vitest"
import { Change, type ChangeBatch } from "@registrar/domain"
import { Effect, Stream } from "effect"
import type { Database } from "../src/internal/Database.js"
import { specsOf, tableSpec } from "../src/internal/ReadModelTables.js"
import * as PgReadModelStore from "../src/PgReadModelStore.js"
import { rebuildSuite } from "./support/Rebuild.js"
import { describeServer, freshServerDatabase } from "./support/Server.js"

/** The plan, as JSON text, of a listing of table `table` filtered on its `collection` column. */
const planOfCollectionFilter = (database: Database, table: string, collection: string) =>
  Effect.map(
    database.driver.query(
      `EXPLAIN (FORMAT JSON) SELECT collection, index FROM ${database.schema}.${table}
        WHERE collection = $1::text ORDER BY row_key`,
      [collection]
    ),
    ([plan]) => JSON.stringify(plan?.["QUERY PLAN"])
  )

describeServer("Read models at volume", () => {
  it.scopedLive("list with a filter uses the filtered field's index (EXPLAIN shows no sequential scan)", () =>
    Effect.gen(function* () {
      const { database } = yield* freshServerDatabase(2)
      const tables = specsOf([
        tableSpec("versions", { collection: "text", index: "bigint" }, ["collection"]),
        tableSpec("aliases", { collection: "text", index: "bigint" })
      ])
      const store = yield* PgReadModelStore.make(database, { tables })
      yield* store.apply({
        changes: Array.from({ length: 20_000 }, (_, index) =>
          Change.put(index % 2 === 0 ? "versions" : "aliases", `key-${index}`, {
            collection: `c-${index % 1_000}`,
            index
          })
        ),
        checkpoint: { transactionId: 1, globalPosition: 1 }
      })
      yield* database.driver.execute(`ANALYZE ${database.schema}.rm_versions`)
      const text = yield* planOfCollectionFilter(database, "rm_versions", "c-42")
      expect(text).not.toContain("Seq Scan")
      expect(text).toContain("rm_versions_collection_idx")
      expect((yield* store.list("versions", { collection: "c-42" })).length).toBe(20)
    })
  )

  it.scopedLive("a field rows may lack is indexed only where present, and a filter on it still uses the index", () =>
    Effect.gen(function* () {
      const { database } = yield* freshServerDatabase(2)
      const tables = specsOf([
        tableSpec("entries", { collection: { type: "text", presence: "optional" }, index: "bigint" }, ["collection"])
      ])
      const store = yield* PgReadModelStore.make(database, { tables })
      yield* store.apply({
        changes: Array.from({ length: 20_000 }, (_, index) =>
          Change.put(
            "entries",
            `key-${index}`,
            index % 2 === 0 ? { collection: `c-${index % 1_000}`, index } : { index }
          )
        ),
        checkpoint: { transactionId: 1, globalPosition: 1 }
      })
      yield* database.driver.execute(`VACUUM ANALYZE ${database.schema}.rm_entries`)
      const [entries] = yield* database.driver.query(
        `SELECT reltuples::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = $1 AND c.relname = 'rm_entries_collection_idx'`,
        [database.schemaName]
      )
      expect(entries?.n).toBe(10_000)
      const text = yield* planOfCollectionFilter(database, "rm_entries", "c-42")
      expect(text).not.toContain("Seq Scan")
      expect(text).toContain("rm_entries_collection_idx")
      // Even indexes have a collection (c-42 holds 20 of them); odd ones none, so no row is c-43.
      expect((yield* store.list("entries", { collection: "c-42" })).length).toBe(20)
      expect((yield* store.list("entries", { collection: "c-43" })).length).toBe(0)
      expect((yield* store.list("entries")).length).toBe(20_000)
    })
  )

  it.scopedLive("a rebuild of 100,000 changes in 25,000 batches", () =>
    Effect.gen(function* () {
      const { database } = yield* freshServerDatabase(2)
      const tables = specsOf([
        tableSpec("versions", { collection: "text", index: "bigint" }, ["collection"]),
        tableSpec("cols", { name: "text", latest: "bigint" }),
        tableSpec("log", { index: "bigint" })
      ])
      const store = yield* PgReadModelStore.make(database, { tables })
      const batches = Stream.range(1, 25_000).pipe(
        Stream.map(
          (index): ChangeBatch => ({
            changes: [
              Change.put("versions", `v-${index}`, { collection: `c-${index % 500}`, index }),
              Change.patch("cols", `c-${index % 500}`, { latest: index }),
              Change.put("cols", `c-${index % 500}`, { name: `c-${index % 500}`, latest: index }),
              Change.put("log", `e-${index}`, { index })
            ],
            checkpoint: { transactionId: index, globalPosition: index }
          })
        )
      )
      const start = performance.now()
      yield* store.replaceAll(batches)
      const seconds = (performance.now() - start) / 1000
      yield* Effect.log(`rebuild: 100,000 changes in ${seconds.toFixed(1)} s (${Math.round(100_000 / seconds)}/s)`)
      expect((yield* store.list("cols")).length).toBe(500)
      expect((yield* store.list("versions", { collection: "c-7" })).length).toBe(50)
      expect(yield* store.checkpoint).toEqual({ transactionId: 25_000, globalPosition: 25_000 })
    })
  )
})

describeServer("Rebuilds", () => {
  rebuildSuite(Effect.map(freshServerDatabase(4), ({ database }) => database))
})
