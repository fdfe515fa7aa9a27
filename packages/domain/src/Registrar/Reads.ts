/**
 * Application reads. Each answers from the read models — the live ones, or ones folded as of a past time or global
 * position — and applies the access policy with the facts of that same point: a registry the actor cannot see
 * answers exactly as one that does not exist, and lists, searches and the history leave it out.
 */
import { Effect, Option } from "effect"
import { atLeast } from "../Access.js"
import {
  ArtifactVersionDeleted,
  CollectionNotFound,
  InsufficientRole,
  LinkedVersionNotFound,
  RegistryNotFound
} from "../Errors.js"
import {
  registryNameOf,
  registryProjectName,
  validateArtifactName,
  validateCollectionName,
  validateEntityName,
  validateProjectName,
  validateStorableName
} from "../Names.js"
import {
  collectionPath,
  fullName,
  linkedVersionName,
  parseAnyRef,
  parseRegistryPath,
  qualifiedName,
  type RegistryPath,
  type VersionSelector
} from "../Paths.js"
import type { Checkpoint } from "../EventStore.js"
import type { CollectionRow } from "../Projections.js"
import * as Projector from "../Projector.js"
import { ReadModelStore } from "../ReadModelStore.js"
import * as ReadModels from "../ReadModels.js"
import { type Dependencies, resolveSource } from "./Artifacts.js"
import type { Request } from "./Context.js"
import { organizationNamed, organizationOf } from "./Locate.js"

/** A past point to answer as of: a global position (inclusive) or an ISO time (inclusive). */
export type AsOf = { readonly position: number } | { readonly time: string }

/** Options every read accepts. */
export interface ReadRequest extends Request {
  /** Answer as the registry stood then, with the access that held then. */
  readonly asOf?: AsOf
}

/** Runs a read-model query against the live read models, or against ones folded as of a past point. */
const at = <A, E, R>(asOf: AsOf | undefined, query: Effect.Effect<A, E, R>) =>
  asOf === undefined
    ? query
    : Effect.flatMap(Projector.asOf(asOf), (store) => Effect.provideService(query, ReadModelStore, store))

/**
 * A registry the actor can see in the store the query runs on; one they cannot see is reported missing. A name no
 * store can hold is refused before it reaches the store.
 */
const visibleRegistry = (organization: string, registry: string, actor: string) =>
  Effect.flatMap(
    Effect.zipRight(validateStorableName("registry", registry), ReadModels.findRegistry(organization, registry, actor)),
    Option.match({
      onNone: () => Effect.fail(new RegistryNotFound({ organization, registry })),
      onSome: Effect.succeed
    })
  )

/** A linked version by registry path (`latest` when it names none), in a registry the actor can see. */
const linkedVersion = (organization: string, path: RegistryPath, actor: string, forUse = false) =>
  Effect.gen(function* () {
    const selector: VersionSelector = Option.getOrElse(
      path.version,
      () => ({ _tag: "Alias", alias: "latest" }) as const
    )
    // The version is looked up while the registry's visibility is checked; a registry the actor cannot see fails
    // first (RegistryNotFound), whatever the lookup found, so nothing of it is told.
    const [registry, found] = yield* Effect.all(
      [
        visibleRegistry(organization, path.registry, actor),
        ReadModels.resolveLinked(organization, path.registry, path.collection, selector)
      ],
      { concurrency: 2 }
    )
    if (forUse) {
      // Using (downloading) needs viewer or higher: a restricted viewer sees the version but does not get its files.
      const role = yield* ReadModels.reader(actor).roleIn(organization, registry)
      if (!atLeast(role, "viewer")) {
        return yield* Effect.fail(
          new InsufficientRole({
            actor,
            registry: path.registry,
            action: "use",
            required: "viewer",
            actual: Option.getOrNull(role)
          })
        )
      }
    }
    return yield* Option.match(found, {
      onNone: () =>
        Effect.fail(
          new LinkedVersionNotFound({
            name: linkedVersionName(path.registry, path.collection, selector)
          })
        ),
      onSome: Effect.succeed
    })
  })

/** Input of {@link resolve}. */
export interface Resolve extends ReadRequest {
  /** `[ORG/]wandb-registry-R/C[:vN|:alias]` (without a version: `latest`). */
  readonly name: string
  /** Resolve in order to use (download) it: refused with `InsufficientRole` below viewer (restricted viewers). */
  readonly forUse?: boolean
}

