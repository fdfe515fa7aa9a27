/**
 * Application reads: each checks the actor's access against the registry as it stands now, then answers from the
 * read models — the live ones, or ones folded as of a past time or global position.
 */
import { Effect, Option } from "effect"
import { canSee } from "../Access.js"
import { CollectionNotFound, LinkedVersionNotFound, RegistryNotFound } from "../Errors.js"
import {
  registryNameOf,
  registryProjectName,
  validateArtifactName,
  validateCollectionName,
  validateEntityName,
  validateProjectName
} from "../Names.js"
import {
  collectionPath,
  fullName,
  linkedVersionName,
  parseRegistryPath,
  qualifiedName,
  type VersionSelector
} from "../Paths.js"
import * as Projector from "../Projector.js"
import { ReadModelStore } from "../ReadModelStore.js"
import * as ReadModels from "../ReadModels.js"
import { type Dependencies, resolveSource } from "./Artifacts.js"
import { actorFacts, type Organization, type Request } from "./Context.js"
import {
  authorizedRegistry,
  authorizedRegistryById,
  loadRegistry,
  organizationNamed,
  organizationOf
} from "./Locate.js"

/** A past point to answer as of: a global position (inclusive) or an ISO time (inclusive). */
export type AsOf = { readonly position: number } | { readonly time: string }

/** Options every read accepts. */
export interface ReadRequest extends Request {
  /** Answer as the registry stood then. */
  readonly asOf?: AsOf
}

/** Runs a read-model query against the live read models, or against ones folded as of a past point. */
const at = <A, E, R>(asOf: AsOf | undefined, query: Effect.Effect<A, E, R>) =>
  asOf === undefined
    ? query
    : Effect.flatMap(Projector.asOf(asOf), (store) => Effect.provideService(query, ReadModelStore, store))

/**
 * The registry a read names, checked against the registry as it stands now. An as-of read may name it as it was
 * called then: a registry not found under that name now is looked up by name in the as-of read models, then by id.
 */
const authorizedAt = (asOf: AsOf | undefined, organization: Organization, registry: string, actor: string) =>
  asOf === undefined
    ? authorizedRegistry(organization, registry, actor, "see")
    : Effect.catchTag(authorizedRegistry(organization, registry, actor, "see"), "RegistryNotFound", (notFound) =>
        Effect.gen(function* () {
          const then = yield* Projector.asOf(asOf)
          const row = yield* Effect.provideService(
            ReadModels.findRegistry(organization.name, registry),
            ReadModelStore,
            then
          )
          if (Option.isNone(row) || row.value.registryId === undefined) return yield* Effect.fail(notFound)
          return yield* authorizedRegistryById(organization, row.value.registryId, actor, "see")
        })
      )

/** Input of {@link resolve}. */
export interface Resolve extends ReadRequest {
  /** `[ORG/]wandb-registry-R/C[:vN|:alias]` (without a version: `latest`). */
  readonly name: string
}

/** Resolves a linked version's full or qualified name to the linked version, its source and its files. */
export const resolve = (deps: Dependencies, input: Resolve) =>
  Effect.gen(function* () {
    const path = yield* parseRegistryPath(input.name)
    const organization = yield* organizationOf(path, input.actor, deps.defaults)
    yield* authorizedAt(input.asOf, organization, path.registry, input.actor)
    const selector: VersionSelector = Option.getOrElse(
      path.version,
      () => ({ _tag: "Alias", alias: "latest" }) as const
    )
    const found = yield* at(
      input.asOf,
      ReadModels.resolveLinked(organization.name, path.registry, path.collection, selector)
    )
    const resolved = yield* Option.match(found, {
      onNone: () =>
        Effect.fail(
          new LinkedVersionNotFound({
            name: linkedVersionName(path.registry, path.collection, selector)
          })
        ),
      onSome: Effect.succeed
    })
    const { collection, version, sourceVersion } = resolved
    return {
      fullName: fullName(path.registry, collection.name, version.index),
      qualifiedName: qualifiedName(organization.name, path.registry, collection.name, version.index),
      organization: organization.name,
      registry: path.registry,
      collection: collection.name,
      collectionId: collection.collectionId,
      version: version.index,
      aliases: version.aliases,
      source: version.sourceKey,
      artifactType: version.artifactType,
      digest: version.digest,
      linkedAt: version.linkedAt,
      linkedBy: version.linkedBy,
      description: sourceVersion.description,
      metadata: sourceVersion.metadata,
      files: sourceVersion.files
    }
  })

/** Input of {@link listVersions}. */
export interface ListVersions extends ReadRequest {
  /** `[ORG/]wandb-registry-R/C`. */
  readonly collection: string
}

/** Every linked version of a collection with aliases, source, and when and by whom it was linked. */
export const listVersions = (deps: Dependencies, input: ListVersions) =>
  Effect.gen(function* () {
    const path = yield* parseRegistryPath(input.collection)
    const organization = yield* organizationOf(path, input.actor, deps.defaults)
    const authorized = yield* authorizedAt(input.asOf, organization, path.registry, input.actor)
    return yield* at(
      input.asOf,
      Effect.gen(function* () {
        const found = yield* ReadModels.findCollection(organization.name, path.registry, path.collection)
        if (Option.isNone(found)) {
          return yield* Effect.fail(new CollectionNotFound({ registry: path.registry, collection: path.collection }))
        }
        const versions = yield* ReadModels.listVersions(found.value.collectionId)
        return {
          organization: organization.name,
          registry: authorized.registry.registry,
          collection: found.value,
          path: collectionPath(path.registry, found.value.name),
          versions: versions.versions,
          latest: Option.getOrNull(versions.latest)
        }
      })
    )
  })

