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
      const shared = sharedAfterAsking(query)
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
      )
      expect(yield* Effect.flip(shared)).toBe("down")
      expect(yield* shared).toBe(2)
    })
  )
})
