/**
 * One automation's deliveries: queued in log order, attempted until received or given up, redelivered on request.
 * A pure decider; the dispatcher passes the time, the attempt's outcome and the retry time (with its jitter) in.
 */
import { Either } from "effect"
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

/** Deliveries in the order they were queued, and where each is. */
export interface State {
  readonly order: ReadonlyArray<string>
  readonly deliveries: ReadonlyMap<string, Delivery>
}

/** A stream with no deliveries. */
export const initialState: State = { order: [], deliveries: new Map() }

const update = (state: State, id: string, change: (delivery: Delivery) => Delivery): State => {
  const delivery = state.deliveries.get(id)
  return delivery === undefined ? state : { ...state, deliveries: new Map(state.deliveries).set(id, change(delivery)) }
}

/** Folds one event into the state. */
export const evolve = (state: State, event: DeliveryEvent): State => {
  switch (event._tag) {
    case "DeliveryQueued":
      if (state.deliveries.has(event.deliveryId)) return state
      return {
        order: [...state.order, event.deliveryId],
        deliveries: new Map(state.deliveries).set(event.deliveryId, {
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
        })
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
export const nextPending = (state: State): Delivery | undefined => {
  for (const id of state.order) {
    const delivery = state.deliveries.get(id)!
    if (delivery.status === "pending") return delivery
  }
  return undefined
}

/** How many deliveries are not finished. */
export const pendingCount = (state: State): number =>
  [...state.deliveries.values()].filter((delivery) => delivery.status === "pending").length

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
      if (state.deliveries.has(command.deliveryId)) return Either.right(none)
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
      const delivery = state.deliveries.get(command.deliveryId)
      // An attempt on a finished delivery (another process recorded it first) changes nothing.
      if (delivery === undefined || delivery.status !== "pending") return Either.right(none)
      return Either.right(attemptEvents(command, delivery.attempts.length + 1))
    }
    case "Redeliver": {
      const original = state.deliveries.get(command.deliveryId)
      if (original === undefined) {
        return Either.left(new DeliveryNotFound({ automation: command.automation, delivery: command.deliveryId }))
      }
      if (state.deliveries.has(command.newDeliveryId)) return Either.right(none)
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
