/**
 * The read-model queries of docs/read-models.md over the ReadModelStore: organizations, registries, collections and their
 * linked versions, source artifact versions, lineage, audit history and catalog search. They answer from whatever
 * store is provided: the live one (call `Projector.catchUp` first to read your own writes) or an as-of one
 * (`Projector.asOf`). Without a reader they see every registry; given one (a username), the queries that list or
 * find registries answer only what the access policy lets that user see, from the facts of the same store (so an
 * as-of answer applies the access that held then). Queries by collection id leave the registry check to the caller.
 */
import { Array as Arr, Effect, Option } from "effect"
import type { Principal, RegistryRole } from "./Access.js"
import {
  type ArtifactVersionRow,
  type CollectionAliasRow,
  type CollectionRow,
  Key,
  type LinkedVersionRow,
  type OrganizationMemberRow,
  type OrganizationRow,
  type RegistryAcceptedTypeRow,
  type RegistryGrantRow,
  type RegistryRow,
  type SourceRow,
  Table
} from "./internal/ReadModelSchema.js"
import { type ArtifactVersionView, artifactVersionView } from "./internal/ArtifactQueries.js"
import { countOf, getAs, listAs, type Query, reader, registryAccess } from "./internal/ReadModelQueries.js"
import { registryProjectName } from "./Names.js"
import type { VersionSelector } from "./Paths.js"

export {
  type ArtifactSummary,
  type ArtifactVersions,
  type ArtifactVersionView,
  findArtifactVersion,
  listArtifacts,
  listArtifactVersions
} from "./internal/ArtifactQueries.js"
export {
  actorIn,
  type HistoryFilter,
  history,
  type LineageEdge,
  type LineageGraph,
  type LineageNode,
  lineage,
  type Query,
  type Reader,
  reader,
  registryAccess
} from "./internal/ReadModelQueries.js"

// ---- organizations and registries --------------------------------------------------------------------------------

/** An organization, found by entity name or display name. */
export const findOrganization = (nameOrDisplayName: string): Query<Option.Option<OrganizationRow>> =>
  getAs<OrganizationRow>(Table.organizations, Key.organization(nameOrDisplayName)).pipe(
    Effect.flatMap((found) =>
      Option.isSome(found)
        ? Effect.succeed(found)
        : Effect.map(listAs<OrganizationRow>(Table.organizations, { displayName: nameOrDisplayName }), Arr.head)
    )
  )

/** The organizations a user belongs to (entity names, sorted). */
export const organizationsOf = (user: string): Query<ReadonlyArray<string>> =>
  Effect.map(listAs<OrganizationMemberRow>(Table.organizationMembers, { user }), (members) =>
    members.map((member) => member.organization)
  )

/** A registry with its accepted types (empty: every type) and role grants. */
export interface RegistryView extends RegistryRow {
  readonly acceptedTypes: ReadonlyArray<string>
  readonly grants: ReadonlyArray<{ readonly principal: Principal; readonly role: RegistryRole }>
}

const registryView = (row: RegistryRow): Query<RegistryView> => {
  const registryKey = row.registryId ?? Key.registry(row.organization, row.registry)
  return Effect.all(
    {
      accepted: listAs<RegistryAcceptedTypeRow>(Table.registryAcceptedTypes, { registryKey }),
      grants: listAs<RegistryGrantRow>(Table.registryGrants, { registryKey })
    },
    { concurrency: 2 }
  ).pipe(
    Effect.map(({ accepted, grants }) => ({
      ...row,
      acceptedTypes: accepted.map((type) => type.artifactType),
      grants: grants.map(({ principal, role }) => ({ principal, role }))
    }))
  )
}

/** The registries of `views` that `user` can see (all of them without a user). */
const seenBy = (
  organization: string,
  user: string | undefined,
  views: ReadonlyArray<RegistryView>
): Query<ReadonlyArray<RegistryView>> => {
  if (user === undefined) return Effect.succeed(views)
  const who = reader(user)
  return Effect.filter(views, (view) => who.sees(organization, view))
}

/**
 * A registry of an organization (by entity name; registry name without the `wandb-registry-` prefix); none when it
 * does not exist or, given a reader, when that user cannot see it.
 */
