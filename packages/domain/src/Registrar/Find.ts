/**
 * The filter-language reads (docs/search.md): `registries`, `collections` and `versions` of an organization, each
 * with a W&B filter, an order, a page size and a cursor, live or as of a past point. The registries in scope are
 * those the actor can see at that point; a versions query is scoped by a registry filter, a collection filter and a
 * version filter at once, as W&B's chained `registries(f1).collections(f2).versions(f3)`.
 */
import { Effect, type Either } from "effect"
import type { Filter, Level, Order, Position } from "../Filter/Ast.js"
import { everything } from "../Filter/Ast.js"
import { parseFilter } from "../Filter/Parse.js"
import { decodeCursor, parseOrder, parsePageSize } from "../Filter/Paging.js"
import type { JsonObject } from "../EventStore.js"
import { searchPage } from "../internal/Search.js"
import {
  type ArtifactVersionRow,
  type CollectionRow,
  Key,
  type LinkedVersionRow,
  readRow,
  type RegistryRow
} from "../internal/ReadModelSchema.js"
import { registryProjectName } from "../Names.js"
import { collectionPath, fullName } from "../Paths.js"
import * as Projector from "../Projector.js"
import { ReadModelStore } from "../ReadModelStore.js"
import * as ReadModels from "../ReadModels.js"
import type { Dependencies } from "./Artifacts.js"
import { organizationNamed } from "./Locate.js"
import type { AsOf, ReadRequest } from "./Reads.js"

/** A filter as JSON text or as a parsed JSON object. */
export type FilterInput = string | Readonly<Record<string, unknown>>

/** Input of {@link registries}. */
export interface FindRegistries extends ReadRequest {
  /** Entity or display name; default: the configured or the actor's only organization. */
  readonly organization?: string
  readonly filter?: FilterInput
  /** `name`, `+name`, `-created_at`, … (default `name`). */
  readonly order?: string
  /** 1 to 1000 (default 100). */
  readonly pageSize?: number
  /** The `nextCursor` of the previous page. */
  readonly cursor?: string
}

/** Input of {@link collections}: the registries to look in, and the collections' own filter. */
export interface FindCollections extends FindRegistries {
  readonly registryFilter?: FilterInput
}

/** Input of {@link versions}: the registries and collections to look in, and the versions' own filter. */
export interface FindVersions extends FindCollections {
  readonly collectionFilter?: FilterInput
}

/** A page of results and the cursor of the next page (null on the last page). */
export interface FoundPage<A> {
  readonly organization: string
  readonly items: ReadonlyArray<A>
  readonly nextCursor: string | null
}

/** A registry a filter found. */
export interface FoundRegistry {
  readonly id: string
  readonly name: string
  /** `wandb-registry-NAME`, the name filters compare with. */
  readonly path: string
  readonly description: string
  readonly visibility: RegistryRow["visibility"]
  readonly createdAt: string
  readonly createdBy: string
  readonly updatedAt: string
}

/** A collection a filter found. */
export interface FoundCollection {
  readonly id: string
  readonly registry: string
  readonly name: string
  /** `wandb-registry-R/C`. */
  readonly path: string
  readonly type: string
  readonly description: string
  readonly tags: ReadonlyArray<string>
  readonly createdAt: string
  readonly createdBy: string
  readonly updatedAt: string
}

/** A linked version a filter found. */
export interface FoundVersion {
  readonly id: string
  readonly registry: string
  readonly collection: string
  readonly collectionId: string
  /** `wandb-registry-R/C:vN`. */
  readonly path: string
  readonly version: number
  readonly aliases: ReadonlyArray<string>
  readonly tags: ReadonlyArray<string>
  readonly metadata: JsonObject
  readonly description: string
  /** `entity/project/name:vN`. */
  readonly source: string
  readonly type: string
  readonly digest: string
  readonly createdAt: string
  readonly createdBy: string
  readonly updatedAt: string
}

const fromEither = <A, E>(either: Either.Either<A, E>): Effect.Effect<A, E> => either

const filterOf = (level: Level, input: FilterInput | undefined) =>
  input === undefined ? Effect.succeed(everything) : fromEither(parseFilter(level, input))

