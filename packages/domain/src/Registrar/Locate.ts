/**
 * Finding things by path for a given actor: the organization a registry path means, the registry (visible to the
 * actor or reported missing), a collection in it, and a linked version by index or alias.
 */
import { Effect, Option } from "effect"
import type { Action, Actor } from "../Access.js"
import { effectiveRole } from "../Access.js"
import * as Collection from "../Collection.js"
import * as Entity from "../Entity.js"
import {
  CollectionNotFound,
  LinkedVersionNotFound,
  NoOrganization,
  NotAnOrganizationMember,
  OrganizationAmbiguous
} from "../Errors.js"
import { aggregate, load, loadCollection, learnCollection } from "../internal/Loader.js"
import { randomUuid } from "../internal/Uuid.js"
import { validateStorableName } from "../Names.js"
import { fullName as printFullName, linkedVersionName, type RegistryPath, type VersionSelector } from "../Paths.js"
import * as Registry from "../Registry.js"
import { actorFacts, findOrganization, loadEntity, type Organization } from "./Context.js"

/** How to fold a registry stream. */
export const registrySpec = aggregate(Registry.Event, Registry.decider)

/** A registry stream found by name: the registry's id, its state and the stream version. */
export interface LoadedRegistry {
  readonly id: string
  readonly state: Registry.State
  readonly version: number
  /**
   * The name is free and its default stream holds a registry renamed away, so a registry created under it gets a
   * fresh id, and the organization must bind the name to that id first.
   */
  readonly bindName: boolean
}

const loadById = (id: string) => load(registrySpec, Registry.streamIdOf(id))

const named = (state: Registry.State, registry: string) => state._tag === "Active" && state.registry === registry

/**
 * Loads the registry called `registry` in an organization (entity name): the stream its name is bound to, else the
 * stream keyed by the name. A stream counts only while its registry has that name, so the old name of a renamed
 * registry is not found. When no registry has the name, returns the stream a new one would be created in.
 */
export const loadRegistry = (organization: string, registry: string) =>
  Effect.gen(function* () {
    // A name no store can hold is refused before it reaches the store.
    yield* validateStorableName("registry", registry)
    const owner = yield* loadEntity(organization)
    const bound = owner.state._tag === "Organization" ? owner.state.registries.get(registry) : undefined
    const defaultId = Registry.registryKey(organization, registry)
    if (bound !== undefined && bound !== defaultId) {
      const loaded = yield* loadById(bound)
      if (named(loaded.state, registry)) return { id: bound, ...loaded, bindName: false } satisfies LoadedRegistry
    }
    const atDefault = yield* loadById(defaultId)
    if (named(atDefault.state, registry) || atDefault.state._tag !== "Active") {
      return { id: defaultId, ...atDefault, bindName: false } satisfies LoadedRegistry
    }
    // `#` is never part of a registry name, so a fresh id never collides with a default one.
    const id = `${defaultId}#${yield* randomUuid}`
    return { id, state: Registry.initialState, version: 0, bindName: true } satisfies LoadedRegistry
  })

/** Settings the service needs to interpret paths. */
export interface PathDefaults {
  /** The organization of registry paths that name none (when the actor belongs to several). */
  readonly defaultOrganization: Option.Option<string>
  /** The organizations the actor belongs to, for paths that name none. */
  readonly organizationsOf: (actor: string) => Effect.Effect<ReadonlyArray<string>, unknown>
}

/** An organization the actor belongs to, found by entity or display name; anyone else is told they are not in it. */
export const memberOrganization = (name: string, actor: string) =>
  Effect.flatMap(findOrganization(name), (organization) =>
    Option.isSome(Entity.organizationRole(organization, actor))
      ? Effect.succeed(organization)
      : Effect.fail(new NotAnOrganizationMember({ user: actor, organization: organization.name }))
  )

/**
 * The organization a request means: the one it names, else the configured default, else the actor's only one. The
 * actor must belong to it (only members hold roles in its registries); an actor in several organizations who names
 * none, or in none, gets an error saying so and how to choose.
 */
export const organizationNamed = (name: string | undefined, actor: string, defaults: PathDefaults) =>
  Effect.gen(function* () {
    if (name !== undefined) return yield* memberOrganization(name, actor)
    if (Option.isSome(defaults.defaultOrganization)) {
      return yield* memberOrganization(defaults.defaultOrganization.value, actor)
    }
    const mine = yield* defaults.organizationsOf(actor).pipe(Effect.orElseSucceed((): ReadonlyArray<string> => []))
    const [only] = mine
    if (mine.length === 1 && only !== undefined) return yield* memberOrganization(only, actor)
    if (mine.length === 0) return yield* Effect.fail(new NoOrganization({ user: actor }))
    return yield* Effect.fail(new OrganizationAmbiguous({ user: actor, organizations: [...mine].sort() }))
  })

