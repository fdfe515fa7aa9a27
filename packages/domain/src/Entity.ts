/**
 * Entities: organizations, teams and users share one namespace of entity names, so each name is one stream.
 * An organization holds its members and their organization roles; a team belongs to exactly one organization and
 * holds its members; a user is a personal entity (artifacts logged under it can never be linked).
 */
import { Either, Option, Schema } from "effect"
import { OrganizationRole } from "./Access.js"
import { type CopyOnWrite, copying, type Decider } from "./Decider.js"
import {
  DisplayNameTaken,
  EntityNameTaken,
  NotAnOrganizationMember,
  OrganizationNotFound,
  OrganizationRoleRequired,
  TeamNotFound,
  UserCreationRefused
} from "./Errors.js"

// ---- stream ----------------------------------------------------------------------------------------------------

/** The stream of the entity called `name`. */
export const streamId = (name: string): string => `Entity-${name}`

/** The stream that reserves an organization display name. */
export const displayNameStreamId = (displayName: string): string => `OrganizationDisplayName-${displayName}`

// ---- events (stored formats: change only by adding a new schema version and an upcast) ---------------------------

/** An organization was created; its creator became its first admin. */
export class OrganizationCreated extends Schema.TaggedClass<OrganizationCreated>()("OrganizationCreated", {
  organization: Schema.String,
  displayName: Schema.String
}) {}

/** A user joined an organization, or changed role in it. */
export class OrganizationMemberAdded extends Schema.TaggedClass<OrganizationMemberAdded>()("OrganizationMemberAdded", {
  organization: Schema.String,
  user: Schema.String,
  role: OrganizationRole
}) {}

/** A user left an organization. */
export class OrganizationMemberRemoved extends Schema.TaggedClass<OrganizationMemberRemoved>()(
  "OrganizationMemberRemoved",
  { organization: Schema.String, user: Schema.String }
) {}

/** A display name was reserved for an organization (kept in its own stream, so display names are unique). */
export class DisplayNameReserved extends Schema.TaggedClass<DisplayNameReserved>()("DisplayNameReserved", {
  displayName: Schema.String,
  organization: Schema.String
}) {}

/** A team was created in an organization. */
export class TeamCreated extends Schema.TaggedClass<TeamCreated>()("TeamCreated", {
  team: Schema.String,
  organization: Schema.String
}) {}

/** A user joined a team. */
export class TeamMemberAdded extends Schema.TaggedClass<TeamMemberAdded>()("TeamMemberAdded", {
  team: Schema.String,
  organization: Schema.String,
  user: Schema.String
}) {}

/** A user left a team. */
export class TeamMemberRemoved extends Schema.TaggedClass<TeamMemberRemoved>()("TeamMemberRemoved", {
  team: Schema.String,
  organization: Schema.String,
  user: Schema.String
}) {}

/** A user (personal entity) was created. */
export class UserCreated extends Schema.TaggedClass<UserCreated>()("UserCreated", { user: Schema.String }) {}

/**
 * A registry name of the organization now leads to the registry with this id (a registry renamed to it, or created
 * under a name whose default stream holds another registry). Names not bound lead to the registry stream keyed by
 * the name itself; a binding counts only while the registry it leads to still has that name.
 */
export class RegistryNameBound extends Schema.TaggedClass<RegistryNameBound>()("RegistryNameBound", {
  organization: Schema.String,
  registry: Schema.String,
  registryId: Schema.String
}) {}

/** Every event of an entity stream. */
export const Event = Schema.Union(
  OrganizationCreated,
  OrganizationMemberAdded,
  OrganizationMemberRemoved,
  DisplayNameReserved,
  TeamCreated,
  TeamMemberAdded,
  TeamMemberRemoved,
  UserCreated,
  RegistryNameBound
)
/** Every event of an entity stream. */
export type Event = typeof Event.Type

// ---- state -------------------------------------------------------------------------------------------------------

/** What an entity name currently is. */
export type State =
  | { readonly _tag: "Unclaimed" }
  | {
      readonly _tag: "Organization"
      readonly name: string
      readonly displayName: string
      readonly members: ReadonlyMap<string, OrganizationRole>
      /** Registry name → registry id, for the names bound to an id (see {@link RegistryNameBound}). */
      readonly registries: ReadonlyMap<string, string>
    }
  | {
      readonly _tag: "Team"
      readonly name: string
      readonly organization: string
      readonly members: ReadonlySet<string>
    }
  | { readonly _tag: "User"; readonly name: string }
  | { readonly _tag: "DisplayName"; readonly organization: string }

