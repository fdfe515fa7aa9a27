/**
 * Registries: `wandb-registry-{NAME}` inside an organization, with a visibility, accepted artifact types, role
 * grants, protected aliases, and the names of its collections. The registry is the authority on collection names,
 * so creating, renaming and deleting a collection are registry decisions; a collection's versions live in the
 * collection's own stream.
 */
import { Either, Option, Schema } from "effect"
import {
  type Action,
  type Actor,
  atLeast,
  canSee,
  effectiveRole,
  type OrganizationRole,
  Principal,
  RegistryRole,
  requiredRole,
  Visibility
} from "./Access.js"
import { type CopyOnWrite, copying, type Decider } from "./Decider.js"
import {
  CollectionAlreadyExists,
  CollectionNotFound,
  CollectionTypeMismatch,
  InsufficientRole,
  NotAnOrganizationMember,
  OrganizationRoleRequired,
  RegistryAlreadyExists,
  RegistryNotFound,
  TypeNotAccepted,
  VisibilityChangeRefused
} from "./Errors.js"
import { type InvalidName, validateArtifactType } from "./Names.js"

// ---- stream ----------------------------------------------------------------------------------------------------

/**
 * The default id of a registry: `organization/name` (name without the `wandb-registry-` prefix), the id of every
 * registry created under a name whose stream was free. A rename keeps the id (and so the stream, its collections,
 * grants and protected aliases); the organization's stream binds the new name to it (`Entity.RegistryNameBound`).
 */
export const registryKey = (organization: string, registry: string): string => `${organization}/${registry}`

/** The stream of the registry with this id. */
export const streamIdOf = (registryId: string): string => `Registry-${registryId}`

/** The id a registry stream is keyed by (the inverse of {@link streamIdOf}). */
export const registryIdOf = (streamId: string): string => streamId.slice("Registry-".length)

/** The stream of a registry under its default id. */
export const streamId = (organization: string, registry: string): string =>
  streamIdOf(registryKey(organization, registry))

// ---- events (stored formats: change only by adding a new schema version and an upcast) ---------------------------

const RegistryFields = { organization: Schema.String, registry: Schema.String }

/** A registry was created (schema version 2: v1 had neither description nor accepted types). */
export class RegistryCreated extends Schema.TaggedClass<RegistryCreated>()("RegistryCreated", {
  ...RegistryFields,
  visibility: Visibility,
  description: Schema.String,
  acceptedTypes: Schema.Array(Schema.String)
}) {}

/** The registry's visibility changed (only organization → restricted). */
export class RegistryVisibilityChanged extends Schema.TaggedClass<RegistryVisibilityChanged>()(
  "RegistryVisibilityChanged",
  { ...RegistryFields, visibility: Visibility }
) {}

/** The registry now also accepts these artifact types. */
export class ArtifactTypesAccepted extends Schema.TaggedClass<ArtifactTypesAccepted>()("ArtifactTypesAccepted", {
  ...RegistryFields,
  artifactTypes: Schema.Array(Schema.String)
}) {}

/** A user or team was granted a role (replacing any earlier role). */
export class RoleGranted extends Schema.TaggedClass<RoleGranted>()("RoleGranted", {
  ...RegistryFields,
  principal: Principal,
  role: RegistryRole
}) {}

/** A user's or team's role was revoked. */
export class RoleRevoked extends Schema.TaggedClass<RoleRevoked>()("RoleRevoked", {
  ...RegistryFields,
  principal: Principal
}) {}

/** The list of protected aliases changed. */
export class ProtectedAliasesChanged extends Schema.TaggedClass<ProtectedAliasesChanged>()("ProtectedAliasesChanged", {
  ...RegistryFields,
  aliases: Schema.Array(Schema.String)
}) {}

/** The registry and its collections were deleted (never the source artifacts). */
export class RegistryDeleted extends Schema.TaggedClass<RegistryDeleted>()("RegistryDeleted", {
  ...RegistryFields,
  collectionIds: Schema.Array(Schema.String)
}) {}

/** The registry was renamed (`registry` is the new name); its id, collections, grants and aliases stay. */
export class RegistryRenamed extends Schema.TaggedClass<RegistryRenamed>()("RegistryRenamed", {
  ...RegistryFields,
  from: Schema.String,
  /** The registry's collections, whose read-model rows carry its name. */
  collectionIds: Schema.Array(Schema.String)
}) {}

