/**
 * The append's probe for already-stored event ids must stay an index lookup as the events table grows under a
 * long-lived session: a plan cached while the table was small once turned every later append into a sequential
 * scan of the whole table.
 */
import { expect, it } from "@effect/vitest"
import type { NewEvent } from "@registrar/domain"
import { newEvent } from "@registrar/domain/testing"
import { Effect } from "effect"
import * as PgEventStore from "../src/PgEventStore.js"
import { describeServer, freshServerDatabase } from "./support/Server.js"

const events = (count: number): ReadonlyArray<NewEvent> => Array.from({ length: count }, () => newEvent("Planned"))

describeServer("Append plans", () => {
  it.scopedLive("appends on one session keep probing event ids by index while the table grows", () =>
    Effect.gen(function* () {
      // One connection, so every append runs on the same session and reuses whatever plans it cached.
      const { database } = yield* freshServerDatabase(1)
      const store = PgEventStore.make(database)
      const { driver, schemaName } = database
      const scans = Effect.gen(function* () {
        yield* driver.query("SELECT pg_stat_force_next_flush()")
        yield* driver.query("SELECT pg_stat_clear_snapshot()")
        const [row] = yield* driver.query(
          "SELECT seq_scan FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = 'events'",
          [schemaName]
        )
        return Number(row?.seq_scan ?? 0)
      })
      // The session's first appends meet a table of a few thousand rows, then it grows well past that.
      for (let index = 0; index < 40; index++) yield* store.append(`small-${index}`, events(100), "no_stream")
      for (let index = 0; index < 10; index++) yield* store.append(`grow-${index}`, events(2_000), "no_stream")
      const before = yield* scans
      for (let index = 0; index < 20; index++) yield* store.append(`late-${index}`, events(1), "no_stream")
      expect((yield* scans) - before).toBe(0)
    })
  )
})
