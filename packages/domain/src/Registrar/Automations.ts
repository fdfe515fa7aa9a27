/**
 * Application handlers for automations: create, update, disable, enable, delete, list and show a registry's
 * automations; set and remove its secrets (sealed by the SecretBox, never returned); queue a test delivery; read an
 * automation's delivery history and redeliver any past delivery. Every one needs the registry's admin role.
 * Automations are infrastructure events (see `Automation/Events.ts`), loaded and appended here.
 */
import { Chunk, Clock, Effect, Either, Option, Schema } from "effect"
import * as Book from "../Automation/Book.js"
import * as Deliveries from "../Automation/Deliveries.js"
import { AutomationNotFound, InvalidSecretValue, SecretsKeyMissing } from "../Automation/Errors.js"
import * as AutomationEvents from "../Automation/Events.js"
import { type Action, defaultTemplate, type EventType, render, type Scope } from "../Automation/Model.js"
import { SecretBox } from "../Automation/Ports.js"
import { ConflictRetriesExhausted } from "../Errors.js"
import {
  type EventIdReused,
  EventStore,
  type StoreUnavailable,
  type StreamRepeatedInAppend,
  VersionConflict
} from "../EventStore.js"
import { UndecodableEvent } from "../Events.js"
import { conflictRetries, expectedAfter } from "../internal/Loader.js"
import { randomUuid } from "../internal/Uuid.js"
import { registryNameOf } from "../Names.js"
import { envelope, findOrganization, type Request } from "./Context.js"
import { authorizedRegistry, collectionOf } from "./Locate.js"

const now = Effect.map(Clock.currentTimeMillis, (millis) => new Date(millis).toISOString())

/** Loads an infrastructure stream with its schema and decider. */
export const loadStream = <E extends { readonly _tag: string }, I, S>(
  schema: Schema.Schema<E, I>,
  evolve: (state: S, event: E) => S,
  initial: S,
  streamId: string
) =>
  Effect.gen(function* () {
    const store = yield* EventStore
    const recorded = yield* store.readStream(streamId)
    const decode = Schema.decodeUnknownEither(schema)
    let state = initial
    for (const stored of recorded) {
      const decoded = decode({ ...stored.data, _tag: stored.type })
      if (Either.isLeft(decoded)) {
        return yield* Effect.fail(
          new UndecodableEvent({
            eventType: stored.type,
            schemaVersion: stored.schemaVersion,
            detail: `not of ${streamId}`
          })
        )
      }
      state = evolve(state, decoded.right)
    }
    return { state, version: recorded[recorded.length - 1]?.streamPosition ?? 0 }
  })

const loadBook = (registryId: string) =>
  loadStream(AutomationEvents.BookEvent, Book.evolve, Book.initialState, AutomationEvents.bookStreamId(registryId))

const loadDeliveries = (automationId: string) =>
  loadStream(
    AutomationEvents.DeliveryEvent,
    Deliveries.evolve,
    Deliveries.initialState,
    AutomationEvents.deliveriesStreamId(automationId)
  )

const withRetries = <A, E, R>(effect: Effect.Effect<A, E | VersionConflict, R>) =>
  effect.pipe(
    Effect.retry({ schedule: conflictRetries, while: (error) => error instanceof VersionConflict }),
    Effect.catchIf(
      (error): error is VersionConflict => error instanceof VersionConflict,
      (conflict) => Effect.fail(new ConflictRetriesExhausted({ streamId: conflict.streamId, attempts: 101 }))
    )
  )

/** A registry the actor administers (automations are an admin's business). */
const administered = (input: RegistryAutomations) =>
  Effect.gen(function* () {
    const organization = yield* findOrganization(input.organization)
    return yield* authorizedRegistry(organization, registryNameOf(input.registry), input.actor, "administer")
  })

