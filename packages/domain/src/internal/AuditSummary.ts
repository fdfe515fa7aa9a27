/**
 * One human line per domain event, for the audit history: what happened, named as people write it
 * (`linked acme/proj/raw:v2 as wandb-registry-Golden Datasets/raw_images:v0`).
 */
import type { DomainEvent } from "../Events.js"
import { registryProjectName } from "../Names.js"
import { collectionPath, fullName } from "../Paths.js"
import { runKey, versionKey } from "./ReadModelSchema.js"

const list = (items: ReadonlyArray<string>) => (items.length === 0 ? "(none)" : items.join(", "))

const moved = (from: number | null) => (from === null ? "" : ` (moved from v${from})`)

/** Describes a domain event in one line. */
export const summarize = (event: DomainEvent): string => {
  switch (event._tag) {
    case "OrganizationCreated":
      return `created organization ${event.organization} ("${event.displayName}")`
    case "OrganizationMemberAdded":
      return `made ${event.user} ${event.role} of organization ${event.organization}`
    case "OrganizationMemberRemoved":
      return `removed ${event.user} from organization ${event.organization}`
    case "DisplayNameReserved":
      return `reserved the display name "${event.displayName}" for organization ${event.organization}`
    case "TeamCreated":
      return `created team ${event.team} in organization ${event.organization}`
    case "TeamMemberAdded":
      return `added ${event.user} to team ${event.team}`
    case "TeamMemberRemoved":
      return `removed ${event.user} from team ${event.team}`
    case "UserCreated":
      return `created user ${event.user}`
    case "RegistryNameBound":
      return `bound the name ${registryProjectName(event.registry)} of ${event.organization} to registry ${event.registryId}`
    case "VersionAssigned": {
      const version = versionKey(`${event.entity}/${event.project}/${event.name}`, event.index)
      const run = event.loggedBy === null ? "" : ` from run ${runKey(event.loggedBy)}`
      return `logged ${version} (${event.artifactType})${run}`
    }
    case "ArtifactAliasAssigned":
      return `assigned alias ${event.alias} to ${versionKey(event.artifact, event.index)}${moved(event.movedFrom)}`
    case "ArtifactAliasRemoved":
      return `removed alias ${event.alias} from ${versionKey(event.artifact, event.index)}`
    case "ArtifactUsed":
      return `run ${runKey(event.usedBy)} used ${versionKey(event.artifact, event.index)}`
    case "ArtifactVersionUpdated":
      return `updated the description and metadata of ${versionKey(event.artifact, event.index)}`
    case "ArtifactVersionTagged":
      return `tagged ${versionKey(event.artifact, event.index)} ${event.tag}`
    case "ArtifactVersionUntagged":
      return `removed tag ${event.tag} from ${versionKey(event.artifact, event.index)}`
    case "SourceVersionDeleted":
      return `deleted ${versionKey(event.artifact, event.index)}`
    case "RegistryCreated":
      return `created registry ${registryProjectName(event.registry)} in ${event.organization} (visibility ${event.visibility}, accepts ${event.acceptedTypes.length === 0 ? "every type" : list(event.acceptedTypes)})`
    case "RegistryVisibilityChanged":
      return `changed the visibility of ${registryProjectName(event.registry)} to ${event.visibility}`
    case "ArtifactTypesAccepted":
      return `${registryProjectName(event.registry)} now also accepts ${list(event.artifactTypes)}`
    case "RoleGranted":
      return `granted ${event.role} on ${registryProjectName(event.registry)} to ${event.principal.kind} ${event.principal.name}`
    case "RoleRevoked":
      return `revoked the role of ${event.principal.kind} ${event.principal.name} on ${registryProjectName(event.registry)}`
    case "ProtectedAliasesChanged":
      return `set the protected aliases of ${registryProjectName(event.registry)} to ${list(event.aliases)}`
    case "RegistryDeleted":
      return `deleted registry ${registryProjectName(event.registry)} and its ${event.collectionIds.length} collection(s)`
    case "RegistryRenamed":
      return `renamed registry ${registryProjectName(event.from)} to ${registryProjectName(event.registry)}`
    case "RegistryDescribed":
      return `changed the description of ${registryProjectName(event.registry)} to "${event.description}"`
    case "CollectionCreated":
      return `created collection ${collectionPath(event.registry, event.collection)} (${event.artifactType})`
    case "CollectionRenamed":
      return `renamed collection ${collectionPath(event.registry, event.from)} to ${event.to}`
    case "CollectionUpdated":
      return `updated collection ${event.collectionId} of ${registryProjectName(event.registry)}: tags ${list(event.tags)}`
    case "CollectionDeleted":
      return `deleted collection ${collectionPath(event.registry, event.collection)}`
    case "ArtifactLinked":
      return `linked ${versionKey(`${event.source.entity}/${event.source.project}/${event.source.name}`, event.source.index)} as ${fullName(event.registry, event.collection, event.index)}`
    case "AliasAssigned":
      return `assigned alias ${event.alias} to v${event.index} of collection ${event.collectionId} in ${registryProjectName(event.registry)}${moved(event.movedFrom)}`
    case "AliasRemoved":
      return `removed alias ${event.alias} from v${event.index} of collection ${event.collectionId} in ${registryProjectName(event.registry)}`
    case "ArtifactUnlinked":
      return `unlinked v${event.index} (${versionKey(`${event.source.entity}/${event.source.project}/${event.source.name}`, event.source.index)}) from collection ${event.collectionId} in ${registryProjectName(event.registry)}`
  }
}
