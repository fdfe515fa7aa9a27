/**
 * The write gate: an effect that every append made by a fiber waits for first. The server sets it to the
 * confirmation of the request's API key, which it starts as the request begins and does not wait for: a request's
 * reads go ahead beside that one round trip, while nothing it writes can commit until the key is confirmed, and a key
 * revoked meanwhile (through any process) fails the append with the gate's own failure, writing nothing.
 *
 * A fiber's gate is inherited by the fibers it forks. Fibers that no request started (the projector, the automation
 * dispatcher) have none and append at once.
 */
import { Effect, FiberRef } from "effect"
import type { EventStoreShape } from "./EventStore.js"

/** The gate of the current fiber: `undefined` for none. It must not fail; it dies to refuse the write. */
export const current: FiberRef.FiberRef<Effect.Effect<void> | undefined> = FiberRef.unsafeMake<
  Effect.Effect<void> | undefined
>(undefined)

/** Waits for the current fiber's gate, if it has one. */
export const pass: Effect.Effect<void> = Effect.flatMap(FiberRef.get(current), (gate) => gate ?? Effect.void)

/** `store`, with every append (single or multi-stream) waiting for the appending fiber's gate first. */
export const gated = (store: EventStoreShape): EventStoreShape => ({
  ...store,
  append: (streamId, events, expected) => Effect.zipRight(pass, store.append(streamId, events, expected)),
  appendMany: (writes) => Effect.zipRight(pass, store.appendMany(writes))
})
