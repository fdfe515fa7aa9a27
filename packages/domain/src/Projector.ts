/**
 * The projector: keeps the read models in step with the global feed. `catchUp` applies what is new, one atomic
 * batch per read (changes and checkpoint together, so exactly once); `rebuild` replays the whole log into fresh
 * tables and swaps them in; `follow` keeps catching up as events arrive; `asOf` folds a prefix of the log into a
 * throwaway store, so every read-model query can answer for a past position or time.
 */
import { Clock, Duration, Effect, Either, Fiber, Layer, Option, Ref, Schedule, Schema, Stream } from "effect"
import {
  type Checkpoint,
  compareCheckpoints,
  EventStore,
  type EventStoreShape,
  Origin,
  type RecordedEvent,
  type StoreUnavailable
} from "./EventStore.js"
import { decode, type UndecodableEvent } from "./Events.js"
import * as InMemoryTables from "./internal/InMemoryTables.js"
import { project } from "./Projections.js"
import { type Change, type ChangeBatch, ReadModelStore, type ReadModelStoreShape } from "./ReadModelStore.js"

const defaultBatchSize = 500

/** The changes of a run of recorded events, in order; events of other services' types change nothing. */
export const changesOf = (
  events: ReadonlyArray<RecordedEvent>
): Either.Either<ReadonlyArray<Change>, UndecodableEvent> => {
  const changes: Array<Change> = []
  for (const event of events) {
    const decoded = decode(event)
    if (Either.isLeft(decoded)) return Either.left(decoded.left)
    if (Option.isSome(decoded.right)) changes.push(...project(event, decoded.right.value))
  }
  return Either.right(changes)
}

const checkpointOf = (event: RecordedEvent): Checkpoint => ({
  transactionId: event.transactionId,
  globalPosition: event.globalPosition
})

/** The batch of a non-empty run of recorded events: their changes and the last event's checkpoint. */
export const batchOf = (
  events: readonly [RecordedEvent, ...ReadonlyArray<RecordedEvent>]
): Either.Either<ChangeBatch, UndecodableEvent> =>
  Either.map(changesOf(events), (changes) => ({ changes, checkpoint: checkpointOf(events[events.length - 1]!) }))

const isNonEmpty = <A>(items: ReadonlyArray<A>): items is readonly [A, ...ReadonlyArray<A>] => items.length > 0

/** Options of `catchUp`. */
export interface CatchUpOptions {
  /** Events read and applied per batch (default 500). */
  readonly batchSize?: number
}

/**
 * Applies every event after the read models' checkpoint, one `apply` per batch; returns how many events it read and
 * applied (0 when the read models were current). Safe to run again at any time: a batch is applied at most once.
 */
export const catchUp = (
  options: CatchUpOptions = {}
): Effect.Effect<number, StoreUnavailable | UndecodableEvent, EventStore | ReadModelStore> =>
  Effect.gen(function* () {
    const events = yield* EventStore
    const store = yield* ReadModelStore
    const limit = options.batchSize ?? defaultBatchSize
    let applied = 0
    while (true) {
      const read = yield* events.readAll({ after: yield* store.checkpoint, limit })
      if (!isNonEmpty(read)) return applied
      yield* store.apply(yield* batchOf(read))
      applied += read.length
      if (read.length < limit) return applied
    }
  })

/** Options of {@link catchUpToHead}. */
export interface CatchUpToHeadOptions extends CatchUpOptions {
  /** Give up after this long (default 30 s): the read models then lag, and the read fails rather than answer stale. */
  readonly timeoutMillis?: number
}

/** The read models still lag behind the log after waiting. */
export class ReadModelsLagging extends Schema.TaggedError<ReadModelsLagging>()("ReadModelsLagging", {
  waitedMillis: Schema.Number
}) {
  override get message() {
    return `The read models did not catch up with the event log within ${this.waitedMillis} ms (a long transaction on the database may be holding the feed back). Retry in a moment.`
  }
}

/**
 * Brings the read models up to the log's head as it stands now: every event committed before the call is applied
 * when it returns. Under concurrent writers the feed may hold committed events back briefly (it never skips one),
 * so this waits for them, up to a bound.
 */
