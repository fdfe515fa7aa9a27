/**
 * The write gate: what every append made by a fiber must get past first. The server sets it from the request's API
 * key, in one of two forms:
 *
 * - an effect (for a request that reads): the key's confirmation, sent as the request begins and not waited for,
 *   so the request's reads go ahead beside that one round trip while nothing it writes can commit until the key is
 *   confirmed; a key revoked meanwhile (through any process) fails the append with the gate's own failure.
 * - a {@link Guard} (for a request that writes): the version of the key's stream the kept record was read at,
 *   checked inside each multi-stream append's own transaction as one more write without events. A write that commits
 *   under the guard has confirmed the key at its commit, with no round trip of its own; when the key's stream moved,
 *   the append runs the confirmation (which dies for a key revoked or expired) and, if the key stands, appends
 *   again without the guard. A request that ends without such a write runs the confirmation before answering.
 *
 * A fiber's gate is inherited by the fibers it forks. Fibers that no request started (the projector, the automation
 * dispatcher) have none and append at once.
 */
import { Effect, FiberRef } from "effect"
import type { EventStoreShape, StreamWrite } from "./EventStore.js"

/** The key check of one request that writes: see the module's documentation. */
export class Guard {
  /** Whether the key was confirmed during the request: by a write that committed under the guard, or by `confirm`. */
  private confirmedOnce = false

  constructor(
    /** The stream whose version stands for the key's record (the user's key stream). */
    readonly streamId: string,
    /** The version the kept record was read at. */
    readonly version: number,
    /** Reads the key's record against the log now; must not fail: it dies to refuse. */
    private readonly check: Effect.Effect<void>
  ) {}

  /** Whether nothing is left to confirm. */
  get settled(): boolean {
    return this.confirmedOnce
  }

  /** Confirms the key now, unless the request already did. */
  readonly confirm: Effect.Effect<void> = Effect.suspend(() =>
    this.confirmedOnce ? Effect.void : Effect.tap(this.check, () => this.noteConfirmed())
  )

  /** Notes that the key was confirmed (a write committed under the guard). */
  noteConfirmed(): void {
    this.confirmedOnce = true
  }
}

/** A fiber's gate: an effect to wait for (it must not fail; it dies to refuse the write), or a {@link Guard}. */
export type Gate = Effect.Effect<void> | Guard

/** The gate of the current fiber: `undefined` for none. */
export const current: FiberRef.FiberRef<Gate | undefined> = FiberRef.unsafeMake<Gate | undefined>(undefined)

const waitFor = (gate: Gate | undefined): Effect.Effect<void> =>
  gate === undefined ? Effect.void : gate instanceof Guard ? gate.confirm : gate

/** Waits for the current fiber's gate, if it has one (for a guard: confirms the key unless a write already did). */
export const pass: Effect.Effect<void> = Effect.flatMap(FiberRef.get(current), waitFor)

/**
 * `writes` appended under `guard`: the guard travels as one more write without events, last, so that the writes'
 * own conflicts are reported as before. When the guard's stream moved, the key is confirmed (or the fiber dies) and
 * the writes are appended without it.
 */
const appendGuarded = (store: EventStoreShape, guard: Guard, writes: ReadonlyArray<StreamWrite>) => {
  const plain = Effect.zipRight(guard.confirm, store.appendMany(writes))
  if (guard.settled || writes.some((write) => write.streamId === guard.streamId)) return plain
  return store.appendMany([...writes, { streamId: guard.streamId, events: [], expected: guard.version }]).pipe(
    Effect.flatMap((results) => {
      // A retry of a call that committed earlier reports the guard's stream as it is now, unchecked: only the
      // version the record was read at confirms it.
      if (results[writes.length]?.nextExpectedVersion === guard.version) guard.noteConfirmed()
      return Effect.as(guard.confirm, results.slice(0, writes.length))
    }),
    Effect.catchIf(
      (error) => error._tag === "VersionConflict" && error.streamId === guard.streamId,
      () => plain
    )
  )
}

/**
 * `store`, with every append held by the appending fiber's gate: a single-stream append (and any append under an
 * effect gate) waits for it first; a multi-stream append under a guard carries it (see the module's documentation).
 */
export const gated = (store: EventStoreShape): EventStoreShape => ({
  ...store,
  append: (streamId, events, expected) => Effect.zipRight(pass, store.append(streamId, events, expected)),
  appendMany: (writes) =>
    Effect.flatMap(FiberRef.get(current), (gate) =>
      gate instanceof Guard
        ? appendGuarded(store, gate, writes)
        : Effect.zipRight(waitFor(gate), store.appendMany(writes))
    )
})
