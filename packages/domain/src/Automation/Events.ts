/**
 * The streams and events of automations. Stored formats: change a shape only by adding a schema version and an
 * upcast. Like API keys, these are infrastructure events, not registry events: they are not part of
 * `Events.DomainEvent`, so no projection, audit row or `history` shows them, and the hash chains cover them.
 *
 * - `Automations-{registryId}`: a registry's automations and its automation secrets (sealed, never readable).
 * - `AutomationRegistries`: which registries have automations, so a dispatcher finds every book.
 * - `AutomationDeliveries-{automationId}`: every delivery of one automation, queued in log order, each attempt.
 */
import { type Either, Schema } from "effect"
import { Action, EventType, Scope } from "./Model.js"

// ---- streams ---------------------------------------------------------------------------------------------------

/** The stream of a registry's automations and secrets. */
export const bookStreamId = (registryId: string): string => `Automations-${registryId}`

/** The stream listing the registries that have automations. */
export const registriesStreamId = "AutomationRegistries"

/** The stream of one automation's deliveries. */
export const deliveriesStreamId = (automationId: string): string => `AutomationDeliveries-${automationId}`

/** Whether a stream is an automation book. */
export const isBookStream = (streamId: string): boolean => streamId.startsWith("Automations-")

/** Whether a stream holds deliveries. */
export const isDeliveriesStream = (streamId: string): boolean => streamId.startsWith("AutomationDeliveries-")

// ---- the book ----------------------------------------------------------------------------------------------------

/** What defines an automation; created and updated whole. */
const Definition = {
  automationId: Schema.String,
  name: Schema.String,
  description: Schema.String,
  scope: Scope,
  eventTypes: Schema.Array(EventType),
  filter: Schema.NullOr(Schema.String),
  action: Action
}

/** An automation was created in a registry (enabled). */
export class AutomationCreated extends Schema.TaggedClass<AutomationCreated>()("AutomationCreated", {
  ...Definition,
  organization: Schema.String,
  registry: Schema.String,
  at: Schema.String
}) {}

/** An automation's definition was replaced. */
export class AutomationUpdated extends Schema.TaggedClass<AutomationUpdated>()("AutomationUpdated", {
  ...Definition,
  at: Schema.String
}) {}

/** An automation stopped reacting to events (its queued deliveries still go out). */
export class AutomationDisabled extends Schema.TaggedClass<AutomationDisabled>()("AutomationDisabled", {
  automationId: Schema.String,
  at: Schema.String
}) {}

/** An automation reacts to events again (from the events after this one). */
export class AutomationEnabled extends Schema.TaggedClass<AutomationEnabled>()("AutomationEnabled", {
  automationId: Schema.String,
  at: Schema.String
}) {}

/** An automation was deleted: it reacts to nothing and its name is free; its delivery history stays. */
export class AutomationDeleted extends Schema.TaggedClass<AutomationDeleted>()("AutomationDeleted", {
  automationId: Schema.String,
  at: Schema.String
}) {}

/** A secret was set: only its sealed form (authenticated encryption under the server's key) is stored. */
export class AutomationSecretSet extends Schema.TaggedClass<AutomationSecretSet>()("AutomationSecretSet", {
  name: Schema.String,
  sealed: Schema.String,
  at: Schema.String
}) {}

/** A secret was removed. */
export class AutomationSecretRemoved extends Schema.TaggedClass<AutomationSecretRemoved>()("AutomationSecretRemoved", {
  name: Schema.String,
  at: Schema.String
}) {}

/** Every event of an automation book. */
export const BookEvent = Schema.Union(
  AutomationCreated,
  AutomationUpdated,
  AutomationDisabled,
  AutomationEnabled,
  AutomationDeleted,
  AutomationSecretSet,
  AutomationSecretRemoved
)
/** Every event of an automation book. */
export type BookEvent = typeof BookEvent.Type

/** A registry got its first automation. */
export class AutomationRegistryOpened extends Schema.TaggedClass<AutomationRegistryOpened>()(
  "AutomationRegistryOpened",
  { registryId: Schema.String }
) {}

// ---- deliveries ----------------------------------------------------------------------------------------------------

/** The event a delivery was made for (none for a test delivery). */
export const DeliverySource = Schema.Struct({
  eventId: Schema.String,
  transactionId: Schema.Number,
  globalPosition: Schema.Number
})
/** The event a delivery was made for. */
export type DeliverySource = typeof DeliverySource.Type

/** A delivery was queued for an automation; its id stays the same across every attempt. */
export class DeliveryQueued extends Schema.TaggedClass<DeliveryQueued>()("DeliveryQueued", {
  deliveryId: Schema.String,
  automationId: Schema.String,
  eventType: Schema.String,
  source: Schema.NullOr(DeliverySource),
  body: Schema.String,
  redeliveryOf: Schema.NullOr(Schema.String),
  at: Schema.String
}) {}

/** One attempt of a delivery: the answer's status (none when it never came), time taken and an excerpt. */
export class DeliveryAttempted extends Schema.TaggedClass<DeliveryAttempted>()("DeliveryAttempted", {
  deliveryId: Schema.String,
  attempt: Schema.Number,
  status: Schema.NullOr(Schema.Number),
  durationMillis: Schema.Number,
  responseExcerpt: Schema.String,
  error: Schema.NullOr(Schema.String),
  retryAt: Schema.NullOr(Schema.String),
  at: Schema.String
}) {}

/** A delivery was received (a 2xx answer, or a no-op action). */
export class DeliverySucceeded extends Schema.TaggedClass<DeliverySucceeded>()("DeliverySucceeded", {
  deliveryId: Schema.String,
  at: Schema.String
}) {}

/** A delivery was given up: a 4xx answer, too many attempts, or it could not be sent at all. */
export class DeliveryGivenUp extends Schema.TaggedClass<DeliveryGivenUp>()("DeliveryGivenUp", {
  deliveryId: Schema.String,
  reason: Schema.String,
  at: Schema.String
}) {}

/** Every event of a deliveries stream. */
export const DeliveryEvent = Schema.Union(DeliveryQueued, DeliveryAttempted, DeliverySucceeded, DeliveryGivenUp)
/** Every event of a deliveries stream. */
export type DeliveryEvent = typeof DeliveryEvent.Type

/** The actor recorded on the events a dispatcher writes (queued deliveries, attempts). */
export const DISPATCHER_ACTOR = "registrar:dispatcher"

const decodeDeliveryData = Schema.decodeUnknownEither(DeliveryEvent)

/** A stored event of a deliveries stream, decoded (Left when it is not one). */
export const decodeDelivery = (stored: {
  readonly type: string
  readonly data: object
}): Either.Either<DeliveryEvent, unknown> => decodeDeliveryData({ ...stored.data, _tag: stored.type })

/** The longest response excerpt kept per attempt. */
export const MAX_EXCERPT_LENGTH = 512

/** The longest rendered payload. */
export const MAX_BODY_LENGTH = 256 * 1024

/** The stored form of an automation event: its type, schema version and JSON data (as `Events.encode` for the rest). */
export const encodeEvent = <E, I>(event: E, schema: Schema.Schema<E, I>) => {
  const { _tag, ...data } = Schema.encodeSync(schema)(event) as { _tag: string } & Record<string, never>
  return { type: _tag, schemaVersion: 1, data }
}
