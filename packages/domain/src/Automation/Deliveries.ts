/**
 * One automation's deliveries: queued in log order, attempted until received or given up, redelivered on request.
 * A pure decider; the dispatcher passes the time, the attempt's outcome and the retry time (with its jitter) in.
 */
import { Chunk, Either, HashMap, Option } from "effect"
import type { Decider } from "../Decider.js"
import { DeliveryNotFound } from "./Errors.js"
import {
  DeliveryAttempted,
  type DeliveryEvent,
  DeliveryGivenUp,
  DeliveryQueued,
  type DeliverySource,
  DeliverySucceeded,
  MAX_EXCERPT_LENGTH
} from "./Events.js"

// ---- state -------------------------------------------------------------------------------------------------------

/** Where a delivery stands. */
export type Status = "pending" | "succeeded" | "given_up"

/** One attempt as recorded. */
export interface Attempt {
  readonly attempt: number
  readonly status: number | null
  readonly durationMillis: number
  readonly responseExcerpt: string
  readonly error: string | null
  readonly at: string
}

/** One delivery and its attempts. */
export interface Delivery {
  readonly deliveryId: string
  readonly eventType: string
  readonly source: DeliverySource | null
  readonly body: string
  readonly redeliveryOf: string | null
  readonly queuedAt: string
  readonly status: Status
  readonly attempts: ReadonlyArray<Attempt>
  /** When the next attempt may be made (null: at once). */
  readonly retryAt: string | null
  readonly reason: string | null
  readonly finishedAt: string | null
}

/**
 * Deliveries in the order they were queued, and where each is. Persistent structures (a stream grows with every
 * delivery, and the dispatcher folds one event at a time): folding an event costs O(log n), not a copy of the state.
 */
export interface State {
  readonly order: Chunk.Chunk<string>
  readonly deliveries: HashMap.HashMap<string, Delivery>
  /** Where in `order` the first unfinished delivery is (every one before it is finished). */
  readonly firstPending: number
}

/** A stream with no deliveries. */
export const initialState: State = { order: Chunk.empty(), deliveries: HashMap.empty(), firstPending: 0 }

/** Moves `firstPending` past the deliveries that are finished. */
const skipFinished = (state: State): State => {
  let firstPending = state.firstPending
  while (firstPending < Chunk.size(state.order)) {
    const delivery = HashMap.get(state.deliveries, Chunk.unsafeGet(state.order, firstPending))
    if (Option.isSome(delivery) && delivery.value.status === "pending") break
    firstPending += 1
  }
  return firstPending === state.firstPending ? state : { ...state, firstPending }
}

const update = (state: State, id: string, change: (delivery: Delivery) => Delivery): State =>
  Option.match(HashMap.get(state.deliveries, id), {
    onNone: () => state,
    onSome: (delivery) => skipFinished({ ...state, deliveries: HashMap.set(state.deliveries, id, change(delivery)) })
  })

/** One delivery by id. */
export const find = (state: State, deliveryId: string): Delivery | undefined =>
  Option.getOrUndefined(HashMap.get(state.deliveries, deliveryId))

/** Folds one event into the state. */
export const evolve = (state: State, event: DeliveryEvent): State => {
  switch (event._tag) {
    case "DeliveryQueued":
      if (HashMap.has(state.deliveries, event.deliveryId)) return state
      return {
        order: Chunk.append(state.order, event.deliveryId),
        deliveries: HashMap.set(state.deliveries, event.deliveryId, {
          deliveryId: event.deliveryId,
          eventType: event.eventType,
          source: event.source,
          body: event.body,
          redeliveryOf: event.redeliveryOf,
          queuedAt: event.at,
          status: "pending",
          attempts: [],
          retryAt: null,
          reason: null,
          finishedAt: null
        }),
        firstPending: state.firstPending
      }
    case "DeliveryAttempted": {
      const { _tag, deliveryId, retryAt, ...attempt } = event
      return update(state, deliveryId, (delivery) => ({
        ...delivery,
        attempts: [...delivery.attempts, attempt],
        retryAt
      }))
    }
    case "DeliverySucceeded":
      return update(state, event.deliveryId, (delivery) => ({ ...delivery, status: "succeeded", finishedAt: event.at }))
    case "DeliveryGivenUp":
      return update(state, event.deliveryId, (delivery) => ({
        ...delivery,
        status: "given_up",
        reason: event.reason,
        finishedAt: event.at
      }))
  }
}