/** The registry's description changed. */
export class RegistryDescribed extends Schema.TaggedClass<RegistryDescribed>()("RegistryDescribed", {
  ...RegistryFields,
  description: Schema.String
}) {}

/** A collection was created, explicitly or by a first link. */
export class CollectionCreated extends Schema.TaggedClass<CollectionCreated>()("CollectionCreated", {
  ...RegistryFields,
  collectionId: Schema.String,
  collection: Schema.String,
  artifactType: Schema.String,
  description: Schema.String,
  tags: Schema.Array(Schema.String)
}) {}

/** A collection was renamed (its id and type never change). */
export class CollectionRenamed extends Schema.TaggedClass<CollectionRenamed>()("CollectionRenamed", {
  ...RegistryFields,
  collectionId: Schema.String,
  from: Schema.String,
  to: Schema.String
}) {}

/** A collection's description and tags changed. */
export class CollectionUpdated extends Schema.TaggedClass<CollectionUpdated>()("CollectionUpdated", {
  ...RegistryFields,
  collectionId: Schema.String,
  description: Schema.String,
  tags: Schema.Array(Schema.String)
}) {}

/** A collection and its links were deleted (never the source artifacts). */
export class CollectionDeleted extends Schema.TaggedClass<CollectionDeleted>()("CollectionDeleted", {
  ...RegistryFields,
  collectionId: Schema.String,
  collection: Schema.String
}) {}

/** Every event of a registry stream. */
export const Event = Schema.Union(
  RegistryCreated,
  RegistryVisibilityChanged,
  ArtifactTypesAccepted,
  RoleGranted,
  RoleRevoked,
  ProtectedAliasesChanged,
  RegistryDeleted,
  CollectionCreated,
  CollectionRenamed,
  CollectionUpdated,
  CollectionDeleted,
  RegistryRenamed,
  RegistryDescribed
)
/** Every event of a registry stream. */
export type Event = typeof Event.Type

// ---- state -------------------------------------------------------------------------------------------------------

/** A collection as its registry knows it. */
export interface CollectionInfo {
  readonly id: string
  readonly name: string
  readonly artifactType: string
  readonly description: string
  readonly tags: ReadonlyArray<string>
}

/** A registry that exists. */
export interface Active {
  readonly _tag: "Active"
  readonly organization: string
  readonly registry: string
  readonly visibility: Visibility
  readonly description: string
  /** Empty: every type is accepted. */
  readonly acceptedTypes: ReadonlyArray<string>
  readonly grants: ReadonlyArray<{ readonly principal: Principal; readonly role: RegistryRole }>
  readonly protectedAliases: ReadonlyArray<string>
  /** By name. */
  readonly collections: ReadonlyMap<string, CollectionInfo>
  /** The name of each collection, by id (so that an event naming a collection's id finds it without a scan). */
  readonly collectionNames: ReadonlyMap<string, string>
}

/** A registry's state: never created, active, or deleted (its name can be used again). */
export type State = { readonly _tag: "Absent" } | Active | { readonly _tag: "Deleted" }

/** A registry that was never created. */
export const initialState: State = { _tag: "Absent" }

const samePrincipal = (a: Principal, b: Principal) => a.kind === b.kind && a.name === b.name

/** The collection with this id, if the registry has it. */
export const collectionById = (state: Active, id: string): CollectionInfo | undefined => {
  const name = state.collectionNames.get(id)
  const info = name === undefined ? undefined : state.collections.get(name)
  return info?.id === id ? info : undefined
}

/** The state after `update` changed the copies of its collections and their names by id. */
const withCollectionNames = (
  state: Active,
  copies: CopyOnWrite,
  update: (collections: Map<string, CollectionInfo>, names: Map<string, string>) => void
): Active => {
  const collections = copies.map(state.collections)
  const collectionNames = copies.map(state.collectionNames)
  update(collections, collectionNames)
  return { ...state, collections, collectionNames }
}

