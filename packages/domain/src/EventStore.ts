/**
 * The EventStore port: append-only streams with optimistic concurrency, atomic appends over one stream or several
 * (`appendMany`), a global feed ordered for safe catch-up, and tamper-evident hash chains. Every adapter (memory,
 * PostgreSQL, PGlite) passes the same conformance suite (`@registrar/domain/testing`).
 */
import { Context, type Effect, Schema } from "effect"
import type { ChainKeying } from "./ChainKey.js"

/** A JSON value as stored in an event's data or metadata. */
export type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [key: string]: Json }

/** A JSON object. */
export type JsonObject = { readonly [key: string]: Json }

/**
 * What the writer believes about the stream before appending:
 * - `"any"`: no check;
 * - `"no_stream"`: the stream must not exist yet;
 * - `"stream_exists"`: the stream must have at least one event;
 * - a number `n`: the stream's version (position of its last event, 0 when absent) must be exactly `n`.
 */
export type ExpectedVersion = "any" | "no_stream" | "stream_exists" | number

/** Who did what, when and why; carried by every event. */
export class EventMetadata extends Schema.Class<EventMetadata>("EventMetadata")({
  actor: Schema.String,
  recordedAt: Schema.String,
  correlationId: Schema.optional(Schema.String),
  causationId: Schema.optional(Schema.String),
  idempotencyKey: Schema.optional(Schema.String)
}) {}

/** The encoded (JSON) form of {@link EventMetadata}. */
export type EventMetadataJson = typeof EventMetadata.Encoded

/** An event ready to be appended: its identity, type, schema version, JSON data and metadata. */
export interface NewEvent {
  readonly eventId: string
  readonly type: string
  readonly schemaVersion: number
  readonly data: JsonObject
  readonly metadata: EventMetadataJson
}

/**
 * A position in the global feed. The feed is ordered by `(transactionId, globalPosition)`; a reader that resumes
 * after a checkpoint sees every later event exactly once, even when transactions commit out of order.
 */
export interface Checkpoint {
  readonly transactionId: number
  readonly globalPosition: number
}

/** The checkpoint before the first event. */
export const Origin: Checkpoint = { transactionId: 0, globalPosition: 0 }

/** Orders two checkpoints: negative when `a` comes first. */
export const compareCheckpoints = (a: Checkpoint, b: Checkpoint): number =>
  a.transactionId !== b.transactionId ? a.transactionId - b.transactionId : a.globalPosition - b.globalPosition

/** A stored event with its envelope. */
export interface RecordedEvent extends NewEvent {
  readonly streamId: string
  /** 1 for the first event of a stream; contiguous. */
  readonly streamPosition: number
  /** Unique across the store; increasing within a stream. */
  readonly globalPosition: number
  /** The writing transaction; the feed is ordered by `(transactionId, globalPosition)`. */
  readonly transactionId: number
  /** Chains this event to the previous event of its stream (see `HashChain`). */
  readonly hash: string
}

/** The outcome of an append: the stream's new version and where the events landed. */
export interface AppendResult {
  readonly streamId: string
  /** The stream's version after the append (the position of its last event). */
  readonly nextExpectedVersion: number
  /** The global positions of the appended events, in order. */
  readonly globalPositions: ReadonlyArray<number>
  /** The checkpoint of the last appended event; {@link Origin} for an empty append, which writes nothing. */
  readonly checkpoint: Checkpoint
}

const printExpected = (expected: ExpectedVersion): string =>
  typeof expected === "number" ? `version ${expected}` : expected

/** The stream was not where the writer expected it to be; reload and decide again. */
export class VersionConflict extends Schema.TaggedError<VersionConflict>()("VersionConflict", {
  streamId: Schema.String,
  expected: Schema.Union(Schema.Literal("any", "no_stream", "stream_exists"), Schema.Number),
  /** The stream's version, 0 when it does not exist. */
  actual: Schema.Number
}) {
  override get message(): string {
    const actual = this.actual === 0 ? "the stream does not exist" : `the stream is at version ${this.actual}`
    return `Concurrent change to stream "${this.streamId}": expected ${printExpected(this.expected)} but ${actual}. Reload and try again.`
  }
}

/** An event id was used before for different content; event ids must identify one event forever. */
export class EventIdReused extends Schema.TaggedError<EventIdReused>()("EventIdReused", {
  eventId: Schema.String,
  streamId: Schema.String
}) {
  override get message(): string {
    return `Event id ${this.eventId} (stream "${this.streamId}") was already stored with different content; a retry must resend the same events, and new events need new ids.`
  }
}