/** The first delivery not finished: deliveries go out in order, so it holds back the ones after it. */
export const nextPending = (state: State): Delivery | undefined =>
  state.firstPending < Chunk.size(state.order)
    ? find(state, Chunk.unsafeGet(state.order, state.firstPending))
    : undefined

/** How many deliveries are not finished. */
export const pendingCount = (state: State): number =>
  Chunk.size(Chunk.filter(Chunk.drop(state.order, state.firstPending), (id) => find(state, id)?.status === "pending"))

// ---- commands ----------------------------------------------------------------------------------------------------

/** What an attempt ended with, as the dispatcher classified it. */
export type Outcome =
  | { readonly _tag: "Received" }
  | { readonly _tag: "Retry"; readonly retryAt: string }
  | { readonly _tag: "GiveUp"; readonly reason: string }

/** Commands on a deliveries stream. */
export type Command =
  | {
      readonly _tag: "QueueDelivery"
      readonly deliveryId: string
      readonly automationId: string
      readonly eventType: string
      readonly source: DeliverySource | null
      readonly body: string
      readonly at: string
    }
  | {
      readonly _tag: "RecordAttempt"
      readonly deliveryId: string
      readonly status: number | null
      readonly durationMillis: number
      readonly response: string
      readonly error: string | null
      readonly outcome: Outcome
      readonly at: string
    }
  | {
      readonly _tag: "Redeliver"
      readonly automation: string
      readonly automationId: string
      readonly deliveryId: string
      readonly newDeliveryId: string
      readonly at: string
    }

const none: ReadonlyArray<DeliveryEvent> = []

/** The events of a recorded attempt: the attempt, and its delivery's end when it ended. */
const attemptEvents = (
  command: Extract<Command, { readonly _tag: "RecordAttempt" }>,
  attempt: number
): ReadonlyArray<DeliveryEvent> => {
  const attempted = new DeliveryAttempted({
    deliveryId: command.deliveryId,
    attempt,
    status: command.status,
    durationMillis: Math.max(0, Math.round(command.durationMillis)),
    responseExcerpt: command.response.slice(0, MAX_EXCERPT_LENGTH),
    error: command.error === null ? null : command.error.slice(0, MAX_EXCERPT_LENGTH),
    retryAt: command.outcome._tag === "Retry" ? command.outcome.retryAt : null,
    at: command.at
  })
  switch (command.outcome._tag) {
    case "Received":
      return [attempted, new DeliverySucceeded({ deliveryId: command.deliveryId, at: command.at })]
    case "Retry":
      return [attempted]
    case "GiveUp":
      return [
        attempted,
        new DeliveryGivenUp({ deliveryId: command.deliveryId, reason: command.outcome.reason, at: command.at })
      ]
  }
}

/** Decides a deliveries command. */
export const decide = (
  command: Command,
  state: State
): Either.Either<ReadonlyArray<DeliveryEvent>, DeliveryNotFound> => {
  switch (command._tag) {
    case "QueueDelivery":
      if (HashMap.has(state.deliveries, command.deliveryId)) return Either.right(none)
      return Either.right([
        new DeliveryQueued({
          deliveryId: command.deliveryId,
          automationId: command.automationId,
          eventType: command.eventType,
          source: command.source,
          body: command.body,
          redeliveryOf: null,
          at: command.at
        })
      ])
    case "RecordAttempt": {
      const delivery = find(state, command.deliveryId)
      // An attempt on a finished delivery (another process recorded it first) changes nothing.
      if (delivery === undefined || delivery.status !== "pending") return Either.right(none)
      return Either.right(attemptEvents(command, delivery.attempts.length + 1))
    }
    case "Redeliver": {
      const original = find(state, command.deliveryId)
      if (original === undefined) {
        return Either.left(new DeliveryNotFound({ automation: command.automation, delivery: command.deliveryId }))
      }
      if (HashMap.has(state.deliveries, command.newDeliveryId)) return Either.right(none)
      return Either.right([
        new DeliveryQueued({
          deliveryId: command.newDeliveryId,
          automationId: command.automationId,
          eventType: original.eventType,
          source: original.source,
          body: original.body,
          redeliveryOf: original.deliveryId,
          at: command.at
        })
      ])
    }
  }
}

/** The deliveries decider. */
export const decider: Decider<Command, DeliveryEvent, State, DeliveryNotFound> = { initialState, evolve, decide }
