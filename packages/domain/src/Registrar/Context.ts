/**
 * What every handler of the application service shares: the request (actor, idempotency key), event envelopes,
 * idempotent results, and loading the facts a decision needs (organizations, teams, actor roles).
 */
import { Clock, Effect, Option } from "effect"
import type { Actor } from "../Access.js"
import * as Entity from "../Entity.js"
import { OrganizationNotFound, TeamNotFound, UserNotFound } from "../Errors.js"
import { EventStore, type Json } from "../EventStore.js"
import type * as Registry from "../Registry.js"
import { aggregate, type Envelope, load, PendingIdempotencyRecord, storedResult } from "../internal/Loader.js"
import { randomUuid } from "../internal/Uuid.js"
import { validateOrganizationReference, validateStorableName } from "../Names.js"

/** Who asks, and the key that makes a retried command return its first result. */
export interface Request {
  /** The username recorded as the actor of every event the command writes. */
  readonly actor: string
  /** A retried command with the same key returns the first result and writes nothing. */
  readonly idempotencyKey?: string
  /** Ties the events of one business operation together across commands. */
  readonly correlationId?: string
}

/** The envelope metadata of a command's events. */
export const envelope = (request: Request): Effect.Effect<Envelope> =>
  Effect.gen(function* () {
    const now = yield* Clock.currentTimeMillis
    const correlationId = request.correlationId ?? (yield* randomUuid)
    return {
      metadata: {
        actor: request.actor,
        recordedAt: new Date(now).toISOString(),
        correlationId,
        ...(request.idempotencyKey === undefined ? {} : { idempotencyKey: request.idempotencyKey })
      }
    }
  })

const idempotencyStream = (key: string) => `Idempotency-${key}`

/**
 * Runs a command at most once per idempotency key: the first result is stored in the key's stream and returned to
 * every retry. Without a key the command simply runs. The record (`CommandCompleted`) is appended by the command's
 * `execute`, in the same `appendMany` as the command's events (see `PendingIdempotencyRecord`), so the command and
 * its record commit together; the answer a command returns must therefore be its decision's result. A command that
 * ends without an `execute` (nothing to write) has its record appended on its own.
 */
export const idempotent = <A, E, R>(
  request: Request,
  command: string,
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E | import("../EventStore.js").StoreUnavailable, R | EventStore> => {
  const key = request.idempotencyKey
  if (key === undefined) return effect
  return Effect.gen(function* () {
    const streamId = idempotencyStream(key)
    const stored = yield* storedResult(streamId)
    if (Option.isSome(stored)) return stored.value as A
    const pending: PendingIdempotencyRecord["Type"] = { streamId, command, claimed: false }
    const result = yield* Effect.provideService(effect, PendingIdempotencyRecord, pending)
    if (pending.claimed) return result
    const store = yield* EventStore
    const meta = yield* envelope(request)
    return yield* store
      .append(
        streamId,
        [
          {
            eventId: yield* randomUuid,
            type: "CommandCompleted",
            schemaVersion: 1,
            data: { command, result: result as Json },
            metadata: meta.metadata
          }
        ],
        "no_stream"
      )
      .pipe(
        Effect.as(result),
        Effect.catchTags({
          VersionConflict: () =>
            Effect.map(storedResult(streamId), (found) => Option.getOrElse(found, () => result) as A),
          EventIdReused: () => Effect.succeed(result)
        })
      )
  })
}

// ---- facts -------------------------------------------------------------------------------------------------------

const entitySpec = aggregate(Entity.Event, Entity.decider)

/** Loads the entity stream of a name. */
export const loadEntity = (name: string) => load(entitySpec, Entity.streamId(name))

/** Loads the entity stream of a name a request gave: one no store can hold is refused before it reaches the store. */
const loadNamedEntity = (name: string) => Effect.zipRight(validateStorableName("entity", name), loadEntity(name))

/** An organization that exists. */
export type Organization = Extract<Entity.State, { _tag: "Organization" }>

/** Finds an organization by entity name or display name. */
export const findOrganization = (nameOrDisplayName: string) =>
  Effect.gen(function* () {
    yield* validateOrganizationReference(nameOrDisplayName)
    const direct = yield* loadEntity(nameOrDisplayName)
    if (direct.state._tag === "Organization") return direct.state
    const reserved = yield* load(entitySpec, Entity.displayNameStreamId(nameOrDisplayName))
    if (reserved.state._tag === "DisplayName") {
      const organization = yield* loadEntity(reserved.state.organization)
      if (organization.state._tag === "Organization") return organization.state
    }
    return yield* Effect.fail(new OrganizationNotFound({ organization: nameOrDisplayName }))
  })

/** A team that exists. */
export type Team = Extract<Entity.State, { _tag: "Team" }>

/** Finds a team by name. */
export const findTeam = (team: string) =>
  Effect.flatMap(loadNamedEntity(team), ({ state }) =>
    state._tag === "Team" ? Effect.succeed(state) : Effect.fail(new TeamNotFound({ team }))
  )

/** Requires that a user exists. */
export const requireUser = (user: string) =>
  Effect.flatMap(loadNamedEntity(user), ({ state }) =>
    state._tag === "User" ? Effect.void : Effect.fail(new UserNotFound({ user }))
  )

/**
 * The facts that decide the actor's role in a registry: their organization role, and which of the teams granted a
 * role in the registry they belong to.
 */
export const actorFacts = (
  actor: string,
  organization: Organization,
  registry: Registry.State
): Effect.Effect<
  Actor,
  import("../EventStore.js").StoreUnavailable | import("../Events.js").UndecodableEvent,
  EventStore
> =>
  Effect.gen(function* () {
    const teams: Array<string> = []
    if (registry._tag === "Active") {
      for (const grant of registry.grants) {
        if (grant.principal.kind !== "team") continue
        const team = yield* loadEntity(grant.principal.name)
        if (team.state._tag === "Team" && team.state.members.has(actor)) teams.push(grant.principal.name)
      }
    }
    return { username: actor, organizationRole: Entity.organizationRole(organization, actor), teams }
  })
