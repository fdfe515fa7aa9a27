/**
 * The filter language over the read models (docs/search.md): registries, collections and versions of one
 * organization, scoped to the registries a reader can see, filtered, ordered and paged. A store with a native
 * `search` answers itself (SQL); any other is searched here by the pure evaluator over its rows — the same answers.
 */
import { Effect, Option } from "effect"
import { everything, type Filter, type Level, type Order, type Position } from "../Filter/Ast.js"
import { type FilterRecord, matches, page, positionOf } from "../Filter/Evaluate.js"
import { registryPrefix } from "../Filter/Fields.js"
import { encodeCursor } from "../Filter/Paging.js"
import { ReadModelStore, type Row, type SearchHit, type SearchQuery } from "../ReadModelStore.js"
import { getAs, listAs, type Query } from "./ReadModelQueries.js"
import {
  type ArtifactVersionRow,
  type CollectionAliasRow,
  type CollectionRow,
  Key,
  type LinkedVersionRow,
  readRow,
  type RegistryRow,
  Table
} from "./ReadModelSchema.js"

// ---- the records the language sees -------------------------------------------------------------------------------

/** A registry as the filter language sees it. `updated_at` is its creation: no event records a later change to it. */
export const registryRecord = (row: RegistryRow): FilterRecord => ({
  id: row.registryId ?? Key.registry(row.organization, row.registry),
  name: `${registryPrefix}${row.registry}`,
  description: row.description,
  created_at: row.createdAt,
  updated_at: row.createdAt
})

/** A collection as the filter language sees it (`updated_at`: its creation, as for registries). */
export const collectionRecord = (row: CollectionRow): FilterRecord => ({
  id: row.collectionId,
  name: row.name,
  tag: row.tags,
  description: row.description,
  created_at: row.createdAt,
  updated_at: row.createdAt,
  type: row.artifactType
})

/** A linked version as the filter language sees it (`created_at` and `updated_at`: when it was linked). */
export const versionRecord = (
  row: LinkedVersionRow,
  aliases: ReadonlyArray<string>,
  source: ArtifactVersionRow | null
): FilterRecord => ({
  id: Key.linkedVersion(row.collectionId, row.index),
  version: row.index,
  tag: source?.tags ?? [],
  alias: aliases,
  ...(source === null ? {} : { metadata: source.metadata }),
  created_at: row.linkedAt,
  updated_at: row.linkedAt,
  type: row.artifactType,
  source: row.sourceKey
})

/** The record of a hit of a level. */
export const recordOf = (level: Level, hit: SearchHit): FilterRecord => {
  switch (level) {
    case "registries":
      return registryRecord(readRow<RegistryRow>(hit.row))
    case "collections":
      return collectionRecord(readRow<CollectionRow>(hit.row))
    case "versions":
      return versionRecord(
        readRow<LinkedVersionRow>(hit.row),
        hit.aliases ?? [],
        hit.source === undefined || hit.source === null ? null : readRow<ArtifactVersionRow>(hit.source)
      )
  }
}

// ---- the evaluator's path ----------------------------------------------------------------------------------------

const registriesInScope = (query: SearchQuery): Query<ReadonlyArray<RegistryRow>> =>
  Effect.map(listAs<RegistryRow>(Table.registries, { organization: query.organization }), (rows) => {
    const ids = new Set(query.registryIds)
    return rows.filter((row) => ids.has(registryRecord(row).id))
  })

const collectionsOf = (registries: ReadonlyArray<RegistryRow>, filter: Filter): Query<ReadonlyArray<CollectionRow>> =>
  Effect.map(
    Effect.forEach(registries, (registry) =>
      listAs<CollectionRow>(Table.collections, { organization: registry.organization, registry: registry.registry })
    ),
    (lists) => lists.flat().filter((row) => matches(filter, collectionRecord(row)))
  )

const versionHitsOf = (collection: CollectionRow): Query<ReadonlyArray<SearchHit>> =>
  Effect.gen(function* () {
    const prefix = `${Key.collection(collection.collectionId)}/`
    const links = yield* listAs<LinkedVersionRow>(Table.linkedVersions, undefined, { prefix })
    const aliases = yield* listAs<CollectionAliasRow>(Table.collectionAliases, undefined, { prefix })
    const latest = links[links.length - 1]?.index
    return yield* Effect.forEach(links, (link) =>
      Effect.map(
        getAs<ArtifactVersionRow>(
          Table.artifactVersions,
          Key.artifactVersion(`${link.source.entity}/${link.source.project}/${link.source.name}`, link.source.index)
        ),
        (source): SearchHit => ({
          row: link as unknown as Row,
          collection: collection as unknown as Row,
          aliases: [
            ...(link.index === latest ? ["latest"] : []),
            ...aliases
              .filter((alias) => alias.linkedVersion === Key.linkedVersion(link.collectionId, link.index))
              .map((alias) => alias.alias)
          ],
          source: Option.getOrNull(source) as Row | null
        })
      )
    )
  })

/** Answers a search by reading the rows in scope and evaluating the filter on them (the memory store's path). */
export const evaluateSearch = (query: SearchQuery): Query<ReadonlyArray<SearchHit>> =>
  Effect.gen(function* () {
    const registries = yield* registriesInScope(query)
    const pageOf = (hits: ReadonlyArray<SearchHit>) => {
      const byId = new Map<string, SearchHit>()
      const records = hits.map((hit) => {
        const record = recordOf(query.level, hit)
        byId.set(record.id, hit)
        return record
      })
      return page(records, query.filter, query.order, query.limit, query.after).items.flatMap((record) => {
        const hit = byId.get(record.id)
        return hit === undefined ? [] : [hit]
      })
    }
    if (query.level === "registries") return pageOf(registries.map((row) => ({ row: row as unknown as Row })))
    const scoped = registries.filter((row) => matches(query.registries, registryRecord(row)))
    if (query.level === "collections") {
      const rows = yield* collectionsOf(scoped, everything)
      return pageOf(rows.map((row) => ({ row: row as unknown as Row })))
    }
    const collections = yield* collectionsOf(scoped, query.collections)
    const hits = yield* Effect.forEach(collections, versionHitsOf)
    return pageOf(hits.flat())
  })

// ---- one page ----------------------------------------------------------------------------------------------------

/** A page of a search: the hits, and the cursor of the next page (null on the last). */
export interface SearchPage {
  readonly hits: ReadonlyArray<SearchHit>
  readonly nextCursor: string | null
}

/** Runs a search on the store provided (natively when it can), one page of `pageSize` after `after`. */
export const searchPage = (
  query: Omit<SearchQuery, "limit"> & { readonly pageSize: number; readonly after?: Position; readonly order: Order }
): Query<SearchPage> =>
  Effect.gen(function* () {
    const store = yield* ReadModelStore
    const { pageSize, ...rest } = query
    const request: SearchQuery = { ...rest, limit: pageSize + 1 }
    const hits = store.search === undefined ? yield* evaluateSearch(request) : yield* store.search(request)
    const items = hits.slice(0, pageSize)
    const last = items[items.length - 1]
    const nextCursor =
      hits.length > pageSize && last !== undefined
        ? encodeCursor(query.level, query.order, positionOf(recordOf(query.level, last), query.order))
        : null
    return { hits: items, nextCursor }
  })
