/**
 * Faults on a server: sessions terminated mid-append, a projector dying inside its transaction, tampering by raw
 * SQL, and a crash-restart of the server under load.
 */
import { expect, it } from "@effect/vitest"
import { type NewEvent, verifyStore } from "@registrar/domain"
import { newEvent } from "@registrar/domain/testing"
import { Duration, Effect, Either, Fiber, Option } from "effect"
import { serverDatabase } from "../src/internal/Connect.js"
import type { Database } from "../src/internal/Database.js"
import * as PgEventStore from "../src/PgEventStore.js"
import * as PgReadModelStore from "../src/PgReadModelStore.js"
import { project } from "./support/Projector.js"
import { ensureServerUp, restartServer } from "./support/Restart.js"
import { describeServer, freshServerDatabase, testPool } from "./support/Server.js"
import { testTables } from "./support/TestTables.js"
import { openTransaction, terminate } from "./support/Transactions.js"

const batch = (count: number, type = "Faulted"): ReadonlyArray<NewEvent> =>
  Array.from({ length: count }, (_, index) => newEvent(type, { index }))

/** The server process of an append of `database` waiting for a stream lock, once there is one. */
const waitingAppend = (database: Database) =>
  Effect.gen(function* () {
    for (let attempt = 0; attempt < 200; attempt++) {
      const rows = yield* database.driver.query(
        `SELECT pid FROM pg_stat_activity
          WHERE wait_event_type = 'Lock' AND wait_event = 'advisory' AND position($1 in query) > 0`,
        [`${database.schema}.append_events`]
      )
      if (rows[0] !== undefined) return Number(rows[0].pid)
      yield* Effect.sleep("25 millis")
    }
    return yield* Effect.dieMessage("no append waited for the stream lock")
  })

