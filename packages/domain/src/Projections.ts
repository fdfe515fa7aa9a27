/**
 * The projections of docs/read-models.md, as one pure function from a recorded event to read-model changes. Changes never
 * read the tables, so a batch of events gives the same tables whether it is applied incrementally or replayed from
 * zero. Table names, keys and row shapes are in `ReadModelSchema`; `latest` aliases are derived by the queries.
 */
import type { RecordedEvent } from "./EventStore.js"
import type { DomainEvent } from "./Events.js"
import { summarize } from "./internal/AuditSummary.js"
import {
  type ArtifactVersionRow,
  type AuditRow,
  type CollectionAliasRow,
  type CollectionRow,
  Key,
  type LineageEdgeRow,
  type LinkedVersionRow,
  type RegistryRow,
  runKey,
  Table,
  toRow,
  versionKey
} from "./internal/ReadModelSchema.js"
import { Change, type Row } from "./ReadModelStore.js"
import { registryIdOf } from "./Registry.js"

export {
  allTables,
  type ArtifactAliasRow,
  type ArtifactVersionRow,
  type AuditRow,
  type CollectionAliasRow,
  type CollectionRow,
  indexedFields,
  Key,
  type LineageEdgeRow,
  type LineageKind,
  type LinkedVersionRow,
  type OrganizationMemberRow,
  type OrganizationRow,
  pad,
  type RegistryAcceptedTypeRow,
  type RegistryGrantRow,
  type RegistryRow,
  runKey,
  type SourceRow,
  Table,
  type TeamMemberRow,
  type TeamRow,
  type UserRow,
  versionKey
} from "./internal/ReadModelSchema.js"

const removeCollection = (collectionId: string): ReadonlyArray<Change> => [
  Change.delete(Table.collections, Key.collection(collectionId)),
  Change.deleteWhere(Table.linkedVersions, "collectionId", collectionId),
  Change.deleteWhere(Table.collectionAliases, "collectionId", collectionId)
]

const lineageEdge = (edge: LineageEdgeRow): Change =>
  Change.put(Table.lineageEdges, Key.lineageEdge(edge.kind, edge.run, edge.version), toRow(edge))

const entityChanges = (event: DomainEvent, at: string): ReadonlyArray<Change> | undefined => {
  switch (event._tag) {
    case "OrganizationCreated":
      return [
        Change.put(Table.organizations, Key.organization(event.organization), {
          organization: event.organization,
          displayName: event.displayName,
          createdAt: at
        })
      ]
    case "OrganizationMemberAdded":
      return [
        Change.put(Table.organizationMembers, Key.organizationMember(event.organization, event.user), {
          organization: event.organization,
          user: event.user,
          role: event.role
        })
      ]
    case "OrganizationMemberRemoved":
      return [Change.delete(Table.organizationMembers, Key.organizationMember(event.organization, event.user))]
    case "DisplayNameReserved":
    case "RegistryNameBound":
      return []
    case "TeamCreated":
      return [Change.put(Table.teams, Key.team(event.team), { team: event.team, organization: event.organization })]
    case "TeamMemberAdded":
      return [
        Change.put(Table.teamMembers, Key.teamMember(event.team, event.user), {
          team: event.team,
          organization: event.organization,
          user: event.user
        })
      ]
    case "TeamMemberRemoved":
      return [Change.delete(Table.teamMembers, Key.teamMember(event.team, event.user))]
    case "UserCreated":
      return [Change.put(Table.users, Key.user(event.user), { user: event.user })]
    default:
      return undefined
  }
}

