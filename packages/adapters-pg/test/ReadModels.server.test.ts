/**
 * Read models on a server at volume: `list(table, where)` uses the GIN index, a rebuild's throughput; then the rebuild
 * suite shared with PGlite, on a pool.
 */
import { expect, it } from "@effect/vitest"
import { Change, type ChangeBatch } from "@registrar/domain"
import { Effect, Stream } from "effect"
import * as PgReadModelStore from "../src/PgReadModelStore.js"
import { rebuildSuite } from "./support/Rebuild.js"
import { describeServer, freshServerDatabase } from "./support/Server.js"

describeServer("Read models at volume", () => {
  it.scopedLive("list with a filter uses the GIN index (EXPLAIN shows no sequential scan)", () =>
    Effect.gen(function* () {
      const { database } = yield* freshServerDatabase(2)
      const store = yield* PgReadModelStore.make(database, { indexedFields: { versions: ["collection"] } })
      yield* store.apply({
        changes: Array.from({ length: 20_000 }, (_, index) =>
          Change.put(index % 2 === 0 ? "versions" : "aliases", `key-${index}`, {
            collection: `c-${index % 1_000}`,
            index
          })
        ),
        checkpoint: { transactionId: 1, globalPosition: 1 }
      })
      yield* database.driver.execute(`ANALYZE ${database.schema}.read_model_rows`)
      const [plan] = yield* database.driver.query(
        `EXPLAIN (FORMAT JSON) SELECT row_value FROM ${database.schema}.read_model_rows
          WHERE table_name = $1 AND coalesce(row_index, row_value) @> $2::jsonb AND row_value @> $2::jsonb
          ORDER BY row_key`,
        ["versions", JSON.stringify({ collection: "c-42" })]
      )
      const text = JSON.stringify(plan?.["QUERY PLAN"])
      expect(text).not.toContain("Seq Scan")
      expect(text).toContain("read_model_rows_value_idx")
      expect((yield* store.list("versions", { collection: "c-42" })).length).toBe(20)
    })
  )

  it.scopedLive("a rebuild of 100,000 changes in 25,000 batches", () =>
    Effect.gen(function* () {
      const { database } = yield* freshServerDatabase(2)
      const store = yield* PgReadModelStore.make(database)
      const batches = Stream.range(1, 25_000).pipe(
        Stream.map(
          (index): ChangeBatch => ({
            changes: [
              Change.put("versions", `v-${index}`, { collection: `c-${index % 500}`, index }),
              Change.patch("collections", `c-${index % 500}`, { latest: index }),
              Change.put("collections", `c-${index % 500}`, { name: `c-${index % 500}`, latest: index }),
              Change.put("audit", `e-${index}`, { index })
            ],
            checkpoint: { transactionId: index, globalPosition: index }
          })
        )
      )
      const start = performance.now()
      yield* store.replaceAll(batches)
      const seconds = (performance.now() - start) / 1000
      yield* Effect.log(`rebuild: 100,000 changes in ${seconds.toFixed(1)} s (${Math.round(100_000 / seconds)}/s)`)
      expect((yield* store.list("collections")).length).toBe(500)
      expect((yield* store.list("versions", { collection: "c-7" })).length).toBe(50)
      expect(yield* store.checkpoint).toEqual({ transactionId: 25_000, globalPosition: 25_000 })
    })
  )
})

describeServer("Rebuilds", () => {
  rebuildSuite(Effect.map(freshServerDatabase(4), ({ database }) => database))
})
