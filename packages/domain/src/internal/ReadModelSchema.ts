/**
 * The read models' tables: names, keys and row shapes (docs/read-models.md). Written only by `Projections.project`, read by
 * `ReadModels`. Keys sort correctly as strings: numbers in keys are padded to 12 digits.
 *
 * A projection sees one event at a time and cannot read, so lists that events change piecewise (a registry's grants
 * and accepted types) are tables of their own, assembled by the queries.
 */
import type { OrganizationRole, Principal, RegistryRole, Visibility } from "../Access.js"
import type { ManifestEntry } from "../Artifact.js"
import type { Checkpoint } from "../EventStore.js"
import type { IndexedFields, Row } from "../ReadModelStore.js"

/** The names of the read-model tables. */
export const Table = {
  organizations: "organizations",
  organizationMembers: "organization_members",
  teams: "teams",
  teamMembers: "team_members",
  users: "users",
  registries: "registries",
  registryGrants: "registry_grants",
  registryAcceptedTypes: "registry_accepted_types",
  collections: "collections",
  linkedVersions: "linked_versions",
  collectionAliases: "collection_aliases",
  artifactVersions: "artifact_versions",
  artifactAliases: "artifact_aliases",
  lineageEdges: "lineage_edges",
  audit: "audit"
} as const

/** Every read-model table name. */
export const allTables: ReadonlyArray<string> = Object.values(Table)

/**
 * The fields each table is filtered on: by `ReadModels` and the CLI (`list`/`count` with `where`) and by the
 * projections (`Change.deleteWhere`). Database stores index only these, so rows write cheaply (an audit row has 15
 * fields, 4 of them filtered on). Part of the read models' definition, like the projections: a change applies to
 * rows written afterwards, so rebuild the read models after adding a field here.
 */
export const indexedFields: IndexedFields = {
  [Table.organizations]: ["displayName"],
  [Table.organizationMembers]: ["organization", "user"],
  [Table.teams]: ["organization"],
  [Table.teamMembers]: ["organization", "user"],
  [Table.users]: [],
  [Table.registries]: ["organization"],
  [Table.registryGrants]: ["registryKey"],
  [Table.registryAcceptedTypes]: ["registryKey"],
  [Table.collections]: ["organization", "registry", "name"],
  [Table.linkedVersions]: ["collectionId", "sourceKey"],
  [Table.collectionAliases]: ["collectionId", "linkedVersion"],
  [Table.artifactVersions]: ["artifactKey", "entity"],
  [Table.artifactAliases]: ["artifactKey"],
  [Table.lineageEdges]: ["run", "version"],
  [Table.audit]: ["organization", "registry", "collectionId", "actor"]
}

/** A number padded to 12 digits, so that keys holding it sort numerically. */
export const pad = (value: number): string => String(value).padStart(12, "0")

/** `entity/project/name:vN`, as people write a source version (and as links and lineage name it). */
export const versionKey = (artifactKey: string, index: number): string => `${artifactKey}:v${index}`

/** `entity/project/runId`. */
export const runKey = (run: { readonly entity: string; readonly project: string; readonly runId: string }): string =>
  `${run.entity}/${run.project}/${run.runId}`

/** The key of each table's rows. */
export const Key = {
  organization: (organization: string) => organization,
  organizationMember: (organization: string, user: string) => `${organization}/${user}`,
  team: (team: string) => team,
  teamMember: (team: string, user: string) => `${team}/${user}`,
  user: (user: string) => user,
  /** A registry's row: keyed by its id, `organization/name` for a registry created under a free name. */
  registry: (organization: string, registry: string) => `${organization}/${registry}`,
  registryGrant: (registryKey: string, principal: Principal) => `${registryKey}/${principal.kind}/${principal.name}`,
  registryAcceptedType: (registryKey: string, artifactType: string) => `${registryKey}/${artifactType}`,
  collection: (collectionId: string) => collectionId,
  linkedVersion: (collectionId: string, index: number) => `${collectionId}/${pad(index)}`,
  collectionAlias: (collectionId: string, alias: string) => `${collectionId}/${alias}`,
  artifactVersion: (artifactKey: string, index: number) => `${artifactKey}:v${pad(index)}`,
  artifactAlias: (artifactKey: string, alias: string) => `${artifactKey}/${alias}`,
  lineageEdge: (kind: LineageKind, run: string, version: string) => `${run}|${kind}|${version}`,
  audit: (checkpoint: Checkpoint) => `${pad(checkpoint.transactionId)}/${pad(checkpoint.globalPosition)}`
}

