/**
 * Loading aggregates from their streams and appending their decisions, with optimistic concurrency. Collections,
 * which can hold 100,000 links, are also kept in an in-process cache and in snapshots, so a load reads only the
 * events written since.
 */
import { Array as Arr, Context, Duration, Effect, Either, Option, Schedule, Schema } from "effect"
import * as Collection from "../Collection.js"
import { type CopyOnWrite, type Decider, foldAll, transient } from "../Decider.js"
import { ConflictRetriesExhausted } from "../Errors.js"
import type { DomainEvent } from "../Events.js"
import * as Events from "../Events.js"
import {
  EventIdReused,
  type EventMetadataJson,
  EventStore,
  type ExpectedVersion,
  type Json,
  type RecordedEvent,
  type StoreUnavailable,
  type StreamWrite,
  VersionConflict
} from "../EventStore.js"
import { LinkIndex, scanning, type StoredLink } from "../LinkIndex.js"
import { SnapshotStore } from "../SnapshotStore.js"
import { type SharedQuery, sharedAfterAsking } from "./FreshReads.js"
import { randomUuid, uuidFromText } from "./Uuid.js"

/** How to fold one kind of stream. */
export interface Aggregate<Event extends DomainEvent, State> {
  readonly tags: ReadonlySet<string>
  /** Whether a decoded event is one of this stream's (its tag is one of the schema union's). */
  readonly isEvent: (event: DomainEvent) => event is Event
  readonly initialState: State
  readonly evolve: (state: State, event: Event) => State
  readonly evolveWith?: (copies: CopyOnWrite) => (state: State, event: Event) => State
}

/** Builds an {@link Aggregate} from a decider and the schema union of its events. */
export const aggregate = <Event extends DomainEvent, State>(
  events: { readonly members: ReadonlyArray<{ readonly identifier: string }> },
  decider: Pick<Decider<unknown, Event, State, unknown>, "initialState" | "evolve" | "evolveWith">
): Aggregate<Event, State> => {
  const tags: ReadonlySet<string> = new Set(events.members.map((member) => member.identifier))
  return {
    tags,
    isEvent: (event): event is Event => tags.has(event._tag),
    initialState: decider.initialState,
    evolve: decider.evolve,
    ...(decider.evolveWith === undefined ? {} : { evolveWith: decider.evolveWith })
  }
}

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
    // One copy of each map per load, not per event: the states in between are never kept.
    const evolve = spec.evolveWith?.(transient()) ?? spec.evolve
    let state = initial
    for (const stored of recorded) {
      if (!spec.tags.has(stored.type)) continue
      const decoded = Events.decode(stored)
      if (Either.isLeft(decoded)) return Effect.fail(decoded.left)
      if (Option.isSome(decoded.right) && spec.isEvent(decoded.right.value)) state = evolve(state, decoded.right.value)
    }
    return Effect.succeed(state)
  })

/**
 * Aggregate states already folded by this process, by stream id. A load starts from the cached state and reads only
 * the events appended since, so a hot stream costs one short read. States are immutable, so sharing them is safe.
 * Concurrent loads of one stream share their reads: a load asked for while another of the same stream is in flight
 * waits for it and then goes with every load asked for meanwhile, as one (see `sharedAfterAsking`), so that 64
 * requests finding a registry changed by another process read and fold its new events twice, not 64 times, and
 * each still reads after it asked.
 */
export class AggregateCache extends Context.Tag("@registrar/domain/AggregateCache")<
  AggregateCache,
  {
    readonly get: (streamId: string) => Loaded<unknown> | undefined
    readonly set: (streamId: string, loaded: Loaded<unknown>) => void
    /** Runs `read`, a load of `streamId`, shared with the loads of that stream asked for before it is sent. */
    readonly shared: <A, E, R>(streamId: string, read: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  }
>() {
  /** A cache that keeps the most recently used `capacity` streams. */
  static readonly make = (capacity = 10_000): AggregateCache["Type"] => {
    const entries = new Map<string, Loaded<unknown>>()
    // Only while a load of the stream is in flight or awaited: removed by the last caller to leave.
    const loads = new Map<string, SharedQuery<unknown, unknown, unknown>>()
    return {
      shared: <A, E, R>(streamId: string, read: Effect.Effect<A, E, R>) =>
        Effect.suspend(() => {
          let query = loads.get(streamId)
          if (query === undefined) {
            query = sharedAfterAsking<unknown, unknown, unknown>(read)
            loads.set(streamId, query)
          }
          const joined = query
          // Every load of one stream id reads and folds the same way (see `cached`), so any caller's `read` serves.
          return Effect.ensuring(
            joined.answer as Effect.Effect<A, E, R>,
            Effect.sync(() => {
              if (joined.idle() && loads.get(streamId) === joined) loads.delete(streamId)
            })
          )
        }),
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
        const oldest = entries.keys().next()
        if (entries.size > capacity && !oldest.done) entries.delete(oldest.value)
      }
    }
  }
}