/** An unclaimed name. */
export const initialState: State = { _tag: "Unclaimed" }

/** Folds one event into the state, taking the maps it changes from `copies` (see `Decider`). */
export const evolveWith =
  (copies: CopyOnWrite) =>
  (state: State, event: Event): State => {
    switch (event._tag) {
      case "OrganizationCreated":
        return {
          _tag: "Organization",
          name: event.organization,
          displayName: event.displayName,
          members: new Map(),
          registries: new Map()
        }
      case "OrganizationMemberAdded":
        return state._tag === "Organization"
          ? { ...state, members: copies.map(state.members).set(event.user, event.role) }
          : state
      case "OrganizationMemberRemoved": {
        if (state._tag !== "Organization") return state
        const members = copies.map(state.members)
        members.delete(event.user)
        return { ...state, members }
      }
      case "DisplayNameReserved":
        return { _tag: "DisplayName", organization: event.organization }
      case "TeamCreated":
        return { _tag: "Team", name: event.team, organization: event.organization, members: new Set() }
      case "TeamMemberAdded":
        return state._tag === "Team" ? { ...state, members: copies.set(state.members).add(event.user) } : state
      case "TeamMemberRemoved": {
        if (state._tag !== "Team") return state
        const members = copies.set(state.members)
        members.delete(event.user)
        return { ...state, members }
      }
      case "UserCreated":
        return { _tag: "User", name: event.user }
      case "RegistryNameBound":
        return state._tag === "Organization"
          ? { ...state, registries: copies.map(state.registries).set(event.registry, event.registryId) }
          : state
    }
  }

/** Folds one event into the state. */
export const evolve = evolveWith(copying)

/** The organization role of `user`, when the state is an organization they belong to. */
export const organizationRole = (state: State, user: string): Option.Option<OrganizationRole> =>
  state._tag === "Organization" ? Option.fromNullable(state.members.get(user)) : Option.none()

// ---- commands and decisions --------------------------------------------------------------------------------------

/** Commands on an entity stream. */
export type Command =
  | {
      readonly _tag: "CreateOrganization"
      readonly organization: string
      readonly displayName: string
      readonly actor: string
    }
  | { readonly _tag: "ReserveDisplayName"; readonly displayName: string; readonly organization: string }
  | {
      readonly _tag: "SetOrganizationMember"
      readonly organization: string
      readonly user: string
      readonly role: OrganizationRole
      readonly actor: string
    }
  | {
      readonly _tag: "RemoveOrganizationMember"
      readonly organization: string
      readonly user: string
      readonly actor: string
    }
  | {
      readonly _tag: "CreateTeam"
      readonly team: string
      readonly organization: string
      readonly actor: string
      /** The actor's role in the organization (only admins create teams). */
      readonly actorRole: Option.Option<OrganizationRole>
    }
  | {
      readonly _tag: "AddTeamMember" | "RemoveTeamMember"
      readonly team: string
      readonly user: string
      readonly actor: string
      /** The actor's role in the team's organization (admins manage every team; members manage their own teams). */
      readonly actorRole: Option.Option<OrganizationRole>
      /** Whether `user` belongs to the team's organization (only its members can join its teams). */
      readonly userInOrganization: boolean
    }
  | {
      readonly _tag: "CreateUser"
      readonly user: string
      readonly actor: string
      /** Whether the store holds no event yet: its first user may create themselves. */
      readonly storeEmpty: boolean
      /** The organization the new user joins, with the actor's role in it (only its admins create users). */
      readonly organization: Option.Option<{
        readonly name: string
        readonly actorRole: Option.Option<OrganizationRole>
      }>
    }
  | {
      readonly _tag: "BindRegistryName"
      readonly organization: string
      readonly registry: string
      readonly registryId: string
    }

/** The rejections of entity commands. */
export type Rejection =
  | EntityNameTaken
  | DisplayNameTaken
  | OrganizationNotFound
  | OrganizationRoleRequired
  | NotAnOrganizationMember
  | TeamNotFound
  | UserCreationRefused

const taken = (name: string, state: State): EntityNameTaken =>
  new EntityNameTaken({
    name,
    takenBy: state._tag === "Team" ? "team" : state._tag === "User" ? "user" : "organization"
  })

const none: ReadonlyArray<Event> = []

const requireAdmin = (
  state: State,
  organization: string,
  actor: string,
  action: string
): Either.Either<void, OrganizationRoleRequired> =>
  Option.contains(organizationRole(state, actor), "admin")
    ? Either.void
    : Either.left(new OrganizationRoleRequired({ actor, organization, required: "admin", action }))