/** The organization a registry path means: its prefix, else `fallback`, else as {@link organizationNamed}. */
export const organizationOf = (path: RegistryPath, actor: string, defaults: PathDefaults, fallback?: string) =>
  organizationNamed(
    Option.getOrElse(path.org, () => fallback),
    actor,
    defaults
  )

/** A registry the actor may act in, with the facts that decided it. */
export interface Authorized {
  readonly organization: Organization
  readonly registry: Registry.Active
  /** The registry's id: its stream is `Registry.streamIdOf(registryId)`. */
  readonly registryId: string
  readonly version: number
  readonly actor: Actor
}

/** Loads a registry and checks the actor may perform `action` in it. */
export const authorizedRegistry = (organization: Organization, registry: string, actorName: string, action: Action) =>
  Effect.gen(function* () {
    const loaded = yield* loadRegistry(organization.name, registry)
    const actor = yield* actorFacts(actorName, organization, loaded.state)
    const active = yield* Registry.authorize(loaded.state, actor, action, {
      organization: organization.name,
      registry
    })
    return {
      organization,
      registry: active,
      registryId: loaded.id,
      version: loaded.version,
      actor
    } satisfies Authorized
  })

/**
 * As {@link authorizedRegistry}, for a registry found by id (by an as-of read that knew it under an older name);
 * access is checked against the registry as it stands now.
 */
export const authorizedRegistryById = (
  organization: Organization,
  registryId: string,
  actorName: string,
  action: Action
) =>
  Effect.gen(function* () {
    const loaded = yield* loadById(registryId)
    const actor = yield* actorFacts(actorName, organization, loaded.state)
    const names = {
      organization: organization.name,
      registry: loaded.state._tag === "Active" ? loaded.state.registry : registryId
    }
    const active = yield* Registry.authorize(loaded.state, actor, action, names)
    return { organization, registry: active, registryId, version: loaded.version, actor } satisfies Authorized
  })

/** A collection of an authorized registry. */
export const collectionOf = (authorized: Authorized, name: string) =>
  Option.match(Option.fromNullable(authorized.registry.collections.get(name)), {
    onNone: () => Effect.fail(new CollectionNotFound({ registry: authorized.registry.registry, collection: name })),
    onSome: Effect.succeed
  })

/** The context every collection command carries. */
export const collectionContext = (authorized: Authorized, info: Registry.CollectionInfo): Collection.Context => ({
  organization: authorized.organization.name,
  registry: authorized.registry.registry,
  collectionId: info.id,
  collection: info.name,
  artifactType: info.artifactType,
  acceptedTypes: authorized.registry.acceptedTypes,
  protectedAliases: authorized.registry.protectedAliases,
  actor: authorized.actor,
  role: effectiveRole(authorized.registry, authorized.actor)
})

/** A linked version found by path, with everything needed to change it. */
export interface LocatedVersion {
  readonly authorized: Authorized
  readonly info: Registry.CollectionInfo
  readonly collection: { readonly state: Collection.State; readonly version: number }
  readonly linked: Collection.LinkedVersion
}

/** Finds a linked version by registry path (index or alias; `latest` when none is given). */
export const locateVersion = (path: RegistryPath, actor: string, action: Action, defaults: PathDefaults) =>
  Effect.gen(function* () {
    const organization = yield* organizationOf(path, actor, defaults)
    const authorized = yield* authorizedRegistry(organization, path.registry, actor, action)
    const info = yield* collectionOf(authorized, path.collection)
    const selector: VersionSelector = Option.getOrElse(
      path.version,
      () => ({ _tag: "Alias", alias: "latest" }) as const
    )
    const summary = yield* loadCollection(info.id)
    const collection = yield* Option.match(Collection.indexOf(summary.state, selector), {
      onNone: () => Effect.succeed(summary),
      onSome: (index) => learnCollection(info.id, summary, { indexes: [index] })
    })
    const linked = yield* Option.match(Collection.findVersion(collection.state, selector), {
      onNone: () =>
        Effect.fail(
          new LinkedVersionNotFound({
            name: linkedVersionName(path.registry, path.collection, selector)
          })
        ),
      onSome: Effect.succeed
    })
    return { authorized, info, collection, linked } satisfies LocatedVersion
  })

/** The full name (`wandb-registry-R/C:vN`) of a located version. */
export const fullNameOf = (located: LocatedVersion) =>
  printFullName(located.authorized.registry.registry, located.info.name, located.linked.index)