/** Decides a book command on the registry's book and appends it, opening the book in the index the first time. */
type Administered = Effect.Effect.Success<ReturnType<typeof administered>>
type AdministeredError = Effect.Effect.Error<ReturnType<typeof administered>>

const decideBook = <E, R>(
  input: RegistryAutomations,
  command: (registryId: string, book: Book.State) => Effect.Effect<Book.Command, E, R>
): Effect.Effect<
  {
    readonly authorized: Administered
    readonly state: Book.State
    readonly events: ReadonlyArray<AutomationEvents.BookEvent>
  },
  | E
  | AdministeredError
  | Book.Rejection
  | StoreUnavailable
  | UndecodableEvent
  | ConflictRetriesExhausted
  | EventIdReused
  | StreamRepeatedInAppend,
  R | EventStore
> =>
  withRetries(
    Effect.gen(function* () {
      const authorized = yield* administered(input)
      const book = yield* loadBook(authorized.registryId)
      const events = yield* Book.decide(yield* command(authorized.registryId, book.state), book.state)
      const state = events.reduce(Book.evolve, book.state)
      if (events.length === 0) return { authorized, state, events }
      const store = yield* EventStore
      const { metadata } = yield* envelope(input)
      const writes = [
        {
          streamId: AutomationEvents.bookStreamId(authorized.registryId),
          events: yield* Effect.forEach(events, (event) =>
            Effect.map(randomUuid, (eventId) => ({
              eventId,
              ...AutomationEvents.encodeEvent(event, AutomationEvents.BookEvent),
              metadata
            }))
          ),
          expected: expectedAfter(book.version)
        }
      ]
      if (book.version === 0) {
        const index = yield* store.readStream(AutomationEvents.registriesStreamId)
        if (!index.some((event) => event.data.registryId === authorized.registryId)) {
          const opened = new AutomationEvents.AutomationRegistryOpened({ registryId: authorized.registryId })
          writes.push({
            streamId: AutomationEvents.registriesStreamId,
            events: [
              {
                eventId: yield* randomUuid,
                ...AutomationEvents.encodeEvent(opened, AutomationEvents.AutomationRegistryOpened),
                metadata
              }
            ],
            expected: expectedAfter(index[index.length - 1]?.streamPosition ?? 0)
          })
        }
      }
      yield* store.appendMany(writes)
      return { authorized, state, events }
    })
  )

// ---- views -------------------------------------------------------------------------------------------------------

/** An automation as shown: its definition (secret names, never values) and whether it is enabled. */
export interface AutomationView {
  readonly automationId: string
  readonly name: string
  readonly description: string
  readonly organization: string
  readonly registry: string
  readonly scope: Scope
  readonly eventTypes: ReadonlyArray<EventType>
  readonly filter: string | null
  readonly action: Action
  readonly enabled: boolean
  readonly createdAt: string
  readonly updatedAt: string
}

const view = (automation: Book.Automation): AutomationView => ({ ...automation })

/** The automation of a name in a book as shown, or AutomationNotFound. */
const shown = (state: Book.State, registry: string, name: string) => {
  const automation = Book.byName(state, name)
  return automation === undefined
    ? Effect.fail(new AutomationNotFound({ registry, automation: name }))
    : Effect.succeed(view(automation))
}

/** A delivery as listed in an automation's history. */
export type DeliveryView = Deliveries.Delivery

// ---- inputs ------------------------------------------------------------------------------------------------------

/** A registry's automations. */
export interface RegistryAutomations extends Request {
  readonly organization: string
  /** The registry, with or without `wandb-registry-`. */
  readonly registry: string
}

/** One automation of a registry. */
export interface AutomationRef extends RegistryAutomations {
  readonly automation: string
}