/** Input of {@link listRegistries}. */
export interface ListRegistries extends ReadRequest {
  /** Entity or display name; default: the configured or the actor's only organization. */
  readonly organization?: string
}

const organizationFor = (deps: Dependencies, actor: string, name: string | undefined) =>
  organizationNamed(name, actor, deps.defaults)

/** The registries of an organization that the actor can see. */
export const listRegistries = (deps: Dependencies, input: ListRegistries) =>
  Effect.gen(function* () {
    const organization = yield* organizationFor(deps, input.actor, input.organization)
    const registries = yield* at(input.asOf, ReadModels.listRegistries(organization.name))
    const visible = []
    for (const registry of registries) {
      const loaded = yield* loadRegistry(organization.name, registry.registry)
      const actor = yield* actorFacts(input.actor, organization, loaded.state)
      if (loaded.state._tag === "Active" ? canSee(loaded.state, actor) : canSee(registry, actor)) visible.push(registry)
    }
    return { organization: organization.name, registries: visible }
  })

/** Input of {@link showRegistry}. */
export interface ShowRegistry extends ReadRequest {
  readonly organization?: string
  /** The registry name, with or without the `wandb-registry-` prefix. */
  readonly registry: string
}

/** A registry the actor can see: settings, grants and collections. */
export const showRegistry = (deps: Dependencies, input: ShowRegistry) =>
  Effect.gen(function* () {
    const organization = yield* organizationFor(deps, input.actor, input.organization)
    const name = registryNameOf(input.registry)
    yield* authorizedAt(input.asOf, organization, name, input.actor)
    return yield* at(
      input.asOf,
      Effect.gen(function* () {
        const registry = yield* ReadModels.findRegistry(organization.name, name)
        if (Option.isNone(registry)) {
          return yield* Effect.fail(new RegistryNotFound({ organization: organization.name, registry: name }))
        }
        const collections = yield* ReadModels.listCollections(organization.name, name)
        return { registry: registry.value, collections, path: registryProjectName(name) }
      })
    )
  })

/** The collections of a registry the actor can see, with version counts. */
export const listCollections = (deps: Dependencies, input: ShowRegistry) =>
  Effect.map(showRegistry(deps, input), (shown) => shown.collections)

/** Input of {@link listArtifactVersions}. */
export interface ListArtifactVersions extends ReadRequest {
  readonly entity: string
  readonly project: string
  readonly name: string
}

/** The versions of a source artifact with their aliases. */
export const listArtifactVersions = (input: ListArtifactVersions) =>
  Effect.gen(function* () {
    yield* validateEntityName(input.entity)
    yield* validateProjectName(input.project)
    yield* validateArtifactName(input.name)
    return yield* at(input.asOf, ReadModels.listArtifactVersions(input.entity, input.project, input.name))
  })

/** Input of {@link lineage}. */
export interface Lineage extends ReadRequest {
  /** A source version or a linked version's registry path. */
  readonly reference: string
  /** How many edges away to go (default 4). */
  readonly depth?: number
}

/** The runs and versions around a version: what produced it, what used it, and so on. */
export const lineage = (deps: Dependencies, input: Lineage) =>
  Effect.gen(function* () {
    const source = yield* resolveSource(deps, input.reference, input.actor)
    const graph = yield* at(input.asOf, ReadModels.lineage(source.reference, { depth: input.depth ?? 4 }))
    return { root: source.reference, ...graph }
  })

/** Input of {@link history}. */
export interface History extends Request {
  readonly organization?: string
  /** Registry name (with or without prefix); needs access to it. */
  readonly registry?: string
  /** Collection name inside `registry`. */
  readonly collection?: string
  /** Only events by this user. */
  readonly by?: string
  readonly since?: string
  readonly until?: string
  readonly limit?: number
}

/** The audit log: every event with actor, time, position and hash, filtered. */
export const history = (deps: Dependencies, input: History) =>
  Effect.gen(function* () {
    if (input.by !== undefined) yield* validateEntityName(input.by)
    const organization =
      input.organization === undefined && input.registry === undefined
        ? undefined
        : yield* organizationFor(deps, input.actor, input.organization)
    let collectionId: string | undefined
    const registry = input.registry === undefined ? undefined : registryNameOf(input.registry)
    if (registry !== undefined && organization !== undefined) {
      yield* authorizedRegistry(organization, registry, input.actor, "see")
      if (input.collection !== undefined) {
        yield* validateCollectionName(input.collection)
        const found = yield* ReadModels.findCollection(organization.name, registry, input.collection)
        collectionId = Option.match(found, { onNone: () => "(none)", onSome: (row) => row.collectionId })
      }
    }
    return yield* ReadModels.history({
      ...(organization === undefined ? {} : { organization: organization.name }),
      ...(registry === undefined ? {} : { registry }),
      ...(collectionId === undefined ? {} : { collectionId }),
      ...(input.by === undefined ? {} : { actor: input.by }),
      ...(input.since === undefined ? {} : { since: input.since }),
      ...(input.until === undefined ? {} : { until: input.until }),
      ...(input.limit === undefined ? {} : { limit: input.limit })
    })
  })

/** Input of {@link search}. */
export interface Search extends ReadRequest {
  readonly organization?: string
  readonly text: string
}

/** Registries and collections whose name, description or tags contain the text (those the actor can see). */
export const search = (deps: Dependencies, input: Search) =>
  Effect.gen(function* () {
    const organization = yield* organizationFor(deps, input.actor, input.organization)
    const visible = new Set(
      (yield* listRegistries(deps, { ...input, organization: organization.name })).registries.map((r) => r.registry)
    )
    const entries = yield* at(input.asOf, ReadModels.searchCatalog(organization.name, input.text))
    return entries.filter((entry) => visible.has(entry.registry))
  })