// The cache holds every kind of stream by id; a stream id names one kind of stream, always folded by the same
// aggregate, so what is cached under it has that aggregate's State. The one cast below rests on that.
const cached = <State>(streamId: string) =>
  Effect.map(Effect.serviceOption(AggregateCache), (cache) => ({
    get: () =>
      Option.match(cache, { onNone: () => undefined, onSome: (c) => c.get(streamId) as Loaded<State> | undefined }),
    set: (loaded: Loaded<State>) => Option.map(cache, (c) => c.set(streamId, loaded))
  }))

/**
 * Folds a stream: from the cached state when there is one, reading only the events after it; concurrent loads of
 * the stream in this process share their reads (see {@link AggregateCache}).
 */
export const load = <Event extends DomainEvent, State>(
  spec: Aggregate<Event, State>,
  streamId: string
): Effect.Effect<Loaded<State>, StoreUnavailable | Events.UndecodableEvent, EventStore> =>
  Effect.flatMap(Effect.serviceOption(AggregateCache), (cache) =>
    Option.isSome(cache) ? cache.value.shared(streamId, loadOnce(spec, streamId)) : loadOnce(spec, streamId)
  )

const loadOnce = <Event extends DomainEvent, State>(spec: Aggregate<Event, State>, streamId: string) =>
  Effect.gen(function* () {
    const store = yield* EventStore
    const cache = yield* cached<State>(streamId)
    const base = cache.get() ?? { state: spec.initialState, version: 0 }
    const recorded = yield* store.readStream(streamId, { after: base.version })
    if (recorded.length === 0) return base
    const state = yield* foldRecorded(spec, base.state, recorded)
    const loaded: Loaded<State> = { state, version: recorded.at(-1)?.streamPosition ?? base.version }
    cache.set(loaded)
    return loaded
  })

/** The expected version for appending after a load. */
export const expectedAfter = (version: number): ExpectedVersion => (version === 0 ? "no_stream" : version)

/** What an append needs besides the events: who, when, and an optional idempotency key. */
export interface Envelope {
  readonly metadata: EventMetadataJson
}

/**
 * Makes stored events of decided ones. Event ids are random, or derived from the idempotency key, the stream and
 * the version when a key is given, so a retried command writes the same ids.
 */
const newEvents = (streamId: string, version: number, events: ReadonlyArray<DomainEvent>, envelope: Envelope) => {
  const key = envelope.metadata.idempotencyKey
  const eventId = (index: number) =>
    key === undefined ? randomUuid : Effect.succeed(uuidFromText(`${key}\n${streamId}\n${version + index + 1}`))
  return Effect.forEach(events, (event, index) =>
    Effect.map(eventId(index), (id) => Events.toNewEvent(event, id, envelope.metadata))
  )
}

// ---- load, decide, append, retry ---------------------------------------------------------------------------------

/** One stream's part of a decision: events to append at the stream version they were decided from. */
export interface StreamChange {
  readonly streamId: string
  /** The version the decision saw; the append succeeds only if the stream is still there. */
  readonly version: number
  /** None makes the change a guard: the decision's other changes commit only while this stream is at `version`. */
  readonly events: ReadonlyArray<DomainEvent>
  /** Caches the state after the change once it was appended, so the next load starts from it. */
  readonly remember: (appendedVersion: number) => Effect.Effect<void>
}

/** A change to one aggregate's stream, with the state it leads to (known before appending: `evolve` is pure). */
export interface Changed<State> extends StreamChange {
  readonly state: State
}