/** A multi-stream append named one stream twice; each stream takes one write with one expected version. */
export class StreamRepeatedInAppend extends Schema.TaggedError<StreamRepeatedInAppend>()("StreamRepeatedInAppend", {
  streamId: Schema.String
}) {
  override get message(): string {
    return `Stream "${this.streamId}" appears more than once in one multi-stream append; put all of its events in one write with one expected version. Nothing was written.`
  }
}

/** The store could not be reached or failed; nothing was written. */
export class StoreUnavailable extends Schema.TaggedError<StoreUnavailable>()("StoreUnavailable", {
  operation: Schema.String,
  detail: Schema.String
}) {
  override get message(): string {
    return `The event store failed during ${this.operation}: ${this.detail}. Nothing was written; check the database and retry.`
  }
}

/** One stream's part of a multi-stream append ({@link EventStoreShape.appendMany}). */
export interface StreamWrite {
  readonly streamId: string
  /** The events to append; none makes the write a guard that only checks `expected`. */
  readonly events: ReadonlyArray<NewEvent>
  readonly expected: ExpectedVersion
}

/** Options for reading a stream. */
export interface ReadStreamOptions {
  /** Return only events after this stream position (default 0: from the start). */
  readonly after?: number
}

/** Options for reading the global feed. */
export interface ReadAllOptions {
  /** Return only events after this checkpoint. */
  readonly after: Checkpoint
  /** At most this many events. */
  readonly limit: number
}

/** The EventStore port. */
export interface EventStoreShape {
  /**
   * Appends `events` atomically to `streamId` if the stream is at `expected`; idempotent by event id. A batch that
   * repeats an event id is rejected with EventIdReused. The global feed (`readAll`) may lag behind a successful
   * append while older transactions are still open on a shared database.
   */
  readonly append: (
    streamId: string,
    events: ReadonlyArray<NewEvent>,
    expected: ExpectedVersion
  ) => Effect.Effect<AppendResult, VersionConflict | EventIdReused | StoreUnavailable>
  /**
   * Appends to several streams in one transaction: all writes commit or none does. Each write is checked against its
   * own expected version (the first conflict, in the order given, fails the whole call and consumes no global
   * position); a write without events is a guard: it only checks its stream's version, which then holds until the
   * others commit. Streams are written in the order given, each chained as by `append`, and the feed shows the whole
   * append or none of it. Returns one result per write, in order; an empty list of writes writes nothing.
   *
   * Idempotent by event id as a whole: a retry of a committed call (the same events on the same streams) returns
   * the original results (a guard answers with its stream's current version, unchecked) and writes nothing; a call
   * that matches stored events only in part, or repeats an event id, is rejected with EventIdReused. A stream named
   * twice is rejected with StreamRepeatedInAppend. Concurrent calls over overlapping streams serialise and never
   * deadlock.
   */
  readonly appendMany: (
    writes: ReadonlyArray<StreamWrite>
  ) => Effect.Effect<
    ReadonlyArray<AppendResult>,
    VersionConflict | EventIdReused | StreamRepeatedInAppend | StoreUnavailable
  >
  /** The events of one stream in order (empty when the stream does not exist). */
  readonly readStream: (
    streamId: string,
    options?: ReadStreamOptions
  ) => Effect.Effect<ReadonlyArray<RecordedEvent>, StoreUnavailable>
  /** The stream's version as recorded by its stream row (0 when absent); used to detect a deleted last event. */
  readonly streamVersion: (streamId: string) => Effect.Effect<number, StoreUnavailable>
  /**
   * The next committed events of the global feed after a checkpoint, in `(transactionId, globalPosition)` order.
   * Never returns an event that a later call could precede with one not yet committed.
   */
  readonly readAll: (options: ReadAllOptions) => Effect.Effect<ReadonlyArray<RecordedEvent>, StoreUnavailable>
  /**
   * The checkpoint of the newest committed event in feed order ({@link Origin} when there is none). A reader whose
   * checkpoint reached it has seen every event committed before `head` was read.
   */
  readonly head: Effect.Effect<Checkpoint, StoreUnavailable>
  /** Completes when new events may have been appended since the call began, or after `timeoutMillis`. */
  readonly waitForAppends: (timeoutMillis: number) => Effect.Effect<void>
  /** The key this store was given and the fingerprint of the key its chain is keyed with (see `ChainKey`). */
  readonly chainKeying: Effect.Effect<ChainKeying, StoreUnavailable>
}

/** The EventStore service. */
export class EventStore extends Context.Tag("@registrar/domain/EventStore")<EventStore, EventStoreShape>() {}