export const catchUpToHead = (
  options: CatchUpToHeadOptions = {}
): Effect.Effect<number, StoreUnavailable | UndecodableEvent | ReadModelsLagging, EventStore | ReadModelStore> =>
  Effect.gen(function* () {
    const events = yield* EventStore
    const store = yield* ReadModelStore
    const head = yield* events.head
    const timeout = options.timeoutMillis ?? 30_000
    const started = yield* Clock.currentTimeMillis
    let applied = 0
    while (true) {
      applied += yield* catchUp(options)
      if (compareCheckpoints(yield* store.checkpoint, head) >= 0) return applied
      const waited = (yield* Clock.currentTimeMillis) - started
      if (waited >= timeout) return yield* Effect.fail(new ReadModelsLagging({ waitedMillis: waited }))
      yield* events.waitForAppends(Math.min(50, timeout - waited))
    }
  })

/** The events of `run` but those of its last transaction; the whole run when it holds one transaction only. */
const withoutLastTransaction = (run: ReadonlyArray<RecordedEvent>): ReadonlyArray<RecordedEvent> => {
  const last = run[run.length - 1]?.transactionId
  const whole = run.filter((event) => event.transactionId !== last)
  return whole.length > 0 ? whole : run
}

/**
 * The feed from the origin as a stream of runs of at most `limit` events, while `keep` accepts them. Given a `keep`,
 * a transaction is kept whole or not at all (a multi-stream command, such as a promotion, never shows in part): the
 * events before the first refused one that share its transaction are dropped, and a full page holds its last
 * transaction back for the next page, which reads it again.
 */
const feed = (
  events: EventStoreShape,
  limit: number,
  keep?: (event: RecordedEvent) => boolean
): Stream.Stream<readonly [RecordedEvent, ...ReadonlyArray<RecordedEvent>], StoreUnavailable> =>
  Stream.paginateEffect(Origin, (after) =>
    Effect.map(events.readAll({ after, limit }), (read) => {
      const stop = keep === undefined ? -1 : read.findIndex((event) => !keep(event))
      const refused = read[stop]
      const more = stop === -1 && read.length === limit
      const kept =
        refused !== undefined
          ? read.slice(0, stop).filter((event) => event.transactionId !== refused.transactionId)
          : keep !== undefined && more
            ? withoutLastTransaction(read)
            : read
      const next = kept.length > 0 && more ? Option.some(checkpointOf(kept[kept.length - 1]!)) : Option.none()
      return [kept, next] as const
    })
  ).pipe(Stream.filter(isNonEmpty))

/** Options of `rebuild`. */
export interface RebuildOptions {
  /** Events per batch (default 500). */
  readonly batchSize?: number
  /** Called after each batch with the number of events replayed so far. */
  readonly onProgress?: (events: number) => Effect.Effect<void>
}

/**
 * Rebuilds every read model from the origin into fresh tables and swaps them in when done (readers see the old ones
 * until then); returns how many events were replayed. Gives exactly the tables an incremental catch-up gives. A
 * store beside the log projects what it can in the database (`rebuildBesideLog`); the rest comes through here.
 */
export const rebuild = (
  options: RebuildOptions = {}
): Effect.Effect<number, StoreUnavailable | UndecodableEvent, EventStore | ReadModelStore> =>
  Effect.gen(function* () {
    const events = yield* EventStore
    const store = yield* ReadModelStore
    const replayed = yield* Ref.make(0)
    const onProgress = options.onProgress ?? (() => Effect.void)
    const batchSize = options.batchSize ?? defaultBatchSize
    if (store.rebuildBesideLog !== undefined) {
      const besideLog = yield* store.rebuildBesideLog({ project: batchOf, batchSize, onProgress })
      if (Option.isSome(besideLog)) return besideLog.value
    }
    // The next page is read while this one is projected and written (one page ahead, so memory stays flat).
    const batches = feed(events, batchSize).pipe(
      Stream.buffer({ capacity: 1 }),
      Stream.mapEffect((run) =>
        batchOf(run).pipe(
          Effect.tap(() => Ref.updateAndGet(replayed, (count) => count + run.length).pipe(Effect.flatMap(onProgress)))
        )
      )
    )
    yield* store.replaceAll(batches)
    return yield* Ref.get(replayed)
  })