/** An organization. */
export type OrganizationRow = {
  readonly organization: string
  readonly displayName: string
  readonly createdAt: string
}

/** A team of an organization. */
export type TeamRow = { readonly team: string; readonly organization: string }

/** A member of a team. */
export type TeamMemberRow = { readonly team: string; readonly organization: string; readonly user: string }

/** A member of an organization, with their organization role. */
export type OrganizationMemberRow = {
  readonly organization: string
  readonly user: string
  readonly role: OrganizationRole
}

/** A user (personal entity). */
export type UserRow = { readonly user: string }

/** A registry; its grants and accepted types are rows of their own tables. */
export type RegistryRow = {
  /** The registry's id (its stream key, and its row's key); absent in rows projected before registries had ids. */
  readonly registryId?: string
  readonly organization: string
  readonly registry: string
  readonly visibility: Visibility
  readonly description: string
  readonly protectedAliases: ReadonlyArray<string>
  readonly createdAt: string
  readonly createdBy: string
}

/** A role granted in a registry. */
export type RegistryGrantRow = {
  readonly registryKey: string
  readonly principal: Principal
  readonly role: RegistryRole
}

/** An artifact type a registry accepts (none: every type). */
export type RegistryAcceptedTypeRow = { readonly registryKey: string; readonly artifactType: string }

/** A collection of a registry. */
export type CollectionRow = {
  readonly organization: string
  readonly registry: string
  readonly collectionId: string
  readonly name: string
  readonly artifactType: string
  readonly description: string
  readonly tags: ReadonlyArray<string>
  readonly createdAt: string
  readonly createdBy: string
}

/** The source version a link points at. */
export type SourceRow = {
  readonly entity: string
  readonly project: string
  readonly name: string
  readonly index: number
}

/** A version linked into a collection. */
export type LinkedVersionRow = {
  readonly organization: string
  readonly registry: string
  readonly collectionId: string
  readonly index: number
  readonly source: SourceRow
  /** `entity/project/name:vN`. */
  readonly sourceKey: string
  readonly artifactType: string
  readonly digest: string
  readonly linkedAt: string
  readonly linkedBy: string
}

/** An alias of a collection (`latest` is never stored: it is the highest linked index). */
export type CollectionAliasRow = {
  readonly collectionId: string
  readonly alias: string
  readonly index: number
  /** The key of the linked version it points at, so an unlink removes it. */
  readonly linkedVersion: string
}

/** A logged source artifact version. */
export type ArtifactVersionRow = {
  readonly entity: string
  readonly project: string
  readonly name: string
  /** `entity/project/name`. */
  readonly artifactKey: string
  readonly index: number
  readonly artifactType: string
  readonly digest: string
  readonly files: ReadonlyArray<ManifestEntry>
  readonly metadata: Row
  readonly description: string
  /** The run that logged it, `entity/project/runId`. */
  readonly loggedBy: string | null
  readonly loggedAt: string
  readonly loggedByUser: string
  readonly deleted: boolean
  /** Tags of the version, sorted (absent in rows projected before versions had tags). Filterable as `tag`. */
  readonly tags?: ReadonlyArray<string>
}

/** An alias of a source artifact (`latest` is never stored: it is the highest version not deleted). */
export type ArtifactAliasRow = { readonly artifactKey: string; readonly alias: string; readonly index: number }

/** How a run relates to a version: it produced (logged) it or used it. */
export type LineageKind = "produced" | "used"

/** One edge of the lineage graph. */
export type LineageEdgeRow = {
  readonly kind: LineageKind
  /** `entity/project/runId`. */
  readonly run: string
  /** `entity/project/name:vN`. */
  readonly version: string
}

/** One event of the audit history. */
export type AuditRow = {
  readonly globalPosition: number
  readonly transactionId: number
  readonly streamId: string
  readonly streamPosition: number
  readonly eventId: string
  readonly type: string
  readonly schemaVersion: number
  readonly actor: string
  readonly recordedAt: string
  readonly hash: string
  readonly organization: string | null
  readonly registry: string | null
  readonly collectionId: string | null
  /** The entity an artifact or entity event is about (artifact events name no organization). */
  readonly entity: string | null
  readonly summary: string
}

/** Reads a stored row as the shape its table holds (rows are written only by `Projections.project`). */
export const readRow = <A>(row: Row): A => row as unknown as A

/** Stores a typed row. */
export const toRow = <A extends object>(value: A): Row => value as unknown as Row