/** Resolves a linked version's full or qualified name to the linked version, its source and its files. */
export const resolve = (deps: Dependencies, input: Resolve) =>
  Effect.gen(function* () {
    const path = yield* parseRegistryPath(input.name)
    const organization = yield* organizationOf(path, input.actor, deps.defaults)
    const { collection, version, sourceVersion } = yield* at(
      input.asOf,
      linkedVersion(organization.name, path, input.actor, input.forUse === true)
    )
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
      tags: sourceVersion.tags ?? [],
      files: sourceVersion.files
    }
  })

/** Input of {@link listVersions}. */
export interface ListVersions extends ReadRequest {
  /** `[ORG/]wandb-registry-R/C`. */
  readonly collection: string
  /** Only one keyset page of the versions (by index). */
  readonly page?: ReadModels.VersionPage
}

/**
 * A collection the actor can see, named by `[ORG/]wandb-registry-R/C`, then `read` of it, both at `asOf`: the
 * organization, the registry, the collection's row and its path with what `read` answers.
 */
const inCollection = <A, E>(
  deps: Dependencies,
  input: ReadRequest & { readonly collection: string },
  read: (collection: CollectionRow) => Effect.Effect<A, E, ReadModelStore>
) =>
  Effect.gen(function* () {
    const path = yield* parseRegistryPath(input.collection)
    const organization = yield* organizationOf(path, input.actor, deps.defaults)
    return yield* at(
      input.asOf,
      Effect.gen(function* () {
        const registry = yield* visibleRegistry(organization.name, path.registry, input.actor)
        const found = yield* ReadModels.findCollection(organization.name, path.registry, path.collection)
        if (Option.isNone(found)) {
          return yield* Effect.fail(new CollectionNotFound({ registry: path.registry, collection: path.collection }))
        }
        return {
          organization: organization.name,
          registry: registry.registry,
          path: collectionPath(path.registry, found.value.name),
          collection: found.value,
          read: yield* read(found.value)
        }
      })
    )
  })

/** Every linked version of a collection with aliases, source, and when and by whom it was linked. */
export const listVersions = (deps: Dependencies, input: ListVersions) =>
  Effect.map(
    inCollection(deps, input, (collection) => ReadModels.listVersions(collection.collectionId, input.page)),
    ({ read, ...found }) => ({ ...found, versions: read.versions, latest: Option.getOrNull(read.latest) })
  )

/** Input of {@link showCollection}. */
export interface ShowCollection extends ReadRequest {
  /** `[ORG/]wandb-registry-R/C`. */
  readonly collection: string
}

/** A collection the actor can see with its version count, counted without reading the versions. */
export const showCollection = (deps: Dependencies, input: ShowCollection) =>
  Effect.map(inCollection(deps, input, ReadModels.collectionSummary), ({ read, ...found }) => ({
    ...found,
    collection: read
  }))

/** Input of {@link listRegistries}. */
export interface ListRegistries extends ReadRequest {
  /** Entity or display name; default: the configured or the actor's only organization. */
  readonly organization?: string
  /** Only one keyset page of the registries (by name). */
  readonly page?: ReadModels.NamePage
}

const organizationFor = (deps: Dependencies, actor: string, name: string | undefined) =>
  organizationNamed(name, actor, deps.defaults)

/** The registries of an organization that the actor can see. */
export const listRegistries = (deps: Dependencies, input: ListRegistries) =>
  Effect.gen(function* () {
    const organization = yield* organizationFor(deps, input.actor, input.organization)
    const registries = yield* at(input.asOf, ReadModels.listRegistries(organization.name, input.actor, input.page))
    return { organization: organization.name, registries }
  })

/** Input of {@link showRegistry}. */
export interface ShowRegistry extends ReadRequest {
  readonly organization?: string
  /** The registry name, with or without the `wandb-registry-` prefix. */
  readonly registry: string
  /** Only one keyset page of the collections (by name). */
  readonly page?: ReadModels.NamePage
}

