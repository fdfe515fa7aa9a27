/** Application handlers for registries and their collections: create, configure, grant roles, rename, delete. */
import { Effect, Option } from "effect"
import type { Actor, Principal, RegistryRole, Visibility } from "../Access.js"
import { TeamNotInOrganization } from "../Errors.js"
import * as Entity from "../Entity.js"
import { aggregate, changeOf, execute, load } from "../internal/Loader.js"
import { randomUuid } from "../internal/Uuid.js"
import {
  registryProjectName,
  validateArtifactType,
  validateCollectionName,
  validateDescription,
  REGISTRY_PREFIX,
  validateRegistryName,
  validateRegistryProjectName,
  validateTags,
  validateUserAliases
} from "../Names.js"
import { collectionPath, parseLinkTarget, type RegistryPath } from "../Paths.js"
import * as Registry from "../Registry.js"
import { actorFacts, envelope, findOrganization, findTeam, idempotent, type Request, requireUser } from "./Context.js"
import { loadRegistry, organizationOf, type PathDefaults, registrySpec } from "./Locate.js"

/** Names a registry: its organization (entity or display name) and its name without the `wandb-registry-` prefix. */
export interface RegistryRef extends Request {
  readonly organization: string
  readonly registry: string
}

/** What a registry command decided: its organization, events and the registry's state after them. */
export interface RegistryDecided {
  readonly organization: string
  readonly events: ReadonlyArray<Registry.Event>
  readonly state: Registry.State
}

/** Decides and appends a registry command for the actor; returns its events, the new state and the organization. */
export const decideRegistry = (
  organizationName: string,
  registryName: string,
  request: Request,
  command: (facts: { organization: string; actor: Actor; state: Registry.State }) => Registry.Command
) => decideRegistryAnswering(organizationName, registryName, request, command, (decided) => decided)

/** {@link decideRegistry}, answering `answer(decided)` as the decision's result (what an idempotency record keeps). */
const decideRegistryAnswering = <A>(
  organizationName: string,
  registryName: string,
  request: Request,
  command: (facts: { organization: string; actor: Actor; state: Registry.State }) => Registry.Command,
  answer: (decided: RegistryDecided) => A
) =>
  execute(
    envelope(request),
    Effect.gen(function* () {
      const organization = yield* findOrganization(organizationName)
      const loaded = yield* loadRegistry(organization.name, registryName)
      const actor = yield* actorFacts(request.actor, organization, loaded.state)
      const decided = command({ organization: organization.name, actor, state: loaded.state })
      const events = yield* Registry.decide(decided, loaded.state)
      // A name now leading to another stream is bound in the same decision, before the registry's own events
      // (a binding counts only while the registry has the name).
      const boundName = decided._tag === "RenameRegistry" ? decided.to : loaded.bindName ? registryName : undefined
      const binding =
        events.length > 0 && boundName !== undefined
          ? [yield* bindRegistryName(organization.name, boundName, loaded.id)]
          : []
      const change = changeOf(registrySpec, Registry.streamIdOf(loaded.id), loaded, events)
      return {
        changes: [...binding, change],
        result: answer({ organization: organization.name, events, state: change.state })
      }
    })
  )

const entitySpec = aggregate(Entity.Event, Entity.decider)

const bindRegistryName = (organization: string, registry: string, registryId: string) =>
  Effect.gen(function* () {
    const streamId = Entity.streamId(organization)
    const loaded = yield* load(entitySpec, streamId)
    const events = yield* Entity.decide({ _tag: "BindRegistryName", organization, registry, registryId }, loaded.state)
    return changeOf(entitySpec, streamId, loaded, events)
  })

/** Input of {@link createRegistry}. */
export interface CreateRegistry extends RegistryRef {
  readonly visibility?: Visibility
  readonly description?: string
  /** Accepted artifact types; none means every type. */
  readonly acceptedTypes?: ReadonlyArray<string>
}

/** Creates a registry (organization members and admins); its creator becomes its admin. */
export const createRegistry = (input: CreateRegistry) =>
  idempotent(
    input,
    "createRegistry",
    Effect.gen(function* () {
      const registry = yield* validateRegistryName(input.registry)
      const acceptedTypes = yield* Effect.forEach(input.acceptedTypes ?? [], (type) => validateArtifactType(type))
      yield* validateDescription(input.description ?? "")
      return yield* decideRegistryAnswering(
        input.organization,
        registry,
        input,
        (facts) => ({
          _tag: "CreateRegistry",
          organization: facts.organization,
          registry,
          actor: facts.actor,
          visibility: input.visibility ?? "organization",
          description: input.description ?? "",
          acceptedTypes
        }),
        ({ organization }) => ({ organization, registry, path: registryProjectName(registry) })
      )
    })
  )

/** Whether a registry command changed anything (repeating a setting changes nothing). */
export interface RegistryChanged {
  readonly changed: boolean
}

