/**
 * What every method of the `Registrar` service answers and how it can fail: one named result type and one named
 * union of typed errors per method, so a caller can match on them exhaustively. Nothing here is `unknown`.
 */
import type { OrganizationRole } from "../Access.js"
import type * as Artifact from "../Artifact.js"
import type * as Collection from "../Collection.js"
import type * as Entity from "../Entity.js"
import type {
  ArtifactVersionDeleted,
  ArtifactVersionNotFound,
  CannotUnlinkSource,
  CollectionNotFound,
  ConflictRetriesExhausted,
  EntityNotFound,
  EntityNotWritable,
  SourceFilesNotReadable,
  InsufficientRole,
  LinkedVersionNotFound,
  NoOrganization,
  NotAnOrganizationMember,
  OrganizationAmbiguous,
  OrganizationNotFound,
  PersonalEntityCannotLink,
  RegistryNotFound,
  TeamNotFound,
  TeamNotInOrganization,
  UserNotFound
} from "../Errors.js"
import type { UndecodableEvent } from "../Events.js"
import type { EventIdReused, JsonObject, StoreUnavailable } from "../EventStore.js"
import type { FilterError } from "../Filter/Errors.js"
import type { InvalidName } from "../Names.js"
import type { InvalidPath } from "../Paths.js"
import type { CollectionRow } from "../Projections.js"
import type { InvalidAsOfTime, ReadModelsLagging } from "../Projector.js"
import type * as ReadModels from "../ReadModels.js"
import type * as Registry from "../Registry.js"
import type { AliasMovedSince, InvalidPromotion } from "../Promotion.js"
import type { RevertIncomplete } from "./Revert.js"
import type { Run } from "./Artifacts.js"

// ---- failures every method shares ----------------------------------------------------------------------------------

/** The event store could not be read, or holds an event this version cannot decode. */
export type StoreFailure = StoreUnavailable | UndecodableEvent

/** The organization named (or not named) cannot be used: it does not exist, the actor is not in it, or none was named
 * where the actor belongs to several or to none. */
export type OrganizationFailure =
  | OrganizationNotFound
  | NotAnOrganizationMember
  | OrganizationAmbiguous
  | NoOrganization

/** Writing failed: the store, an event id reused for other content, or other writers winning every retry. */
export type WriteFailure = StoreFailure | EventIdReused | ConflictRetriesExhausted

/**
 * A read from the read models failed, lagged behind the log, or was asked for an unreadable past time; or the actor
 * is not a user (every read refuses unknown actors).
 */
export type ReadFailure = StoreFailure | ReadModelsLagging | InvalidAsOfTime | UserNotFound

/** A name or path the caller gave is malformed. */
export type InputFailure = InvalidName | InvalidPath

/** A registry path could not be followed to a registry the actor may see. */
export type RegistryLookupFailure = OrganizationFailure | RegistryNotFound | InsufficientRole

// ---- organizations, teams and users --------------------------------------------------------------------------------

/** The result of `createOrganization`. */
export interface CreatedOrganization {
  readonly organization: string
  readonly displayName: string
  /** False when the organization already existed with these names. */
  readonly created: boolean
}

/** The failures of `createOrganization`. */
export type CreateOrganizationError = Entity.Rejection | InvalidName | WriteFailure

/** The result of `createUser`. */
export interface CreatedUser {
  readonly user: string
  /** False when the user already existed. */
  readonly created: boolean
}

/** The failures of `createUser`. */
export type CreateUserError = Entity.Rejection | UserNotFound | InvalidName | WriteFailure

/** The result of `setOrganizationMember`: the user's role in the organization now. */
export interface OrganizationMembership {
  readonly organization: string
  readonly user: string
  readonly role: OrganizationRole
}

/** The failures of `setOrganizationMember`. */
export type SetOrganizationMemberError = Entity.Rejection | UserNotFound | InvalidName | WriteFailure

/** The failures of `removeOrganizationMember`. */
export type RemoveOrganizationMemberError = Entity.Rejection | InvalidName | WriteFailure

/** The result of `createTeam`. */
export interface CreatedTeam {
  readonly team: string
  readonly organization: string
  /** False when the team already existed in that organization. */
  readonly created: boolean
}

/** The failures of `createTeam`. */
export type CreateTeamError = Entity.Rejection | InvalidName | WriteFailure

/** The result of `addTeamMember` and `removeTeamMember`. */
export interface TeamMembership {
  readonly team: string
  readonly user: string
}

/** The failures of `addTeamMember` and `removeTeamMember`. */
export type TeamMemberError = Entity.Rejection | UserNotFound | InvalidName | WriteFailure

// ---- source artifacts ----------------------------------------------------------------------------------------------

