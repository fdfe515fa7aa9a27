/**
 * The one writer of a dispatcher process's deliveries streams: it records the attempts of every automation the
 * process delivers for in one append (`appendMany`, a write per stream, each expecting the version the process
 * knows), carrying every attempt made since the last append began, and runs the matcher's appends of queued
 * deliveries between them. Taking turns, the process never conflicts with itself: an expected version is wrong only
 * when another process (or a redelivery asked for) wrote to the stream, which is then read before trying again.
 */
import { Deferred, Effect, Either } from "effect"
import * as Deliveries from "../Automation/Deliveries.js"
import * as AutomationEvents from "../Automation/Events.js"
import {
  type EventIdReused,
  EventStore,
  type NewEvent,
  type StoreUnavailable,
  type StreamWrite
} from "../EventStore.js"
import * as DeliveryStream from "./DeliveryStream.js"
import { uuidFromText } from "./Uuid.js"

/** An attempt to record, as `Deliveries.decide` takes it. */
export type RecordAttempt = Extract<Deliveries.Command, { readonly _tag: "RecordAttempt" }>

/** Decides recorded attempts in order on a state: the events they add, and the state after them. */
export const decideAttempts = (state: Deliveries.State, commands: ReadonlyArray<RecordAttempt>) => {
  const events: Array<AutomationEvents.DeliveryEvent> = []
  for (const command of commands) {
    const decided = Either.getOrElse(Deliveries.decide(command, state), () => [])
    for (const event of decided) {
      events.push(event)
      state = Deliveries.evolve(state, event)
    }
  }
  return { events, state }
}

/** Attempts of one automation to record. */
export interface Attempts {
  readonly stream: DeliveryStream.DeliveryStream
  readonly streamId: string
  readonly commands: ReadonlyArray<RecordAttempt>
  /** Runs in the same step as the stream's fold comes to hold them (or they turn out to change nothing). */
  readonly onRecorded: () => void
}

/** Why recording failed. */
export type RecordFailure = StoreUnavailable | EventIdReused

/** The writer of one dispatcher process. */
export interface DeliveryWriter {
  /** Records attempts, together with those of other automations waiting at the time. */
  readonly record: (attempts: Attempts) => Effect.Effect<void, RecordFailure>
  /** Runs an append of queued deliveries between recordings. */
  readonly exclusive: <E>(append: Effect.Effect<void, E, EventStore>) => Effect.Effect<void, E>
}

interface Waiting {
  readonly attempts: Attempts
  readonly done: Deferred.Deferred<void, RecordFailure>
}

/** The events of attempts decided on a stream at `version`, with ids derived from them (a retry writes nothing). */
const newEventsOf = (events: ReadonlyArray<AutomationEvents.DeliveryEvent>, version: number, holder: string) =>
  events.map(
    (event, offset): NewEvent => ({
      eventId: uuidFromText(`attempt\n${event.deliveryId}\n${version + offset + 1}\n${event.at}\n${holder}`),
      ...AutomationEvents.encodeEvent(event, AutomationEvents.DeliveryEvent),
      metadata: { actor: AutomationEvents.DISPATCHER_ACTOR, recordedAt: event.at }
    })
  )

/** A writer for the process named `holder` in leases. */
export const make = (holder: string): Effect.Effect<DeliveryWriter, never, EventStore> =>
  Effect.gen(function* () {
    const store = yield* EventStore
    let waiting: Array<Waiting> = []
    /** Appends of queued deliveries, each settling its own waiter. */
    let jobs: Array<Effect.Effect<void>> = []
    let writing = false

    /** Appends the attempts of a batch in one statement, catching up a stream another process wrote to. */
    const appendBatch = (batch: ReadonlyArray<Attempts>): Effect.Effect<void, RecordFailure> =>
      Effect.gen(function* () {
        while (true) {
          const writes: Array<StreamWrite> = []
          const folds: Array<{ attempts: Attempts; state: Deliveries.State }> = []
          for (const attempts of batch) {
            const base = DeliveryStream.settle(attempts.stream)
            const { events, state } = decideAttempts(base.state, attempts.commands)
            if (events.length === 0) continue
            writes.push({
              streamId: attempts.streamId,
              events: newEventsOf(events, base.version, holder),
              expected: base.version
            })
            folds.push({ attempts, state })
          }
          const appended = writes.length === 0 ? Either.right([]) : yield* Effect.either(store.appendMany(writes))
          if (Either.isRight(appended)) {
            for (const [index, result] of appended.right.entries()) {
              const { attempts, state } = folds[index]!
              DeliveryStream.advance(attempts.stream, { state, version: result.nextExpectedVersion })
            }
            for (const attempts of batch) attempts.onRecorded()
            return
          }
          const failure = appended.left
          if (failure._tag === "StoreUnavailable" || failure._tag === "EventIdReused")
            return yield* Effect.fail(failure)
          if (failure._tag === "StreamRepeatedInAppend") {
            // Two workers of one automation (a worker ending as the next starts): record them one after the other.
            for (const attempts of batch) yield* appendBatch([attempts])
            return
          }
          // Another writer moved the stream on (deliveries queued by another process, or a redelivery): read it.
          const named = batch.filter((attempts) => attempts.streamId === failure.streamId)
          for (const behind of named.length > 0 ? named : batch)
            yield* DeliveryStream.read(behind.stream, behind.streamId)
        }
      }).pipe(Effect.provideService(EventStore, store))

    /** Runs jobs and batches until nothing waits; then `writing` is false in the same step as the last check. */
    const write: Effect.Effect<void> = Effect.gen(function* () {
      while (true) {
        if (jobs.length === 0 && waiting.length === 0) {
          writing = false
          return
        }
        const nextJobs = jobs
        jobs = []
        for (const job of nextJobs) yield* job
        const batch = waiting
        waiting = []
        if (batch.length === 0) continue
        const exit = yield* Effect.exit(appendBatch(batch.map((entry) => entry.attempts)))
        for (const entry of batch) yield* Deferred.done(entry.done, exit)
      }
    })

    const start = Effect.suspend(() => {
      if (writing) return Effect.void
      writing = true
      return Effect.asVoid(Effect.forkDaemon(write))
    })

    return {
      record: (attempts) =>
        Effect.gen(function* () {
          const done = yield* Deferred.make<void, RecordFailure>()
          waiting.push({ attempts, done })
          yield* start
          yield* Deferred.await(done)
        }),
      exclusive: <E>(append: Effect.Effect<void, E, EventStore>) =>
        Effect.gen(function* () {
          const done = yield* Deferred.make<void, E>()
          jobs.push(
            Effect.flatMap(Effect.exit(Effect.provideService(append, EventStore, store)), (exit) =>
              Deferred.done(done, exit)
            )
          )
          yield* start
          yield* Deferred.await(done)
        })
    }
  })