describeServer("Faults", () => {
  it.scopedLive("an append terminated while it waits for the stream lock writes nothing", () =>
    Effect.gen(function* () {
      const { database, pool } = yield* freshServerDatabase(4)
      const store = PgEventStore.make(database)
      const holder = yield* openTransaction(database, pool)
      const held = batch(2)
      yield* holder.append("locked", held, "any")
      const blocked = batch(3)
      const waiting = yield* Effect.fork(Effect.either(store.append("locked", blocked, "any")))
      expect(yield* terminate(database, yield* waitingAppend(database))).toBe(true)
      const outcome = yield* Fiber.join(waiting)
      expect(Either.flip(outcome).pipe(Either.getOrThrow)._tag).toBe("StoreUnavailable")
      yield* holder.commit

      const stored = yield* store.readStream("locked")
      expect(stored.map((event) => event.eventId)).toEqual(held.map((event) => event.eventId))
      expect(yield* store.streamVersion("locked")).toBe(2)
      const retried = yield* store.append("locked", blocked, 2)
      expect(retried.nextExpectedVersion).toBe(5)
      expect((yield* verifyStore(store)).firstBroken).toBeNull()
    })
  )

  it.scopedLive("a session terminated after its append wrote, before COMMIT, leaves no partial batch", () =>
    Effect.gen(function* () {
      const { database, pool } = yield* freshServerDatabase(4)
      const store = PgEventStore.make(database)
      yield* store.append("slow", batch(1), "no_stream")
      const slow = yield* openTransaction(database, pool)
      const lost = batch(5)
      yield* slow.append("slow", lost, 1)
      expect(yield* terminate(database, slow.pid)).toBe(true)
      expect(Either.isLeft(yield* Effect.either(slow.commit))).toBe(true)

      expect((yield* store.readStream("slow")).length).toBe(1)
      expect(yield* store.streamVersion("slow")).toBe(1)
      const again = yield* store.append("slow", lost, 1)
      expect(again.nextExpectedVersion).toBe(6)
      expect((yield* verifyStore(store)).firstBroken).toBeNull()
    })
  )

  it.scopedLive("a projector whose connection dies between its writes and its checkpoint projects exactly once", () =>
    Effect.gen(function* () {
      const { database } = yield* freshServerDatabase(4)
      const events = PgEventStore.make(database)
      for (let round = 0; round < 10; round++) yield* events.append(`projected-${round % 3}`, batch(3), "any")

      let applies = 0
      const crashing = yield* PgReadModelStore.make(database, {
        tables: testTables,
        beforeCheckpoint: (connection) =>
          Effect.suspend(() => {
            applies += 1
            return applies === 3
              ? Effect.asVoid(connection.query("SELECT pg_terminate_backend(pg_backend_pid())"))
              : Effect.void
          })
      })
      const crashed = yield* Effect.either(project(events, crashing, 4))
      expect(Either.flip(crashed).pipe(Either.getOrThrow)._tag).toBe("StoreUnavailable")
      expect((yield* crashing.list("seen")).length).toBe(8)

      const restarted = yield* PgReadModelStore.make(database, { tables: testTables })
      yield* project(events, restarted, 4)
      const seen = yield* restarted.list("seen")
      expect(seen.length).toBe(30)
      expect(Option.getOrThrow(yield* restarted.get("counters", "events"))).toEqual({ count: 30 })
      const feed = yield* events.readAll({ after: { transactionId: 0, globalPosition: 0 }, limit: 100 })
      const last = feed[feed.length - 1]!
      expect(yield* restarted.checkpoint).toEqual({
        transactionId: last.transactionId,
        globalPosition: last.globalPosition
      })
    })
  )

  it.scopedLive("verifyStore names an event row edited or deleted by raw SQL", () =>
    Effect.gen(function* () {
      const { database } = yield* freshServerDatabase(2)
      const store = PgEventStore.make(database)
      const s = database.schema
      const first = batch(3)
      const second = batch(3)
      yield* store.append("tampered-a", first, "any")
      yield* store.append("tampered-b", second, "any")
      expect((yield* verifyStore(store)).firstBroken).toBeNull()

      yield* database.driver.query(`UPDATE ${s}.events SET data = '{"index": 42}'::jsonb WHERE event_id = $1`, [
        second[1]!.eventId
      ])
      const edited = (yield* verifyStore(store)).firstBroken
      expect(edited?.eventId).toBe(second[1]!.eventId)
      expect(edited?.streamId).toBe("tampered-b")
      expect(edited?.streamPosition).toBe(2)

      yield* database.driver.query(`DELETE FROM ${s}.events WHERE event_id = $1`, [first[1]!.eventId])
      const deleted = (yield* verifyStore(store)).firstBroken
      expect(deleted?.streamId).toBe("tampered-a")
      expect(deleted?.streamPosition).toBe(2)
      expect(deleted?.eventId).toBe(first[2]!.eventId)
    })
  )

  // Restarting the local cluster disturbs every other client of it, so this runs only where it is asked for
  // (.ci/run sets REGISTRAR_TEST_RESTART_SERVER=1); there a cluster that cannot be restarted fails the test.
  if (process.env.REGISTRAR_TEST_RESTART_SERVER === "1") {
    it.scopedLive("a server restarted under load loses no committed event, and LISTEN reconnects", () =>
      Effect.gen(function* () {
        const { database } = yield* freshServerDatabase(8)
        yield* Effect.addFinalizer(() => ensureServerUp)
        const store = PgEventStore.make(database)
        const other = PgEventStore.make(yield* serverDatabase(yield* testPool(2), database.schemaName))
        const succeeded: Array<{ readonly streamId: string; readonly events: ReadonlyArray<NewEvent> }> = []
        const failed: Array<{ readonly streamId: string; readonly events: ReadonlyArray<NewEvent> }> = []
        let stop = false
        const writer = (index: number) =>
          Effect.gen(function* () {
            for (let round = 0; !stop; round++) {
              const streamId = `load-${index}`
              const events = batch(1 + (round % 3))
              const outcome = yield* Effect.either(store.append(streamId, events, "any"))
              if (Either.isRight(outcome)) succeeded.push({ streamId, events })
              else {
                failed.push({ streamId, events })
                yield* Effect.sleep("50 millis")
              }
            }
          })
        const writers = yield* Effect.fork(Effect.all([0, 1, 2, 3].map(writer), { concurrency: "unbounded" }))
        yield* Effect.sleep("700 millis")
        const before = succeeded.length
        yield* restartServer
        const restartedAt = succeeded.length
        const deadline = Date.now() + 30_000
        while (succeeded.length < restartedAt + 20 && Date.now() < deadline) yield* Effect.sleep("100 millis")
        stop = true
        yield* Fiber.join(writers)
        yield* Effect.log(
          `restart under load: ${succeeded.length} appends succeeded (${before} before the restart), ${failed.length} failed`
        )
        expect(before).toBeGreaterThan(0)
        expect(failed.length).toBeGreaterThan(0)
        expect(succeeded.length).toBeGreaterThan(restartedAt)

        for (const index of [0, 1, 2, 3]) {
          const stored = new Set((yield* store.readStream(`load-${index}`)).map((event) => event.eventId))
          for (const append of succeeded.filter((a) => a.streamId === `load-${index}`)) {
            for (const event of append.events) expect(stored.has(event.eventId)).toBe(true)
          }
          for (const append of failed.filter((a) => a.streamId === `load-${index}`)) {
            const landed = append.events.filter((event) => stored.has(event.eventId)).length
            expect([0, append.events.length]).toContain(landed)
          }
        }
        expect((yield* verifyStore(store)).firstBroken).toBeNull()

        // Both stores' LISTEN connections come back, and a wake-up crosses processes again.
        for (let attempt = 0; attempt < 100; attempt++) {
          const [row] = yield* database.driver.query(
            "SELECT count(*)::int AS listeners FROM pg_stat_activity WHERE query = $1",
            [`LISTEN "${database.schemaName}_appended"`]
          )
          if (Number(row?.listeners) >= 2) break
          yield* Effect.sleep("100 millis")
        }
        const waiting = yield* Effect.fork(Effect.timed(other.waitForAppends(20_000)))
        yield* Effect.sleep("100 millis")
        yield* store.append("after-restart", batch(1), "any")
        const [elapsed] = yield* Fiber.join(waiting)
        expect(Duration.toMillis(elapsed)).toBeLessThan(10_000)
      })
    )
  }
})