const artifactChanges = (event: DomainEvent, at: string, actor: string): ReadonlyArray<Change> | undefined => {
  switch (event._tag) {
    case "VersionAssigned": {
      const artifactKey = `${event.entity}/${event.project}/${event.name}`
      const version: ArtifactVersionRow = {
        entity: event.entity,
        project: event.project,
        name: event.name,
        artifactKey,
        index: event.index,
        artifactType: event.artifactType,
        digest: event.digest,
        files: event.files,
        metadata: event.metadata as Row,
        description: event.description,
        loggedBy: event.loggedBy === null ? null : runKey(event.loggedBy),
        loggedAt: at,
        loggedByUser: actor,
        deleted: false,
        tags: []
      }
      const put = Change.put(Table.artifactVersions, Key.artifactVersion(artifactKey, event.index), toRow(version))
      if (event.loggedBy === null) return [put]
      const edge = {
        kind: "produced",
        run: runKey(event.loggedBy),
        version: versionKey(artifactKey, event.index)
      } as const
      return [put, lineageEdge(edge)]
    }
    case "ArtifactAliasAssigned":
      return [
        Change.put(Table.artifactAliases, Key.artifactAlias(event.artifact, event.alias), {
          artifactKey: event.artifact,
          alias: event.alias,
          index: event.index
        })
      ]
    case "ArtifactAliasRemoved":
      return [Change.delete(Table.artifactAliases, Key.artifactAlias(event.artifact, event.alias))]
    case "ArtifactUsed":
      return [
        lineageEdge({ kind: "used", run: runKey(event.usedBy), version: versionKey(event.artifact, event.index) })
      ]
    case "ArtifactVersionUpdated":
      return [
        Change.patch(Table.artifactVersions, Key.artifactVersion(event.artifact, event.index), {
          description: event.description,
          metadata: event.metadata as Row
        })
      ]
    case "SourceVersionDeleted":
      return [Change.patch(Table.artifactVersions, Key.artifactVersion(event.artifact, event.index), { deleted: true })]
    case "ArtifactVersionTagged":
    case "ArtifactVersionUntagged":
      return [
        Change.patch(Table.artifactVersions, Key.artifactVersion(event.artifact, event.index), {
          tags: [...event.tags]
        })
      ]
    default:
      return undefined
  }
}

/**
 * Registry rows are keyed by the registry's id, the key of its stream (`organization/name` unless it was created
 * under a name whose stream was taken), so a rename patches them in place.
 */
const registryChanges = (
  event: DomainEvent,
  at: string,
  actor: string,
  registryKey: string
): ReadonlyArray<Change> | undefined => {
  switch (event._tag) {
    case "RegistryCreated": {
      const registry: RegistryRow = {
        registryId: registryKey,
        organization: event.organization,
        registry: event.registry,
        visibility: event.visibility,
        description: event.description,
        protectedAliases: [],
        createdAt: at,
        createdBy: actor
      }
      return [Change.put(Table.registries, registryKey, toRow(registry)), ...accept(registryKey, event.acceptedTypes)]
    }
    case "RegistryVisibilityChanged":
      return [Change.patch(Table.registries, registryKey, { visibility: event.visibility })]
    case "RegistryDescribed":
      return [Change.patch(Table.registries, registryKey, { description: event.description })]
    case "RegistryRenamed":
      return [
        Change.patch(Table.registries, registryKey, { registry: event.registry }),
        ...event.collectionIds.map((collectionId) =>
          Change.patch(Table.collections, Key.collection(collectionId), { registry: event.registry })
        )
      ]
    case "ArtifactTypesAccepted":
      return accept(registryKey, event.artifactTypes)
    case "RoleGranted": {
      return [
        Change.put(Table.registryGrants, Key.registryGrant(registryKey, event.principal), {
          registryKey,
          principal: event.principal,
          role: event.role
        })
      ]
    }
    case "RoleRevoked":
      return [Change.delete(Table.registryGrants, Key.registryGrant(registryKey, event.principal))]
    case "ProtectedAliasesChanged":
      return [Change.patch(Table.registries, registryKey, { protectedAliases: event.aliases })]
    case "RegistryDeleted": {
      return [
        Change.delete(Table.registries, registryKey),
        Change.deleteWhere(Table.registryGrants, "registryKey", registryKey),
        Change.deleteWhere(Table.registryAcceptedTypes, "registryKey", registryKey),
        ...event.collectionIds.flatMap(removeCollection)
      ]
    }
    default:
      return undefined
  }
}

const accept = (registryKey: string, artifactTypes: ReadonlyArray<string>): ReadonlyArray<Change> =>
  artifactTypes.map((artifactType) =>
    Change.put(Table.registryAcceptedTypes, Key.registryAcceptedType(registryKey, artifactType), {
      registryKey,
      artifactType
    })
  )