/** Options of `follow`. */
export interface FollowOptions extends CatchUpOptions {
  /** The longest wait for new events before polling anyway, and the pause before retrying a failed store (default 1000). */
  readonly pollMillis?: number
}

/**
 * Catches up, then again whenever events may have been appended (or every `pollMillis`), forever. Retries while
 * a store is unavailable; fails on an undecodable event. Run it in the background: `Effect.forkScoped(follow())`.
 */
export const follow = (
  options: FollowOptions = {}
): Effect.Effect<never, UndecodableEvent, EventStore | ReadModelStore> =>
  Effect.gen(function* () {
    const events = yield* EventStore
    const pollMillis = options.pollMillis ?? 1000
    const round = Effect.scoped(
      Effect.gen(function* () {
        // Start waiting before reading, so an append that lands during the catch-up wakes the next round.
        const waiting = yield* Effect.forkScoped(events.waitForAppends(pollMillis))
        yield* Effect.yieldNow()
        yield* catchUp(options)
        yield* Fiber.join(waiting)
      })
    )
    const resilient = round.pipe(
      Effect.tapErrorTag("StoreUnavailable", (error) => Effect.logWarning(error.message)),
      Effect.retry({
        while: (error) => error._tag === "StoreUnavailable",
        schedule: Schedule.spaced(Duration.millis(pollMillis))
      }),
      Effect.catchTag("StoreUnavailable", Effect.die)
    )
    return yield* Effect.forever(resilient)
  })

/** A point in the past: a global position (inclusive) or an ISO time (inclusive). */
export type AsOfTarget = { readonly position: number } | { readonly time: string }

/**
 * An as-of point written as text, as the CLI's `--as-of` and the API's `asOf` take it: digits are a position, an ISO
 * date or date-time is a time. `None` for anything else, and for a position of more than 15 digits, which is past
 * any a store can hold (positions stay safe integers, below 2^53).
 */
export const parseAsOfTarget = (text: string): Option.Option<AsOfTarget> => {
  if (/^\d{1,15}$/.test(text)) return Option.some({ position: Number(text) })
  if (/^\d{4}-\d{2}-\d{2}/.test(text) && !Number.isNaN(Date.parse(text))) return Option.some({ time: text })
  return Option.none()
}

/** An as-of time that is not an ISO date-time. */
export class InvalidAsOfTime extends Schema.TaggedError<InvalidAsOfTime>()("InvalidAsOfTime", {
  time: Schema.String
}) {
  override get message(): string {
    return `"${this.time}" is not a time: give an ISO 8601 date or date-time, e.g. 2025-01-31 or 2025-01-31T12:00:00Z.`
  }
}

const within = (target: AsOfTarget): Either.Either<(event: RecordedEvent) => boolean, InvalidAsOfTime> => {
  if ("position" in target) return Either.right((event) => event.globalPosition <= target.position)
  const limit = Date.parse(target.time)
  if (Number.isNaN(limit)) return Either.left(new InvalidAsOfTime({ time: target.time }))
  return Either.right((event) => !(Date.parse(event.metadata.recordedAt) > limit))
}

/**
 * The read models as they were at a past position or time: the longest prefix of the feed whose events are all at
 * or before the target, folded into fresh in-memory tables (so the answer is a state the live read models held).
 */
export const asOf = (
  target: AsOfTarget,
  options: CatchUpOptions = {}
): Effect.Effect<ReadModelStoreShape, StoreUnavailable | UndecodableEvent | InvalidAsOfTime, EventStore> =>
  Effect.gen(function* () {
    const keep = yield* within(target)
    const events = yield* EventStore
    const tables = InMemoryTables.make()
    yield* feed(events, options.batchSize ?? defaultBatchSize, keep).pipe(
      Stream.runForEach((run) => Effect.flatMap(batchOf(run), tables.apply))
    )
    return tables
  })

/** A ReadModelStore layer as of a past position or time, for running `ReadModels` queries against the past. */
export const asOfLayer = (
  target: AsOfTarget,
  options: CatchUpOptions = {}
): Layer.Layer<ReadModelStore, StoreUnavailable | UndecodableEvent | InvalidAsOfTime, EventStore> =>
  Layer.effect(ReadModelStore, asOf(target, options))