/** Decides an entity command. */
export const decide = (command: Command, state: State): Either.Either<ReadonlyArray<Event>, Rejection> => {
  switch (command._tag) {
    case "CreateOrganization": {
      if (state._tag === "Organization" && state.displayName === command.displayName) return Either.right(none)
      if (state._tag !== "Unclaimed") return Either.left(taken(command.organization, state))
      return Either.right([
        new OrganizationCreated({ organization: command.organization, displayName: command.displayName }),
        new OrganizationMemberAdded({ organization: command.organization, user: command.actor, role: "admin" })
      ])
    }
    case "ReserveDisplayName": {
      if (state._tag === "DisplayName") {
        return state.organization === command.organization
          ? Either.right(none)
          : Either.left(new DisplayNameTaken({ displayName: command.displayName, organization: state.organization }))
      }
      return Either.right([new DisplayNameReserved(command)])
    }
    case "SetOrganizationMember": {
      if (state._tag !== "Organization")
        return Either.left(new OrganizationNotFound({ organization: command.organization }))
      return requireAdmin(state, command.organization, command.actor, "add members or change their roles").pipe(
        Either.map(() =>
          state.members.get(command.user) === command.role
            ? none
            : [
                new OrganizationMemberAdded({
                  organization: command.organization,
                  user: command.user,
                  role: command.role
                })
              ]
        )
      )
    }
    case "RemoveOrganizationMember": {
      if (state._tag !== "Organization")
        return Either.left(new OrganizationNotFound({ organization: command.organization }))
      return requireAdmin(state, command.organization, command.actor, "remove members").pipe(
        Either.map(() =>
          state.members.has(command.user)
            ? [new OrganizationMemberRemoved({ organization: command.organization, user: command.user })]
            : none
        )
      )
    }
    case "CreateTeam": {
      if (state._tag === "Team" && state.organization === command.organization) return Either.right(none)
      if (state._tag !== "Unclaimed") return Either.left(taken(command.team, state))
      if (!Option.contains(command.actorRole, "admin")) {
        return Either.left(
          new OrganizationRoleRequired({
            actor: command.actor,
            organization: command.organization,
            required: "admin",
            action: "create teams"
          })
        )
      }
      return Either.right([
        new TeamCreated({ team: command.team, organization: command.organization }),
        new TeamMemberAdded({ team: command.team, organization: command.organization, user: command.actor })
      ])
    }
    case "AddTeamMember":
    case "RemoveTeamMember": {
      if (state._tag !== "Team") return Either.left(new TeamNotFound({ team: command.team }))
      const allowed = Option.contains(command.actorRole, "admin") || state.members.has(command.actor)
      if (!allowed) {
        return Either.left(
          new OrganizationRoleRequired({
            actor: command.actor,
            organization: state.organization,
            required: "admin (or membership of the team)",
            action: `manage the members of team "${command.team}"`
          })
        )
      }
      const event = { team: command.team, organization: state.organization, user: command.user }
      if (command._tag === "AddTeamMember") {
        if (!command.userInOrganization) {
          return Either.left(new NotAnOrganizationMember({ user: command.user, organization: state.organization }))
        }
        return Either.right(state.members.has(command.user) ? none : [new TeamMemberAdded(event)])
      }
      return Either.right(state.members.has(command.user) ? [new TeamMemberRemoved(event)] : none)
    }
    case "CreateUser": {
      if (state._tag === "User") return Either.right(none)
      if (state._tag !== "Unclaimed") return Either.left(taken(command.user, state))
      const { actor, organization } = command
      if (Option.isSome(organization)) {
        return Option.contains(organization.value.actorRole, "admin")
          ? Either.right([new UserCreated({ user: command.user })])
          : Either.left(
              new OrganizationRoleRequired({
                actor,
                organization: organization.value.name,
                required: "admin",
                action: "create users"
              })
            )
      }
      return command.storeEmpty
        ? Either.right([new UserCreated({ user: command.user })])
        : Either.left(new UserCreationRefused({ actor, user: command.user }))
    }
    case "BindRegistryName":
      if (state._tag !== "Organization") {
        return Either.left(new OrganizationNotFound({ organization: command.organization }))
      }
      return Either.right(
        state.registries.get(command.registry) === command.registryId
          ? none
          : [
              new RegistryNameBound({
                organization: command.organization,
                registry: command.registry,
                registryId: command.registryId
              })
            ]
      )
  }
}

/** The entity decider. */
export const decider: Decider<Command, Event, State, Rejection> = { initialState, evolve, evolveWith, decide }