/** Folds one event into the state, taking the maps it changes from `copies` (see `Decider`). */
export const evolveWith =
  (copies: CopyOnWrite) =>
  (state: State, event: Event): State => {
    if (event._tag === "RegistryCreated") {
      return {
        _tag: "Active",
        organization: event.organization,
        registry: event.registry,
        visibility: event.visibility,
        description: event.description,
        acceptedTypes: event.acceptedTypes,
        grants: [],
        protectedAliases: [],
        collections: new Map(),
        collectionNames: new Map()
      }
    }
    if (state._tag !== "Active") return state
    switch (event._tag) {
      case "RegistryVisibilityChanged":
        return { ...state, visibility: event.visibility }
      case "ArtifactTypesAccepted":
        return {
          ...state,
          acceptedTypes: [
            ...state.acceptedTypes,
            ...event.artifactTypes.filter((t) => !state.acceptedTypes.includes(t))
          ]
        }
      case "RoleGranted":
        return {
          ...state,
          grants: [
            ...state.grants.filter((grant) => !samePrincipal(grant.principal, event.principal)),
            { principal: event.principal, role: event.role }
          ]
        }
      case "RoleRevoked":
        return { ...state, grants: state.grants.filter((grant) => !samePrincipal(grant.principal, event.principal)) }
      case "ProtectedAliasesChanged":
        return { ...state, protectedAliases: event.aliases }
      case "RegistryDeleted":
        return { _tag: "Deleted" }
      case "RegistryRenamed":
        return { ...state, registry: event.registry }
      case "RegistryDescribed":
        return { ...state, description: event.description }
      case "CollectionCreated":
        return withCollectionNames(state, copies, (collections, names) => {
          collections.set(event.collection, {
            id: event.collectionId,
            name: event.collection,
            artifactType: event.artifactType,
            description: event.description,
            tags: event.tags
          })
          names.set(event.collectionId, event.collection)
        })
      case "CollectionRenamed": {
        const info = collectionById(state, event.collectionId)
        if (info === undefined) return state
        return withCollectionNames(state, copies, (collections, names) => {
          collections.delete(info.name)
          collections.set(event.to, { ...info, name: event.to })
          names.set(info.id, event.to)
        })
      }
      case "CollectionUpdated": {
        const info = collectionById(state, event.collectionId)
        if (info === undefined) return state
        const collections = copies
          .map(state.collections)
          .set(info.name, { ...info, description: event.description, tags: event.tags })
        return { ...state, collections }
      }
      case "CollectionDeleted": {
        const info = collectionById(state, event.collectionId)
        if (info === undefined) return state
        return withCollectionNames(state, copies, (collections, names) => {
          collections.delete(info.name)
          names.delete(info.id)
        })
      }
    }
  }

/** Folds one event into the state. */
export const evolve = evolveWith(copying)

// ---- access ------------------------------------------------------------------------------------------------------

/**
 * Checks that the actor may perform `action` in the registry. A registry that does not exist, or that the actor may
 * not see, is reported as not found, so restricted registries stay invisible to non-members.
 */
export const authorize = (
  state: State,
  actor: Actor,
  action: Action,
  names: { readonly organization: string; readonly registry: string }
): Either.Either<Active, RegistryNotFound | InsufficientRole | NotAnOrganizationMember> => {
  // Only members of the organization hold roles in its registries (Access.effectiveRole): say so, before anything
  // about the registry, so an outsider learns nothing about it.
  if (Option.isNone(actor.organizationRole)) {
    return Either.left(new NotAnOrganizationMember({ user: actor.username, organization: names.organization }))
  }
  if (state._tag !== "Active" || !canSee(state, actor)) return Either.left(new RegistryNotFound(names))
  const role = effectiveRole(state, actor)
  if (!atLeast(role, requiredRole[action])) {
    return Either.left(
      new InsufficientRole({
        actor: actor.username,
        registry: state.registry,
        action,
        required: requiredRole[action],
        actual: Option.getOrNull(role)
      })
    )
  }
  return Either.right(state)
}

/** Whether the registry accepts an artifact type (an empty list accepts every type). */
export const acceptsType = (state: Active, artifactType: string): boolean =>
  state.acceptedTypes.length === 0 || state.acceptedTypes.includes(artifactType)

// ---- commands and decisions --------------------------------------------------------------------------------------

