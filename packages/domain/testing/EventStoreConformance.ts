/**
 * The EventStore conformance suite, written once and run by every adapter with a one-line test file. Each test gets a
 * fresh store from `makeSubject`, so global positions and hash chains are the test's own.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, type Scope } from "effect"
import {
  type EventStoreShape,
  type ExpectedVersion,
  type NewEvent,
  Origin,
  type RecordedEvent,
  verifyStore
} from "../src/index.js"
import { appendManyConformance } from "./AppendManyConformance.js"
import { events, newEvent, readEverything, uuid } from "./internal/TestEvents.js"

/** A fresh store under test, and a way to tamper with its stored rows as an attacker would. */
export interface ConformanceSubject {
  readonly store: EventStoreShape
  /** Replaces the data of a stored event, leaving its hash as it was. */
  readonly editEvent: (eventId: string, data: RecordedEvent["data"]) => Effect.Effect<void, unknown>
  /** Deletes a stored event, leaving its stream's version as it was. */
  readonly deleteEvent: (eventId: string) => Effect.Effect<void, unknown>
}

/** A new event with a fresh id. */
export { newEvent }

type StreamState = "absent" | "at N" | "not at N"
const N = 2

const matrix: ReadonlyArray<{
  expected: ExpectedVersion
  state: StreamState
  outcome: "appended" | "conflict"
}> = [
  { expected: "any", state: "absent", outcome: "appended" },
  { expected: "any", state: "at N", outcome: "appended" },
  { expected: "any", state: "not at N", outcome: "appended" },
  { expected: "no_stream", state: "absent", outcome: "appended" },
  { expected: "no_stream", state: "at N", outcome: "conflict" },
  { expected: "no_stream", state: "not at N", outcome: "conflict" },
  { expected: "stream_exists", state: "absent", outcome: "conflict" },
  { expected: "stream_exists", state: "at N", outcome: "appended" },
  { expected: "stream_exists", state: "not at N", outcome: "appended" },
  { expected: N, state: "absent", outcome: "conflict" },
  { expected: N, state: "at N", outcome: "appended" },
  { expected: N, state: "not at N", outcome: "conflict" }
]

const versionOf = (state: StreamState) => (state === "absent" ? 0 : state === "at N" ? N : N + 1)

