/** Application handlers for organizations, teams and users. */
import { Effect, Option } from "effect"
import type { OrganizationRole } from "../Access.js"
import * as Entity from "../Entity.js"
import { EventStore } from "../EventStore.js"
import { aggregate, changeOf, execute, load } from "../internal/Loader.js"
import { validateDisplayName, validateEntityName } from "../Names.js"
import { envelope, findOrganization, findTeam, idempotent, type Request, requireUser } from "./Context.js"

const entitySpec = aggregate(Entity.Event, Entity.decider)

/** Decides a command on one entity stream and appends it; answers `answer(whether it changed anything)`. */
const decideAndAnswer = <A>(
  name: string,
  request: Request,
  command: (state: Entity.State) => Entity.Command,
  answer: (changed: boolean) => A
) => {
  const streamId = Entity.streamId(name)
  return execute(
    envelope(request),
    Effect.gen(function* () {
      const loaded = yield* load(entitySpec, streamId)
      const events = yield* Entity.decide(command(loaded.state), loaded.state)
      return { changes: [changeOf(entitySpec, streamId, loaded, events)], result: answer(events.length > 0) }
    })
  )
}

const decideAndAppend = (name: string, request: Request, command: (state: Entity.State) => Entity.Command) =>
  decideAndAnswer(name, request, command, (changed) => changed)

/** Input of {@link createOrganization}. */
export interface CreateOrganization extends Request {
  /** The entity name, e.g. `smle-registries-bug-bash`. */
  readonly organization: string
  /** The name people see, e.g. `SMLE Registries Bug Bash`. */
  readonly displayName: string
}

/** Creates an organization; its creator becomes its first admin. Idempotent for the same names. */
export const createOrganization = (input: CreateOrganization) =>
  idempotent(
    input,
    "createOrganization",
    Effect.gen(function* () {
      const organization = yield* validateEntityName(input.organization)
      yield* validateDisplayName(input.displayName)
      // The display name's reservation and the organization are one decision: they commit together, or neither does.
      // The answer is the decision's result, so the idempotency record commits with it (see `idempotent`).
      return yield* execute(
        envelope(input),
        Effect.gen(function* () {
          const nameStream = Entity.displayNameStreamId(input.displayName)
          const name = yield* load(entitySpec, nameStream)
          const reserved = yield* Entity.decide(
            { _tag: "ReserveDisplayName", displayName: input.displayName, organization },
            name.state
          )
          const entityStream = Entity.streamId(organization)
          const entity = yield* load(entitySpec, entityStream)
          const events = yield* Entity.decide(
            { _tag: "CreateOrganization", organization, displayName: input.displayName, actor: input.actor },
            entity.state
          )
          return {
            changes: [
              changeOf(entitySpec, nameStream, name, reserved),
              changeOf(entitySpec, entityStream, entity, events)
            ],
            result: { organization, displayName: input.displayName, created: events.length > 0 }
          }
        })
      )
    })
  )

/** Input of {@link createUser}. */
export interface CreateUser extends Request {
  readonly user: string
  /** Add the user to this organization (the actor must be its admin); required except for an empty store's first user. */
  readonly organization?: string
  readonly organizationRole?: OrganizationRole
}

/** Whether the store holds no event yet (its first user may create themselves). */
const storeIsEmpty = Effect.map(
  Effect.flatMap(EventStore, (store) => store.head),
  (head) => head.globalPosition === 0
)

/**
 * Creates a user (a personal entity). Only the first user of an empty store, or an admin of `organization` (which
 * the new user then joins), creates users.
 */