/** Commands on a registry stream. Every command names the registry and carries the facts about its actor. */
export type Command = { readonly organization: string; readonly registry: string; readonly actor: Actor } & (
  | {
      readonly _tag: "CreateRegistry"
      readonly visibility: Visibility
      readonly description: string
      readonly acceptedTypes: ReadonlyArray<string>
    }
  | { readonly _tag: "ChangeVisibility"; readonly visibility: Visibility }
  | { readonly _tag: "AcceptTypes"; readonly artifactTypes: ReadonlyArray<string> }
  | { readonly _tag: "GrantRole"; readonly principal: Principal; readonly role: RegistryRole }
  | { readonly _tag: "RevokeRole"; readonly principal: Principal }
  | { readonly _tag: "SetProtectedAliases"; readonly aliases: ReadonlyArray<string> }
  | { readonly _tag: "DeleteRegistry" }
  | {
      readonly _tag: "RenameRegistry"
      /** The new name (validated, without the prefix). */
      readonly to: string
      /** Whether another registry of the organization already has the new name. */
      readonly nameTaken: boolean
    }
  | { readonly _tag: "DescribeRegistry"; readonly description: string }
  | {
      readonly _tag: "CreateCollection"
      readonly collectionId: string
      readonly collection: string
      readonly artifactType: string
      readonly description: string
      readonly tags: ReadonlyArray<string>
      /** Created by a first link: an existing collection of the same type is fine. */
      readonly implicit: boolean
    }
  | { readonly _tag: "RenameCollection"; readonly collection: string; readonly to: string }
  | {
      readonly _tag: "UpdateCollection"
      readonly collection: string
      readonly description: Option.Option<string>
      readonly tags: Option.Option<ReadonlyArray<string>>
    }
  | { readonly _tag: "DeleteCollection"; readonly collection: string }
)

/** Every type is a valid, unreserved artifact type (no artifact name: `run_table` and `code` are allowed here). */
const checkTypes = (types: ReadonlyArray<string>): Either.Either<void, InvalidName> => {
  for (const type of types) {
    const checked = validateArtifactType(type)
    if (Either.isLeft(checked)) return Either.left(checked.left)
  }
  return Either.void
}

/** The rejections of registry commands. */
export type Rejection =
  | RegistryNotFound
  | RegistryAlreadyExists
  | InsufficientRole
  | NotAnOrganizationMember
  | OrganizationRoleRequired
  | VisibilityChangeRefused
  | CollectionNotFound
  | CollectionAlreadyExists
  | CollectionTypeMismatch
  | TypeNotAccepted
  | InvalidName

const none: ReadonlyArray<Event> = []

const sameList = (a: ReadonlyArray<string>, b: ReadonlyArray<string>) =>
  a.length === b.length && a.every((item) => b.includes(item))

const findCollection = (state: Active, collection: string): Either.Either<CollectionInfo, CollectionNotFound> => {
  const info = state.collections.get(collection)
  return info === undefined
    ? Either.left(new CollectionNotFound({ registry: state.registry, collection }))
    : Either.right(info)
}

const creatorRoles: ReadonlyArray<OrganizationRole> = ["admin", "member"]

/** Decides a registry command. */
export const decide = (command: Command, state: State): Either.Either<ReadonlyArray<Event>, Rejection> => {
  const names = { organization: command.organization, registry: command.registry }
  if (command._tag === "CreateRegistry") {
    if (Option.isNone(command.actor.organizationRole)) {
      return Either.left(
        new NotAnOrganizationMember({ user: command.actor.username, organization: names.organization })
      )
    }
    if (state._tag === "Active") return Either.left(new RegistryAlreadyExists(names))
    const types = checkTypes(command.acceptedTypes)
    if (Either.isLeft(types)) return Either.left(types.left)
    if (!Option.exists(command.actor.organizationRole, (role) => creatorRoles.includes(role))) {
      return Either.left(
        new OrganizationRoleRequired({
          actor: command.actor.username,
          organization: command.organization,
          required: "member or admin",
          action: "create registries"
        })
      )
    }
    return Either.right([
      new RegistryCreated({
        ...names,
        visibility: command.visibility,
        description: command.description,
        acceptedTypes: [...new Set(command.acceptedTypes)]
      }),
      new RoleGranted({ ...names, principal: { kind: "user", name: command.actor.username }, role: "admin" })
    ])
  }
  const action: Action =
    command._tag === "CreateCollection" ||
    command._tag === "RenameCollection" ||
    command._tag === "UpdateCollection" ||
    command._tag === "DeleteCollection"
      ? "write"
      : "administer"
  return Either.flatMap(authorize(state, command.actor, action, names), (active) => decideActive(command, active))
}