/** The webhook an automation calls. */
export interface WebhookInput {
  readonly kind: "webhook"
  readonly url: string
  /** Request headers whose values are the registry's named secrets. */
  readonly headers?: ReadonlyArray<{ readonly name: string; readonly secret: string }> | undefined
  /** A JSON template with `${variables}`; by default every variable. */
  readonly payloadTemplate?: string | undefined
  /** The secret that signs each request (`X-Registrar-Signature`, `X-Wandb-Signature`); unsigned without one. */
  readonly signingSecret?: string | null | undefined
}

/** What an automation is, as given. */
export interface AutomationFields {
  readonly description?: string | undefined
  /** One collection of the registry; the whole registry (later collections too) when omitted. */
  readonly collection?: string | null | undefined
  readonly eventTypes?: ReadonlyArray<EventType> | undefined
  /** A filter on `alias` or `tag`, e.g. `{"alias": {"$regex": "^prod"}}`. */
  readonly filter?: string | null | undefined
  readonly action?: WebhookInput | { readonly kind: "noop" } | undefined
}

/** Input of {@link createAutomation}. */
export interface CreateAutomation extends RegistryAutomations, AutomationFields {
  readonly name: string
}

/** Input of {@link updateAutomation}: the fields given replace the automation's (a new name renames it). */
export interface UpdateAutomation extends AutomationRef, AutomationFields {
  readonly name?: string | undefined
}

const actionOf = (input: WebhookInput | { readonly kind: "noop" }): Action =>
  input.kind === "noop"
    ? { kind: "noop" }
    : {
        kind: "webhook",
        url: input.url,
        headers: input.headers ?? [],
        payloadTemplate: input.payloadTemplate ?? defaultTemplate,
        signingSecret: input.signingSecret ?? null
      }

const scopeOf = (
  authorized: Effect.Effect.Success<ReturnType<typeof administered>>,
  collection: string | null | undefined
) =>
  collection === undefined || collection === null
    ? Effect.succeed<Scope>({ kind: "registry" })
    : Effect.map(
        collectionOf(authorized, collection),
        (info): Scope => ({ kind: "collection", collectionId: info.id, collection: info.name })
      )

// ---- commands ----------------------------------------------------------------------------------------------------

/** Creates an automation in a registry (admins); creating the same definition again changes nothing. */
export const createAutomation = (input: CreateAutomation) =>
  Effect.gen(function* () {
    const authorized = yield* administered(input)
    const scope = yield* scopeOf(authorized, input.collection)
    const automationId = yield* randomUuid
    const at = yield* now
    const result = yield* decideBook(input, () =>
      Effect.succeed<Book.Command>({
        _tag: "CreateAutomation",
        registry: authorized.registry.registry,
        organization: authorized.organization.name,
        automationId,
        definition: {
          name: input.name,
          description: input.description ?? "",
          scope,
          eventTypes: input.eventTypes ?? [],
          filter: input.filter ?? null,
          action: actionOf(input.action ?? { kind: "noop" })
        },
        at
      })
    )
    return yield* shown(result.state, input.registry, input.name)
  })

/** Replaces the fields given of an automation (admins). */
export const updateAutomation = (input: UpdateAutomation) =>
  Effect.gen(function* () {
    const at = yield* now
    const result = yield* decideBook(input, (_, book) =>
      Effect.gen(function* () {
        const current = Book.byName(book, input.automation)
        if (current === undefined) {
          return yield* Effect.fail(new AutomationNotFound({ registry: input.registry, automation: input.automation }))
        }
        const authorized = yield* administered(input)
        const scope = input.collection === undefined ? current.scope : yield* scopeOf(authorized, input.collection)
        return {
          _tag: "UpdateAutomation",
          registry: authorized.registry.registry,
          name: input.automation,
          definition: {
            name: input.name ?? current.name,
            description: input.description ?? current.description,
            scope,
            eventTypes: input.eventTypes ?? current.eventTypes,
            filter: input.filter === undefined ? current.filter : input.filter,
            action: input.action === undefined ? current.action : actionOf(input.action)
          },
          at
        } satisfies Book.Command
      })
    )
    return yield* shown(result.state, input.registry, input.name ?? input.automation)
  })

