/**
 * The domain's rejections: one typed error per rule, each with the fields its message needs and a message that tells
 * a person what went wrong and what to do. Name and path errors live in `Names.ts` and `Paths.ts`.
 */
import { Schema } from "effect"
import { describeAction, RegistryRole } from "./Access.js"
import { registryProjectName } from "./Names.js"
import { collectionPath } from "./Paths.js"

/** No organization has that entity or display name. */
export class OrganizationNotFound extends Schema.TaggedError<OrganizationNotFound>()("OrganizationNotFound", {
  organization: Schema.String
}) {
  override get message() {
    return `Organization "${this.organization}" does not exist. Check the name (entity or display name) or create it first.`
  }
}

/** The entity name (organization, team or user) is already taken. */
export class EntityNameTaken extends Schema.TaggedError<EntityNameTaken>()("EntityNameTaken", {
  name: Schema.String,
  takenBy: Schema.Literal("organization", "team", "user")
}) {
  override get message() {
    return `The name "${this.name}" is already taken by a ${this.takenBy}; entity names are unique across organizations, teams and users. Choose another name.`
  }
}

/** Another organization already uses that display name. */
export class DisplayNameTaken extends Schema.TaggedError<DisplayNameTaken>()("DisplayNameTaken", {
  displayName: Schema.String,
  organization: Schema.String
}) {
  override get message() {
    return `The display name "${this.displayName}" already belongs to organization "${this.organization}". Choose another display name.`
  }
}

/** No team has that name. */
export class TeamNotFound extends Schema.TaggedError<TeamNotFound>()("TeamNotFound", { team: Schema.String }) {
  override get message() {
    return `Team "${this.team}" does not exist. Create it with its organization first.`
  }
}

/** No user has that name. */
export class UserNotFound extends Schema.TaggedError<UserNotFound>()("UserNotFound", { user: Schema.String }) {
  override get message() {
    return `User "${this.user}" does not exist. Create the user first.`
  }
}

/** The user is not a member of the organization. */
export class NotAnOrganizationMember extends Schema.TaggedError<NotAnOrganizationMember>()("NotAnOrganizationMember", {
  user: Schema.String,
  organization: Schema.String
}) {
  override get message() {
    return `User "${this.user}" is not a member of organization "${this.organization}". An organization admin must add them first.`
  }
}

/** The actor needs an organization role they do not hold. */
export class OrganizationRoleRequired extends Schema.TaggedError<OrganizationRoleRequired>()(
  "OrganizationRoleRequired",
  {
    actor: Schema.String,
    organization: Schema.String,
    required: Schema.String,
    action: Schema.String
  }
) {
  override get message() {
    return `User "${this.actor}" cannot ${this.action} in organization "${this.organization}": that needs the organization role ${this.required}. Ask an organization admin.`
  }
}

/** The user is not a member of the team. */
export class NotATeamMember extends Schema.TaggedError<NotATeamMember>()("NotATeamMember", {
  user: Schema.String,
  team: Schema.String
}) {
  override get message() {
    return `User "${this.user}" is not a member of team "${this.team}". Ask a team member or an organization admin to add them.`
  }
}

/** The artifact does not exist. */
export class ArtifactNotFound extends Schema.TaggedError<ArtifactNotFound>()("ArtifactNotFound", {
  artifact: Schema.String
}) {
  override get message() {
    return `Artifact "${this.artifact}" does not exist. Log a version of it first.`
  }
}

/** The artifact version (or alias) does not exist. */
export class ArtifactVersionNotFound extends Schema.TaggedError<ArtifactVersionNotFound>()("ArtifactVersionNotFound", {
  reference: Schema.String
}) {
  override get message() {
    return `Artifact version "${this.reference}" does not exist. List the artifact's versions and use one of them.`
  }
}

/** An artifact's type is fixed at its first version. */
export class ArtifactTypeMismatch extends Schema.TaggedError<ArtifactTypeMismatch>()("ArtifactTypeMismatch", {
  artifact: Schema.String,
  artifactType: Schema.String,
  requestedType: Schema.String
}) {
  override get message() {
    return `Artifact "${this.artifact}" has type "${this.artifactType}", fixed at its first version; it cannot take a version of type "${this.requestedType}". Log it under another name.`
  }
}

/** The registry does not exist, or the actor may not see it. */
export class RegistryNotFound extends Schema.TaggedError<RegistryNotFound>()("RegistryNotFound", {
  organization: Schema.String,
  registry: Schema.String
}) {
  override get message() {
    return `Registry "${registryProjectName(this.registry)}" does not exist in organization "${this.organization}" (or you have no access to it). Registries are never created implicitly: ask an organization admin to create it or to add you.`
  }
}

/** A registry with that name already exists in the organization. */
export class RegistryAlreadyExists extends Schema.TaggedError<RegistryAlreadyExists>()("RegistryAlreadyExists", {
  organization: Schema.String,
  registry: Schema.String
}) {
  override get message() {
    return `Registry "${registryProjectName(this.registry)}" already exists in organization "${this.organization}". Choose another name or use the existing registry.`
  }
}