/** Runs the EventStore conformance suite against the adapter behind `makeSubject`. */
export const eventStoreConformance = (
  name: string,
  makeSubject: Effect.Effect<ConformanceSubject, unknown, Scope.Scope>
): void => {
  describe(`${name} EventStore conformance`, () => {
    describe("expected version", () => {
      for (const { expected, state, outcome } of matrix) {
        it.scopedLive(`${String(expected)} on a stream ${state}: ${outcome}`, () =>
          Effect.gen(function* () {
            const { store } = yield* makeSubject
            const streamId = `matrix-${uuid()}`
            const initial = versionOf(state)
            if (initial > 0) yield* store.append(streamId, events(initial), "any")
            const result = yield* Effect.either(store.append(streamId, events(2), expected))
            if (outcome === "appended") {
              expect(Either.getOrThrow(result).nextExpectedVersion).toBe(initial + 2)
              expect(yield* store.streamVersion(streamId)).toBe(initial + 2)
            } else {
              const error = Either.flip(result).pipe(Either.getOrThrow)
              expect(error._tag).toBe("VersionConflict")
              if (error._tag === "VersionConflict") {
                expect(error.expected).toBe(expected)
                expect(error.actual).toBe(initial)
                expect(error.message).toContain(streamId)
              }
              expect(yield* store.streamVersion(streamId)).toBe(initial)
            }
          })
        )
      }
      it.scopedLive("an exact version of 0 means the stream must not exist", () =>
        Effect.gen(function* () {
          const { store } = yield* makeSubject
          const streamId = `zero-${uuid()}`
          yield* store.append(streamId, events(1), 0)
          const again = yield* Effect.either(store.append(streamId, events(1), 0))
          expect(Either.isLeft(again)).toBe(true)
        })
      )
    })

    describe("appends", () => {
      it.scopedLive("are atomic and give contiguous stream positions from 1", () =>
        Effect.gen(function* () {
          const { store } = yield* makeSubject
          const streamId = `contiguous-${uuid()}`
          const first = yield* store.append(streamId, events(3), "no_stream")
          const second = yield* store.append(streamId, events(2), 3)
          expect(first.nextExpectedVersion).toBe(3)
          expect(second.nextExpectedVersion).toBe(5)
          const stored = yield* store.readStream(streamId)
          expect(stored.map((event) => event.streamPosition)).toEqual([1, 2, 3, 4, 5])
          expect(stored.map((event) => event.globalPosition)).toEqual([
            ...first.globalPositions,
            ...second.globalPositions
          ])
          expect((yield* store.readStream(streamId, { after: 3 })).map((event) => event.streamPosition)).toEqual([4, 5])
        })
      )

      it.scopedLive("a batch that loses a conflict writes nothing and consumes no global position", () =>
        Effect.gen(function* () {
          const { store } = yield* makeSubject
          const streamId = `atomic-${uuid()}`
          const first = yield* store.append(streamId, events(2), "no_stream")
          const lost = yield* Effect.either(store.append(streamId, events(5), 1))
          expect(Either.isLeft(lost)).toBe(true)
          const third = yield* store.append(streamId, events(1), 2)
          expect(third.globalPositions[0]).toBe(first.globalPositions[1]! + 1)
          expect((yield* store.readStream(streamId)).length).toBe(3)
        })
      )

      it.scopedLive("an empty append checks the expected version and writes nothing", () =>
        Effect.gen(function* () {
          const { store } = yield* makeSubject
          const streamId = `empty-${uuid()}`
          yield* store.append(`other-${uuid()}`, events(1), "any")
          const empty = yield* store.append(streamId, [], "no_stream")
          expect(empty.nextExpectedVersion).toBe(0)
          expect(empty.globalPositions).toEqual([])
          expect(empty.checkpoint).toEqual(Origin)
          const conflict = yield* Effect.either(store.append(streamId, [], "stream_exists"))
          expect(Either.isLeft(conflict)).toBe(true)
        })
      )

      it.scopedLive("a stream that does not exist reads as empty", () =>
        Effect.gen(function* () {
          const { store } = yield* makeSubject
          expect(yield* store.readStream(`missing-${uuid()}`)).toEqual([])
          expect(yield* store.streamVersion(`missing-${uuid()}`)).toBe(0)
        })
      )

      it.scopedLive("store data, type, schema version and metadata as given", () =>
        Effect.gen(function* () {
          const { store } = yield* makeSubject
          const streamId = `content-${uuid()}`
          const event: NewEvent = {
            eventId: uuid(),
            type: "Shaped",
            schemaVersion: 3,
            data: { text: "é ✓ \n", nested: { list: [1, 2.5, null, true] } },
            metadata: {
              actor: "ada",
              recordedAt: "2026-02-03T04:05:06.789Z",
              correlationId: "c-1",
              causationId: "c-0",
              idempotencyKey: "k-1"
            }
          }
          yield* store.append(streamId, [event], "no_stream")
          const [stored] = yield* store.readStream(streamId)
          expect(stored).toMatchObject({ ...event, streamId, streamPosition: 1 })
        })
      )
    })

    describe("idempotency by event id", () => {
      it.scopedLive("a retried batch returns the original result and writes nothing", () =>
        Effect.gen(function* () {
          const { store } = yield* makeSubject
          const streamId = `retry-${uuid()}`
          const batch = events(3)
          const first = yield* store.append(streamId, batch, "no_stream")
          const retry = yield* store.append(streamId, batch, "no_stream")
          expect(retry).toEqual(first)
          expect(yield* store.streamVersion(streamId)).toBe(3)
        })
      )

      it.scopedLive("the same id with different content is rejected", () =>
        Effect.gen(function* () {
          const { store } = yield* makeSubject
          const streamId = `reuse-${uuid()}`
          const event = newEvent("First", { value: 1 })
          yield* store.append(streamId, [event], "any")
          const changed = yield* Effect.either(store.append(streamId, [{ ...event, data: { value: 2 } }], "any"))
          expect(Either.flip(changed).pipe(Either.getOrThrow)._tag).toBe("EventIdReused")
          const elsewhere = yield* Effect.either(store.append(`other-${uuid()}`, [event], "any"))
          expect(Either.flip(elsewhere).pipe(Either.getOrThrow)._tag).toBe("EventIdReused")
          expect(yield* store.streamVersion(streamId)).toBe(1)
          const fresh = newEvent("Twice")
          const twice = yield* Effect.either(store.append(`twice-${uuid()}`, [fresh, fresh], "any"))
          expect(Either.flip(twice).pipe(Either.getOrThrow)._tag).toBe("EventIdReused")
        })
      )
    })

    describe("global feed", () => {
      it.scopedLive("delivers every event once, in per-stream order, across pages", () =>
        Effect.gen(function* () {
          const { store } = yield* makeSubject
          const streams = [`feed-a-${uuid()}`, `feed-b-${uuid()}`, `feed-c-${uuid()}`]
          for (let round = 0; round < 4; round++) {
            for (const streamId of streams) yield* store.append(streamId, events(1 + (round % 3)), "any")
          }
          const feed = yield* readEverything(store)
          const ids = feed.map((event) => event.eventId)
          expect(new Set(ids).size).toBe(ids.length)
          for (const streamId of streams) {
            const positions = feed.filter((event) => event.streamId === streamId).map((event) => event.streamPosition)
            expect(positions).toEqual(Array.from({ length: positions.length }, (_, index) => index + 1))
            expect(positions.length).toBe(yield* store.streamVersion(streamId))
          }
          const globals = feed.map((event) => event.globalPosition)
          expect(globals).toEqual([...globals].sort((a, b) => a - b))
        })
      )

      it.scopedLive("resumes strictly after the checkpoint an append returned", () =>
        Effect.gen(function* () {
          const { store } = yield* makeSubject
          const streamId = `resume-${uuid()}`
          const first = yield* store.append(streamId, events(2), "any")
          const second = yield* store.append(streamId, events(2), "any")
          const after = yield* store.readAll({ after: first.checkpoint, limit: 100 })
          expect(after.map((event) => event.globalPosition)).toEqual(second.globalPositions)
          expect(yield* store.readAll({ after: second.checkpoint, limit: 100 })).toEqual([])
        })
      )

      it.scopedLive("names its head: the newest committed event in feed order", () =>
        Effect.gen(function* () {
          const { store } = yield* makeSubject
          expect(yield* store.head).toEqual(Origin)
          yield* store.append(`head-${uuid()}`, events(2), "any")
          const last = yield* store.append(`head-${uuid()}`, events(3), "any")
          expect(yield* store.head).toEqual(last.checkpoint)
        })
      )

      it.scopedLive("wakes waiting readers when events are appended", () =>
        Effect.gen(function* () {
          const { store } = yield* makeSubject
          const waiter = yield* Effect.fork(store.waitForAppends(30_000))
          yield* Effect.sleep("20 millis")
          yield* store.append(`wake-${uuid()}`, events(1), "any")
          yield* waiter.await
          const start = Date.now()
          yield* store.waitForAppends(50)
          expect(Date.now() - start).toBeLessThan(5_000)
        })
      )
    })

    describe("concurrency", () => {
      it.scopedLive("64 concurrent appends at one exact version: exactly one wins", () =>
        Effect.gen(function* () {
          const { store } = yield* makeSubject
          const streamId = `race-exact-${uuid()}`
          yield* store.append(streamId, events(1), "no_stream")
          const results = yield* Effect.all(
            Array.from({ length: 64 }, () => Effect.either(store.append(streamId, events(2), 1))),
            { concurrency: "unbounded" }
          )
          expect(results.filter(Either.isRight).length).toBe(1)
          for (const lost of results.filter(Either.isLeft)) expect(lost.left._tag).toBe("VersionConflict")
          expect(yield* store.streamVersion(streamId)).toBe(3)
        })
      )

      it.scopedLive("64 concurrent creates with no_stream: exactly one wins", () =>
        Effect.gen(function* () {
          const { store } = yield* makeSubject
          const streamId = `race-create-${uuid()}`
          const results = yield* Effect.all(
            Array.from({ length: 64 }, () => Effect.either(store.append(streamId, events(1), "no_stream"))),
            { concurrency: "unbounded" }
          )
          expect(results.filter(Either.isRight).length).toBe(1)
          expect(yield* store.streamVersion(streamId)).toBe(1)
        })
      )

      it.scopedLive("concurrent appends with any never conflict and all land contiguously", () =>
        Effect.gen(function* () {
          const { store } = yield* makeSubject
          const streamId = `race-any-${uuid()}`
          const results = yield* Effect.all(
            Array.from({ length: 64 }, () => store.append(streamId, events(2), "any")),
            { concurrency: "unbounded" }
          )
          expect(results.length).toBe(64)
          const stored = yield* store.readStream(streamId)
          expect(stored.map((event) => event.streamPosition)).toEqual(Array.from({ length: 128 }, (_, i) => i + 1))
          const feed = (yield* readEverything(store)).filter((event) => event.streamId === streamId)
          expect(feed.map((event) => event.streamPosition)).toEqual(stored.map((event) => event.streamPosition))
        })
      )
    })

    describe("hash chain", () => {
      it.scopedLive("verifies untouched history", () =>
        Effect.gen(function* () {
          const { store } = yield* makeSubject
          yield* store.append(`chain-${uuid()}`, events(3), "any")
          yield* store.append(`chain-${uuid()}`, events(2), "any")
          const report = yield* verifyStore(store)
          expect(report.firstBroken).toBeNull()
          expect(report.events).toBe(5)
        })
      )

      it.scopedLive("names the first edited event", () =>
        Effect.gen(function* () {
          const subject = yield* makeSubject
          const streamId = `edited-${uuid()}`
          const batch = events(3)
          yield* subject.store.append(streamId, batch, "any")
          yield* subject.editEvent(batch[1]!.eventId, { index: 99 })
          const report = yield* verifyStore(subject.store)
          expect(report.firstBroken?.eventId).toBe(batch[1]!.eventId)
          expect(report.firstBroken?.streamPosition).toBe(2)
          expect(report.firstBroken?.message).toContain(streamId)
        })
      )

      it.scopedLive("detects a deleted event in the middle and at the end of a stream", () =>
        Effect.gen(function* () {
          const subject = yield* makeSubject
          const middle = `deleted-middle-${uuid()}`
          const batch = events(3)
          yield* subject.store.append(middle, batch, "any")
          yield* subject.deleteEvent(batch[1]!.eventId)
          const report = yield* verifyStore(subject.store)
          expect(report.firstBroken?.streamId).toBe(middle)
          expect(report.firstBroken?.streamPosition).toBe(2)

          const other = yield* makeSubject
          const end = `deleted-end-${uuid()}`
          const tail = events(2)
          yield* other.store.append(end, tail, "any")
          yield* other.deleteEvent(tail[1]!.eventId)
          const tailReport = yield* verifyStore(other.store)
          expect(tailReport.firstBroken?.streamId).toBe(end)
          expect(tailReport.firstBroken?.streamPosition).toBe(2)
        })
      )
    })

    appendManyConformance(makeSubject)
  })
}
