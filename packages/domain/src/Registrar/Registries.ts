/** Application handlers for registries and their collections: create, configure, grant roles, rename, delete. */
import { Effect, Option } from "effect"
import type { Principal, RegistryRole, Visibility } from "../Access.js"
import { TeamNotInOrganization } from "../Errors.js"
import * as Entity from "../Entity.js"
import { aggregate, append, load, remember, retryOnConflict } from "../internal/Loader.js"
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
  validateUserAlias
} from "../Names.js"
import { collectionPath, parseLinkTarget, type RegistryPath } from "../Paths.js"
import * as Registry from "../Registry.js"
import { actorFacts, envelope, findOrganization, findTeam, idempotent, type Request, requireUser } from "./Context.js"
import { loadRegistry, organizationOf, type PathDefaults } from "./Locate.js"

/** Names a registry: its organization (entity or display name) and its name without the `wandb-registry-` prefix. */
export interface RegistryRef extends Request {
  readonly organization: string
  readonly registry: string
}

/** Decides a registry command for the actor and appends its events; returns whether anything changed. */
export const decideRegistry = (
  organizationName: string,
  registryName: string,
  request: Request,
  command: (facts: {
    organization: string
    actor: import("../Access.js").Actor
    state: Registry.State
  }) => Registry.Command
) =>
  retryOnConflict(
    Effect.gen(function* () {
      const organization = yield* findOrganization(organizationName)
      const loaded = yield* loadRegistry(organization.name, registryName)
      const actor = yield* actorFacts(request.actor, organization, loaded.state)
      const decided = command({ organization: organization.name, actor, state: loaded.state })
      const events = yield* Registry.decide(decided, loaded.state)
      // A name now leading to another stream is bound first: a crash before the registry's own append leaves a
      // binding that counts for nothing (bindings count only while the registry has the name).
      const boundName = decided._tag === "RenameRegistry" ? decided.to : loaded.bindName ? registryName : undefined
      if (events.length > 0 && boundName !== undefined) {
        yield* bindRegistryName(organization.name, boundName, loaded.id, request)
      }
      yield* append(Registry.streamIdOf(loaded.id), loaded.version, events, yield* envelope(request))
      let state = loaded.state
      for (const event of events) state = Registry.evolve(state, event)
      return { organization: organization.name, events, state }
    })
  )

const entitySpec = aggregate(Entity.Event, Entity.decider)

const bindRegistryName = (organization: string, registry: string, registryId: string, request: Request) =>
  Effect.gen(function* () {
    const streamId = Entity.streamId(organization)
    const loaded = yield* load(entitySpec, streamId)
    const events = yield* Entity.decide({ _tag: "BindRegistryName", organization, registry, registryId }, loaded.state)
    const version = yield* append(streamId, loaded.version, events, yield* envelope(request))
    yield* remember(entitySpec, streamId, loaded, events, version)
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
      const { organization } = yield* decideRegistry(input.organization, registry, input, (facts) => ({
        _tag: "CreateRegistry",
        organization: facts.organization,
        registry,
        actor: facts.actor,
        visibility: input.visibility ?? "organization",
        description: input.description ?? "",
        acceptedTypes
      }))
      return { organization, registry, path: registryProjectName(registry) }
    })
  )

const simple =
  <I extends RegistryRef>(
    build: (
      input: I
    ) => Effect.Effect<
      Registry.Command extends infer C ? Omit<Extract<C, object>, "organization" | "registry" | "actor"> : never,
      unknown
    >
  ) =>
  (input: I) =>
    Effect.gen(function* () {
      const body = yield* build(input)
      const result = yield* decideRegistry(
        input.organization,
        input.registry,
        input,
        (facts) =>
          ({
            ...body,
            organization: facts.organization,
            registry: input.registry,
            actor: facts.actor
          }) as Registry.Command
      )
      return { changed: result.events.length > 0 }
    })

/** Changes a registry's visibility (organization → restricted only; admins). */
export const changeVisibility = simple((input: RegistryRef & { readonly visibility: Visibility }) =>
  Effect.succeed({ _tag: "ChangeVisibility" as const, visibility: input.visibility })
)

/** Adds accepted artifact types (never removes; admins). */
export const acceptTypes = simple((input: RegistryRef & { readonly artifactTypes: ReadonlyArray<string> }) =>
  Effect.map(
    Effect.forEach(input.artifactTypes, (type) => validateArtifactType(type)),
    (artifactTypes) => ({
      _tag: "AcceptTypes" as const,
      artifactTypes
    })
  )
)

/** Replaces the registry's protected aliases (admins). */
export const setProtectedAliases = simple((input: RegistryRef & { readonly aliases: ReadonlyArray<string> }) =>
  Effect.map(
    Effect.forEach(input.aliases, (alias) => validateUserAlias(alias)),
    (aliases) => ({
      _tag: "SetProtectedAliases" as const,
      aliases
    })
  )
)

/** Deletes a registry and its collections, never the source artifacts (admins). */
export const deleteRegistry = simple((_: RegistryRef) => Effect.succeed({ _tag: "DeleteRegistry" as const }))

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
      path: `wandb-registry-${to}`,
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
    let changed = false
    if (input.description !== undefined) {
      const description = input.description
      changed ||= (yield* simple((_: RegistryRef) =>
        Effect.succeed({ _tag: "DescribeRegistry" as const, description })
      )(input)).changed
    }
    if (input.visibility !== undefined) {
      changed ||= (yield* changeVisibility({ ...input, visibility: input.visibility })).changed
    }
    return { registry: input.registry, changed }
  })

/** Input of {@link grantRole} and {@link revokeRole}. */
export interface RoleChange extends RegistryRef {
  readonly principal: Principal
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
export const grantRole = (input: RoleChange & { readonly role: RegistryRole }) =>
  Effect.gen(function* () {
    const organization = yield* findOrganization(input.organization)
    yield* requirePrincipal(input.principal, organization.name)
    return yield* simple((_: RegistryRef) =>
      Effect.succeed({ _tag: "GrantRole" as const, principal: input.principal, role: input.role })
    )(input)
  })

/** Revokes a user's or team's role in the registry (admins). */
export const revokeRole = simple((input: RoleChange) =>
  Effect.succeed({ _tag: "RevokeRole" as const, principal: input.principal })
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

/** Renames a collection; its id, type and versions stay (members). */
export const renameCollection = (defaults: PathDefaults, input: CollectionRef & { readonly to: string }) =>
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

/** Changes a collection's description and tags (members). */
export const updateCollection = (
  defaults: PathDefaults,
  input: CollectionRef & { readonly description?: string; readonly tags?: ReadonlyArray<string> }
) =>
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