export const findRegistry = (
  organization: string,
  registry: string,
  user?: string
): Query<Option.Option<RegistryView>> =>
  getAs<RegistryRow>(Table.registries, Key.registry(organization, registry)).pipe(
    // Rows are keyed by registry id: `organization/name` unless the registry was renamed or took a renamed one's name.
    Effect.flatMap((byKey) =>
      Option.exists(byKey, (row) => row.registry === registry)
        ? Effect.succeed(byKey)
        : Effect.map(listAs<RegistryRow>(Table.registries, { organization }), (rows) =>
            Arr.findFirst(rows, (row) => row.registry === registry)
          )
    ),
    Effect.flatMap(Effect.transposeMapOption(registryView)),
    Effect.flatMap((found) => Effect.map(seenBy(organization, user, Option.toArray(found)), (views) => Arr.head(views)))
  )

/**
 * A keyset page of a list ordered by name: at most `limit` items whose name sorts after `afterName` (code-unit
 * order). Names are unique in their list and never reused by another item while it exists, so paging while items
 * are added never repeats or skips one that existed throughout.
 */
export interface NamePage {
  readonly afterName?: string
  readonly limit: number
}

const byRegistryName = (a: RegistryRow, b: RegistryRow) =>
  a.registry < b.registry ? -1 : a.registry > b.registry ? 1 : 0

/**
 * The registries of an organization, by name (given a reader, those that user can see); given a page, only that
 * page (grants and accepted types are read for the rows it returns, and the ones it skips as unseen).
 */
export const listRegistries = (
  organization: string,
  user?: string,
  page?: NamePage
): Query<ReadonlyArray<RegistryView>> =>
  Effect.gen(function* () {
    // Keys are ids, which a rename does not change: sort by the current name.
    const rows = [...(yield* listAs<RegistryRow>(Table.registries, { organization }))].sort(byRegistryName)
    if (page === undefined) return yield* seenBy(organization, user, yield* Effect.forEach(rows, registryView))
    const { afterName } = page
    const found: Array<RegistryView> = []
    for (const row of rows) {
      if (found.length >= page.limit) break
      if (afterName !== undefined && !(row.registry > afterName)) continue
      found.push(...(yield* seenBy(organization, user, [yield* registryView(row)])))
    }
    return found
  })

// ---- collections and linked versions ----------------------------------------------------------------------------

/** A collection with the number of versions linked into it. */
export interface CollectionSummary extends CollectionRow {
  readonly versionCount: number
}

/** A collection of a registry, by name. */
export const findCollection = (
  organization: string,
  registry: string,
  name: string
): Query<Option.Option<CollectionRow>> =>
  Effect.map(listAs<CollectionRow>(Table.collections, { organization, registry, name }), Arr.head)

/** The keys of a collection's linked versions (and aliases) start with this. */
const collectionPrefix = (collectionId: string) => `${Key.collection(collectionId)}/`

const versionCount = (collectionId: string): Query<number> =>
  countOf(Table.linkedVersions, undefined, collectionPrefix(collectionId))

/** A collection with its version count (counted by the store, no version read). */
export const collectionSummary = (collection: CollectionRow): Query<CollectionSummary> =>
  Effect.map(versionCount(collection.collectionId), (count) => ({ ...collection, versionCount: count }))

const byName = (a: CollectionRow, b: CollectionRow) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)

/** The collections of a registry with their version counts, by name; given a page, only that page is counted. */
export const listCollections = (
  organization: string,
  registry: string,
  page?: NamePage
): Query<ReadonlyArray<CollectionSummary>> =>
  listAs<CollectionRow>(Table.collections, { organization, registry }).pipe(
    Effect.map((rows) => {
      const sorted = [...rows].sort(byName)
      if (page === undefined) return sorted
      const { afterName } = page
      return (afterName === undefined ? sorted : sorted.filter((row) => row.name > afterName)).slice(0, page.limit)
    }),
    Effect.flatMap(Effect.forEach(collectionSummary))
  )

/** A linked version with its aliases (`latest` first when it is the highest index) and its source's description and metadata. */
export interface LinkedVersionView extends Omit<LinkedVersionRow, "organization" | "registry"> {
  readonly aliases: ReadonlyArray<string>
  readonly description: string
  readonly metadata: ArtifactVersionRow["metadata"]
  /** The source version's tags (every link of it shows them). */
  readonly tags: ReadonlyArray<string>
}

/** Every version linked into a collection, by index, and the index `latest` points at. */
export interface CollectionVersions {
  readonly versions: ReadonlyArray<LinkedVersionView>
  readonly latest: Option.Option<number>
}

const artifactKeyOf = (source: SourceRow) => `${source.entity}/${source.project}/${source.name}`

