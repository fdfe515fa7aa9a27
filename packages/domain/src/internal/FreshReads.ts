/**
 * Reads that see every write committed before they began, at the fewest round trips: the read models are brought up
 * to the log's head only when they are behind it (the head and the read models' checkpoint are read together, and
 * concurrent readers of one process share one catch-up), and hot answers are kept for as long as the log's head
 * has not moved.
 *
 * Why an answer kept at head H is still right for a later read that finds the head at H: every event committed
 * before that read began has a checkpoint at most H (the head is the newest committed event in feed order), and the
 * answer was computed from read models that had reached H. The feed never returns an event that one committed
 * later could precede, so no event below H can commit after the read models passed it. Every process reads the head
 * from the store, so a write through any process moves it and retires the answers of all of them.
 */
import { Context, Deferred, Effect, FiberId } from "effect"
import { type Checkpoint, compareCheckpoints, EventStore, Origin, type StoreUnavailable } from "../EventStore.js"
import type { UndecodableEvent } from "../Events.js"
import * as Projector from "../Projector.js"
import { ReadModelStore } from "../ReadModelStore.js"

/** The failures of bringing the read models up to the head. */
export type CatchUpFailure = StoreUnavailable | UndecodableEvent | Projector.ReadModelsLagging

/**
 * Fresh reads for one service instance (one process's share of them), over the stores it was made with: its own
 * effects need nothing from the caller's context (providing a context to every hot read cost more than the read).
 */
export interface FreshReads {
  /** Brings the read models up to the head as it is now; answers the head. */
  readonly catchUpToHead: Effect.Effect<Checkpoint, CatchUpFailure>
  /**
   * Runs `read` after `catchUpToHead` (and `alongside`, a check run at the same time), unless an answer under `key` was computed at the head as it is now: then
   * that answer, for one round trip (the head). Only successes are kept; `key` must name everything the answer
   * depends on besides the log (the actor, the input).
   */
  readonly cached: <A, E, R, E2, R2>(
    key: string,
    read: Effect.Effect<A, E, R>,
    alongside: Effect.Effect<unknown, E2, R2>
  ) => Effect.Effect<A, E | E2 | CatchUpFailure, R | R2>
}

const sameCheckpoint = (a: Checkpoint, b: Checkpoint) => compareCheckpoints(a, b) === 0

/** A query shared by the callers that ask before it is sent (see {@link sharedAfterAsking}). */
export interface SharedQuery<A, E, R> {
  /** The answer, read after the caller asked. */
  readonly answer: Effect.Effect<A, E, R>
  /**
   * The same answer, sent for without waiting: joins the caller to the next query and makes sure that one is on
   * its way (on a fiber of its own, one per query, not per caller), then hands back what awaits it, so that the
   * caller may go on meanwhile.
   */
  readonly sent: Effect.Effect<Effect.Effect<A, E>, never, R>
  /** Whether no query is in flight and no caller waits for the next one. */
  readonly idle: () => boolean
}

/**
 * A query whose answer must be read after the caller asked, shared by every caller that asks before it is sent:
 * while one query is in flight, the callers arriving meanwhile wait for the next one, sent as soon as the first
 * answers. Under load one round trip answers many readers, and each reader's answer was still read after it asked.
 */
export const sharedAfterAsking = <A, E, R>(query: Effect.Effect<A, E, R>): SharedQuery<A, E, R> => {
  let inFlight: Deferred.Deferred<void> | undefined
  let waiting: Deferred.Deferred<A, E> | undefined
  const send = (batch: Deferred.Deferred<A, E>): Effect.Effect<void, never, R> =>
    Effect.gen(function* () {
      const before = inFlight
      if (before !== undefined) yield* Deferred.await(before)
      // Sent from here on: who asks now joins the next batch.
      if (waiting === batch) waiting = undefined
      const done = yield* Deferred.make<void>()
      inFlight = done
      const exit = yield* Effect.exit(query)
      yield* Deferred.done(batch, exit)
      if (inFlight === done) inFlight = undefined
      yield* Deferred.succeed(done, undefined)
    }).pipe(Effect.uninterruptible)
  const newBatch = () => {
    const batch = Deferred.unsafeMake<A, E>(FiberId.none)
    waiting = batch
    return batch
  }
  return {
    answer: Effect.suspend(() => {
      const joined = waiting
      if (joined !== undefined) return Deferred.await(joined)
      const batch = newBatch()
      return Effect.zipRight(send(batch), Deferred.await(batch))
    }),
    sent: Effect.suspend(() => {
      const joined = waiting
      if (joined !== undefined) return Effect.succeed(Deferred.await(joined))
      const batch = newBatch()
      return Effect.as(Effect.forkDaemon(send(batch)), Deferred.await(batch))
    }),
    idle: () => inFlight === undefined && waiting === undefined
  }
}

/** Fresh reads over the stores in `stores`, keeping at most `capacity` answers (all of them at one head). */
export const make = (stores: Context.Context<EventStore | ReadModelStore>, capacity = 10_000): FreshReads => {
  const events = Context.get(stores, EventStore)
  const readModels = Context.get(stores, ReadModelStore)
  const catchingUp = Effect.unsafeMakeSemaphore(1)
  const readHead = sharedAfterAsking(events.head).answer
  const readCheckpoint = sharedAfterAsking(readModels.checkpoint).answer
  const catchUpToHead = Effect.gen(function* () {
    const [head, checkpoint] = yield* Effect.all([readHead, readCheckpoint], { concurrency: 2 })
    if (compareCheckpoints(checkpoint, head) >= 0) return head
    // Behind: one catch-up at a time in this process; a reader that waited finds it done by the one before.
    yield* catchingUp.withPermits(1)(
      Effect.flatMap(readModels.checkpoint, (now) =>
        compareCheckpoints(now, head) >= 0 ? Effect.void : Effect.provide(Projector.catchUpToHead(), stores)
      )
    )
    return head
  })

  let answersHead: Checkpoint = Origin
  const answers = new Map<string, unknown>()
  const cached: FreshReads["cached"] = (key, read, alongside) =>
    Effect.gen(function* () {
      const head = yield* readHead
      if (sameCheckpoint(head, answersHead) && answers.has(key))
        return answers.get(key) as Effect.Effect.Success<typeof read>
      yield* Effect.all([catchUpToHead, alongside], {
        concurrency: 2,
        discard: true
      })
      const answer = yield* read
      // Keep it only under the newest head seen: a slower read that began earlier must not replace newer answers.
      if (compareCheckpoints(head, answersHead) > 0) {
        answers.clear()
        answersHead = head
      }
      if (sameCheckpoint(head, answersHead)) {
        if (answers.size >= capacity) answers.clear()
        answers.set(key, answer)
      }
      return answer
    })
  return { catchUpToHead, cached }
}