/** The failures of `logArtifact` and `logInRun`. */
export type LogArtifactError = Artifact.Rejection | EntityNotFound | EntityNotWritable | InvalidName | WriteFailure

/** The failures of `sourceVersionFiles`: the reference, the version, and who may read its files. */
export type SourceVersionFilesError =
  | Artifact.Rejection
  | RegistryLookupFailure
  | CollectionNotFound
  | LinkedVersionNotFound
  | SourceFilesNotReadable
  | EntityNotFound
  | InputFailure
  | StoreFailure

/** The failures of resolving a source version (directly, or through a linked version) and changing it. */
export type ArtifactVersionChangeError =
  | Artifact.Rejection
  | RegistryLookupFailure
  | CollectionNotFound
  | LinkedVersionNotFound
  | EntityNotWritable
  | EntityNotFound
  | InputFailure
  | WriteFailure

/** The result of `useArtifact` and `useInRun`: the source version the run used. */
export interface ArtifactUse {
  /** `entity/project/name:vN` */
  readonly reference: string
  readonly run: Run
}

/** The result of `updateArtifactVersion`. */
export interface UpdatedArtifactVersion {
  /** `entity/project/name:vN` */
  readonly reference: string
}

/** The result of `assignArtifactAlias` and `removeArtifactAlias`. */
export interface ArtifactAliasChange {
  /** `entity/project/name:vN` */
  readonly reference: string
  readonly alias: string
}

/** The result of `deleteArtifactVersion`. */
export interface DeletedArtifactVersion {
  /** `entity/project/name:vN` */
  readonly reference: string
  /** False when it was deleted already. */
  readonly deleted: boolean
}

/** The failures of `deleteArtifactVersion`. */
export type DeleteArtifactVersionError =
  | Artifact.Rejection
  | EntityNotFound
  | EntityNotWritable
  | InputFailure
  | WriteFailure

// ---- registries and collections ------------------------------------------------------------------------------------

/** The result of `createRegistry`. */
export interface CreatedRegistry {
  readonly organization: string
  /** The name without the `wandb-registry-` prefix. */
  readonly registry: string
  /** `wandb-registry-{registry}` */
  readonly path: string
}

/** The failures of `createRegistry`. */
export type CreateRegistryError =
  | Registry.Rejection
  | Entity.Rejection
  | OrganizationFailure
  | InvalidName
  | WriteFailure

/** The failures of `changeVisibility`, `revokeRole` and `deleteRegistry`. */
export type RegistrySettingError = Registry.Rejection | Entity.Rejection | OrganizationFailure | WriteFailure

/** The failures of `acceptTypes` and `setProtectedAliases`, whose types or aliases are checked first. */
export type RegistryListSettingError = RegistrySettingError | InvalidName

/** The failures of `grantRole`: the grantee must exist, and a team must belong to the registry's organization. */
export type GrantRoleError = RegistrySettingError | UserNotFound | TeamNotFound | TeamNotInOrganization

/** The collection a command acted on. */
export interface CollectionTarget {
  readonly organization: string
  readonly registry: string
  readonly collection: string
}

/** The result of `createCollection`. */
export interface CreatedCollection extends CollectionTarget {
  /** `wandb-registry-R/C` */
  readonly path: string
  readonly artifactType: string
}

/** The result of `renameCollection`: the collection's old name, and its path under the new one. */
export interface RenamedCollection extends CollectionTarget {
  /** `wandb-registry-R/{new name}` */
  readonly path: string
}

/** The result of `updateCollection`. */
export interface UpdatedCollection extends CollectionTarget {
  /** False when the description and tags already were as asked. */
  readonly changed: boolean
}

/** The failures of the collection commands (create, rename, update, delete). */
export type CollectionCommandError =
  | Registry.Rejection
  | Entity.Rejection
  | OrganizationFailure
  | InputFailure
  | WriteFailure

// ---- linking -------------------------------------------------------------------------------------------------------

/** The failures of `link`. */
export type LinkError =
  | Collection.Rejection
  | Registry.Rejection
  | Entity.Rejection
  | ArtifactVersionNotFound
  | ArtifactVersionDeleted
  | PersonalEntityCannotLink
  | OrganizationFailure
  | InputFailure
  | WriteFailure

/** The failures of `linkArtifact`: logging the draft, then linking it. */
export type LinkArtifactError = LogArtifactError | LinkError

/** The failures of `unlink`, `addAlias` and `removeAlias`. */
export type LinkedVersionChangeError =
  | Collection.Rejection
  | RegistryLookupFailure
  | CollectionNotFound
  | CannotUnlinkSource
  | InputFailure
  | WriteFailure

// ---- reads ---------------------------------------------------------------------------------------------------------