/** The change `events`, decided on a loaded stream, make to it; with no events, a guard on the loaded version. */
export const changeOf = <Event extends DomainEvent, State>(
  spec: Aggregate<Event, State>,
  streamId: string,
  loaded: Loaded<State>,
  events: ReadonlyArray<Event>
): Changed<State> => {
  const state = foldAll(spec, loaded.state, events)
  return {
    streamId,
    version: loaded.version,
    events,
    state,
    remember: (appendedVersion) =>
      Effect.map(cached<State>(streamId), (cache) => {
        if (appendedVersion === loaded.version + events.length) cache.set({ state, version: appendedVersion })
      })
  }
}

/** A change that appends nothing and only holds a stream at the version a decision read it at. */
export const guardOf = (streamId: string, loaded: { readonly version: number }): StreamChange => ({
  streamId,
  version: loaded.version,
  events: [],
  remember: () => Effect.void
})

/**
 * The idempotency record a command owes: set by `idempotent` (Registrar/Context.ts) around a command run with an
 * idempotency key. The first {@link execute} inside it claims the record and appends `CommandCompleted` (its
 * decision's result) to the key's stream in the same `appendMany` as the command's own changes, so a crash cannot
 * leave the command applied without its record. A command that never reaches `execute` leaves it unclaimed.
 */
export class PendingIdempotencyRecord extends Context.Tag("@registrar/domain/PendingIdempotencyRecord")<
  PendingIdempotencyRecord,
  {
    /** `Idempotency-{key}`: written once, at `no_stream`. */
    readonly streamId: string
    /** The command's name, stored beside its result. */
    readonly command: string
    /** Set by the execute that appends the record; later executes of the same command leave it alone. */
    claimed: boolean
  }
>() {}

/** The record's event: the command and the result every retry with the key gets. */
const recordEvent = (command: string, result: unknown, envelope: Envelope) =>
  Effect.map(randomUuid, (eventId) => ({
    eventId,
    type: "CommandCompleted",
    schemaVersion: 1,
    data: { command, result: result as Json },
    metadata: envelope.metadata
  }))

/** The result stored in an idempotency stream's record, if it has one. */
export const storedResult = (streamId: string) =>
  Effect.flatMap(EventStore, (store) =>
    Effect.map(store.readStream(streamId), (events) =>
      events[0] === undefined ? Option.none() : Option.some<unknown>(events[0].data.result)
    )
  )

/** What a command decided: the changes to append, in order, and the answer to return once they are appended. */
export interface Decision<A> {
  readonly changes: ReadonlyArray<StreamChange>
  readonly result: A
}

/**
 * Appends a decision's changes in one transaction (`EventStore.appendMany`): all commit or none does, and each
 * stream must still be at the version the decision saw, guards included. Event ids are random, or derived from the
 * idempotency key, the stream and the version when a key is given, so a retried command writes the same ids.
 * Returns each change's new version, in order; writes nothing when no change has events.
 */
const appendChanges = (
  changes: ReadonlyArray<StreamChange>,
  envelope: Envelope,
  record: { readonly streamId: string; readonly command: string; readonly result: unknown } | undefined
): Effect.Effect<ReadonlyArray<number>, VersionConflict | StoreUnavailable | EventIdReused, EventStore> =>
  Effect.gen(function* () {
    const nothingDecided = changes.every((change) => change.events.length === 0)
    if (nothingDecided && record === undefined) return changes.map((change) => change.version)
    const store = yield* EventStore
    const writes: Array<StreamWrite> = yield* Effect.forEach(changes, ({ streamId, version, events }) =>
      Effect.map(newEvents(streamId, version, events, envelope), (stored) => ({
        streamId,
        events: stored,
        expected: expectedAfter(version)
      }))
    )
    if (record !== undefined) {
      const event = yield* recordEvent(record.command, record.result, envelope)
      writes.push({ streamId: record.streamId, events: [event], expected: "no_stream" })
    }
    const results = yield* store
      .appendMany(writes)
      // A decision names each stream once; a repeat is a bug in the handler, not something a caller can act on.
      .pipe(Effect.catchTag("StreamRepeatedInAppend", (repeated) => Effect.die(repeated)))
    return changes.map((_, index) => results[index]?.nextExpectedVersion ?? 0)
  })

/**
 * When to try again after losing an optimistic-concurrency race: up to 100 more times, each after a random pause
 * (full jitter) of up to 2 ms per attempt so far, never more than 50 ms, so racing writers spread out.
 */