const toggle = (input: AutomationRef, tag: "DisableAutomation" | "EnableAutomation" | "DeleteAutomation") =>
  Effect.gen(function* () {
    const at = yield* now
    const before = yield* Effect.flatMap(administered(input), (authorized) => loadBook(authorized.registryId))
    const result = yield* decideBook(input, () =>
      Effect.succeed<Book.Command>({ _tag: tag, registry: registryNameOf(input.registry), name: input.automation, at })
    )
    // A deleted automation is no longer in the book: show it as it was.
    return yield* shown(
      Book.byName(result.state, input.automation) ? result.state : before.state,
      input.registry,
      input.automation
    )
  })

/** Stops an automation reacting to events (admins); deliveries already queued still go out. */
export const disableAutomation = (input: AutomationRef) => toggle(input, "DisableAutomation")
/** Lets an automation react to events again, from the next event on (admins). */
export const enableAutomation = (input: AutomationRef) => toggle(input, "EnableAutomation")
/** Deletes an automation (admins): it reacts to nothing more; its delivery history stays readable by id. */
export const deleteAutomation = (input: AutomationRef) => toggle(input, "DeleteAutomation")

/** A registry's automations (admins), by name. */
export const listAutomations = (input: RegistryAutomations) =>
  Effect.gen(function* () {
    const authorized = yield* administered(input)
    const book = yield* loadBook(authorized.registryId)
    const views: ReadonlyArray<AutomationView> = [...book.state.automations.values()]
      .map(view)
      .sort((a, b) => a.name.localeCompare(b.name))
    return views
  })

/** One automation (admins). */
export const showAutomation = (input: AutomationRef) =>
  Effect.flatMap(findAutomation(input), ({ automation }) => Effect.succeed(view(automation)))

const findAutomation = (input: AutomationRef) =>
  Effect.gen(function* () {
    const authorized = yield* administered(input)
    const book = yield* loadBook(authorized.registryId)
    const automation = Book.byName(book.state, input.automation)
    if (automation === undefined) {
      return yield* Effect.fail(
        new AutomationNotFound({ registry: authorized.registry.registry, automation: input.automation })
      )
    }
    return { authorized, automation, book: book.state }
  })

/** Input of {@link setSecret}. */
export interface SetSecret extends RegistryAutomations {
  readonly name: string
  /** The value; sealed before it is stored and never returned, logged or shown. */
  readonly value: string
}

/** Sets a secret of the registry's automations (admins); answers its name only. */
export const setSecret = (input: SetSecret) =>
  Effect.gen(function* () {
    // Access first: a caller who may not manage the registry learns nothing about the configuration.
    yield* administered(input)
    if (input.value.length === 0 || input.value.length > 4096 || /[\r\n]/.test(input.value)) {
      return yield* Effect.fail(new InvalidSecretValue({ secret: input.name }))
    }
    const box = yield* Effect.serviceOption(SecretBox)
    if (Option.isNone(box)) return yield* Effect.fail(new SecretsKeyMissing())
    const sealed = yield* box.value.seal(input.name, input.value)
    const at = yield* now
    yield* decideBook(input, () => Effect.succeed<Book.Command>({ _tag: "SetSecret", name: input.name, sealed, at }))
    return { name: input.name, setAt: at }
  })

/** Removes a secret (admins); automations that name it then give their deliveries up, saying why. */
export const removeSecret = (input: RegistryAutomations & { readonly name: string }) =>
  Effect.gen(function* () {
    const at = yield* now
    yield* decideBook(input, () =>
      Effect.succeed<Book.Command>({
        _tag: "RemoveSecret",
        registry: registryNameOf(input.registry),
        name: input.name,
        at
      })
    )
    return { name: input.name }
  })