/** Visibility can only go from organization to restricted. */
export class VisibilityChangeRefused extends Schema.TaggedError<VisibilityChangeRefused>()("VisibilityChangeRefused", {
  registry: Schema.String,
  from: Schema.String,
  to: Schema.String
}) {
  override get message() {
    return `Registry "${registryProjectName(this.registry)}" cannot change visibility from ${this.from} to ${this.to}: only organization → restricted is allowed. Create a new registry instead.`
  }
}

/** The actor's role in the registry does not allow the action. */
export class InsufficientRole extends Schema.TaggedError<InsufficientRole>()("InsufficientRole", {
  actor: Schema.String,
  registry: Schema.String,
  action: Schema.Literal("see", "use", "write", "administer"),
  required: RegistryRole,
  actual: Schema.NullOr(RegistryRole)
}) {
  override get message() {
    const actual = this.actual === null ? "no role" : `the role ${this.actual}`
    return `User "${this.actor}" has ${actual} in registry "${registryProjectName(this.registry)}" and cannot ${describeAction[this.action]}: that needs ${this.required} or higher. Ask a registry admin for access.`
  }
}

/** The collection does not exist. */
export class CollectionNotFound extends Schema.TaggedError<CollectionNotFound>()("CollectionNotFound", {
  registry: Schema.String,
  collection: Schema.String
}) {
  override get message() {
    return `Collection "${collectionPath(this.registry, this.collection)}" does not exist. Link a version into it (which creates it) or create it first.`
  }
}

/** A collection with that name already exists in the registry. */
export class CollectionAlreadyExists extends Schema.TaggedError<CollectionAlreadyExists>()("CollectionAlreadyExists", {
  registry: Schema.String,
  collection: Schema.String
}) {
  override get message() {
    return `Collection "${collectionPath(this.registry, this.collection)}" already exists. Choose another name.`
  }
}

/** A collection accepts only versions of its own type. */
export class CollectionTypeMismatch extends Schema.TaggedError<CollectionTypeMismatch>()("CollectionTypeMismatch", {
  collection: Schema.String,
  collectionType: Schema.String,
  artifactType: Schema.String
}) {
  override get message() {
    return `Collection "${this.collection}" holds artifacts of type "${this.collectionType}" and cannot take one of type "${this.artifactType}". Link it into a collection of type "${this.artifactType}" instead.`
  }
}

/** The registry does not accept the artifact's type. */
export class TypeNotAccepted extends Schema.TaggedError<TypeNotAccepted>()("TypeNotAccepted", {
  registry: Schema.String,
  artifactType: Schema.String,
  acceptedTypes: Schema.Array(Schema.String)
}) {
  override get message() {
    return `Registry "${registryProjectName(this.registry)}" accepts only ${this.acceptedTypes.map((type) => `"${type}"`).join(", ")}, not "${this.artifactType}". Ask a registry admin to accept the type, or use another registry.`
  }
}

/** Artifacts logged under a personal entity can never be linked. */
export class PersonalEntityCannotLink extends Schema.TaggedError<PersonalEntityCannotLink>()(
  "PersonalEntityCannotLink",
  {
    entity: Schema.String,
    artifact: Schema.String
  }
) {
  override get message() {
    return `Artifact "${this.artifact}" was logged under the personal entity "${this.entity}"; artifacts logged under a personal entity cannot be linked to a registry. Log it under a team entity instead.`
  }
}

/** The source's team belongs to another organization than the registry. */
export class TeamNotInOrganization extends Schema.TaggedError<TeamNotInOrganization>()("TeamNotInOrganization", {
  team: Schema.String,
  organization: Schema.String
}) {
  override get message() {
    return `Team "${this.team}" does not belong to organization "${this.organization}", so its artifacts cannot be linked into that organization's registries. Log the artifact under one of its teams.`
  }
}

/** Protected aliases can only be changed by registry admins. */
export class ProtectedAliasRequiresAdmin extends Schema.TaggedError<ProtectedAliasRequiresAdmin>()(
  "ProtectedAliasRequiresAdmin",
  { alias: Schema.String, registry: Schema.String, actor: Schema.String }
) {
  override get message() {
    return `Alias "${this.alias}" is protected in registry "${registryProjectName(this.registry)}"; only registry admins can assign or remove it, and "${this.actor}" is not one. Ask a registry admin.`
  }
}

/** No linked version has that name. */
export class LinkedVersionNotFound extends Schema.TaggedError<LinkedVersionNotFound>()("LinkedVersionNotFound", {
  name: Schema.String
}) {
  override get message() {
    return `Linked version "${this.name}" does not exist. List the collection's versions and use one of them.`
  }
}

/** Unlink takes a linked version, not a source artifact. */
export class CannotUnlinkSource extends Schema.TaggedError<CannotUnlinkSource>()("CannotUnlinkSource", {
  reference: Schema.String
}) {
  override get message() {
    return `"${this.reference}" is a source artifact version, not a linked version; unlink takes a registry path (${collectionPath("R", "C")}:vN). To remove a source version, delete it instead.`
  }
}

