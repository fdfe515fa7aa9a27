/**
 * One lock per key, held only while someone uses it: effects under the same key run one at a time, in the order they
 * asked, and a key's lock is forgotten as soon as its last user leaves. A long-running service links into ever more
 * collections; a lock kept per collection ever touched would grow with them for the life of the process.
 */
import { Effect } from "effect"

/** Serializes effects by key. */
export interface KeyedLocks {
  /** Runs `effect` holding the lock of `key` (waiting for the one who holds it), whatever way it ends. */
  readonly withLock: <A, E, R>(key: string, effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** How many keys have a lock now (someone holds or awaits it). */
  readonly size: () => number
}

interface Held {
  readonly lock: Effect.Semaphore
  /** Who holds or awaits the lock. */
  users: number
}

/** Locks that exist while used. */
export const make = (): KeyedLocks => {
  const held = new Map<string, Held>()
  const enter = (key: string): Held => {
    let entry = held.get(key)
    if (entry === undefined) {
      entry = { lock: Effect.unsafeMakeSemaphore(1), users: 0 }
      held.set(key, entry)
    }
    entry.users += 1
    return entry
  }
  const leave = (key: string, entry: Held) =>
    Effect.sync(() => {
      entry.users -= 1
      if (entry.users === 0) held.delete(key)
    })
  return {
    // Counted in and out without an interruption between them, so an interrupted waiter leaves no entry behind.
    withLock: (key, effect) =>
      Effect.uninterruptibleMask((restore) =>
        Effect.suspend(() => {
          const entry = enter(key)
          return Effect.ensuring(restore(entry.lock.withPermits(1)(effect)), leave(key, entry))
        })
      ),
    size: () => held.size
  }
}