/** A registry the actor can see: settings, grants and collections. */
export const showRegistry = (deps: Dependencies, input: ShowRegistry) =>
  Effect.gen(function* () {
    const organization = yield* organizationFor(deps, input.actor, input.organization)
    const name = registryNameOf(input.registry)
    return yield* at(
      input.asOf,
      Effect.gen(function* () {
        const registry = yield* visibleRegistry(organization.name, name, input.actor)
        const collections = yield* ReadModels.listCollections(organization.name, name, input.page)
        return { registry, collections, path: registryProjectName(name) }
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

/** Input of {@link listArtifacts}. */
export interface ListArtifacts extends ReadRequest {
  readonly entity: string
}

/** The artifacts of an entity (a team's or a user's projects): project, name, type, version count, `latest`. */
export const listArtifacts = (input: ListArtifacts) =>
  Effect.gen(function* () {
    yield* validateEntityName(input.entity)
    return yield* at(input.asOf, ReadModels.listArtifacts(input.entity))
  })

/** Input of {@link lineage}. */
export interface Lineage extends ReadRequest {
  /** A source version or a linked version's registry path. */
  readonly reference: string
  /** How many edges away to go (default 4). */
  readonly depth?: number
}

/**
 * The runs and versions around a version: what produced it, what used it, and so on. A linked version is looked up
 * (as of `asOf`) in a registry the actor can see; source versions and runs are not access controlled.
 */
export const lineage = (deps: Dependencies, input: Lineage) =>
  Effect.gen(function* () {
    const parsed = yield* parseAnyRef(input.reference)
    let root: string
    if (parsed._tag === "Registry") {
      const organization = yield* organizationOf(parsed.path, input.actor, deps.defaults)
      const { version, sourceVersion } = yield* at(
        input.asOf,
        linkedVersion(organization.name, parsed.path, input.actor)
      )
      if (sourceVersion.deleted) return yield* Effect.fail(new ArtifactVersionDeleted({ reference: version.sourceKey }))
      root = version.sourceKey
    } else {
      root = (yield* resolveSource(deps, input.reference, input.actor)).reference
    }
    const graph = yield* at(input.asOf, ReadModels.lineage(root, { depth: input.depth ?? 4 }))
    return { root, ...graph }
  })

/** Input of {@link sourceLinks}. */
export interface SourceLinks extends ReadRequest {
  /** A source version (`entity/project/name:vN|alias`) or a linked version's registry path. */
  readonly reference: string
}

/**
 * Where a source version is linked: every linked version of it in the registries the actor can see (as of
 * `asOf`), with its collection's current name and its aliases. A registry path names its source first.
 */
export const sourceLinks = (deps: Dependencies, input: SourceLinks) =>
  Effect.gen(function* () {
    const source = yield* resolveSource(deps, input.reference, input.actor)
    const links = yield* at(input.asOf, ReadModels.linksOfSource(source.reference, input.actor))
    return { reference: source.reference, links }
  })

/** Input of {@link history}. */
export interface History extends ReadRequest {
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
  /** One keyset page in feed order instead of the `limit` most recent rows: after the given feed position. */
  readonly page?: { readonly after?: Checkpoint; readonly limit: number }
}

/**
 * The audit log: every event with actor, time, position and hash, filtered; as of a past point, the events up to
 * it. The events of registries the actor cannot see are left out (a deleted registry's, but for organization
 * admins); naming such a registry answers as if it did not exist.
 */
export const history = (deps: Dependencies, input: History) =>
  Effect.gen(function* () {
    if (input.by !== undefined) yield* validateEntityName(input.by)
    const organization =
      input.organization === undefined && input.registry === undefined
        ? undefined
        : yield* organizationFor(deps, input.actor, input.organization)
    const registry =
      input.registry === undefined ? undefined : yield* validateStorableName("registry", registryNameOf(input.registry))
    return yield* at(
      input.asOf,
      Effect.gen(function* () {
        let collectionId: string | undefined
        if (registry !== undefined && organization !== undefined) {
          const seen = yield* ReadModels.reader(input.actor).seesHistoryOf(organization.name, registry)
          if (!seen) return yield* Effect.fail(new RegistryNotFound({ organization: organization.name, registry }))
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
          ...(input.limit === undefined ? {} : { limit: input.limit }),
          ...(input.page === undefined ? {} : { pageSize: input.page.limit }),
          ...(input.page?.after === undefined ? {} : { after: input.page.after }),
          reader: input.actor
        })
      })
    )
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
    return yield* at(input.asOf, ReadModels.searchCatalog(organization.name, input.text, input.actor))
  })
