/**
 * Loading aggregates from their streams and appending their decisions, with optimistic concurrency. Collections,
 * which can hold 100,000 links, are also kept in an in-process cache and in snapshots, so a load reads only the
 * events written since.
 */
import { Context, Effect, Either, HashMap, Option } from "effect"
import * as Collection from "../Collection.js"
import type { DomainEvent } from "../Events.js"
import * as Events from "../Events.js"
import {
  type EventMetadataJson,
  EventStore,
  type ExpectedVersion,
  type RecordedEvent,
  type StoreUnavailable,
  VersionConflict
} from "../EventStore.js"
import { SnapshotStore } from "../SnapshotStore.js"
import { randomUuid, uuidFromText } from "./Uuid.js"

/** How to fold one kind of stream. */
export interface Aggregate<Event extends DomainEvent, State> {
  readonly tags: ReadonlySet<string>
  readonly initialState: State
  readonly evolve: (state: State, event: Event) => State
}

/** Builds an {@link Aggregate} from a decider and the schema union of its events. */
export const aggregate = <Event extends DomainEvent, State>(
  events: { readonly members: ReadonlyArray<{ readonly identifier: string }> },
  decider: { readonly initialState: State; readonly evolve: (state: State, event: Event) => State }
): Aggregate<Event, State> => ({
  tags: new Set(events.members.map((member) => member.identifier)),
  initialState: decider.initialState,
  evolve: decider.evolve
})

/** A loaded aggregate: its state and the stream version it reflects. */
export interface Loaded<State> {
  readonly state: State
  readonly version: number
}

const foldRecorded = <Event extends DomainEvent, State>(
  spec: Aggregate<Event, State>,
  initial: State,
  recorded: ReadonlyArray<RecordedEvent>
): Effect.Effect<State, Events.UndecodableEvent> =>
  Effect.suspend(() => {
    let state = initial
    for (const stored of recorded) {
      if (!spec.tags.has(stored.type)) continue
      const decoded = Events.decode(stored)
      if (Either.isLeft(decoded)) return Effect.fail(decoded.left)
      if (Option.isSome(decoded.right)) state = spec.evolve(state, decoded.right.value as Event)
    }
    return Effect.succeed(state)
  })

/**
 * Aggregate states already folded by this process, by stream id. A load starts from the cached state and reads only
 * the events appended since, so a hot stream costs one short read. States are immutable, so sharing them is safe.
 */
export class AggregateCache extends Context.Tag("@registrar/domain/AggregateCache")<
  AggregateCache,
  {
    readonly get: (streamId: string) => Loaded<unknown> | undefined
    readonly set: (streamId: string, loaded: Loaded<unknown>) => void
  }
>() {
  /** A cache that keeps the most recently used `capacity` streams. */
  static readonly make = (capacity = 10_000): AggregateCache["Type"] => {
    const entries = new Map<string, Loaded<unknown>>()
    return {
      get: (streamId) => {
        const found = entries.get(streamId)
        if (found !== undefined) {
          entries.delete(streamId)
          entries.set(streamId, found)
        }
        return found
      },
      set: (streamId, loaded) => {
        const current = entries.get(streamId)
        if (current !== undefined && current.version > loaded.version) return
        entries.delete(streamId)
        entries.set(streamId, loaded)
        if (entries.size > capacity) entries.delete(entries.keys().next().value!)
      }
    }
  }
}

const cached = <State>(streamId: string) =>
  Effect.map(Effect.serviceOption(AggregateCache), (cache) => ({
    get: () =>
      Option.match(cache, { onNone: () => undefined, onSome: (c) => c.get(streamId) as Loaded<State> | undefined }),
    set: (loaded: Loaded<State>) => Option.map(cache, (c) => c.set(streamId, loaded))
  }))