const collectionChanges = (event: DomainEvent, at: string, actor: string): ReadonlyArray<Change> | undefined => {
  switch (event._tag) {
    case "CollectionCreated": {
      const collection: CollectionRow = {
        organization: event.organization,
        registry: event.registry,
        collectionId: event.collectionId,
        name: event.collection,
        artifactType: event.artifactType,
        description: event.description,
        tags: event.tags,
        createdAt: at,
        createdBy: actor
      }
      return [Change.put(Table.collections, Key.collection(event.collectionId), toRow(collection))]
    }
    case "CollectionRenamed":
      return [Change.patch(Table.collections, Key.collection(event.collectionId), { name: event.to })]
    case "CollectionUpdated":
      return [
        Change.patch(Table.collections, Key.collection(event.collectionId), {
          description: event.description,
          tags: event.tags
        })
      ]
    case "CollectionDeleted":
      return removeCollection(event.collectionId)
    case "ArtifactLinked": {
      const { source } = event
      const linked: LinkedVersionRow = {
        organization: event.organization,
        registry: event.registry,
        collectionId: event.collectionId,
        index: event.index,
        source: { entity: source.entity, project: source.project, name: source.name, index: source.index },
        sourceKey: versionKey(`${source.entity}/${source.project}/${source.name}`, source.index),
        artifactType: event.artifactType,
        digest: event.digest,
        linkedAt: at,
        linkedBy: actor
      }
      return [Change.put(Table.linkedVersions, Key.linkedVersion(event.collectionId, event.index), toRow(linked))]
    }
    case "AliasAssigned": {
      const alias: CollectionAliasRow = {
        collectionId: event.collectionId,
        alias: event.alias,
        index: event.index,
        linkedVersion: Key.linkedVersion(event.collectionId, event.index)
      }
      return [Change.put(Table.collectionAliases, Key.collectionAlias(event.collectionId, event.alias), toRow(alias))]
    }
    case "AliasRemoved":
      return [Change.delete(Table.collectionAliases, Key.collectionAlias(event.collectionId, event.alias))]
    case "ArtifactUnlinked": {
      const linkedVersion = Key.linkedVersion(event.collectionId, event.index)
      return [
        Change.delete(Table.linkedVersions, linkedVersion),
        Change.deleteWhere(Table.collectionAliases, "linkedVersion", linkedVersion)
      ]
    }
    default:
      return undefined
  }
}

/** The organization, registry, collection and entity an event is about, for filtering the audit history. */
const scopeOf = (event: DomainEvent): Pick<AuditRow, "organization" | "registry" | "collectionId" | "entity"> => {
  const none = { organization: null, registry: null, collectionId: null, entity: null }
  switch (event._tag) {
    case "UserCreated":
      return { ...none, entity: event.user }
    case "OrganizationCreated":
    case "OrganizationMemberAdded":
    case "OrganizationMemberRemoved":
    case "DisplayNameReserved":
    case "RegistryNameBound":
      return { ...none, organization: event.organization, entity: event.organization }
    case "TeamCreated":
    case "TeamMemberAdded":
    case "TeamMemberRemoved":
      return { ...none, organization: event.organization, entity: event.team }
    case "VersionAssigned":
      return { ...none, entity: event.entity }
    case "ArtifactAliasAssigned":
    case "ArtifactAliasRemoved":
    case "ArtifactUsed":
    case "ArtifactVersionUpdated":
    case "SourceVersionDeleted":
    case "ArtifactVersionTagged":
    case "ArtifactVersionUntagged":
      return { ...none, entity: event.artifact.split("/")[0] ?? null }
    default:
      return {
        ...none,
        organization: event.organization,
        registry: event.registry,
        collectionId: "collectionId" in event ? event.collectionId : null
      }
  }
}

/** The audit row of an event: its envelope, what it is about, and one human line. */
export const auditRow = (event: RecordedEvent, decoded: DomainEvent): AuditRow => ({
  globalPosition: event.globalPosition,
  transactionId: event.transactionId,
  streamId: event.streamId,
  streamPosition: event.streamPosition,
  eventId: event.eventId,
  type: event.type,
  schemaVersion: event.schemaVersion,
  actor: event.metadata.actor,
  recordedAt: event.metadata.recordedAt,
  hash: event.hash,
  ...scopeOf(decoded),
  summary: summarize(decoded)
})

/** The read-model changes of one recorded event (its audit row included); pure, never reads the tables. */
export const project = (event: RecordedEvent, decoded: DomainEvent): ReadonlyArray<Change> => {
  const at = event.metadata.recordedAt
  const actor = event.metadata.actor
  const changes =
    entityChanges(decoded, at) ??
    artifactChanges(decoded, at, actor) ??
    registryChanges(decoded, at, actor, registryIdOf(event.streamId)) ??
    collectionChanges(decoded, at, actor) ??
    []
  return [...changes, Change.put(Table.audit, Key.audit(event), toRow(auditRow(event, decoded)))]
}