export const conflictRetries: Schedule.Schedule<unknown> = Schedule.linear("2 millis").pipe(
  Schedule.modifyDelay((_, delay) => Duration.min(delay, Duration.millis(50))),
  Schedule.jitteredWith({ min: 0, max: 1 }),
  Schedule.intersect(Schedule.recurs(100))
)

/** The failures of appending a decision, besides the decision's own. */
export type AppendFailure = ConflictRetriesExhausted | EventIdReused | StoreUnavailable

/**
 * Runs a command: `decide` loads what it needs and returns its {@link Decision}; its changes are appended together,
 * in one transaction, each at the version it saw. When another writer got there first (a VersionConflict on any of
 * them), nothing was written, and everything is loaded and decided again after a pause from `schedule`; when the
 * schedule ends, the command fails with ConflictRetriesExhausted.
 */
export const execute = <A, E, R>(
  envelope: Effect.Effect<Envelope>,
  decide: Effect.Effect<Decision<A>, E, R>,
  schedule: Schedule.Schedule<unknown> = conflictRetries
): Effect.Effect<A, E | AppendFailure, R | EventStore> =>
  Effect.flatMap(Effect.serviceOption(PendingIdempotencyRecord), (pending) => {
    // The first execute of a command run with an idempotency key appends its record too.
    const record = Option.getOrUndefined(Option.filter(pending, (found) => !found.claimed))
    if (record !== undefined) record.claimed = true
    let attempts = 0
    const attempt = Effect.gen(function* () {
      attempts++
      const decision = yield* decide
      const metadata = yield* envelope
      const versions = yield* appendChanges(
        decision.changes,
        metadata,
        record === undefined ? undefined : { ...record, result: decision.result }
      )
      yield* Effect.forEach(Arr.zip(decision.changes, versions), ([change, version]) => change.remember(version), {
        discard: true
      })
      return decision.result
    })
    // A retry with the same key that ran at the same time committed first: its record holds the answer.
    const recordedMeanwhile = (error: unknown): error is VersionConflict | EventIdReused =>
      record !== undefined &&
      ((error instanceof VersionConflict && error.streamId === record.streamId) || error instanceof EventIdReused)
    return attempt.pipe(
      Effect.retry({ schedule, while: (error) => error instanceof VersionConflict && !recordedMeanwhile(error) }),
      Effect.catchIf(recordedMeanwhile, (error) =>
        Effect.flatMap(storedResult(record?.streamId ?? ""), (stored) =>
          Option.match(stored, { onNone: () => Effect.fail(error), onSome: (result) => Effect.succeed(result as A) })
        )
      ),
      Effect.catchIf(
        (error): error is VersionConflict => error instanceof VersionConflict,
        (conflict) => Effect.fail(new ConflictRetriesExhausted({ streamId: conflict.streamId, attempts }))
      )
    )
  })

// ---- collections: cache, summary snapshots and facts on demand ---------------------------------------------------

const collectionSpec = aggregate(Collection.Event, Collection.decider)

/**
 * The shape version of collection snapshots: 2 is a {@link Collection.Summary} (no per-version facts). Snapshots
 * of version 1 (every linked version's facts, about 21 MB of JSON at 100,000 versions) are ignored: the first load
 * replays the stream and writes a version 2 snapshot.
 */
const COLLECTION_SNAPSHOT_VERSION = 2

/** Snapshot a collection every this many events (a summary is small, so writing one often is cheap). */
const SNAPSHOT_EVERY = 100

/** A snapshot's state when it has the current shape and is consistent; otherwise none (the stream is replayed). */
const decodeSummary = Schema.decodeUnknownOption(Collection.Summary)

/**
 * Loads a collection: from the cache, or the latest snapshot (a summary, with no version's facts) then only the
 * events after it. Writes a new snapshot when the stream crossed a multiple of {@link SNAPSHOT_EVERY} events since.
 * Before deciding a command, learn the versions it names with {@link learnCollection}.
 */
export const loadCollection = (collectionId: string) =>
  Effect.gen(function* () {
    const store = yield* EventStore
    const snapshots = yield* SnapshotStore
    const streamId = Collection.streamId(collectionId)
    const cache = yield* cached<Collection.State>(streamId)
    let base = cache.get()
    if (base === undefined) {
      const snapshot = Option.filter(
        yield* snapshots.load(streamId),
        (found) => found.schemaVersion === COLLECTION_SNAPSHOT_VERSION
      )
      base = Option.match(
        Option.flatMap(snapshot, (found) =>
          Option.map(Option.flatMap(decodeSummary(found.state), Collection.restore), (state) => ({
            state,
            version: found.version
          }))
        ),
        { onNone: () => ({ state: Collection.initialState, version: 0 }), onSome: (restored) => restored }
      )
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
        state: Collection.summarize(state)
      })
    }
    return loaded
  })

