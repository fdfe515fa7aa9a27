/**
 * The multi-stream part of the EventStore conformance suite (`appendMany`), run by `eventStoreConformance` for every
 * adapter: all or nothing, one expected version per stream, idempotent as a whole, serialised without deadlocks.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, type Scope } from "effect"
import {
  type AppendResult,
  compareCheckpoints,
  type EventStoreShape,
  Origin,
  type RecordedEvent,
  type StreamWrite,
  verifyStore
} from "../src/index.js"
import { events, newEvent, readEverything, uuid } from "./internal/TestEvents.js"

/** The events of each batch (by `data.batch`) the feed holds: all of them or none, never a part. */
const partialBatches = (feed: ReadonlyArray<RecordedEvent>, sizes: ReadonlyMap<string, number>) => {
  const seen = new Map<string, number>()
  for (const event of feed) {
    const batch = event.data.batch
    if (typeof batch === "string") seen.set(batch, (seen.get(batch) ?? 0) + 1)
  }
  return [...seen].filter(([batch, count]) => count !== sizes.get(batch))
}

/** Runs the `appendMany` cases against the store behind `makeSubject`. */
export const appendManyConformance = (
  makeSubject: Effect.Effect<{ readonly store: EventStoreShape }, unknown, Scope.Scope>
): void => {
  describe("multi-stream appends", () => {
    it.scopedLive("write every stream in one transaction, in order, with one result per write", () =>
      Effect.gen(function* () {
        const { store } = yield* makeSubject
        const created = `many-new-${uuid()}`
        const existing = `many-old-${uuid()}`
        yield* store.append(existing, events(1), "no_stream")
        const results = yield* store.appendMany([
          { streamId: created, events: events(2), expected: "no_stream" },
          { streamId: existing, events: events(3), expected: 1 }
        ])
        expect(results.map((result) => [result.streamId, result.nextExpectedVersion])).toEqual([
          [created, 2],
          [existing, 4]
        ])
        const [first, second] = results as [AppendResult, AppendResult]
        expect(first.checkpoint.transactionId).toBe(second.checkpoint.transactionId)
        const positions = [...first.globalPositions, ...second.globalPositions]
        expect(positions).toEqual([...positions].sort((a, b) => a - b))
        const storedNew = yield* store.readStream(created)
        const storedOld = yield* store.readStream(existing)
        expect(storedNew.map((event) => event.streamPosition)).toEqual([1, 2])
        expect(storedOld.map((event) => event.streamPosition)).toEqual([1, 2, 3, 4])
        expect(storedNew.map((event) => event.globalPosition)).toEqual(first.globalPositions)
        expect(storedOld.slice(1).map((event) => event.globalPosition)).toEqual(second.globalPositions)
        expect(yield* store.head).toEqual(second.checkpoint)
        expect((yield* verifyStore(store)).firstBroken).toBeNull()
        expect(yield* store.appendMany([])).toEqual([])
      })
    )

    it.scopedLive("one stream's conflict fails all, writes nothing and consumes no global position", () =>
      Effect.gen(function* () {
        const { store } = yield* makeSubject
        const fine = `many-fine-${uuid()}`
        const moved = `many-moved-${uuid()}`
        const before = yield* store.append(moved, events(2), "no_stream")
        const head = yield* store.head
        const lost = yield* Effect.either(
          store.appendMany([
            { streamId: fine, events: events(2), expected: "no_stream" },
            { streamId: moved, events: events(1), expected: 1 }
          ])
        )
        const error = Either.flip(lost).pipe(Either.getOrThrow)
        expect(error._tag).toBe("VersionConflict")
        if (error._tag === "VersionConflict") {
          expect([error.streamId, error.expected, error.actual]).toEqual([moved, 1, 2])
        }
        expect(yield* store.streamVersion(fine)).toBe(0)
        expect(yield* store.streamVersion(moved)).toBe(2)
        expect(yield* store.head).toEqual(head)
        const next = yield* store.append(fine, events(1), "no_stream")
        expect(next.globalPositions[0]).toBe(before.globalPositions[1]! + 1)
      })
    )

    it.scopedLive("a write without events guards its stream's version and writes nothing there", () =>
      Effect.gen(function* () {
        const { store } = yield* makeSubject
        const guarded = `many-guarded-${uuid()}`
        const written = `many-written-${uuid()}`
        yield* store.append(guarded, events(3), "no_stream")
        const stale = yield* Effect.either(
          store.appendMany([
            { streamId: written, events: events(1), expected: "any" },
            { streamId: guarded, events: [], expected: 2 }
          ])
        )
        expect(Either.flip(stale).pipe(Either.getOrThrow)._tag).toBe("VersionConflict")
        expect(yield* store.streamVersion(written)).toBe(0)
        const [result, guard] = yield* store.appendMany([
          { streamId: written, events: events(1), expected: "any" },
          { streamId: guarded, events: [], expected: 3 }
        ])
        expect(result?.nextExpectedVersion).toBe(1)
        expect(guard).toEqual({ streamId: guarded, nextExpectedVersion: 3, globalPositions: [], checkpoint: Origin })
        expect(yield* store.streamVersion(guarded)).toBe(3)
      })
    )

    it.scopedLive("a retry after an unknown outcome returns the original results and doubles nothing", () =>
      Effect.gen(function* () {
        const { store } = yield* makeSubject
        const a = `many-retry-a-${uuid()}`
        const b = `many-retry-b-${uuid()}`
        const guarded = `many-retry-guard-${uuid()}`
        yield* store.append(guarded, events(1), "no_stream")
        const writes: ReadonlyArray<StreamWrite> = [
          { streamId: a, events: events(2), expected: "no_stream" },
          { streamId: b, events: events(1), expected: "no_stream" },
          { streamId: guarded, events: [], expected: 1 }
        ]
        const first = yield* store.appendMany(writes)
        const head = yield* store.head
        const retry = yield* store.appendMany(writes)
        expect(retry).toEqual(first)
        expect(yield* store.head).toEqual(head)
        expect([yield* store.streamVersion(a), yield* store.streamVersion(b)]).toEqual([2, 1])
        const feed = yield* readEverything(store)
        const ids = feed.map((event) => event.eventId)
        expect(new Set(ids).size).toBe(ids.length)
        expect(ids.length).toBe(4)
      })
    )

    it.scopedLive("a batch that matches stored events only in part, or names a stream twice, is rejected", () =>
      Effect.gen(function* () {
        const { store } = yield* makeSubject
        const a = `many-part-a-${uuid()}`
        const b = `many-part-b-${uuid()}`
        const stored = events(2)
        yield* store.appendMany([{ streamId: a, events: stored, expected: "no_stream" }])
        const head = yield* store.head
        const partly = yield* Effect.either(
          store.appendMany([
            { streamId: a, events: stored, expected: "no_stream" },
            { streamId: b, events: events(1), expected: "no_stream" }
          ])
        )
        expect(Either.flip(partly).pipe(Either.getOrThrow)._tag).toBe("EventIdReused")
        const moved = yield* Effect.either(
          store.appendMany([
            { streamId: a, events: [stored[0]!], expected: "any" },
            { streamId: b, events: [stored[1]!], expected: "any" }
          ])
        )
        const reused = Either.flip(moved).pipe(Either.getOrThrow)
        expect(reused._tag).toBe("EventIdReused")
        if (reused._tag === "EventIdReused") expect([reused.eventId, reused.streamId]).toEqual([stored[1]!.eventId, b])
        const shared = newEvent()
        const across = yield* Effect.either(
          store.appendMany([
            { streamId: a, events: [shared], expected: "any" },
            { streamId: b, events: [shared], expected: "any" }
          ])
        )
        expect(Either.flip(across).pipe(Either.getOrThrow)._tag).toBe("EventIdReused")
        const twice = yield* Effect.either(
          store.appendMany([
            { streamId: b, events: events(1), expected: "any" },
            { streamId: b, events: events(1), expected: "any" }
          ])
        )
        const repeated = Either.flip(twice).pipe(Either.getOrThrow)
        expect(repeated._tag).toBe("StreamRepeatedInAppend")
        expect(repeated.message).toContain(b)
        expect(yield* store.streamVersion(b)).toBe(0)
        expect(yield* store.head).toEqual(head)
      })
    )

    it.scopedLive("the feed shows each multi-stream append whole or not at all", () =>
      Effect.gen(function* () {
        const { store } = yield* makeSubject
        const streams = Array.from({ length: 4 }, (_, index) => `many-feed-${index}-${uuid()}`)
        const sizes = new Map<string, number>()
        const partials: Array<unknown> = []
        let done = false
        // One page holds the whole feed, so a batch seen in part would be part of a transaction, not a page cut.
        const reader = Effect.gen(function* () {
          while (!done) {
            partials.push(...partialBatches(yield* store.readAll({ after: Origin, limit: 10_000 }), sizes))
            yield* Effect.sleep("2 millis")
          }
        })
        const writers = Effect.forEach(
          Array.from({ length: 24 }, (_, index) => index),
          (index) => {
            const batch = `batch-${index}`
            const chosen = [streams[index % 4]!, streams[(index + 1) % 4]!, streams[(index + 3) % 4]!]
            sizes.set(batch, chosen.length * 2)
            return store.appendMany(
              chosen.map((streamId) => ({
                streamId,
                events: [newEvent("Batched", { batch }), newEvent("Batched", { batch })],
                expected: "any" as const
              }))
            )
          },
          { concurrency: 6 }
        ).pipe(Effect.ensuring(Effect.sync(() => (done = true))))
        yield* Effect.all([reader, writers], { concurrency: 2 })
        expect(partials).toEqual([])
        const feed = yield* readEverything(store)
        expect(partialBatches(feed, sizes)).toEqual([])
        expect(feed.length).toBe(24 * 6)
      })
    )

    it.scopedLive("concurrent multi-stream appends over overlapping streams never deadlock and serialise", () =>
      Effect.gen(function* () {
        const { store } = yield* makeSubject
        const streams = Array.from({ length: 3 }, (_, index) => `many-overlap-${index}-${uuid()}`)
        // Every pair of streams, in both orders, so that locks taken in the order given would deadlock.
        const pairs = [
          [0, 1],
          [1, 0],
          [1, 2],
          [2, 1],
          [2, 0],
          [0, 2]
        ] as const
        const attempts = yield* Effect.forEach(
          Array.from({ length: 48 }, (_, index) => pairs[index % pairs.length]!),
          ([x, y], index) =>
            Effect.gen(function* () {
              const first = streams[x]!
              const second = streams[y]!
              // Half write at the versions just read (and may lose), half with `any` (and always land).
              const exact = index % 2 === 0
              const writes = [first, second].map(
                (streamId): Effect.Effect<StreamWrite, unknown> =>
                  Effect.map(store.streamVersion(streamId), (version) => ({
                    streamId,
                    events: [newEvent("Paired", { attempt: index })],
                    expected: exact ? version : "any"
                  }))
              )
              return yield* Effect.either(store.appendMany(yield* Effect.all(writes)))
            }),
          { concurrency: "unbounded" }
        ).pipe(Effect.timeout("45 seconds"))
        const won = attempts.filter(Either.isRight)
        for (const lost of attempts.filter(Either.isLeft)) expect(lost.left._tag).toBe("VersionConflict")
        expect(won.length).toBeGreaterThanOrEqual(24)
        const feed = yield* readEverything(store)
        let written = 0
        for (const streamId of streams) {
          const stored = yield* store.readStream(streamId)
          written += stored.length
          expect(stored.map((event) => event.streamPosition)).toEqual(stored.map((_, index) => index + 1))
          const inFeed = feed.filter((event) => event.streamId === streamId)
          expect(inFeed.map((event) => event.eventId)).toEqual(stored.map((event) => event.eventId))
        }
        expect(written).toBe(won.length * 2)
        // Serialised: in checkpoint order, every stream's version only grows, as if the appends ran one at a time.
        const inOrder = won
          .map((attempt) => attempt.right)
          .sort((p, q) => compareCheckpoints(p[0]!.checkpoint, q[0]!.checkpoint))
        for (const streamId of streams) {
          const versions = inOrder.flatMap((results) =>
            results.filter((result) => result.streamId === streamId).map((result) => result.nextExpectedVersion)
          )
          expect(versions).toEqual(versions.map((_, index) => index + 1))
        }
        expect((yield* verifyStore(store)).firstBroken).toBeNull()
      })
    )
  })
}