const sourceOf = (source: SourceRow): Query<Option.Option<ArtifactVersionRow>> =>
  getAs<ArtifactVersionRow>(Table.artifactVersions, Key.artifactVersion(artifactKeyOf(source), source.index))

const linkedView = (
  link: LinkedVersionRow,
  aliases: ReadonlyArray<CollectionAliasRow>,
  latest: Option.Option<number>,
  source: Option.Option<ArtifactVersionRow>
): LinkedVersionView => ({
  collectionId: link.collectionId,
  index: link.index,
  source: link.source,
  sourceKey: link.sourceKey,
  artifactType: link.artifactType,
  digest: link.digest,
  linkedAt: link.linkedAt,
  linkedBy: link.linkedBy,
  aliases: [
    ...(Option.contains(latest, link.index) ? ["latest"] : []),
    ...aliases.filter((alias) => alias.index === link.index).map((alias) => alias.alias)
  ],
  description: Option.match(source, { onNone: () => "", onSome: (version) => version.description }),
  metadata: Option.match(source, { onNone: () => ({}), onSome: (version) => version.metadata }),
  tags: Option.match(source, { onNone: () => [], onSome: (version) => version.tags ?? [] })
})

const latestLinked = (collectionId: string): Query<Option.Option<number>> =>
  Effect.map(
    listAs<LinkedVersionRow>(Table.linkedVersions, undefined, {
      prefix: collectionPrefix(collectionId),
      descending: true,
      limit: 1
    }),
    (links) => Option.map(Arr.head(links), (link) => link.index)
  )

/**
 * A keyset page of linked versions: at most `limit` versions whose index is above `afterIndex`. Indexes only grow,
 * so paging while versions are linked never repeats or skips one.
 */
export interface VersionPage {
  /** In the page's order: above it ascending, below it descending. */
  readonly afterIndex?: number
  readonly limit: number
  /** Newest (highest index) first. */
  readonly descending?: boolean
}

/** Source versions {@link listVersions} reads at once. */
const SOURCE_READS = 8

/**
 * Every version linked into a collection (by id), with aliases and source metadata, and `latest`; given a page,
 * only the rows of that page are read (the store's key range), and `latest` by one more row.
 */
export const listVersions = (collectionId: string, page?: VersionPage): Query<CollectionVersions> =>
  Effect.gen(function* () {
    const [links, aliases, latestOfPage] = yield* Effect.all(
      [
        listAs<LinkedVersionRow>(Table.linkedVersions, undefined, {
          prefix: collectionPrefix(collectionId),
          ...(page === undefined ? {} : { limit: page.limit }),
          ...(page?.descending === true ? { descending: true } : {}),
          ...(page?.afterIndex === undefined ? {} : { after: Key.linkedVersion(collectionId, page.afterIndex) })
        }),
        listAs<CollectionAliasRow>(Table.collectionAliases, undefined, { prefix: collectionPrefix(collectionId) }),
        page === undefined ? Effect.succeed(undefined) : latestLinked(collectionId)
      ],
      { concurrency: 3 }
    )
    const latest = latestOfPage ?? Option.map(Arr.last(links), (link) => link.index)
    // One read per source version: several at once, or a page of them waits on a round trip each in turn.
    const versions = yield* Effect.forEach(
      links,
      (link) => Effect.map(sourceOf(link.source), (source) => linkedView(link, aliases, latest, source)),
      { concurrency: SOURCE_READS }
    )
    return { versions, latest }
  })

/** A linked version resolved by index or alias, with its collection and its source version. */
export interface ResolvedLinkedVersion {
  readonly collection: CollectionRow
  readonly version: LinkedVersionView
  readonly sourceVersion: ArtifactVersionView
}

const selectedIndex = (collectionId: string, selector: VersionSelector): Query<Option.Option<number>> => {
  if (selector._tag === "Index") return Effect.succeed(Option.some(selector.index))
  if (selector.alias === "latest") return latestLinked(collectionId)
  return Effect.map(
    getAs<CollectionAliasRow>(Table.collectionAliases, Key.collectionAlias(collectionId, selector.alias)),
    Option.map((alias) => alias.index)
  )
}

