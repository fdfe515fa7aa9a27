/**
 * Finding things by path for a given actor: the organization a registry path means, the registry (visible to the
 * actor or reported missing), a collection in it, and a linked version by index or alias.
 */
import { Effect, Option } from "effect"
import type { Action, Actor } from "../Access.js"
import { effectiveRole } from "../Access.js"
import * as Collection from "../Collection.js"
import { CollectionNotFound, LinkedVersionNotFound, OrganizationRequired } from "../Errors.js"
import { load, loadCollection } from "../internal/Loader.js"
import { aggregate } from "../internal/Loader.js"
import { validateStorableName } from "../Names.js"
import {
  fullName as printFullName,
  linkedVersionName,
  printRegistryPath,
  type RegistryPath,
  type VersionSelector
} from "../Paths.js"
import * as Registry from "../Registry.js"
import { actorFacts, findOrganization, type Organization } from "./Context.js"

/** How to fold a registry stream. */
export const registrySpec = aggregate(Registry.Event, Registry.decider)

/** Loads a registry stream; a name no store can hold is refused before it reaches the store. */
export const loadRegistry = (organization: string, registry: string) =>
  Effect.flatMap(validateStorableName("registry", registry), () =>
    load(registrySpec, Registry.streamId(organization, registry))
  )

/** Settings the service needs to interpret paths. */
export interface PathDefaults {
  /** The organization of registry paths that name none (when the actor belongs to several). */
  readonly defaultOrganization: Option.Option<string>
  /** The organizations the actor belongs to, for paths that name none. */
  readonly organizationsOf: (actor: string) => Effect.Effect<ReadonlyArray<string>, unknown>
}

/** The organization a registry path means: its prefix, else the configured default, else the actor's only one. */
export const organizationOf = (path: RegistryPath, actor: string, defaults: PathDefaults, fallback?: string) =>
  Effect.gen(function* () {
    if (Option.isSome(path.org)) return yield* findOrganization(path.org.value)
    if (fallback !== undefined) return yield* findOrganization(fallback)
    if (Option.isSome(defaults.defaultOrganization)) return yield* findOrganization(defaults.defaultOrganization.value)
    const mine = yield* defaults.organizationsOf(actor).pipe(Effect.orElseSucceed(() => []))
    const [only, ...others] = mine
    if (only !== undefined && others.length === 0) return yield* findOrganization(only)
    return yield* Effect.fail(new OrganizationRequired({ path: printRegistryPath(path) }))
  })

/** A registry the actor may act in, with the facts that decided it. */
export interface Authorized {
  readonly organization: Organization
  readonly registry: Registry.Active
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
    return { organization, registry: active, version: loaded.version, actor } satisfies Authorized
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
    const collection = yield* loadCollection(info.id)
    const selector: VersionSelector = Option.getOrElse(
      path.version,
      () => ({ _tag: "Alias", alias: "latest" }) as const
    )
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
