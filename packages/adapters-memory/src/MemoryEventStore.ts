/**
 * An in-memory EventStore with exactly the semantics of the PostgreSQL store. Every append runs as one synchronous
 * step, so concurrent fibers see appends as atomic and totally ordered.
 */
import {
  type AppendResult,
  type ChainKey,
  chainHashWith,
  compareCheckpoints,
  contentDigest,
  EventIdReused,
  EventStore,
  type EventStoreShape,
  type ExpectedVersion,
  GenesisHash,
  keyFingerprint,
  type NewEvent,
  Origin,
  type RecordedEvent,
  sameContent,
  VersionConflict
} from "@registrar/domain"
import { Deferred, Effect, FiberId, Layer } from "effect"

/** Test-only access to the stored rows, for tampering with history in hash-chain tests. */
export interface MemoryEventStoreBackdoor {
  /** Replaces the data of a stored event without fixing its hash, as an attacker editing a row would. */
  readonly editEvent: (eventId: string, data: RecordedEvent["data"]) => Effect.Effect<void>
  /** Removes a stored event without touching its stream's version, as an attacker deleting a row would. */
  readonly deleteEvent: (eventId: string) => Effect.Effect<void>
  /**
   * Rewrites a stream as an attacker who can edit every row would: keeps only the events listed (with the data and
   * hash given), deletes the rest, and sets the stream's version to its last kept event (removing it when none is).
   */
  readonly rewriteStream: (streamId: string, keep: ReadonlyArray<RewrittenEvent>) => Effect.Effect<void>
}

/** An event kept by {@link MemoryEventStoreBackdoor.rewriteStream}, with its new data and hash. */
export interface RewrittenEvent {
  readonly eventId: string
  readonly data: RecordedEvent["data"]
  readonly hash: string
}

/** Options of the in-memory EventStore. */
export interface MemoryEventStoreOptions {
  /** Key the chain hashes (HMAC-SHA256) with this key; see `ChainKey` in the domain. */
  readonly chainKey?: ChainKey
}

const matchesExpected = (expected: ExpectedVersion, version: number): boolean => {
  switch (expected) {
    case "any":
      return true
    case "no_stream":
      return version === 0
    case "stream_exists":
      return version > 0
    default:
      return version === expected
  }
}