/** The result of `resolve`: a linked version, its source and its files. */
export interface ResolvedVersion {
  /** `wandb-registry-R/C:vN` */
  readonly fullName: string
  /** `org/wandb-registry-R/C:vN` */
  readonly qualifiedName: string
  readonly organization: string
  readonly registry: string
  readonly collection: string
  readonly collectionId: string
  readonly version: number
  readonly aliases: ReadonlyArray<string>
  /** `entity/project/name:vN` */
  readonly source: string
  readonly artifactType: string
  readonly digest: string
  readonly linkedAt: string
  readonly linkedBy: string
  readonly description: string
  readonly metadata: JsonObject
  /** The source version's tags. */
  readonly tags: ReadonlyArray<string>
  readonly files: ReadonlyArray<Artifact.ManifestEntry>
}

/** The failures of `resolve`. */
export type ResolveError = RegistryLookupFailure | LinkedVersionNotFound | InputFailure | ReadFailure

/** The result of `listVersions`: a collection and every linked version in it. */
export interface CollectionVersions {
  readonly organization: string
  readonly registry: string
  readonly collection: CollectionRow
  /** `wandb-registry-R/C` */
  readonly path: string
  readonly versions: ReadonlyArray<ReadModels.LinkedVersionView>
  /** The index `latest` points at; null when the collection holds no version. */
  readonly latest: number | null
}

/** The result of `showCollection`: a collection and how many versions it holds. */
export interface CollectionOverview {
  readonly organization: string
  readonly registry: string
  readonly collection: ReadModels.CollectionSummary
  /** `wandb-registry-R/C` */
  readonly path: string
}

/** The failures of `listVersions` and `showCollection`. */
export type ListVersionsError = RegistryLookupFailure | CollectionNotFound | InputFailure | ReadFailure

/** The result of `listRegistries`: the registries of an organization the actor can see. */
export interface RegistryList {
  readonly organization: string
  readonly registries: ReadonlyArray<ReadModels.RegistryView>
}

/** The failures of `listRegistries` and `search`. */
export type OrganizationReadError = OrganizationFailure | InvalidName | ReadFailure

/** The failures of `registries`, `collections` and `versions`: a refused filter, order, cursor or page size too. */
export type FindError = OrganizationReadError | FilterError

/** The result of `showRegistry`. */
export interface RegistryOverview {
  readonly registry: ReadModels.RegistryView
  readonly collections: ReadonlyArray<ReadModels.CollectionSummary>
  /** `wandb-registry-R` */
  readonly path: string
}

/** The failures of `showRegistry` and `listCollections`. */
export type ShowRegistryError = OrganizationFailure | RegistryNotFound | InsufficientRole | InvalidName | ReadFailure

/** The result of `lineage`: the graph around a source version, from that version (`root`). */
export interface RootedLineage extends ReadModels.LineageGraph {
  /** `entity/project/name:vN` */
  readonly root: string
}

/** The result of `sourceLinks`: a source version and where it is linked. */
export interface SourceLinks {
  /** `entity/project/name:vN` */
  readonly reference: string
  readonly links: ReadonlyArray<ReadModels.SourceLink>
}

/** The failures of `lineage` (and of `sourceLinks`). */
export type LineageError =
  | RegistryLookupFailure
  | CollectionNotFound
  | LinkedVersionNotFound
  | ArtifactVersionNotFound
  | ArtifactVersionDeleted
  | InputFailure
  | ReadFailure

/** The failures of `history`. */
export type HistoryError = OrganizationFailure | RegistryNotFound | InsufficientRole | InvalidName | ReadFailure

/** The failures of `listArtifactVersions`: the name is checked, then the read models answer. */
export type ListArtifactVersionsError = InvalidName | ReadFailure

// ---- governance ----------------------------------------------------------------------------------------------------

/** The failures of `promote`: an entry malformed or spanning registries, an expectation that no longer holds, the
 * collection rules of each move (role, protected aliases, the version), or the lookup and the write. */
export type PromoteError =
  | InvalidPromotion
  | AliasMovedSince
  | Collection.Rejection
  | RegistryLookupFailure
  | CollectionNotFound
  | InputFailure
  | WriteFailure

/** The failures of `aliasHistory` and `versionHistory`. */
export type GovernanceReadError =
  | OrganizationFailure
  | RegistryNotFound
  | CollectionNotFound
  | LinkedVersionNotFound
  | InputFailure
  | ReadFailure

/** The failures of `revert`. */
export type RevertError =
  | RevertIncomplete
  | Collection.Rejection
  | RegistryLookupFailure
  | UserNotFound
  | InvalidAsOfTime
  | InputFailure
  | WriteFailure
