// Locks by key: one holder per key at a time, in the order they asked; different keys do not wait for each other;
// and a key's lock is forgotten once nobody holds or awaits it, whether its holders succeeded, failed or were
// interrupted while waiting.
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber } from "effect"
import * as KeyedLocks from "../src/internal/KeyedLocks.js"

describe("KeyedLocks", () => {
  it.live("runs one holder of a key at a time, in the order they asked, and forgets the key after", () =>
    Effect.gen(function* () {
      const locks = KeyedLocks.make()
      const log: Array<string> = []
      let inside = 0
      let most = 0
      const holder = (name: string) =>
        locks.withLock(
          "collection-a",
          Effect.gen(function* () {
            inside += 1
            most = Math.max(most, inside)
            log.push(`${name} in`)
            yield* Effect.sleep("5 millis")
            log.push(`${name} out`)
            inside -= 1
          })
        )
      yield* Effect.all([holder("first"), holder("second"), holder("third")], { concurrency: "unbounded" })
      expect(most).toBe(1)
      expect(log).toEqual(["first in", "first out", "second in", "second out", "third in", "third out"])
      expect(locks.size()).toBe(0)
    })
  )

  it.live("lets holders of different keys run at the same time", () =>
    Effect.gen(function* () {
      const locks = KeyedLocks.make()
      const bothIn = yield* Deferred.make<void>()
      let inside = 0
      const holder = (key: string) =>
        locks.withLock(
          key,
          Effect.gen(function* () {
            inside += 1
            if (inside === 2) yield* Deferred.succeed(bothIn, undefined)
            // Each waits for the other to be inside too: this finishes only if neither waits for the other's lock.
            yield* Deferred.await(bothIn)
          })
        )
      yield* Effect.all([holder("a"), holder("b")], { concurrency: "unbounded" }).pipe(Effect.timeout("2 seconds"))
      expect(locks.size()).toBe(0)
    })
  )

  it.live("keeps a key while someone holds or awaits it, and forgets it after failures and interruptions", () =>
    Effect.gen(function* () {
      const locks = KeyedLocks.make()
      const release = yield* Deferred.make<void>()
      const holding = yield* Effect.fork(locks.withLock("k", Deferred.await(release)))
      yield* Effect.sleep("5 millis")
      const waiting = yield* Effect.fork(locks.withLock("k", Effect.void))
      yield* Effect.sleep("5 millis")
      expect(locks.size()).toBe(1)
      // A waiter interrupted before it got the lock leaves; the holder keeps the key.
      yield* Fiber.interrupt(waiting)
      expect(locks.size()).toBe(1)
      yield* Deferred.succeed(release, undefined)
      yield* Fiber.join(holding)
      expect(locks.size()).toBe(0)
      // A failing holder releases the lock and the key: the next one gets in at once.
      const failed = yield* Effect.exit(locks.withLock("k", Effect.fail("refused")))
      expect(Exit.isFailure(failed)).toBe(true)
      expect(locks.size()).toBe(0)
      expect(yield* locks.withLock("k", Effect.succeed("next"))).toBe("next")
      expect(locks.size()).toBe(0)
    })
  )
})