/** The names of a registry's secrets and when each was set (never a value). */
export const listSecrets = (input: RegistryAutomations) =>
  Effect.gen(function* () {
    const authorized = yield* administered(input)
    const book = yield* loadBook(authorized.registryId)
    const secrets: ReadonlyArray<{ readonly name: string; readonly setAt: string }> = [...book.state.secrets.entries()]
      .map(([name, { at }]) => ({ name, setAt: at }))
      .sort((a, b) => a.name.localeCompare(b.name))
    return secrets
  })

const appendDeliveries = (request: Request, automationId: string, command: Deliveries.Command) =>
  withRetries(
    Effect.gen(function* () {
      const loaded = yield* loadDeliveries(automationId)
      const events = yield* Deliveries.decide(command, loaded.state)
      if (events.length === 0) return
      const store = yield* EventStore
      const { metadata } = yield* envelope(request)
      const newEvents = yield* Effect.forEach(events, (event) =>
        Effect.map(randomUuid, (eventId) => ({
          eventId,
          ...AutomationEvents.encodeEvent(event, AutomationEvents.DeliveryEvent),
          metadata
        }))
      )
      yield* store.append(AutomationEvents.deliveriesStreamId(automationId), newEvents, expectedAfter(loaded.version))
    })
  )

/** Queues a test delivery with sample values (admins); the dispatcher sends it like any other. */
export const testAutomation = (input: AutomationRef) =>
  Effect.gen(function* () {
    const { automation } = yield* findAutomation(input)
    const deliveryId = yield* randomUuid
    const body =
      automation.action.kind === "webhook"
        ? render(automation.action.payloadTemplate, {
            event_type: "TEST",
            event_author: input.actor,
            entity_name: automation.organization,
            project_name: `wandb-registry-${automation.registry}`,
            artifact_collection_name: automation.scope.kind === "collection" ? automation.scope.collection : "example",
            artifact_version: "v0",
            artifact_version_string: `${automation.organization}/wandb-registry-${automation.registry}/example:v0`,
            alias: "production",
            tag: "example",
            artifactMetadata: {}
          })
        : ""
    yield* appendDeliveries(input, automation.automationId, {
      _tag: "QueueDelivery",
      deliveryId,
      automationId: automation.automationId,
      eventType: "TEST",
      source: null,
      body,
      at: yield* now
    })
    return { deliveryId }
  })

/** Input of {@link deliveryHistory}. */
export interface DeliveryHistory extends AutomationRef {
  /** At most this many, newest first (default 100). */
  readonly limit?: number | undefined
}

/** An automation's deliveries, newest first, each with every attempt (admins). */
export const deliveryHistory = (input: DeliveryHistory) =>
  Effect.gen(function* () {
    const { automation } = yield* findAutomation(input)
    const loaded = yield* loadDeliveries(automation.automationId)
    const limit = Math.max(1, Math.min(input.limit ?? 100, 1000))
    const deliveries: ReadonlyArray<DeliveryView> = [...Chunk.takeRight(loaded.state.order, limit)]
      .reverse()
      .flatMap((id): ReadonlyArray<DeliveryView> => {
        const delivery = Deliveries.find(loaded.state, id)
        return delivery === undefined ? [] : [delivery]
      })
    return deliveries
  })

/** Input of {@link redeliver}. */
export interface Redeliver extends AutomationRef {
  readonly delivery: string
}

/** Queues a past delivery again under a new delivery id (`redeliveryOf` names the original) (admins). */
export const redeliver = (input: Redeliver) =>
  Effect.gen(function* () {
    const { automation } = yield* findAutomation(input)
    const newDeliveryId = yield* randomUuid
    yield* appendDeliveries(input, automation.automationId, {
      _tag: "Redeliver",
      automation: automation.name,
      automationId: automation.automationId,
      deliveryId: input.delivery,
      newDeliveryId,
      at: yield* now
    })
    return { deliveryId: newDeliveryId, redeliveryOf: input.delivery }
  })