/** Creates an empty in-memory EventStore with options, and a backdoor for tests. */
export const makeWith = (options: MemoryEventStoreOptions) =>
  Effect.sync(() => {
    const key = options.chainKey ?? null
    const hashOf = chainHashWith(key)
    const keying = { configured: key, recorded: key === null ? null : keyFingerprint(key) }
    let log: Array<RecordedEvent> = []
    const streams = new Map<string, { version: number; events: Array<RecordedEvent> }>()
    const byId = new Map<string, RecordedEvent>()
    let lastTransaction = 0
    let wake = Deferred.unsafeMake<void>(FiberId.none)

    const retried = (streamId: string, events: ReadonlyArray<NewEvent>): AppendResult | EventIdReused | undefined => {
      const firstStored = events.map((event) => byId.get(event.eventId)).find((stored) => stored !== undefined)
      if (firstStored === undefined) return undefined
      const stored = events.map((event) => byId.get(event.eventId))
      const sameBatch = stored.every(
        (event, index) =>
          event !== undefined &&
          event.streamId === streamId &&
          event.transactionId === firstStored.transactionId &&
          sameContent(event, events[index]!)
      )
      if (!sameBatch) {
        const clash = events.find((event, index) => {
          const previous = stored[index]
          return previous !== undefined && !(previous.streamId === streamId && sameContent(previous, event))
        })
        return new EventIdReused({ eventId: (clash ?? events[0]!).eventId, streamId })
      }
      const last = stored[stored.length - 1]!
      return {
        streamId,
        nextExpectedVersion: last.streamPosition,
        globalPositions: stored.map((event) => event!.globalPosition),
        checkpoint: { transactionId: last.transactionId, globalPosition: last.globalPosition }
      }
    }

    const append: EventStoreShape["append"] = (streamId, events, expected) =>
      Effect.suspend((): ReturnType<EventStoreShape["append"]> => {
        if (events.length > 0) {
          const ids = new Set<string>()
          const repeated = events.find((event) => ids.size === ids.add(event.eventId).size)
          if (repeated !== undefined) return Effect.fail(new EventIdReused({ eventId: repeated.eventId, streamId }))
          const retry = retried(streamId, events)
          if (retry instanceof EventIdReused) return Effect.fail(retry)
          if (retry !== undefined) return Effect.succeed(retry)
        }
        const stream = streams.get(streamId) ?? { version: 0, events: [] }
        if (!matchesExpected(expected, stream.version)) {
          return Effect.fail(new VersionConflict({ streamId, expected, actual: stream.version }))
        }
        if (events.length === 0) {
          return Effect.succeed({
            streamId,
            nextExpectedVersion: stream.version,
            globalPositions: [],
            checkpoint: Origin
          })
        }
        const transactionId = ++lastTransaction
        let previousHash = stream.events[stream.events.length - 1]?.hash ?? GenesisHash
        const recorded = events.map((event, index): RecordedEvent => {
          const streamPosition = stream.version + index + 1
          const hash = hashOf(previousHash, streamId, streamPosition, contentDigest(event))
          previousHash = hash
          return {
            ...event,
            streamId,
            streamPosition,
            globalPosition: (log[log.length - 1]?.globalPosition ?? 0) + index + 1,
            transactionId,
            hash
          }
        })
        for (const event of recorded) {
          log.push(event)
          stream.events.push(event)
          byId.set(event.eventId, event)
        }
        stream.version += recorded.length
        streams.set(streamId, stream)
        const last = recorded[recorded.length - 1]!
        const signal = wake
        wake = Deferred.unsafeMake<void>(FiberId.none)
        return Deferred.succeed(signal, undefined).pipe(
          Effect.as({
            streamId,
            nextExpectedVersion: stream.version,
            globalPositions: recorded.map((event) => event.globalPosition),
            checkpoint: { transactionId, globalPosition: last.globalPosition }
          })
        )
      })

    const readStream: EventStoreShape["readStream"] = (streamId, options) =>
      Effect.sync(() => {
        const events = streams.get(streamId)?.events ?? []
        const after = options?.after ?? 0
        // Positions are contiguous from 1, so the events after position `after` start at index `after`.
        return events.slice(after)
      })

    const readAll: EventStoreShape["readAll"] = ({ after, limit }) =>
      Effect.sync(() => {
        let low = 0
        let high = log.length
        while (low < high) {
          const middle = (low + high) >>> 1
          if (compareCheckpoints(log[middle]!, after) <= 0) low = middle + 1
          else high = middle
        }
        return log.slice(low, low + limit)
      })

    const store: EventStoreShape = {
      append,
      readStream,
      streamVersion: (streamId) => Effect.sync(() => streams.get(streamId)?.version ?? 0),
      readAll,
      head: Effect.sync(() => {
        const last = log[log.length - 1]
        return last === undefined ? Origin : { transactionId: last.transactionId, globalPosition: last.globalPosition }
      }),
      waitForAppends: (timeoutMillis) =>
        Effect.suspend(() => Deferred.await(wake)).pipe(Effect.timeoutOption(timeoutMillis), Effect.asVoid),
      chainKeying: Effect.succeed(keying)
    }

    const backdoor: MemoryEventStoreBackdoor = {
      editEvent: (eventId, data) =>
        Effect.sync(() => {
          const replace = (event: RecordedEvent) => (event.eventId === eventId ? { ...event, data } : event)
          log = log.map(replace)
          for (const stream of streams.values()) stream.events = stream.events.map(replace)
        }),
      deleteEvent: (eventId) =>
        Effect.sync(() => {
          log = log.filter((event) => event.eventId !== eventId)
          for (const stream of streams.values()) stream.events = stream.events.filter((e) => e.eventId !== eventId)
          byId.delete(eventId)
        }),
      rewriteStream: (streamId, keep) =>
        Effect.sync(() => {
          const kept = new Map(keep.map((event) => [event.eventId, event]))
          const rewrite = (event: RecordedEvent): ReadonlyArray<RecordedEvent> => {
            if (event.streamId !== streamId) return [event]
            const replacement = kept.get(event.eventId)
            if (replacement === undefined) {
              byId.delete(event.eventId)
              return []
            }
            const rewritten = { ...event, data: replacement.data, hash: replacement.hash }
            byId.set(event.eventId, rewritten)
            return [rewritten]
          }
          log = log.flatMap(rewrite)
          const stream = streams.get(streamId)
          if (stream === undefined) return
          stream.events = stream.events.flatMap(rewrite)
          const last = stream.events[stream.events.length - 1]
          if (last === undefined) streams.delete(streamId)
          else stream.version = last.streamPosition
        })
    }
    return { store, backdoor }
  })

/** Creates an empty, unkeyed in-memory EventStore, with a backdoor for tests. */
export const make = makeWith({})

/** A fresh in-memory EventStore with options (a chain key). */
export const layerWith = (options: MemoryEventStoreOptions): Layer.Layer<EventStore> =>
  Layer.effect(
    EventStore,
    Effect.map(makeWith(options), ({ store }) => store)
  )

/** A fresh in-memory EventStore. */
export const layer: Layer.Layer<EventStore> = layerWith({})