/** The alias is not on that version. */
export class AliasNotFound extends Schema.TaggedError<AliasNotFound>()("AliasNotFound", {
  alias: Schema.String,
  name: Schema.String
}) {
  override get message() {
    return `Alias "${this.alias}" is not assigned to "${this.name}". List the version's aliases and remove one of them.`
  }
}

/** A source version cannot be deleted while a link of it holds a protected alias. */
export class SourceVersionProtected extends Schema.TaggedError<SourceVersionProtected>()("SourceVersionProtected", {
  reference: Schema.String,
  linkedVersion: Schema.String,
  alias: Schema.String
}) {
  override get message() {
    return `Artifact version "${this.reference}" cannot be deleted: its link "${this.linkedVersion}" holds the protected alias "${this.alias}". A registry admin must remove the alias first.`
  }
}

/** The source version was deleted and can no longer be linked or used. */
export class ArtifactVersionDeleted extends Schema.TaggedError<ArtifactVersionDeleted>()("ArtifactVersionDeleted", {
  reference: Schema.String
}) {
  override get message() {
    return `Artifact version "${this.reference}" was deleted and cannot be linked or used. Log a new version.`
  }
}

/** No organization, team or user has that entity name. */
export class EntityNotFound extends Schema.TaggedError<EntityNotFound>()("EntityNotFound", { entity: Schema.String }) {
  override get message() {
    return `Entity "${this.entity}" does not exist. Log under your own username or a team you belong to.`
  }
}

/** Artifacts can be logged only under the actor's own personal entity or one of their teams. */
/** A source version's file contents are read only by those who may write its entity (or through a registry). */
export class SourceFilesNotReadable extends Schema.TaggedError<SourceFilesNotReadable>()("SourceFilesNotReadable", {
  reference: Schema.String,
  actor: Schema.String
}) {
  override get message() {
    return `User "${this.actor}" cannot read the files of ${this.reference}: a source version's files are read by its entity's own user or the members of its team. Ask one of them, or download it by its registry path (wandb-registry-R/C:vN) once it is linked into a registry you can use.`
  }
}

export class EntityNotWritable extends Schema.TaggedError<EntityNotWritable>()("EntityNotWritable", {
  entity: Schema.String,
  actor: Schema.String
}) {
  override get message() {
    return `User "${this.actor}" cannot log artifacts under entity "${this.entity}": only its own user or the members of the team can. Log under "${this.actor}" or under a team you belong to.`
  }
}

/** A path names no organization and none could be inferred. */
export class OrganizationRequired extends Schema.TaggedError<OrganizationRequired>()("OrganizationRequired", {
  path: Schema.String
}) {
  override get message() {
    return `"${this.path}" does not name an organization and none is configured. Prefix it with the organization, e.g. "my-org/${this.path}", or configure a default organization.`
  }
}

/** Other writers kept changing a stream while a command was retried; the command gave up without its change. */
export class ConflictRetriesExhausted extends Schema.TaggedError<ConflictRetriesExhausted>()(
  "ConflictRetriesExhausted",
  {
    streamId: Schema.String,
    attempts: Schema.Number
  }
) {
  override get message() {
    return `Other writers kept changing "${this.streamId}" while this command was tried ${this.attempts} times, so it stopped before finishing. Run the command again: it decides again from the current state.`
  }
}

const chooseOrganization =
  "Choose one: pass --org ORG (or set REGISTRAR_ORG=ORG) in the CLI, give `organization` to the library, or prefix the registry path with it (ORG/wandb-registry-REGISTRY/COLLECTION)"

/** The actor belongs to several organizations and named none of them. */
export class OrganizationAmbiguous extends Schema.TaggedError<OrganizationAmbiguous>()("OrganizationAmbiguous", {
  user: Schema.String,
  organizations: Schema.Array(Schema.String)
}) {
  override get message() {
    return `User "${this.user}" belongs to several organizations (${this.organizations.join(", ")}) and named none. ${chooseOrganization}.`
  }
}

/** The actor named no organization and belongs to none. */
export class NoOrganization extends Schema.TaggedError<NoOrganization>()("NoOrganization", {
  user: Schema.String
}) {
  override get message() {
    return `User "${this.user}" belongs to no organization and named none. Ask an organization admin to add you (registrar org add-member ${this.user} --org ORG), then name it: ${chooseOrganization}.`
  }
}

/** Users are created by the first user of an empty store, or by an organization admin for their organization. */
export class UserCreationRefused extends Schema.TaggedError<UserCreationRefused>()("UserCreationRefused", {
  actor: Schema.String,
  user: Schema.String
}) {
  override get message() {
    return `User "${this.actor}" cannot create user "${this.user}": only the first user of an empty store, or an organization admin adding the new user to their organization, creates users. Ask an organization admin to run: registrar user create ${this.user} --org ORG --as ADMIN.`
  }
}

/** The version does not carry that tag. */
export class TagNotFound extends Schema.TaggedError<TagNotFound>()("TagNotFound", {
  tag: Schema.String,
  reference: Schema.String
}) {
  override get message() {
    return `Version "${this.reference}" has no tag "${this.tag}", so there is nothing to remove. See its tags with \`registrar artifact versions\` or \`registrar resolve\`.`
  }
}