/** Folds a stream: from the cached state when there is one, reading only the events after it. */
export const load = <Event extends DomainEvent, State>(spec: Aggregate<Event, State>, streamId: string) =>
  Effect.gen(function* () {
    const store = yield* EventStore
    const cache = yield* cached<State>(streamId)
    const base = cache.get() ?? { state: spec.initialState, version: 0 }
    const recorded = yield* store.readStream(streamId, { after: base.version })
    if (recorded.length === 0) return base
    const state = yield* foldRecorded(spec, base.state, recorded)
    const loaded: Loaded<State> = { state, version: recorded[recorded.length - 1]!.streamPosition }
    cache.set(loaded)
    return loaded
  })

/** Records the state after a successful append, so the next load starts from it. */
export const remember = <Event extends DomainEvent, State>(
  spec: Aggregate<Event, State>,
  streamId: string,
  before: Loaded<State>,
  events: ReadonlyArray<Event>,
  version: number
) =>
  Effect.gen(function* () {
    let state = before.state
    for (const event of events) state = spec.evolve(state, event)
    if (version === before.version + events.length) (yield* cached<State>(streamId)).set({ state, version })
    return state
  })

/** The expected version for appending after a load. */
export const expectedAfter = (version: number): ExpectedVersion => (version === 0 ? "no_stream" : version)

/** What an append needs besides the events: who, when, and an optional idempotency key. */
export interface Envelope {
  readonly metadata: EventMetadataJson
}

const eventIds = (streamId: string, version: number, count: number, envelope: Envelope) => {
  const key = envelope.metadata.idempotencyKey
  return key === undefined
    ? Effect.all(Array.from({ length: count }, () => randomUuid))
    : Effect.succeed(
        Array.from({ length: count }, (_, index) => uuidFromText(`${key}\n${streamId}\n${version + index + 1}`))
      )
}

/**
 * Appends decided events at the loaded version. Event ids are random, or derived from the idempotency key, the
 * stream and the version when a key is given, so a retried command writes the same ids.
 */
export const append = (
  streamId: string,
  version: number,
  events: ReadonlyArray<DomainEvent>,
  envelope: Envelope
): Effect.Effect<number, VersionConflict | StoreUnavailable | import("../EventStore.js").EventIdReused, EventStore> =>
  Effect.gen(function* () {
    if (events.length === 0) return version
    const store = yield* EventStore
    const ids = yield* eventIds(streamId, version, events.length, envelope)
    const result = yield* store.append(
      streamId,
      events.map((event, index) => Events.toNewEvent(event, ids[index]!, envelope.metadata)),
      expectedAfter(version)
    )
    return result.nextExpectedVersion
  })

/** One stream's part of {@link appendAll}: the events decided on the stream as loaded at `version`. */
export interface Decided {
  readonly streamId: string
  readonly version: number
  /** None makes this stream a guard: the others commit only if it is still at `version`. */
  readonly events: ReadonlyArray<DomainEvent>
}

/**
 * Appends the decisions of one command over several streams in one transaction: all commit or none does, and each
 * stream must still be at the version it was loaded at (event ids as for {@link append}). Returns each stream's new
 * version, in order; writes nothing when no stream has events.
 */
export const appendAll = (
  decided: ReadonlyArray<Decided>,
  envelope: Envelope
): Effect.Effect<
  ReadonlyArray<number>,
  VersionConflict | StoreUnavailable | import("../EventStore.js").EventIdReused,
  EventStore
> =>
  Effect.gen(function* () {
    if (decided.every((write) => write.events.length === 0)) return decided.map((write) => write.version)
    const store = yield* EventStore
    const writes = yield* Effect.forEach(decided, ({ streamId, version, events }) =>
      Effect.map(eventIds(streamId, version, events.length, envelope), (ids) => ({
        streamId,
        events: events.map((event, index) => Events.toNewEvent(event, ids[index]!, envelope.metadata)),
        expected: expectedAfter(version)
      }))
    )
    const results = yield* store
      .appendMany(writes)
      // Handlers name each stream once; a repeat is a bug in the handler, not something a caller can act on.
      .pipe(Effect.catchTag("StreamRepeatedInAppend", (repeated) => Effect.die(repeated)))
    return results.map((result) => result.nextExpectedVersion)
  })

