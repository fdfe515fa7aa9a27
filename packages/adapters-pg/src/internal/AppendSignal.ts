/**
 * An in-process wake-up for readers waiting for appends: every wake completes the current generation's Deferred
 * and starts a new one, so a waiter only ever sees wakes that happened after it began to wait.
 */
import { Deferred, Effect, FiberId } from "effect"

/** Wakes and awaits appends in this process. */
export interface AppendSignal {
  /** Wakes every current waiter; callable from plain callbacks (driver events). */
  readonly unsafeWake: () => void
  /** Completes at the next wake after the call began, or after `timeoutMillis`. */
  readonly await: (timeoutMillis: number) => Effect.Effect<void>
}

/** A fresh signal with no waiters. */
export const make = (): AppendSignal => {
  let current = Deferred.unsafeMake<void>(FiberId.none)
  return {
    unsafeWake: () => {
      const previous = current
      current = Deferred.unsafeMake<void>(FiberId.none)
      Deferred.unsafeDone(previous, Effect.void)
    },
    await: (timeoutMillis) =>
      Effect.suspend(() => Deferred.await(current)).pipe(
        Effect.timeoutOption(Math.max(0, timeoutMillis)),
        Effect.asVoid
      )
  }
}
