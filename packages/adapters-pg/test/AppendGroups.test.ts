/**
 * Group appends, on PGlite and on the server: appends that wait for each other share one statement and one
 * transaction, yet each keeps its own outcome, and a group that fails as a whole falls back to one append at a time.
 */
import { describe, expect, it } from "@effect/vitest"
import { type EventStoreShape, type NewEvent, verifyStore } from "@registrar/domain"
import { newEvent } from "@registrar/domain/testing"
import { Effect, Either, type Scope } from "effect"
import type { Database } from "../src/internal/Database.js"
import * as PgEventStore from "../src/PgEventStore.js"
import { readFeedUntil } from "./support/Feed.js"
import { freshPgliteDatabase } from "./support/Pglite.js"
import { describeServer, freshServerDatabase } from "./support/Server.js"

const events = (count: number, data: NewEvent["data"] = {}): ReadonlyArray<NewEvent> =>
  Array.from({ length: count }, () => newEvent("Grouped", data))

/** Runs every append at once; the store starts one group, and the rest wait for it and go together. */
const concurrently = <A, E>(appends: ReadonlyArray<Effect.Effect<A, E>>) =>
  Effect.forEach(appends, Effect.either, { concurrency: "unbounded" })

/** Each append's outcome: "ok", or the tag of its error. */
const outcomes = (results: ReadonlyArray<Either.Either<unknown, { readonly _tag: string }>>) =>
  results.map((result) => (Either.isLeft(result) ? result.left._tag : "ok"))

const distinctTransactions = (
  results: ReadonlyArray<Either.Either<{ checkpoint: { transactionId: number } }, unknown>>
) => new Set(results.flatMap((result) => (Either.isRight(result) ? [result.right.checkpoint.transactionId] : []))).size

const groupSpec = (name: string, fresh: Effect.Effect<Database, unknown, Scope.Scope>) => {
  const open = Effect.map(fresh, (database) => ({
    database,
    store: PgEventStore.make(database, { appendConcurrency: 1 }) as EventStoreShape
  }))

  it.scopedLive(`${name}: concurrent appends to new streams share transactions and all land, chained`, () =>
    Effect.gen(function* () {
      const { store } = yield* open
      const results = yield* concurrently(
        Array.from({ length: 40 }, (_, index) => store.append(`new-${index}`, events(1 + (index % 3)), "no_stream"))
      )
      expect(results.every(Either.isRight)).toBe(true)
      // One statement at a time: everything that arrived during the first round trip went in later groups.
      expect(distinctTransactions(results)).toBeLessThan(40)
      for (const [index, result] of results.entries()) {
        expect(Either.getOrThrow(result).nextExpectedVersion).toBe(1 + (index % 3))
      }
      const total = results.reduce((sum, result) => sum + Either.getOrThrow(result).globalPositions.length, 0)
      expect(total).toBe(79)
      const feed = yield* readFeedUntil(store, total)
      expect(feed).toHaveLength(total)
      expect(new Set(feed.map((event) => event.globalPosition)).size).toBe(total)
      const report = yield* verifyStore(store)
      expect(report).toMatchObject({ events: total, streams: 40, firstBroken: null })
    })
  )

  it.scopedLive(`${name}: appends to one hot stream in one group get contiguous positions and no conflict`, () =>
    Effect.gen(function* () {
      const { store } = yield* open
      const results = yield* concurrently(Array.from({ length: 30 }, () => store.append("hot", events(2), "any")))
      expect(results.every(Either.isRight)).toBe(true)
      const versions = results.map((result) => Either.getOrThrow(result).nextExpectedVersion).sort((a, b) => a - b)
      expect(versions).toEqual(Array.from({ length: 30 }, (_, index) => 2 * (index + 1)))
      const stream = yield* store.readStream("hot")
      expect(stream.map((event) => event.streamPosition)).toEqual(Array.from({ length: 60 }, (_, index) => index + 1))
      expect((yield* verifyStore(store)).firstBroken).toBeNull()
    })
  )

  it.scopedLive(`${name}: a conflict or a reused id in a group fails that append alone`, () =>
    Effect.gen(function* () {
      const { store } = yield* open
      const stored = newEvent("Stored", { n: 1 })
      yield* store.append("existing", [stored, newEvent()], "no_stream")
      const reused: NewEvent = { ...stored, data: { n: 2 } }
      const results = yield* concurrently([
        store.append("a", events(1), "no_stream"),
        store.append("existing", events(1), 1),
        store.append("b", [reused], "no_stream"),
        store.append("c", events(1), "no_stream"),
        store.append("existing", events(1), 2)
      ])
      expect(outcomes(results)).toEqual(["ok", "VersionConflict", "EventIdReused", "ok", "ok"])
      expect(yield* store.streamVersion("existing")).toBe(3)
      expect(yield* store.streamVersion("b")).toBe(0)
      expect(yield* store.streamVersion("c")).toBe(1)
    })
  )

  it.scopedLive(`${name}: the same append twice in one group is stored once and answers the same`, () =>
    Effect.gen(function* () {
      const { store } = yield* open
      const batch = events(3)
      const results = yield* concurrently([
        store.append("first", events(1), "no_stream"),
        store.append("twice", batch, "no_stream"),
        store.append("twice", batch, "no_stream")
      ])
      const [, once, again] = results.map(Either.getOrThrow)
      expect(again).toEqual(once)
      expect(yield* store.readStream("twice")).toHaveLength(3)
    })
  )

  it.scopedLive(`${name}: when a group fails as a whole, its appends run alone and only the bad one fails`, () =>
    Effect.gen(function* () {
      const { store } = yield* open
      // jsonb refuses \u0000, so this append's INSERT fails, and with it the statement of its whole group.
      const results = yield* concurrently([
        store.append("warm-up", events(1), "no_stream"),
        store.append("good-1", events(2), "no_stream"),
        store.append("bad", events(1, { text: "nul \u0000 inside" }), "no_stream"),
        store.append("good-2", events(1), "no_stream")
      ])
      expect(outcomes(results)).toEqual(["ok", "ok", "StoreUnavailable", "ok"])
      expect(yield* store.streamVersion("good-1")).toBe(2)
      expect(yield* store.streamVersion("good-2")).toBe(1)
      expect(yield* store.streamVersion("bad")).toBe(0)
      const feed = yield* readFeedUntil(store, 4)
      expect(feed.map((event) => event.streamId).sort()).toEqual(["good-1", "good-1", "good-2", "warm-up"])
    })
  )
}

describe("Group appends (PGlite)", () => groupSpec("PGlite", freshPgliteDatabase()))

describeServer("Group appends", () =>
  groupSpec(
    "server",
    Effect.map(freshServerDatabase(4), ({ database }) => database)
  )
)