/** The parsed and checked shape of a query, before anything is read. */
const shapeOf = (level: Level, input: FindVersions) =>
  Effect.gen(function* () {
    const order: Order = yield* fromEither(parseOrder(level, input.order))
    const pageSize = yield* fromEither(parsePageSize(input.pageSize))
    const after: Position | undefined = yield* fromEither(decodeCursor(level, order, input.cursor))
    const filter: Filter = yield* filterOf(level, input.filter)
    const registries: Filter = level === "registries" ? everything : yield* filterOf("registries", input.registryFilter)
    const collections: Filter =
      level === "versions" ? yield* filterOf("collections", input.collectionFilter) : everything
    return { order, pageSize, after, filter, registries, collections }
  })

const at = <A, E, R>(asOf: AsOf | undefined, query: Effect.Effect<A, E, R>) =>
  asOf === undefined
    ? query
    : Effect.flatMap(Projector.asOf(asOf), (store) => Effect.provideService(query, ReadModelStore, store))

const find = (deps: Dependencies, level: Level, input: FindVersions) =>
  Effect.gen(function* () {
    const shape = yield* shapeOf(level, input)
    const organization = yield* organizationNamed(input.organization, input.actor, deps.defaults)
    return yield* at(
      input.asOf,
      Effect.gen(function* () {
        const visible = yield* ReadModels.listRegistries(organization.name, input.actor)
        const registryIds = visible.map((view) => view.registryId ?? Key.registry(view.organization, view.registry))
        const { after, ...rest } = shape
        const found = yield* searchPage({
          level,
          organization: organization.name,
          registryIds,
          ...rest,
          ...(after === undefined ? {} : { after })
        })
        return { organization: organization.name, ...found }
      })
    )
  })

/** The registries of an organization the actor can see that match a filter: one page, ordered. */
export const registries = (deps: Dependencies, input: FindRegistries) =>
  Effect.map(
    find(deps, "registries", input),
    ({ organization, hits, nextCursor }): FoundPage<FoundRegistry> => ({
      organization,
      nextCursor,
      items: hits.map(({ row }) => {
        const registry = readRow<RegistryRow>(row)
        return {
          id: registry.registryId ?? Key.registry(registry.organization, registry.registry),
          name: registry.registry,
          path: registryProjectName(registry.registry),
          description: registry.description,
          visibility: registry.visibility,
          createdAt: registry.createdAt,
          createdBy: registry.createdBy,
          updatedAt: registry.createdAt
        }
      })
    })
  )

/** The collections (in registries the actor can see, matching the registry filter) that match a filter. */
export const collections = (deps: Dependencies, input: FindCollections) =>
  Effect.map(
    find(deps, "collections", input),
    ({ organization, hits, nextCursor }): FoundPage<FoundCollection> => ({
      organization,
      nextCursor,
      items: hits.map(({ row }) => {
        const collection = readRow<CollectionRow>(row)
        return {
          id: collection.collectionId,
          registry: collection.registry,
          name: collection.name,
          path: collectionPath(collection.registry, collection.name),
          type: collection.artifactType,
          description: collection.description,
          tags: collection.tags,
          createdAt: collection.createdAt,
          createdBy: collection.createdBy,
          updatedAt: collection.createdAt
        }
      })
    })
  )

/** The linked versions (in the registries and collections the first two filters select) that match a filter. */
export const versions = (deps: Dependencies, input: FindVersions) =>
  Effect.map(
    find(deps, "versions", input),
    ({ organization, hits, nextCursor }): FoundPage<FoundVersion> => ({
      organization,
      nextCursor,
      items: hits.map((hit) => {
        const link = readRow<LinkedVersionRow>(hit.row)
        const collection = hit.collection === undefined ? undefined : readRow<CollectionRow>(hit.collection)
        const source =
          hit.source === undefined || hit.source === null ? undefined : readRow<ArtifactVersionRow>(hit.source)
        const name = collection?.name ?? ""
        return {
          id: Key.linkedVersion(link.collectionId, link.index),
          registry: link.registry,
          collection: name,
          collectionId: link.collectionId,
          path: fullName(link.registry, name, link.index),
          version: link.index,
          aliases: hit.aliases ?? [],
          tags: source?.tags ?? [],
          metadata: source?.metadata ?? {},
          description: source?.description ?? "",
          source: link.sourceKey,
          type: link.artifactType,
          digest: link.digest,
          createdAt: link.linkedAt,
          createdBy: link.linkedBy,
          updatedAt: link.linkedAt
        }
      })
    })
  )