export const createUser = (input: CreateUser) =>
  idempotent(
    input,
    "createUser",
    Effect.gen(function* () {
      const user = yield* validateEntityName(input.user)
      const organization = input.organization === undefined ? undefined : yield* findOrganization(input.organization)
      const storeEmpty = organization === undefined ? yield* storeIsEmpty : false
      const createCommand: Entity.Command = {
        _tag: "CreateUser",
        user,
        actor: input.actor,
        storeEmpty,
        organization:
          organization === undefined
            ? Option.none()
            : Option.some({ name: organization.name, actorRole: Entity.organizationRole(organization, input.actor) })
      }
      if (organization === undefined) {
        return yield* decideAndAnswer(
          user,
          input,
          () => createCommand,
          (created) => ({ user, created })
        )
      }
      // The user and their membership commit together: a crash between two appends left a user in no organization.
      return yield* execute(
        envelope(input),
        Effect.gen(function* () {
          const userStream = Entity.streamId(user)
          const loadedUser = yield* load(entitySpec, userStream)
          const userEvents = yield* Entity.decide(createCommand, loadedUser.state)
          const organizationStream = Entity.streamId(organization.name)
          const loadedOrganization = yield* load(entitySpec, organizationStream)
          const memberEvents = yield* Entity.decide(
            {
              _tag: "SetOrganizationMember",
              organization: organization.name,
              user,
              role: input.organizationRole ?? "member",
              actor: input.actor
            },
            loadedOrganization.state
          )
          return {
            changes: [
              changeOf(entitySpec, userStream, loadedUser, userEvents),
              changeOf(entitySpec, organizationStream, loadedOrganization, memberEvents)
            ],
            result: { user, created: userEvents.length > 0 }
          }
        })
      )
    })
  )

/** Input of {@link setOrganizationMember}. */
export interface SetOrganizationMember extends Request {
  readonly organization: string
  readonly user: string
  readonly role: OrganizationRole
}

/** Adds a user to an organization or changes their role (organization admins only). */
export const setOrganizationMember = (input: SetOrganizationMember) =>
  Effect.gen(function* () {
    const organization = yield* findOrganization(input.organization)
    yield* requireUser(input.user)
    yield* decideAndAppend(organization.name, input, () => ({
      _tag: "SetOrganizationMember",
      organization: organization.name,
      user: input.user,
      role: input.role,
      actor: input.actor
    }))
    return { organization: organization.name, user: input.user, role: input.role }
  })

/** Input of {@link removeOrganizationMember}. */
export interface RemoveOrganizationMember extends Request {
  readonly organization: string
  readonly user: string
}

/** Removes a user from an organization (organization admins only). */
export const removeOrganizationMember = (input: RemoveOrganizationMember) =>
  Effect.gen(function* () {
    const organization = yield* findOrganization(input.organization)
    yield* decideAndAppend(organization.name, input, () => ({
      _tag: "RemoveOrganizationMember",
      organization: organization.name,
      user: input.user,
      actor: input.actor
    }))
  })

/** Input of {@link createTeam}. */
export interface CreateTeam extends Request {
  readonly team: string
  readonly organization: string
}

/** Creates a team in an organization (organization admins only); the creator joins it. */
export const createTeam = (input: CreateTeam) =>
  idempotent(
    input,
    "createTeam",
    Effect.gen(function* () {
      const team = yield* validateEntityName(input.team)
      const organization = yield* findOrganization(input.organization)
      return yield* decideAndAnswer(
        team,
        input,
        () => ({
          _tag: "CreateTeam",
          team,
          organization: organization.name,
          actor: input.actor,
          actorRole: Entity.organizationRole(organization, input.actor)
        }),
        (created) => ({ team, organization: organization.name, created })
      )
    })
  )

/** Input of {@link addTeamMember} and {@link removeTeamMember}. */
export interface TeamMember extends Request {
  readonly team: string
  readonly user: string
}

const changeTeam = (input: TeamMember, tag: "AddTeamMember" | "RemoveTeamMember") =>
  Effect.gen(function* () {
    const team = yield* findTeam(input.team)
    const organization = yield* findOrganization(team.organization)
    if (tag === "AddTeamMember") yield* requireUser(input.user)
    yield* decideAndAppend(input.team, input, () => ({
      _tag: tag,
      team: input.team,
      user: input.user,
      actor: input.actor,
      actorRole: Entity.organizationRole(organization, input.actor),
      userInOrganization: Option.isSome(Entity.organizationRole(organization, input.user))
    }))
    return { team: input.team, user: input.user }
  })

/** Adds a user (a member of the team's organization) to a team. */
export const addTeamMember = (input: TeamMember) => changeTeam(input, "AddTeamMember")

/** Removes a user from a team. */
export const removeTeamMember = (input: TeamMember) => changeTeam(input, "RemoveTeamMember")
