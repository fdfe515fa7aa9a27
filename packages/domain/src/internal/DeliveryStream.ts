/**
 * One automation's deliveries stream as a dispatcher process knows it: folded in stream order up to a version, and
 * the deliveries queued beyond it that the process has seen, by stream position (from its own queueing, whose
 * append answers with the positions, and from the feed). An arrival is folded only once every position before it
 * is folded, so a worker that delivers from the folded part never sends a delivery before one queued ahead of it,
 * and needs no read of the stream while the positions it sees follow on from each other.
 */
import { Effect, Either } from "effect"
import { EventStore, type StoreUnavailable } from "../EventStore.js"
import * as Deliveries from "../Automation/Deliveries.js"
import * as AutomationEvents from "../Automation/Events.js"

/** Arrivals kept beyond the folded part before they are dropped for a read (a process that does not deliver). */
const MAX_ARRIVED = 10_000

/** The stream folded up to `version`: every event at or before it, none after. */
export interface Folded {
  readonly state: Deliveries.State
  readonly version: number
}

/** What a process knows of one deliveries stream. */
export interface DeliveryStream {
  folded: Folded
  /** Queued deliveries seen beyond `folded`, by stream position. */
  readonly arrived: Map<number, AutomationEvents.DeliveryQueued>
  /** Arrivals were dropped: only a read tells what is beyond `folded`. */
  dropped: boolean
}

/** A stream nothing is known of yet. */
export const make = (): DeliveryStream => ({
  folded: { state: Deliveries.initialState, version: 0 },
  arrived: new Map(),
  dropped: false
})

/** Notes a delivery queued at `position` (nothing when that position is folded already). */
export const arrive = (stream: DeliveryStream, position: number, event: AutomationEvents.DeliveryQueued): void => {
  if (position <= stream.folded.version) return
  if (stream.arrived.size >= MAX_ARRIVED) {
    stream.arrived.clear()
    stream.dropped = true
  }
  stream.arrived.set(position, event)
}

/** Folds the arrivals that follow on from the folded part, and returns it. */
export const settle = (stream: DeliveryStream): Folded => {
  let { state, version } = stream.folded
  let next = stream.arrived.get(version + 1)
  if (next === undefined) return stream.folded
  while (next !== undefined) {
    stream.arrived.delete(version + 1)
    state = Deliveries.evolve(state, next)
    version += 1
    next = stream.arrived.get(version + 1)
  }
  stream.folded = { state, version }
  return stream.folded
}

/**
 * Whether something beyond the folded part is unknown after settling: an arrival after a position not seen (another
 * writer's event), or arrivals dropped.
 */
export const hasGap = (stream: DeliveryStream): boolean => stream.dropped || stream.arrived.size > 0

/** Takes a fold that reaches further (after an append or a read), dropping the arrivals it covers. */
export const advance = (stream: DeliveryStream, folded: Folded): void => {
  if (folded.version < stream.folded.version) return
  stream.folded = folded
  for (const position of stream.arrived.keys()) if (position <= folded.version) stream.arrived.delete(position)
  settle(stream)
}

/** Reads what the store holds beyond the folded part and folds it. */
export const read = (stream: DeliveryStream, streamId: string): Effect.Effect<Folded, StoreUnavailable, EventStore> =>
  Effect.gen(function* () {
    const store = yield* EventStore
    const from = stream.folded
    stream.dropped = false
    const later = yield* store.readStream(streamId, { after: from.version })
    let state = from.state
    for (const stored of later) {
      const decoded = AutomationEvents.decodeDelivery(stored)
      if (Either.isRight(decoded)) state = Deliveries.evolve(state, decoded.right)
    }
    advance(stream, { state, version: later.at(-1)?.streamPosition ?? from.version })
    return settle(stream)
  })