/** Retries an effect that lost an optimistic-concurrency race, reloading everything each time. */
export const retryOnConflict = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.suspend(function loop(attempt = 0): Effect.Effect<A, E, R> {
    return Effect.catchIf(
      effect,
      (error): error is E => error instanceof VersionConflict && attempt < 100,
      () => Effect.sleep(Math.min(2 + attempt * 2, 50) * Math.random()).pipe(Effect.zipRight(loop(attempt + 1)))
    )
  })

// ---- collections: cache and snapshots --------------------------------------------------------------------------

const collectionSpec = aggregate(Collection.Event, Collection.decider)

/** The shape version of encoded collection snapshots. */
const COLLECTION_SNAPSHOT_VERSION = 1

/** Snapshot a collection every this many events. */
const SNAPSHOT_EVERY = 1_000

interface EncodedCollection {
  readonly versions: ReadonlyArray<Collection.LinkedVersion>
  readonly aliases: ReadonlyArray<readonly [string, number]>
  readonly nextIndex: number
  readonly latest: number | null
}

const encodeCollection = (state: Collection.State): EncodedCollection => ({
  versions: [...HashMap.values(state.versions)].sort((a, b) => a.index - b.index),
  aliases: [...state.aliases].map(([alias, index]) => [alias, index] as const),
  nextIndex: state.nextIndex,
  latest: Option.getOrNull(state.latest)
})

const decodeCollection = (encoded: EncodedCollection): Collection.State => ({
  versions: HashMap.fromIterable(encoded.versions.map((version) => [version.index, version] as const)),
  bySource: HashMap.fromIterable(
    encoded.versions.map((version) => [Collection.sourceKey(version.source), version.index] as const)
  ),
  aliases: HashMap.fromIterable(encoded.aliases),
  nextIndex: encoded.nextIndex,
  latest: Option.fromNullable(encoded.latest)
})

/**
 * Loads a collection: from the cache or the latest snapshot, then only the events after it. Writes a new snapshot
 * when the stream crossed a multiple of {@link SNAPSHOT_EVERY} events since.
 */
export const loadCollection = (collectionId: string) =>
  Effect.gen(function* () {
    const store = yield* EventStore
    const snapshots = yield* SnapshotStore
    const streamId = Collection.streamId(collectionId)
    const cache = yield* cached<Collection.State>(streamId)
    let base = cache.get()
    if (base === undefined) {
      const snapshot = yield* snapshots.load(streamId)
      base =
        Option.isSome(snapshot) && snapshot.value.schemaVersion === COLLECTION_SNAPSHOT_VERSION
          ? {
              state: decodeCollection(snapshot.value.state as unknown as EncodedCollection),
              version: snapshot.value.version
            }
          : { state: Collection.initialState, version: 0 }
    }
    const recorded = yield* store.readStream(streamId, { after: base.version })
    const state = yield* foldRecorded(collectionSpec, base.state, recorded)
    const loaded = { state, version: recorded[recorded.length - 1]?.streamPosition ?? base.version }
    cache.set(loaded)
    if (Math.floor(loaded.version / SNAPSHOT_EVERY) > Math.floor(base.version / SNAPSHOT_EVERY)) {
      yield* snapshots.save({
        streamId,
        version: loaded.version,
        schemaVersion: COLLECTION_SNAPSHOT_VERSION,
        state: encodeCollection(state) as never
      })
    }
    return loaded
  })

/** Records a decided collection change in the cache, so the next load starts from it. */
export const rememberCollection = (
  collectionId: string,
  before: Loaded<Collection.State>,
  events: ReadonlyArray<Collection.Event>,
  version: number
) => remember(collectionSpec, Collection.streamId(collectionId), before, events, version)
