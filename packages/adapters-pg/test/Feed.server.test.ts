/**
 * The global feed on a server under concurrent writers: ordered by (transaction id, global position), read below
 * the oldest running transaction, it neither skips an event that commits late nor delivers one twice.
 */
import { expect, it } from "@effect/vitest"
import { type Checkpoint, type NewEvent, Origin, type RecordedEvent } from "@registrar/domain"
import { newEvent } from "@registrar/domain/testing"
import { Duration, Effect, Either, Fiber, Random } from "effect"
import { serverDatabase } from "../src/internal/Connect.js"
import * as PgEventStore from "../src/PgEventStore.js"
import { readFeedUntil } from "./support/Feed.js"
import { describeServer, freshServerDatabase, testPool } from "./support/Server.js"
import { openTransaction } from "./support/Transactions.js"

const batch = (count: number, type = "Fed"): ReadonlyArray<NewEvent> =>
  Array.from({ length: count }, (_, index) => newEvent(type, { index }))

describeServer("Global feed", () => {
  it.scopedLive("a transaction with a lower id that commits late is delivered, where a naive poll skips it", () =>
    Effect.gen(function* () {
      const { database, pool } = yield* freshServerDatabase(4)
      const store = PgEventStore.make(database)
      const early = yield* openTransaction(database, pool)
      const late = yield* openTransaction(database, pool)
      const first = yield* early.append("feed-early", batch(1), "any")
      const second = yield* late.append("feed-late", batch(1), "any")
      expect(first.checkpoint.transactionId).toBeLessThan(second.checkpoint.transactionId)
      expect(first.globalPositions[0]).toBeLessThan(second.globalPositions[0]!)
      yield* late.commit

      const naive = (after: number) =>
        Effect.map(
          database.driver.query(
            `SELECT global_position FROM ${database.schema}.events WHERE global_position > $1 ORDER BY global_position`,
            [after]
          ),
          (rows) => rows.map((row) => Number(row.global_position))
        )
      const naiveSeen = yield* naive(0)
      expect(naiveSeen).toEqual(second.globalPositions)
      expect(yield* store.readAll({ after: Origin, limit: 10 })).toEqual([])

      yield* early.commit
      expect(yield* naive(naiveSeen[naiveSeen.length - 1]!)).toEqual([])
      const delivered = yield* readFeedUntil(store, 2)
      expect(delivered.map((event) => event.globalPosition)).toEqual([
        ...first.globalPositions,
        ...second.globalPositions
      ])
    })
  )

  it.scopedLive(
    "writers with random delays, commits and rollbacks: the subscriber gets each committed event once",
    () =>
      Effect.gen(function* () {
        const { database, pool } = yield* freshServerDatabase(12)
        const store = PgEventStore.make(database)
        const streams = ["w-a", "w-b", "w-c", "w-d"]
        const committed = new Set<string>()
        let writersDone = false

        const writer = (index: number) =>
          Effect.forEach(
            Array.from({ length: 12 }, (_, round) => round),
            (round) =>
              Effect.scoped(
                Effect.gen(function* () {
                  const streamId = streams[(index + round) % streams.length]!
                  const events = batch(1 + (round % 3), `Writer${index}`)
                  if (round % 4 === 3) {
                    yield* store.append(streamId, events, "any")
                    for (const event of events) committed.add(event.eventId)
                    return
                  }
                  const transaction = yield* openTransaction(database, pool)
                  yield* transaction.append(streamId, events, "any")
                  yield* Effect.sleep(`${yield* Random.nextIntBetween(0, 40)} millis`)
                  if ((yield* Random.nextIntBetween(0, 5)) === 0) {
                    yield* transaction.rollback
                  } else {
                    yield* transaction.commit
                    for (const event of events) committed.add(event.eventId)
                  }
                })
              ),
            { discard: true }
          )

        const delivered: Array<RecordedEvent> = []
        const subscriber = Effect.gen(function* () {
          let checkpoint: Checkpoint = Origin
          let idleAfterDone = 0
          while (idleAfterDone < 3) {
            const done = writersDone
            const page = yield* store.readAll({ after: checkpoint, limit: 7 })
            if (page.length > 0) {
              delivered.push(...page)
              const last = page[page.length - 1]!
              checkpoint = { transactionId: last.transactionId, globalPosition: last.globalPosition }
              continue
            }
            if (done) idleAfterDone += 1
            yield* store.waitForAppends(done ? 100 : 25)
          }
        })

        const reader = yield* Effect.fork(subscriber)
        yield* Effect.forEach([0, 1, 2, 3, 4, 5], writer, { concurrency: "unbounded", discard: true })
        writersDone = true
        yield* reader.await

        const ids = delivered.map((event) => event.eventId)
        expect(new Set(ids).size).toBe(ids.length)
        expect(new Set(ids)).toEqual(committed)
        for (const streamId of streams) {
          const positions = delivered.filter((event) => event.streamId === streamId).map((e) => e.streamPosition)
          expect(positions).toEqual(positions.map((_, index) => index + 1))
        }
        expect(committed.size).toBeGreaterThan(40)
      })
  )

  it.scopedLive("a reader held back by a writer that sends no notification catches up soon after it ends", () =>
    Effect.gen(function* () {
      const { database, pool } = yield* freshServerDatabase(4)
      const store = PgEventStore.make(database)
      const blocker = yield* openTransaction(database, pool)
      yield* blocker.query("SELECT pg_current_xact_id()")
      const appended = yield* store.append("held", batch(2), "any")
      expect(yield* store.readAll({ after: Origin, limit: 10 })).toEqual([])
      const follower = yield* Effect.fork(
        Effect.timed(
          Effect.gen(function* () {
            while (true) {
              yield* store.waitForAppends(20_000)
              const page = yield* store.readAll({ after: Origin, limit: 10 })
              if (page.length > 0) return page
            }
          })
        )
      )
      yield* Effect.sleep("300 millis")
      yield* blocker.query("COMMIT")
      const [elapsed, page] = yield* Fiber.join(follower)
      expect(page.map((event) => event.globalPosition)).toEqual(appended.globalPositions)
      expect(Duration.toMillis(elapsed)).toBeLessThan(5_000)
    })
  )

  it.scopedLive("concurrent any appends to hot streams all land, in stream order in the feed", () =>
    Effect.gen(function* () {
      const { database } = yield* freshServerDatabase(16)
      const store = PgEventStore.make(database)
      const streams = ["hot-1", "hot-2", "hot-3"]
      const results = yield* Effect.all(
        Array.from({ length: 96 }, (_, index) => store.append(streams[index % 3]!, batch(2), "any")),
        { concurrency: "unbounded" }
      )
      expect(results.length).toBe(96)
      const feed = yield* readFeedUntil(store, 192)
      expect(feed.length).toBe(192)
      for (const streamId of streams) {
        const ofStream = feed.filter((event) => event.streamId === streamId)
        expect(ofStream.map((event) => event.streamPosition)).toEqual(Array.from({ length: 64 }, (_, i) => i + 1))
        const transactions = ofStream.map((event) => event.transactionId)
        expect(transactions).toEqual([...transactions].sort((a, b) => a - b))
      }
    })
  )

  it.scopedLive("appends that lose a race consume no global position", () =>
    Effect.gen(function* () {
      const { database } = yield* freshServerDatabase(16)
      const store = PgEventStore.make(database)
      const created = yield* store.append("race", batch(1), "no_stream")
      const results = yield* Effect.all(
        Array.from({ length: 64 }, () => Effect.either(store.append("race", batch(3), 1))),
        { concurrency: "unbounded" }
      )
      expect(results.filter(Either.isRight).length).toBe(1)
      const [sequence] = yield* database.driver.query(`SELECT last_value FROM ${database.schema}.global_position`)
      expect(Number(sequence?.last_value)).toBe(created.globalPositions[0]! + 3)
    })
  )

  it.scopedLive("waitForAppends wakes a reader in another process (LISTEN/NOTIFY) well before its timeout", () =>
    Effect.gen(function* () {
      const writer = yield* freshServerDatabase(2)
      const readerDatabase = yield* serverDatabase(yield* testPool(2), writer.database.schemaName)
      const reader = PgEventStore.make(readerDatabase)
      const waiting = yield* Effect.fork(Effect.timed(reader.waitForAppends(20_000)))
      yield* Effect.sleep("100 millis")
      yield* PgEventStore.make(writer.database).append("wake", batch(1), "any")
      const [elapsed] = yield* Fiber.join(waiting)
      expect(Duration.toMillis(elapsed)).toBeLessThan(5_000)
      const [timedOut] = yield* Effect.timed(reader.waitForAppends(50))
      expect(Duration.toMillis(timedOut)).toBeLessThan(5_000)
    })
  )

  it.scopedLive("feed and stream reads use their indexes (EXPLAIN shows no sequential scan)", () =>
    Effect.gen(function* () {
      const { database } = yield* freshServerDatabase(4)
      const store = PgEventStore.make(database)
      for (let round = 0; round < 40; round++) {
        yield* store.append(`explain-${round % 50}`, batch(500), "any")
      }
      yield* database.driver.execute(`ANALYZE ${database.schema}.events`)
      // Other sessions' transactions on the shared server may hold the feed back for a moment.
      const all = yield* readFeedUntil(store, 20_000, 15_000, 5_000)
      expect(all.length).toBe(20_000)
      const middle = all[10_000]!
      const plan = (sql: string, params: ReadonlyArray<unknown>) =>
        Effect.map(database.driver.query(`EXPLAIN (FORMAT JSON) ${sql}`, params), (rows) =>
          JSON.stringify(rows[0]?.["QUERY PLAN"])
        )
      const s = database.schema
      for (const after of [Origin, middle]) {
        const feedPlan = yield* plan(PgEventStore.readAllStatement(s), [
          String(after.transactionId),
          after.globalPosition,
          500
        ])
        expect(feedPlan).not.toContain("Seq Scan")
        // one ordered index range scan: no sort, so a page costs the same however long the feed is
        expect(feedPlan).not.toContain('"Sort"')
        expect(feedPlan).toContain('"Index Scan"')
        expect(feedPlan).toContain("events_feed_idx")
      }
      const streamPlan = yield* plan(
        `SELECT * FROM ${s}.events WHERE stream_id = $1 AND stream_position > $2 ORDER BY stream_position`,
        ["explain-7", 0]
      )
      expect(streamPlan).not.toContain("Seq Scan")

      const time = (after: Checkpoint) =>
        Effect.gen(function* () {
          const start = performance.now()
          for (let i = 0; i < 20; i++) yield* store.readAll({ after, limit: 100 })
          return (performance.now() - start) / 20
        })
      yield* time(middle)
      const head = yield* time(Origin)
      const tail = yield* time(all[19_800]!)
      yield* Effect.log(
        `readAll(limit 100) over 20,000 events: ${head.toFixed(2)} ms at the start, ${tail.toFixed(2)} ms near the end`
      )
    })
  )
})