const changed = (decided: { readonly events: ReadonlyArray<Registry.Event> }): RegistryChanged => ({
  changed: decided.events.length > 0
})

/** The names and actor every command on a registry carries. */
const on = (facts: { readonly organization: string; readonly actor: Actor }, registry: string) => ({
  organization: facts.organization,
  registry,
  actor: facts.actor
})

/** Input of {@link changeVisibility}. */
export interface ChangeVisibility extends RegistryRef {
  readonly visibility: Visibility
}

/** Changes a registry's visibility (organization → restricted only; admins). */
export const changeVisibility = (input: ChangeVisibility) =>
  Effect.map(
    decideRegistry(input.organization, input.registry, input, (facts) => ({
      ...on(facts, input.registry),
      _tag: "ChangeVisibility",
      visibility: input.visibility
    })),
    changed
  )

/** Input of {@link acceptTypes}. */
export interface AcceptTypes extends RegistryRef {
  readonly artifactTypes: ReadonlyArray<string>
}

/** Adds accepted artifact types (never removes; admins). */
export const acceptTypes = (input: AcceptTypes) =>
  Effect.gen(function* () {
    const artifactTypes = yield* Effect.forEach(input.artifactTypes, (type) => validateArtifactType(type))
    const decided = yield* decideRegistry(input.organization, input.registry, input, (facts) => ({
      ...on(facts, input.registry),
      _tag: "AcceptTypes",
      artifactTypes
    }))
    return changed(decided)
  })

/** Input of {@link setProtectedAliases}. */
export interface SetProtectedAliases extends RegistryRef {
  readonly aliases: ReadonlyArray<string>
}

/** Replaces the registry's protected aliases (admins). */
export const setProtectedAliases = (input: SetProtectedAliases) =>
  Effect.gen(function* () {
    const aliases = yield* validateUserAliases(input.aliases)
    const decided = yield* decideRegistry(input.organization, input.registry, input, (facts) => ({
      ...on(facts, input.registry),
      _tag: "SetProtectedAliases",
      aliases
    }))
    return changed(decided)
  })

/** Deletes a registry and its collections, never the source artifacts (admins). */
export const deleteRegistry = (input: RegistryRef) =>
  Effect.map(
    decideRegistry(input.organization, input.registry, input, (facts) => ({
      ...on(facts, input.registry),
      _tag: "DeleteRegistry"
    })),
    changed
  )

/** Input of {@link renameRegistry}. */
export interface RenameRegistry extends RegistryRef {
  /** The new name, with or without the `wandb-registry-` prefix. */
  readonly to: string
}

/**
 * Renames a registry (admins), like W&B's `Registry.save` after setting `name`. Its id, collections, links, grants
 * and protected aliases stay; the old name is not found afterwards; a name another registry of the organization
 * has is refused.
 */
export const renameRegistry = (input: RenameRegistry) =>
  Effect.gen(function* () {
    const to = yield* input.to.startsWith(REGISTRY_PREFIX)
      ? validateRegistryProjectName(input.to)
      : validateRegistryName(input.to)
    const organization = yield* findOrganization(input.organization)
    const existing = yield* loadRegistry(organization.name, to)
    const nameTaken = existing.state._tag === "Active"
    const result = yield* decideRegistry(input.organization, input.registry, input, (facts) => ({
      _tag: "RenameRegistry",
      organization: facts.organization,
      registry: input.registry,
      actor: facts.actor,
      to,
      nameTaken
    }))
    return {
      organization: result.organization,
      from: input.registry,
      registry: to,
      path: registryProjectName(to),
      changed: result.events.length > 0
    }
  })

/** Input of {@link updateRegistry}. */
export interface UpdateRegistry extends RegistryRef {
  readonly description?: string
  /** Only `restricted` changes anything: visibility goes from organization to restricted, never back. */
  readonly visibility?: Visibility
}

/** Changes a registry's description and visibility (admins), like W&B's `Registry.save`. */
export const updateRegistry = (input: UpdateRegistry) =>
  Effect.gen(function* () {
    let anyChange = false
    if (input.description !== undefined) {
      const description = yield* validateDescription(input.description)
      const described = yield* decideRegistry(input.organization, input.registry, input, (facts) => ({
        ...on(facts, input.registry),
        _tag: "DescribeRegistry",
        description
      }))
      anyChange ||= changed(described).changed
    }
    if (input.visibility !== undefined) {
      anyChange ||= (yield* changeVisibility({ ...input, visibility: input.visibility })).changed
    }
    return { registry: input.registry, changed: anyChange }
  })

/** Input of {@link grantRole} and {@link revokeRole}. */
export interface RoleChange extends RegistryRef {
  readonly principal: Principal
}

/** Input of {@link grantRole}. */
export interface GrantRole extends RoleChange {
  readonly role: RegistryRole
}