/** The versions a command names: by index (an unlink, an alias change, a lookup) or by source (a link, a delete). */
export interface CollectionNeeds {
  readonly indexes?: ReadonlyArray<number>
  readonly sources?: ReadonlyArray<Collection.SourceVersion>
}

const learnStored = (state: Collection.State, stored: Option.Option<StoredLink>) =>
  Option.match(stored, {
    onNone: () => Effect.succeed(state),
    onSome: (found) =>
      Effect.map(Events.decode({ type: found.type, schemaVersion: found.schemaVersion, data: found.data }), (decoded) =>
        Option.match(
          Option.filter(decoded, (event): event is Collection.ArtifactLinked => event._tag === "ArtifactLinked"),
          { onNone: () => state, onSome: (event) => Collection.learn(state, event) }
        )
      )
  })

/**
 * Makes the facts of the versions a command names part of a loaded collection, looking up those its state lacks
 * (a state restored from a summary) through the {@link LinkIndex}, or by scanning the stream when no index is
 * provided. The lookups read immutable events, bounded by the state's own indexes, so the state stays exactly the
 * state at its version; the cache keeps what was learned.
 */
export const learnCollection = (collectionId: string, loaded: Loaded<Collection.State>, needs: CollectionNeeds) =>
  Effect.gen(function* () {
    const indexes = (needs.indexes ?? []).filter((index) => Collection.needsVersion(loaded.state, index))
    const sources = (needs.sources ?? []).filter((source) => Collection.needsSource(loaded.state, source))
    if (indexes.length === 0 && sources.length === 0) return loaded
    const streamId = Collection.streamId(collectionId)
    const index = yield* Effect.flatMap(Effect.serviceOption(LinkIndex), (found) =>
      Option.match(found, { onSome: Effect.succeed, onNone: () => Effect.map(EventStore, scanning) })
    )
    let state = loaded.state
    for (const at of indexes) state = yield* learnStored(state, yield* index.linkOfIndex(streamId, at))
    for (const source of sources) {
      state = yield* learnStored(state, yield* index.lastLinkOfSource(streamId, source, loaded.state.unloadedBelow))
    }
    const learned = { state, version: loaded.version }
    const cache = yield* cached<Collection.State>(streamId)
    cache.set(learned)
    return learned
  })

/** Loads a collection and learns the versions a command names ({@link loadCollection}, {@link learnCollection}). */
export const loadCollectionFor = (collectionId: string, needs: CollectionNeeds) =>
  Effect.flatMap(loadCollection(collectionId), (loaded) => learnCollection(collectionId, loaded, needs))

/**
 * The change decided events make to a loaded collection. Once appended, when it took the stream across a multiple of
 * {@link SNAPSHOT_EVERY} events, it also writes the summary snapshot, so a collection grown by one long-running
 * process is snapshotted as it grows (a failed snapshot write is ignored: a snapshot is a cache).
 */
export const collectionChange = (
  collectionId: string,
  loaded: Loaded<Collection.State>,
  events: ReadonlyArray<Collection.Event>
): Changed<Collection.State> => {
  const streamId = Collection.streamId(collectionId)
  const change = changeOf(collectionSpec, streamId, loaded, events)
  return {
    ...change,
    remember: (appendedVersion) =>
      Effect.zipRight(
        change.remember(appendedVersion),
        appendedVersion === loaded.version + events.length &&
          Math.floor(appendedVersion / SNAPSHOT_EVERY) > Math.floor(loaded.version / SNAPSHOT_EVERY)
          ? Effect.flatMap(Effect.serviceOption(SnapshotStore), (snapshots) =>
              Option.match(snapshots, {
                onNone: () => Effect.void,
                onSome: (store) =>
                  Effect.ignore(
                    store.save({
                      streamId,
                      version: appendedVersion,
                      schemaVersion: COLLECTION_SNAPSHOT_VERSION,
                      state: Collection.summarize(change.state)
                    })
                  )
              })
            )
          : Effect.void
      )
  }
}