/** Resolves `wandb-registry-R/C:vN` or `:alias`; none when the collection, version or source version is missing. */
export const resolveLinked = (
  organization: string,
  registry: string,
  collection: string,
  selector: VersionSelector
): Query<Option.Option<ResolvedLinkedVersion>> =>
  Effect.gen(function* () {
    const found = yield* findCollection(organization, registry, collection)
    if (Option.isNone(found)) return Option.none()
    const { collectionId } = found.value
    const index = yield* selectedIndex(collectionId, selector)
    if (Option.isNone(index)) return Option.none()
    const key = Key.linkedVersion(collectionId, index.value)
    const link = yield* getAs<LinkedVersionRow>(Table.linkedVersions, key)
    if (Option.isNone(link)) return Option.none()
    // Independent lookups, at once: the source version (then its view), the link's aliases, the collection's latest.
    const [sourceVersion, aliases, latest] = yield* Effect.all(
      [
        Effect.flatMap(sourceOf(link.value.source), Effect.transposeMapOption(artifactVersionView)),
        listAs<CollectionAliasRow>(Table.collectionAliases, { linkedVersion: key }),
        latestLinked(collectionId)
      ],
      { concurrency: "unbounded" }
    )
    if (Option.isNone(sourceVersion)) return Option.none()
    const source: Option.Option<ArtifactVersionRow> = sourceVersion
    return Option.some({
      collection: found.value,
      version: linkedView(link.value, aliases, latest, source),
      sourceVersion: sourceVersion.value
    })
  })

/** A collection that a source version is linked into, and as which version. */
export interface SourceLink {
  readonly organization: string
  readonly registry: string
  readonly collection: string
  readonly collectionId: string
  readonly index: number
  readonly aliases: ReadonlyArray<string>
}

/** The collections a source version (`entity/project/name:vN`) is linked into (given a reader, those it can see). */
export const linksOfSource = (sourceKey: string, user?: string): Query<ReadonlyArray<SourceLink>> =>
  Effect.gen(function* () {
    const links = yield* listAs<LinkedVersionRow>(Table.linkedVersions, { sourceKey })
    const found: Array<SourceLink> = []
    const who = user === undefined ? undefined : reader(user)
    for (const link of links) {
      if (who !== undefined) {
        const access = yield* registryAccess(link.organization, link.registry)
        if (Option.isNone(access) || !(yield* who.sees(link.organization, access.value))) continue
      }
      const collection = yield* getAs<CollectionRow>(Table.collections, Key.collection(link.collectionId))
      if (Option.isNone(collection)) continue
      const key = Key.linkedVersion(link.collectionId, link.index)
      const aliases = yield* listAs<CollectionAliasRow>(Table.collectionAliases, { linkedVersion: key })
      const latest = yield* latestLinked(link.collectionId)
      found.push({
        // The collection row follows registry renames; the link row keeps the name it was linked under.
        organization: collection.value.organization,
        registry: collection.value.registry,
        collection: collection.value.name,
        collectionId: link.collectionId,
        index: link.index,
        aliases: linkedView(link, aliases, latest, Option.none()).aliases
      })
    }
    return found
  })

// ---- catalog -----------------------------------------------------------------------------------------------------

/** A registry or collection found by a catalog search. */
export type CatalogEntry =
  | {
      readonly _tag: "Registry"
      readonly organization: string
      readonly registry: string
      readonly visibility: RegistryView["visibility"]
      readonly description: string
      readonly acceptedTypes: ReadonlyArray<string>
    }
  | ({ readonly _tag: "Collection" } & CollectionSummary)

const contains = (text: string) => {
  const needle = text.toLowerCase()
  return (...fields: ReadonlyArray<string>) => fields.some((field) => field.toLowerCase().includes(needle))
}

/**
 * The registries and collections of an organization whose name, description or tags contain `text`
 * (case-insensitive; empty text finds everything): registries first, each followed by its matching collections.
 * Given a reader, only the registries that user can see, and their collections.
 */
export const searchCatalog = (organization: string, text: string, user?: string): Query<ReadonlyArray<CatalogEntry>> =>
  Effect.gen(function* () {
    const matches = contains(text)
    const found: Array<CatalogEntry> = []
    for (const registry of yield* listRegistries(organization, user)) {
      if (matches(registry.registry, registryProjectName(registry.registry), registry.description)) {
        const { visibility, description, acceptedTypes } = registry
        found.push({
          _tag: "Registry",
          organization,
          registry: registry.registry,
          visibility,
          description,
          acceptedTypes
        })
      }
      const collections = yield* listAs<CollectionRow>(Table.collections, { organization, registry: registry.registry })
      for (const collection of [...collections].sort(byName)) {
        if (matches(collection.name, collection.description, ...collection.tags)) {
          found.push({ _tag: "Collection", ...(yield* collectionSummary(collection)) })
        }
      }
    }
    return found
  })