const requirePrincipal = (principal: Principal, organization: string) =>
  principal.kind === "user"
    ? requireUser(principal.name)
    : Effect.flatMap(findTeam(principal.name), (team) =>
        team.organization === organization
          ? Effect.void
          : Effect.fail(new TeamNotInOrganization({ team: principal.name, organization }))
      )

/** Grants a user or a team of the organization a role in the registry (admins). */
export const grantRole = (input: GrantRole) =>
  Effect.gen(function* () {
    const organization = yield* findOrganization(input.organization)
    yield* requirePrincipal(input.principal, organization.name)
    const decided = yield* decideRegistry(input.organization, input.registry, input, (facts) => ({
      ...on(facts, input.registry),
      _tag: "GrantRole",
      principal: input.principal,
      role: input.role
    }))
    return changed(decided)
  })

/** Revokes a user's or team's role in the registry (admins). */
export const revokeRole = (input: RoleChange) =>
  Effect.map(
    decideRegistry(input.organization, input.registry, input, (facts) => ({
      ...on(facts, input.registry),
      _tag: "RevokeRole",
      principal: input.principal
    })),
    changed
  )

// ---- collections -------------------------------------------------------------------------------------------------

/** Names a collection by its path, `[ORG/]wandb-registry-R/C`. */
export interface CollectionRef extends Request {
  readonly collection: string
}

const collectionTarget = (path: string, actor: string, defaults: PathDefaults) =>
  Effect.gen(function* () {
    const parsed: RegistryPath = yield* parseLinkTarget(path)
    const organization = yield* organizationOf(parsed, actor, defaults)
    return { organization: organization.name, registry: parsed.registry, collection: parsed.collection }
  })

/** Input of {@link createCollection}. */
export interface CreateCollection extends CollectionRef {
  readonly type: string
  readonly description?: string
  readonly tags?: ReadonlyArray<string>
}

/** Creates an empty collection of a type (members). */
export const createCollection = (defaults: PathDefaults, input: CreateCollection) =>
  Effect.gen(function* () {
    const target = yield* collectionTarget(input.collection, input.actor, defaults)
    const artifactType = yield* validateArtifactType(input.type)
    const tags = yield* validateTags(input.tags ?? [])
    yield* validateDescription(input.description ?? "")
    const collectionId = yield* randomUuid
    yield* decideRegistry(target.organization, target.registry, input, (facts) => ({
      _tag: "CreateCollection",
      organization: facts.organization,
      registry: target.registry,
      actor: facts.actor,
      collectionId,
      collection: target.collection,
      artifactType,
      description: input.description ?? "",
      tags,
      implicit: false
    }))
    return { ...target, path: collectionPath(target.registry, target.collection), artifactType }
  })

/** Input of {@link renameCollection}. */
export interface RenameCollection extends CollectionRef {
  /** The new name. */
  readonly to: string
}

/** Renames a collection; its id, type and versions stay (members). */
export const renameCollection = (defaults: PathDefaults, input: RenameCollection) =>
  Effect.gen(function* () {
    const target = yield* collectionTarget(input.collection, input.actor, defaults)
    const to = yield* validateCollectionName(input.to)
    yield* decideRegistry(target.organization, target.registry, input, (facts) => ({
      _tag: "RenameCollection",
      organization: facts.organization,
      registry: target.registry,
      actor: facts.actor,
      collection: target.collection,
      to
    }))
    return { ...target, path: collectionPath(target.registry, to) }
  })

/** Input of {@link updateCollection}; what is left out stays as it is. */
export interface UpdateCollection extends CollectionRef {
  readonly description?: string
  readonly tags?: ReadonlyArray<string>
}

/** Changes a collection's description and tags (members). */
export const updateCollection = (defaults: PathDefaults, input: UpdateCollection) =>
  Effect.gen(function* () {
    const target = yield* collectionTarget(input.collection, input.actor, defaults)
    const tags = input.tags === undefined ? Option.none() : Option.some(yield* validateTags(input.tags))
    yield* validateDescription(input.description ?? "")
    const result = yield* decideRegistry(target.organization, target.registry, input, (facts) => ({
      _tag: "UpdateCollection",
      organization: facts.organization,
      registry: target.registry,
      actor: facts.actor,
      collection: target.collection,
      description: Option.fromNullable(input.description),
      tags
    }))
    return { ...target, changed: result.events.length > 0 }
  })

/** Deletes a collection and its links, never the sources (members). */
export const deleteCollection = (defaults: PathDefaults, input: CollectionRef) =>
  Effect.gen(function* () {
    const target = yield* collectionTarget(input.collection, input.actor, defaults)
    yield* decideRegistry(target.organization, target.registry, input, (facts) => ({
      _tag: "DeleteCollection",
      organization: facts.organization,
      registry: target.registry,
      actor: facts.actor,
      collection: target.collection
    }))
    return target
  })
