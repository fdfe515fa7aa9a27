/**
 * A registry's automation book: its automations (by name, unique among those not deleted) and its secrets. A pure
 * decider; the handler checks the actor is the registry's admin and passes the time, ids and sealed secrets in.
 */
import { Either } from "effect"
import type { Decider } from "../Decider.js"
import {
  AutomationAlreadyExists,
  AutomationNotFound,
  AutomationSecretNotFound,
  type InvalidAutomationName,
  type InvalidPayloadTemplate,
  type InvalidTriggerFilter,
  type InvalidWebhookUrl,
  NoEventTypes,
  type UnknownTemplateVariable
} from "./Errors.js"
import {
  AutomationCreated,
  AutomationDeleted,
  AutomationDisabled,
  AutomationEnabled,
  AutomationSecretRemoved,
  AutomationSecretSet,
  AutomationUpdated,
  type BookEvent
} from "./Events.js"
import { type Action, type EventType, type Scope, validateName, validateTemplate, validateUrl } from "./Model.js"
import { builtIn } from "./TriggerFilter.js"

// ---- state -------------------------------------------------------------------------------------------------------

/** An automation as the book knows it. */
export interface Automation {
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

/** A book: automations by id (deleted ones dropped) and sealed secrets by name. */
export interface State {
  readonly automations: ReadonlyMap<string, Automation>
  readonly secrets: ReadonlyMap<string, { readonly sealed: string; readonly at: string }>
}

/** A book with no events. */
export const initialState: State = { automations: new Map(), secrets: new Map() }

/** The automation of a name, if any. */
export const byName = (state: State, name: string): Automation | undefined =>
  [...state.automations.values()].find((automation) => automation.name === name)

const withAutomation = (state: State, id: string, change: (automation: Automation) => Automation): State => {
  const automation = state.automations.get(id)
  if (automation === undefined) return state
  return { ...state, automations: new Map(state.automations).set(id, change(automation)) }
}

/** Folds one event into the book. */
export const evolve = (state: State, event: BookEvent): State => {
  switch (event._tag) {
    case "AutomationCreated": {
      const { _tag, at, ...definition } = event
      const automation: Automation = { ...definition, enabled: true, createdAt: at, updatedAt: at }
      return { ...state, automations: new Map(state.automations).set(event.automationId, automation) }
    }
    case "AutomationUpdated": {
      const { _tag, at, ...definition } = event
      return withAutomation(state, event.automationId, (automation) => ({
        ...automation,
        ...definition,
        updatedAt: at
      }))
    }
    case "AutomationDisabled":
      return withAutomation(state, event.automationId, (automation) => ({ ...automation, enabled: false }))
    case "AutomationEnabled":
      return withAutomation(state, event.automationId, (automation) => ({ ...automation, enabled: true }))
    case "AutomationDeleted": {
      const automations = new Map(state.automations)
      automations.delete(event.automationId)
      return { ...state, automations }
    }
    case "AutomationSecretSet":
      return { ...state, secrets: new Map(state.secrets).set(event.name, { sealed: event.sealed, at: event.at }) }
    case "AutomationSecretRemoved": {
      const secrets = new Map(state.secrets)
      secrets.delete(event.name)
      return { ...state, secrets }
    }
  }
}

// ---- commands ----------------------------------------------------------------------------------------------------

/** What a create or an update says an automation is (validated by `decide`). */
export interface Definition {
  readonly name: string
  readonly description: string
  readonly scope: Scope
  readonly eventTypes: ReadonlyArray<EventType>
  readonly filter: string | null
  readonly action: Action
}

/** Commands on a book; `registry` names the registry in messages. */
export type Command =
  | {
      readonly _tag: "CreateAutomation"
      readonly registry: string
      readonly organization: string
      readonly automationId: string
      readonly definition: Definition
      readonly at: string
    }
  | {
      readonly _tag: "UpdateAutomation"
      readonly registry: string
      readonly name: string
      readonly definition: Definition
      readonly at: string
    }
  | {
      readonly _tag: "DisableAutomation" | "EnableAutomation" | "DeleteAutomation"
      readonly registry: string
      readonly name: string
      readonly at: string
    }
  | {
      readonly _tag: "SetSecret"
      readonly name: string
      readonly sealed: string
      readonly at: string
    }
  | { readonly _tag: "RemoveSecret"; readonly registry: string; readonly name: string; readonly at: string }

/** The rejections of book commands. */
export type Rejection =
  | AutomationAlreadyExists
  | AutomationNotFound
  | AutomationSecretNotFound
  | InvalidAutomationName
  | InvalidPayloadTemplate
  | InvalidTriggerFilter
  | InvalidWebhookUrl
  | NoEventTypes
  | UnknownTemplateVariable

const none: ReadonlyArray<BookEvent> = []

/** Checks a definition against the book: a valid name, URL, template and filter, and secrets that exist. */
export const validate = (
  state: State,
  registry: string,
  definition: Definition
): Either.Either<Definition, Rejection> =>
  Either.gen(function* () {
    yield* validateName("automation", definition.name)
    if (definition.eventTypes.length === 0) return yield* Either.left(new NoEventTypes())
    if (definition.filter !== null) yield* builtIn.parse(definition.filter)
    const action = definition.action
    if (action.kind === "noop") return definition
    const url = yield* validateUrl(action.url)
    yield* validateTemplate(action.payloadTemplate)
    const secrets = [
      ...action.headers.map((header) => header.secret),
      ...(action.signingSecret ? [action.signingSecret] : [])
    ]
    for (const secret of secrets) {
      if (!state.secrets.has(secret)) return yield* Either.left(new AutomationSecretNotFound({ registry, secret }))
    }
    return { ...definition, eventTypes: [...new Set(definition.eventTypes)], action: { ...action, url } }
  })

const find = (state: State, registry: string, name: string) => {
  const automation = byName(state, name)
  return automation === undefined
    ? Either.left(new AutomationNotFound({ registry, automation: name }))
    : Either.right(automation)
}

const sameDefinition = (automation: Automation, definition: Definition) =>
  JSON.stringify([
    automation.name,
    automation.description,
    automation.scope,
    automation.eventTypes,
    automation.filter,
    automation.action
  ]) ===
  JSON.stringify([
    definition.name,
    definition.description,
    definition.scope,
    definition.eventTypes,
    definition.filter,
    definition.action
  ])

/** Decides a book command. */
export const decide = (command: Command, state: State): Either.Either<ReadonlyArray<BookEvent>, Rejection> =>
  Either.gen(function* () {
    switch (command._tag) {
      case "CreateAutomation": {
        const definition = yield* validate(state, command.registry, command.definition)
        const existing = byName(state, definition.name)
        if (existing !== undefined) {
          // The same definition again is a retry.
          if (sameDefinition(existing, definition)) return none
          return yield* Either.left(
            new AutomationAlreadyExists({ registry: command.registry, automation: definition.name })
          )
        }
        return [
          new AutomationCreated({
            ...definition,
            automationId: command.automationId,
            organization: command.organization,
            registry: command.registry,
            at: command.at
          })
        ]
      }
      case "UpdateAutomation": {
        const automation = yield* find(state, command.registry, command.name)
        const definition = yield* validate(state, command.registry, command.definition)
        const taken = byName(state, definition.name)
        if (taken !== undefined && taken.automationId !== automation.automationId) {
          return yield* Either.left(
            new AutomationAlreadyExists({ registry: command.registry, automation: definition.name })
          )
        }
        if (sameDefinition(automation, definition)) return none
        return [new AutomationUpdated({ ...definition, automationId: automation.automationId, at: command.at })]
      }
      case "DisableAutomation": {
        const automation = yield* find(state, command.registry, command.name)
        if (!automation.enabled) return none
        return [new AutomationDisabled({ automationId: automation.automationId, at: command.at })]
      }
      case "EnableAutomation": {
        const automation = yield* find(state, command.registry, command.name)
        if (automation.enabled) return none
        return [new AutomationEnabled({ automationId: automation.automationId, at: command.at })]
      }
      case "DeleteAutomation": {
        const automation = yield* find(state, command.registry, command.name)
        return [new AutomationDeleted({ automationId: automation.automationId, at: command.at })]
      }
      case "SetSecret": {
        yield* validateName("secret", command.name)
        if (state.secrets.get(command.name)?.sealed === command.sealed) return none
        return [new AutomationSecretSet({ name: command.name, sealed: command.sealed, at: command.at })]
      }
      case "RemoveSecret": {
        if (!state.secrets.has(command.name)) {
          return yield* Either.left(new AutomationSecretNotFound({ registry: command.registry, secret: command.name }))
        }
        return [new AutomationSecretRemoved({ name: command.name, at: command.at })]
      }
    }
  })

/** The automation-book decider. */
export const decider: Decider<Command, BookEvent, State, Rejection> = { initialState, evolve, decide }
