// A query shared by the readers who ask before it is sent: each reader's answer is read after it asked, and a crowd
// of readers is answered by few round trips.
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { sharedAfterAsking } from "../src/internal/FreshReads.js"

describe("sharedAfterAsking", () => {
  it.live("answers every reader with a query sent after it asked, and 50 concurrent readers with few queries", () =>
    Effect.gen(function* () {
      let sent = 0
      // Each answer is the number of the query that read it; a query takes a few milliseconds, like a round trip.
      const query = Effect.sync(() => ++sent).pipe(Effect.zipLeft(Effect.sleep("20 millis")))
      const shared = sharedAfterAsking(query).answer
      const reader = Effect.gen(function* () {
        const sentBefore = sent
        const answer = yield* shared
        return { sentBefore, answer }
      })
      const first = yield* Effect.fork(reader)
      yield* Effect.sleep("1 millis")
      // These ask while the first query is in flight: its answer may predate them, so they get the next one.
      const crowd = yield* Effect.all(
        Array.from({ length: 50 }, () => reader),
        { concurrency: "unbounded" }
      )
      const alone = yield* Fiber.join(first)
      for (const { sentBefore, answer } of [alone, ...crowd]) expect(answer).toBeGreaterThan(sentBefore)
      expect(crowd.every(({ answer }) => answer >= 2)).toBe(true)
      expect(sent).toBeLessThanOrEqual(4)
      // Later readers get later queries.
      expect((yield* reader).answer).toBe(sent)
    })
  )

  it.live("passes a failure to the readers of that query only", () =>
    Effect.gen(function* () {
      let calls = 0
      const shared = sharedAfterAsking(
        Effect.suspend(() => (++calls === 1 ? Effect.fail("down" as const) : Effect.succeed(calls)))
      ).answer
      expect(yield* Effect.flip(shared)).toBe("down")
      expect(yield* shared).toBe(2)
    })
  )

  it.live(
    "sends for the answer without the caller waiting, one query for every caller that asks before it is sent",
    () =>
      Effect.gen(function* () {
        let sent = 0
        const query = Effect.sync(() => ++sent).pipe(Effect.zipLeft(Effect.sleep("20 millis")))
        const shared = sharedAfterAsking(query)
        // Asked for by three callers in a row, none of them waiting: one query goes out for all three.
        const awaits = [yield* shared.sent, yield* shared.sent, yield* shared.sent]
        yield* Effect.sleep("5 millis")
        expect(sent).toBe(1)
        // Asked while that query is in flight: the next one, sent when the first answers, though nobody awaits it yet.
        const later = yield* shared.sent
        const answers = yield* Effect.all(awaits)
        expect(answers).toStrictEqual([1, 1, 1])
        yield* Effect.sleep("40 millis")
        expect(sent).toBe(2)
        expect(yield* later).toBe(2)
        // Awaited twice, an answer is the same and sends nothing more.
        expect(yield* later).toBe(2)
        expect(sent).toBe(2)
      })
  )
})
