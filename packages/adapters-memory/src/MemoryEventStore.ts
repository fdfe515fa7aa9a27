/**
 * An in-memory EventStore with exactly the semantics of the PostgreSQL store. Every append, single or multi-stream,
 * runs as one synchronous step, so concurrent fibers see appends as atomic and totally ordered.
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
  Origin,
  type RecordedEvent,
  sameContent,
  StreamRepeatedInAppend,
  type StreamWrite,
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

    const resultOf = (streamId: string, stored: ReadonlyArray<RecordedEvent>): AppendResult => {
      const last = stored[stored.length - 1]
      return last === undefined
        ? {
            streamId,
            nextExpectedVersion: streams.get(streamId)?.version ?? 0,
            globalPositions: [],
            checkpoint: Origin
          }
        : {
            streamId,
            nextExpectedVersion: last.streamPosition,
            globalPositions: stored.map((event) => event.globalPosition),
            checkpoint: { transactionId: last.transactionId, globalPosition: last.globalPosition }
          }
    }

    /**
     * Whether `writes` were stored before: undefined when none of their events were, their original results when all
     * were, by one earlier append with the same content on the same streams, and EventIdReused otherwise.
     */
    const retried = (writes: ReadonlyArray<StreamWrite>): ReadonlyArray<AppendResult> | EventIdReused | undefined => {
      const pairs = writes.flatMap((write) =>
        write.events.map((event) => ({ write, event, stored: byId.get(event.eventId) }))
      )
      const first = pairs.find((pair) => pair.stored !== undefined)?.stored
      if (first === undefined) return undefined
      const matches = (pair: (typeof pairs)[number]) =>
        pair.stored !== undefined &&
        pair.stored.streamId === pair.write.streamId &&
        sameContent(pair.stored, pair.event)
      if (pairs.every((pair) => matches(pair) && pair.stored!.transactionId === first.transactionId)) {
        return writes.map((write) =>
          resultOf(
            write.streamId,
            write.events.map((event) => byId.get(event.eventId)!)
          )
        )
      }
      const clash = pairs.find((pair) => pair.stored !== undefined && !matches(pair)) ?? pairs[0]!
      return new EventIdReused({ eventId: clash.event.eventId, streamId: clash.write.streamId })
    }

    /** Every append, single or multi-stream, as one synchronous step: checked in full before anything is written. */
    const appendMany: EventStoreShape["appendMany"] = (writes) =>
      Effect.suspend((): ReturnType<EventStoreShape["appendMany"]> => {
        const streamIds = new Set<string>()
        const repeatedStream = writes.find((write) => streamIds.size === streamIds.add(write.streamId).size)
        if (repeatedStream !== undefined) {
          return Effect.fail(new StreamRepeatedInAppend({ streamId: repeatedStream.streamId }))
        }
        const ids = new Set<string>()
        for (const write of writes) {
          const repeated = write.events.find((event) => ids.size === ids.add(event.eventId).size)
          if (repeated !== undefined) {
            return Effect.fail(new EventIdReused({ eventId: repeated.eventId, streamId: write.streamId }))
          }
        }
        const retry = retried(writes)
        if (retry instanceof EventIdReused) return Effect.fail(retry)
        if (retry !== undefined) return Effect.succeed(retry)
        for (const { streamId, expected } of writes) {
          const actual = streams.get(streamId)?.version ?? 0
          if (!matchesExpected(expected, actual))
            return Effect.fail(new VersionConflict({ streamId, expected, actual }))
        }
        if (ids.size === 0) return Effect.succeed(writes.map((write) => resultOf(write.streamId, [])))
        const transactionId = ++lastTransaction
        let globalPosition = log[log.length - 1]?.globalPosition ?? 0
        const results = writes.map(({ streamId, events }) => {
          const stream = streams.get(streamId) ?? { version: 0, events: [] }
          let previousHash = stream.events[stream.events.length - 1]?.hash ?? GenesisHash
          const recorded = events.map((event, index): RecordedEvent => {
            const streamPosition = stream.version + index + 1
            const hash = hashOf(previousHash, streamId, streamPosition, contentDigest(event))
            previousHash = hash
            globalPosition += 1
            return { ...event, streamId, streamPosition, globalPosition, transactionId, hash }
          })
          for (const event of recorded) {
            log.push(event)
            stream.events.push(event)
            byId.set(event.eventId, event)
          }
          stream.version += recorded.length
          if (stream.version > 0) streams.set(streamId, stream)
          return resultOf(streamId, recorded)
        })
        const signal = wake
        wake = Deferred.unsafeMake<void>(FiberId.none)
        return Deferred.succeed(signal, undefined).pipe(Effect.as(results))
      })

    const append: EventStoreShape["append"] = (streamId, events, expected) =>
      Effect.map(
        Effect.catchTag(appendMany([{ streamId, events, expected }]), "StreamRepeatedInAppend", Effect.die),
        (results) => results[0]!
      )

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
      appendMany,
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
