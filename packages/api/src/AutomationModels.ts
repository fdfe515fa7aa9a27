/**
 * Request and response bodies of the automations group: automations (W&B's model: event types, scope, filter,
 * webhook or no-op action), secrets (names only, never values) and deliveries with every attempt. Strings and lists
 * are bounded, so a request cannot make the server hold or store more than it should.
 */
import { Automations } from "@registrar/domain"
import { Schema } from "effect"

const bounded = (max: number) => Schema.String.pipe(Schema.maxLength(max))
const Name = bounded(64)

/** A webhook as given: URL, headers from named secrets, the payload template, the signing secret. */
export const WebhookInput = Schema.Struct({
  kind: Schema.Literal("webhook"),
  url: bounded(Automations.Model.MAX_URL_LENGTH),
  headers: Schema.optional(Schema.Array(Schema.Struct({ name: bounded(128), secret: Name })).pipe(Schema.maxItems(20))),
  payloadTemplate: Schema.optional(bounded(Automations.Model.MAX_TEMPLATE_LENGTH)),
  signingSecret: Schema.optional(Schema.NullOr(Name))
})

/** An action as given: a webhook, or a no-op (deliveries recorded, nothing sent). */
export const ActionInput = Schema.Union(WebhookInput, Schema.Struct({ kind: Schema.Literal("noop") }))

const Fields = {
  description: Schema.optional(bounded(1024)),
  collection: Schema.optional(Schema.NullOr(bounded(256))),
  eventTypes: Schema.optional(Schema.Array(Automations.Model.EventType).pipe(Schema.maxItems(16))),
  filter: Schema.optional(Schema.NullOr(bounded(4096))),
  action: Schema.optional(ActionInput)
}

/** `POST …/automations`. */
export const CreateAutomation = Schema.Struct({ name: Name, ...Fields })

/** `PATCH …/automations/{automation}`: the fields given replace the automation's. */
export const UpdateAutomation = Schema.Struct({ name: Schema.optional(Name), ...Fields })

/** An automation as shown: secret names, never values. */
export const Automation = Schema.Struct({
  automationId: Schema.String,
  name: Schema.String,
  description: Schema.String,
  organization: Schema.String,
  registry: Schema.String,
  scope: Automations.Model.Scope,
  eventTypes: Schema.Array(Automations.Model.EventType),
  filter: Schema.NullOr(Schema.String),
  action: Automations.Model.Action,
  enabled: Schema.Boolean,
  createdAt: Schema.String,
  updatedAt: Schema.String
})

/** `PUT …/automation-secrets/{name}`: the value, sealed before it is stored and never returned. */
export const SetSecret = Schema.Struct({ value: bounded(4096) })

/** A secret as listed: its name and when it was set. */
export const Secret = Schema.Struct({ name: Schema.String, setAt: Schema.String })

/** A secret removed. */
export const SecretRemoved = Schema.Struct({ name: Schema.String })

/** One attempt of a delivery. */
export const Attempt = Schema.Struct({
  attempt: Schema.Number,
  status: Schema.NullOr(Schema.Number),
  durationMillis: Schema.Number,
  responseExcerpt: Schema.String,
  error: Schema.NullOr(Schema.String),
  at: Schema.String
})

/** A delivery and its attempts. */
export const Delivery = Schema.Struct({
  deliveryId: Schema.String,
  eventType: Schema.String,
  source: Schema.NullOr(Automations.Events.DeliverySource),
  body: Schema.String,
  redeliveryOf: Schema.NullOr(Schema.String),
  queuedAt: Schema.String,
  status: Schema.Literal("pending", "succeeded", "given_up"),
  attempts: Schema.Array(Attempt),
  retryAt: Schema.NullOr(Schema.String),
  reason: Schema.NullOr(Schema.String),
  finishedAt: Schema.NullOr(Schema.String)
})

/** `GET …/deliveries?limit=`. */
export const DeliveryParams = Schema.Struct({
  limit: Schema.optional(Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 1000)))
})

/** A delivery queued (a test, or a redelivery of `redeliveryOf`). */
export const DeliveryQueued = Schema.Struct({
  deliveryId: Schema.String,
  redeliveryOf: Schema.optional(Schema.String)
})