const decideActive = (command: Command, state: Active): Either.Either<ReadonlyArray<Event>, Rejection> => {
  const names = { organization: state.organization, registry: state.registry }
  switch (command._tag) {
    case "CreateRegistry":
      return Either.left(new RegistryAlreadyExists(names))
    case "ChangeVisibility":
      if (command.visibility === state.visibility) return Either.right(none)
      if (command.visibility === "organization") {
        return Either.left(
          new VisibilityChangeRefused({ registry: state.registry, from: state.visibility, to: command.visibility })
        )
      }
      return Either.right([new RegistryVisibilityChanged({ ...names, visibility: command.visibility })])
    case "AcceptTypes": {
      const types = checkTypes(command.artifactTypes)
      if (Either.isLeft(types)) return Either.left(types.left)
      // A registry created without a list accepts every type; a list would narrow it, and types are never removed.
      if (state.acceptedTypes.length === 0) return Either.right(none)
      const added = [...new Set(command.artifactTypes)].filter((type) => !state.acceptedTypes.includes(type))
      return Either.right(added.length === 0 ? none : [new ArtifactTypesAccepted({ ...names, artifactTypes: added })])
    }
    case "GrantRole": {
      const current = state.grants.find((grant) => samePrincipal(grant.principal, command.principal))
      return Either.right(
        current?.role === command.role
          ? none
          : [new RoleGranted({ ...names, principal: command.principal, role: command.role })]
      )
    }
    case "RevokeRole":
      return Either.right(
        state.grants.some((grant) => samePrincipal(grant.principal, command.principal))
          ? [new RoleRevoked({ ...names, principal: command.principal })]
          : none
      )
    case "SetProtectedAliases": {
      const aliases = [...new Set(command.aliases)]
      return Either.right(
        sameList(aliases, state.protectedAliases) ? none : [new ProtectedAliasesChanged({ ...names, aliases })]
      )
    }
    case "DeleteRegistry":
      return Either.right([
        new RegistryDeleted({ ...names, collectionIds: [...state.collections.values()].map((info) => info.id) })
      ])
    case "RenameRegistry":
      if (command.to === state.registry) return Either.right(none)
      if (command.nameTaken) {
        return Either.left(new RegistryAlreadyExists({ organization: state.organization, registry: command.to }))
      }
      return Either.right([
        new RegistryRenamed({
          organization: state.organization,
          registry: command.to,
          from: state.registry,
          collectionIds: [...state.collections.values()].map((info) => info.id)
        })
      ])
    case "DescribeRegistry":
      return Either.right(
        command.description === state.description
          ? none
          : [new RegistryDescribed({ ...names, description: command.description })]
      )
    case "CreateCollection": {
      // A collection created by a first link takes its source's type, checked when the source was logged.
      const type = command.implicit ? Either.void : checkTypes([command.artifactType])
      if (Either.isLeft(type)) return Either.left(type.left)
      const existing = state.collections.get(command.collection)
      if (existing !== undefined) {
        if (!command.implicit) {
          return Either.left(new CollectionAlreadyExists({ registry: state.registry, collection: command.collection }))
        }
        return existing.artifactType === command.artifactType
          ? Either.right(none)
          : Either.left(
              new CollectionTypeMismatch({
                collection: command.collection,
                collectionType: existing.artifactType,
                artifactType: command.artifactType
              })
            )
      }
      if (!acceptsType(state, command.artifactType)) {
        return Either.left(
          new TypeNotAccepted({
            registry: state.registry,
            artifactType: command.artifactType,
            acceptedTypes: state.acceptedTypes
          })
        )
      }
      return Either.right([
        new CollectionCreated({
          ...names,
          collectionId: command.collectionId,
          collection: command.collection,
          artifactType: command.artifactType,
          description: command.description,
          tags: [...new Set(command.tags)]
        })
      ])
    }
    case "RenameCollection":
      return Either.flatMap(findCollection(state, command.collection), (info) => {
        if (command.to === info.name) return Either.right(none)
        if (state.collections.has(command.to)) {
          return Either.left(new CollectionAlreadyExists({ registry: state.registry, collection: command.to }))
        }
        return Either.right([
          new CollectionRenamed({ ...names, collectionId: info.id, from: info.name, to: command.to })
        ])
      })
    case "UpdateCollection":
      return Either.map(findCollection(state, command.collection), (info) => {
        const description = Option.getOrElse(command.description, () => info.description)
        const tags = [...new Set(Option.getOrElse(command.tags, () => info.tags))]
        return description === info.description && sameList(tags, info.tags)
          ? none
          : [new CollectionUpdated({ ...names, collectionId: info.id, description, tags })]
      })
    case "DeleteCollection":
      return Either.map(findCollection(state, command.collection), (info) => [
        new CollectionDeleted({ ...names, collectionId: info.id, collection: info.name })
      ])
  }
}

/** The registry decider. */
export const decider: Decider<Command, Event, State, Rejection> = { initialState, evolve, evolveWith, decide }
