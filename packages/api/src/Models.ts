/**
 * The bodies of the API: request inputs and response results as Schemas, taken from the domain where it has them
 * (roles, visibility, principals, manifest entries) and matching the `Registrar` service's inputs and results
 * field for field elsewhere, so a handler passes values through unchanged.
 */
import { Artifact, OrganizationRole, Principal, Projector, RegistryRole, Visibility } from "@registrar/domain"
import { Option, ParseResult, Schema } from "effect"
import { JsonValue } from "./Problem.js"

/** An optional field that, when present, is never `undefined` (the service's inputs are exact). */
export const optional = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(schema, { exact: true })

const Strings = Schema.Array(Schema.String)

const Metadata = Schema.Record({ key: Schema.String, value: JsonValue })

// ---- shared parameters -------------------------------------------------------------------------------------------

/** `asOf`: a global event position (digits) or an ISO date or date-time; the read answers as things stood then. */
export const AsOf = Schema.transformOrFail(
  Schema.String,
  Schema.Union(Schema.Struct({ position: Schema.Number }), Schema.Struct({ time: Schema.String })),
  {
    strict: true,
    decode: (text, _, ast) =>
      Option.match(Projector.parseAsOfTarget(text), {
        onSome: ParseResult.succeed,
        onNone: () =>
          ParseResult.fail(
            new ParseResult.Type(ast, text, "asOf must be an event position (e.g. 42) or an ISO time (e.g. 2025-01-31)")
          )
      }),
    encode: (asOf) => ParseResult.succeed("position" in asOf ? String(asOf.position) : asOf.time)
  }
).annotations({ description: "A global event position (digits) or an ISO date or date-time" })

/** The query of a paginated read: an opaque cursor from the previous page, and a page size (1..1000, default 100). */
export const PageParams = {
  cursor: optional(Schema.String.annotations({ description: "The nextCursor of the previous page" })),
  limit: optional(
    Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 1000)).annotations({
      description: "Items per page (1..1000, default 100)"
    })
  )
}

/** The query of a paginated read that can answer as of a past point. */
export const PageAsOfParams = Schema.Struct({ ...PageParams, asOf: optional(AsOf) })

/** The query of a collection's versions list: a page, as of a past point, oldest (`asc`, default) or newest first. */
export const VersionsListParams = Schema.Struct({
  ...PageParams,
  asOf: optional(AsOf),
  order: optional(
    Schema.Literal("asc", "desc").annotations({ description: "asc: v0 upwards (default); desc: newest first" })
  )
})

/** The query of a read that can answer as of a past point. */
export const AsOfParams = Schema.Struct({ asOf: optional(AsOf) })

/** One page of a list, with the cursor of the next page (`null` on the last page). */
export const Page = <A, I, R>(item: Schema.Schema<A, I, R>) =>
  Schema.Struct({ items: Schema.Array(item), nextCursor: Schema.NullOr(Schema.String) })

/** The `Idempotency-Key` header: a retried POST with the same key returns the first result and writes nothing. */
export const IdempotencyHeaders = Schema.Struct({
  "idempotency-key": optional(
    Schema.String.pipe(Schema.minLength(1), Schema.maxLength(200)).annotations({
      description: "A retried request with the same key (by the same user) returns the first result"
    })
  )
})

/** Whether a command changed anything (false: it was already so). */
export const Changed = Schema.Struct({ changed: Schema.Boolean })

// ---- users, organizations, teams ---------------------------------------------------------------------------------

/** The caller, as the server authenticated them. */
export const Me = Schema.Struct({ user: Schema.String })

/** Input of user creation. */
export const CreateUser = Schema.Struct({
  user: Schema.String,
  organization: optional(Schema.String),
  organizationRole: optional(OrganizationRole)
})

/** A user created (or found already created). */
export const UserCreated = Schema.Struct({ user: Schema.String, created: Schema.Boolean })

/** Input of organization creation. */
export const CreateOrganization = Schema.Struct({ organization: Schema.String, displayName: Schema.String })

/** An organization created (or found already created with the same names). */
export const OrganizationCreated = Schema.Struct({
  organization: Schema.String,
  displayName: Schema.String,
  created: Schema.Boolean
})

/** A user's role in an organization. */
export const OrganizationMember = Schema.Struct({
  organization: Schema.String,
  user: Schema.String,
  role: OrganizationRole
})

/** Input of team creation. */
export const CreateTeam = Schema.Struct({ team: Schema.String, organization: Schema.String })

/** A team created (or found already created). */
export const TeamCreated = Schema.Struct({ team: Schema.String, organization: Schema.String, created: Schema.Boolean })

/** A team membership. */
export const TeamMember = Schema.Struct({ team: Schema.String, user: Schema.String })

// ---- registries --------------------------------------------------------------------------------------------------

/** Input of registry creation (`registry` without the `wandb-registry-` prefix). */
export const CreateRegistry = Schema.Struct({
  registry: Schema.String,
  visibility: optional(Visibility),
  description: optional(Schema.String),
  acceptedTypes: optional(Strings)
})

/** A registry created. */
export const RegistryCreated = Schema.Struct({
  organization: Schema.String,
  registry: Schema.String,
  path: Schema.String
})

/** A registry: settings, accepted types (empty: every type) and role grants. */
export const Registry = Schema.Struct({
  registryId: optional(Schema.String),
  organization: Schema.String,
  registry: Schema.String,
  visibility: Visibility,
  description: Schema.String,
  protectedAliases: Strings,
  acceptedTypes: Strings,
  grants: Schema.Array(Schema.Struct({ principal: Principal, role: RegistryRole })),
  createdAt: Schema.String,
  createdBy: Schema.String
}).annotations({ identifier: "Registry" })

/** A collection with its version count. */
export const Collection = Schema.Struct({
  organization: Schema.String,
  registry: Schema.String,
  collectionId: Schema.String,
  name: Schema.String,
  artifactType: Schema.String,
  description: Schema.String,
  tags: Strings,
  createdAt: Schema.String,
  createdBy: Schema.String,
  versionCount: Schema.Number
}).annotations({ identifier: "Collection" })

/** A registry with its collections. */
export const RegistryDetails = Schema.Struct({
  registry: Registry,
  collections: Schema.Array(Collection),
  path: Schema.String
})

/** Input of a visibility change (organization → restricted only). */
export const ChangeVisibility = Schema.Struct({ visibility: Visibility })

/** Input of accepting more artifact types. */
export const AcceptTypes = Schema.Struct({ artifactTypes: Strings })

/** Input of replacing the protected aliases. */
export const SetProtectedAliases = Schema.Struct({ aliases: Strings })

/** Input of a role grant. */
export const GrantRole = Schema.Struct({ principal: Principal, role: RegistryRole })

// ---- collections and linked versions -----------------------------------------------------------------------------

/** Input of collection creation. */
export const CreateCollection = Schema.Struct({
  collection: Schema.String,
  type: Schema.String,
  description: optional(Schema.String),
  tags: optional(Strings)
})

/** A collection created. */
export const CollectionCreated = Schema.Struct({
  organization: Schema.String,
  registry: Schema.String,
  collection: Schema.String,
  path: Schema.String,
  artifactType: Schema.String
})

/** Input of a collection change: a new name, description or tags (each optional). */
export const UpdateCollection = Schema.Struct({
  name: optional(Schema.String),
  description: optional(Schema.String),
  tags: optional(Strings)
})

/** Where a collection is after a change. */
export const CollectionChanged = Schema.Struct({
  organization: Schema.String,
  registry: Schema.String,
  collection: Schema.String,
  changed: Schema.Boolean
})

/** A collection that was deleted. */
export const CollectionDeleted = Schema.Struct({
  organization: Schema.String,
  registry: Schema.String,
  collection: Schema.String
})

/** A source version: `entity/project/name` and index. */
export const SourceRef = Schema.Struct({
  entity: Schema.String,
  project: Schema.String,
  name: Schema.String,
  index: Schema.Number
})

/** A linked version of a collection. */
export const LinkedVersion = Schema.Struct({
  collectionId: Schema.String,
  index: Schema.Number,
  source: SourceRef,
  sourceKey: Schema.String,
  artifactType: Schema.String,
  digest: Schema.String,
  linkedAt: Schema.String,
  linkedBy: Schema.String,
  aliases: Strings,
  description: Schema.String,
  metadata: Metadata,
  tags: Strings
}).annotations({ identifier: "LinkedVersion" })

/** A page of a collection's linked versions, with the collection and where `latest` points. */
export const VersionsPage = Schema.Struct({
  organization: Schema.String,
  registry: Schema.String,
  path: Schema.String,
  latest: Schema.NullOr(Schema.Number),
  items: Schema.Array(LinkedVersion),
  nextCursor: Schema.NullOr(Schema.String)
})

/** Input of a link into the collection of the path. */
export const Link = Schema.Struct({
  source: Schema.String.annotations({ description: "entity/project/name:vN|alias, or a linked version's path" }),
  aliases: optional(Strings)
})

/** The linked version a link produced or found. */
export const LinkResult = Schema.Struct({
  fullName: Schema.String,
  qualifiedName: Schema.String,
  organization: Schema.String,
  registry: Schema.String,
  collection: Schema.String,
  version: Schema.Number,
  aliases: Strings,
  source: Schema.String,
  created: Schema.Boolean
})

/** A linked version after an unlink or an alias change. */
export const LinkedChange = Schema.Struct({
  fullName: Schema.String,
  version: Schema.Number,
  aliases: Strings,
  changed: Schema.Boolean,
  role: Schema.NullOr(RegistryRole)
})

/** A resolved linked version: the link, its source and its files. */
export const Resolved = Schema.Struct({
  fullName: Schema.String,
  qualifiedName: Schema.String,
  organization: Schema.String,
  registry: Schema.String,
  collection: Schema.String,
  collectionId: Schema.String,
  version: Schema.Number,
  aliases: Strings,
  source: Schema.String,
  artifactType: Schema.String,
  digest: Schema.String,
  linkedAt: Schema.String,
  linkedBy: Schema.String,
  description: Schema.String,
  metadata: Metadata,
  tags: Strings,
  files: Schema.Array(Artifact.ManifestEntry)
})

// ---- artifacts ---------------------------------------------------------------------------------------------------

/** Input of logging a version with a JSON manifest (files by path, sha256 and size). */
export const LogArtifact = Schema.Struct({
  type: Schema.String,
  files: Schema.Array(Artifact.ManifestEntry),
  metadata: optional(Metadata),
  description: optional(Schema.String),
  aliases: optional(Strings),
  runId: optional(Schema.String)
})

/** A logged version (new, or the newest one when the content was identical). */
export const LoggedVersion = Schema.Struct({
  reference: Schema.String,
  entity: Schema.String,
  project: Schema.String,
  name: Schema.String,
  index: Schema.Number,
  digest: Schema.String,
  created: Schema.Boolean,
  aliases: Strings
})

/** A version of a source artifact. */
export const ArtifactVersion = Schema.Struct({
  entity: Schema.String,
  project: Schema.String,
  name: Schema.String,
  index: Schema.Number,
  artifactType: Schema.String,
  digest: Schema.String,
  files: Schema.Array(Artifact.ManifestEntry),
  metadata: Metadata,
  description: Schema.String,
  artifactKey: optional(Schema.String.annotations({ description: "entity/project/name" })),
  loggedBy: optional(Schema.NullOr(Schema.String).annotations({ description: "The run that logged it" })),
  loggedAt: Schema.String,
  loggedByUser: Schema.String,
  deleted: Schema.Boolean,
  aliases: Strings,
  tags: optional(Strings)
}).annotations({ identifier: "ArtifactVersion" })

/** Input of recording a run's use of a version. */
export const UseArtifact = Schema.Struct({
  reference: Schema.String,
  run: Schema.Struct({ entity: Schema.String, project: Schema.String, runId: Schema.String })
})

/** The lineage graph around a version. */
export const LineageGraph = Schema.Struct({
  root: Schema.String,
  nodes: Schema.Array(
    Schema.Struct({ id: Schema.String, kind: Schema.Literal("run", "version"), label: Schema.String })
  ),
  edges: Schema.Array(
    Schema.Struct({ from: Schema.String, to: Schema.String, kind: Schema.Literal("produced", "used") })
  )
})

/** An artifact of an entity, for the artifact browser. */
export const ArtifactSummary = Schema.Struct({
  project: Schema.String,
  name: Schema.String,
  artifactType: Schema.String,
  versions: Schema.Number,
  latest: Schema.NullOr(Schema.Number)
})

/** Where a source version is linked (in the registries the caller can see). */
export const SourceLinks = Schema.Struct({
  reference: Schema.String,
  links: Schema.Array(
    Schema.Struct({
      organization: Schema.String,
      registry: Schema.String,
      collection: Schema.String,
      collectionId: Schema.String,
      index: Schema.Number,
      aliases: Strings
    })
  )
})

// ---- history and search ------------------------------------------------------------------------------------------

/** One event of the audit history. */
export const AuditEvent = Schema.Struct({
  globalPosition: Schema.Number,
  transactionId: optional(Schema.Number),
  streamId: Schema.String,
  streamPosition: Schema.Number,
  eventId: Schema.String,
  type: Schema.String,
  schemaVersion: optional(Schema.Number),
  actor: Schema.String,
  recordedAt: Schema.String,
  hash: Schema.String,
  organization: Schema.NullOr(Schema.String),
  registry: Schema.NullOr(Schema.String),
  collectionId: Schema.NullOr(Schema.String),
  entity: optional(Schema.NullOr(Schema.String)),
  summary: Schema.String
}).annotations({ identifier: "AuditEvent" })

/** The filters of the audit history. */
export const HistoryParams = Schema.Struct({
  ...PageParams,
  organization: optional(Schema.String),
  registry: optional(Schema.String),
  collection: optional(Schema.String),
  by: optional(Schema.String),
  since: optional(Schema.String),
  until: optional(Schema.String),
  asOf: optional(AsOf)
})

/** A registry or collection found by a search. */
export const CatalogEntry = Schema.Union(
  Schema.Struct({
    _tag: Schema.Literal("Registry"),
    organization: Schema.String,
    registry: Schema.String,
    visibility: Visibility,
    description: Schema.String,
    acceptedTypes: Strings
  }),
  Schema.Struct({ _tag: Schema.Literal("Collection"), ...Collection.fields })
)

// ---- by path: the forms people type, the organization optional ---------------------------------------------------

const organizationParam = optional(
  Schema.String.annotations({ description: "Entity or display name; default: the caller's only organization" })
)

/** The query of the registries of an organization (default: the caller's only one). */
export const RegistriesQuery = Schema.Struct({ ...PageParams, organization: organizationParam, asOf: optional(AsOf) })

/** A page of an organization's registries, naming the organization. */
export const RegistriesPage = Schema.Struct({
  organization: Schema.String,
  items: Schema.Array(Registry),
  nextCursor: Schema.NullOr(Schema.String)
})

/** The query naming one registry, with or without its organization and the `wandb-registry-` prefix. */
export const RegistryQuery = Schema.Struct({
  organization: organizationParam,
  registry: Schema.String,
  asOf: optional(AsOf)
})

/** The query of a registry's collections. */
export const CollectionsQuery = Schema.Struct({ ...PageParams, ...RegistryQuery.fields })

const collectionField = Schema.String.annotations({ description: "[ORG/]wandb-registry-R/C" })

/** Input of collection creation by path. */
export const CreateCollectionAt = Schema.Struct({
  collection: collectionField,
  type: Schema.String,
  description: optional(Schema.String),
  tags: optional(Strings)
})

/** The query of a collection's versions by path. */
export const VersionsQuery = Schema.Struct({ ...PageParams, collection: collectionField, asOf: optional(AsOf) })

/** A collection row, without its version count. */
export const CollectionRow = Schema.Struct({
  organization: Schema.String,
  registry: Schema.String,
  collectionId: Schema.String,
  name: Schema.String,
  artifactType: Schema.String,
  description: Schema.String,
  tags: Strings,
  createdAt: Schema.String,
  createdBy: Schema.String
})

/** A page of a collection's linked versions, with the collection itself. */
export const CollectionVersionsPage = Schema.Struct({ ...VersionsPage.fields, collection: CollectionRow })

/** Input of a collection rename by path. */
export const RenameCollectionAt = Schema.Struct({ collection: collectionField, to: Schema.String })

/** A collection renamed: its old name, and its path under the new one. */
export const RenamedCollection = Schema.Struct({ ...CollectionDeleted.fields, path: Schema.String })

/** Input of a collection description/tags change by path. */
export const UpdateCollectionAt = Schema.Struct({
  collection: collectionField,
  description: optional(Schema.String),
  tags: optional(Strings)
})

/** Names a collection by path. */
export const CollectionAt = Schema.Struct({ collection: collectionField })

/** Input of a link by paths: the source version and the target collection. */
export const LinkAt = Schema.Struct({
  source: Link.fields.source,
  target: collectionField,
  aliases: optional(Strings)
})

/** Names a linked version: `[ORG/]wandb-registry-R/C:vN|alias`. */
export const LinkedVersionAt = Schema.Struct({ name: Schema.String })

/** An alias change of a linked version named by path. */
export const LinkedAliasAt = Schema.Struct({ name: Schema.String, alias: Schema.String })

/** The query of a catalog search, the organization optional. */
export const SearchQuery = Schema.Struct({
  ...PageParams,
  organization: organizationParam,
  text: Schema.String,
  asOf: optional(AsOf)
})

/** Names a source version: `entity/project/name:vN|alias`. */
export const ArtifactVersionAt = Schema.Struct({ reference: Schema.String })

/** A source version deleted (or deleted already). */
export const DeletedArtifactVersion = Schema.Struct({ reference: Schema.String, deleted: Schema.Boolean })

/** Input of a registry rename. */
export const RenameRegistry = Schema.Struct({
  to: Schema.String.annotations({ description: "The new name, with or without the wandb-registry- prefix" })
})

/** A registry renamed. */
export const RegistryRenamed = Schema.Struct({
  organization: Schema.String,
  from: Schema.String,
  registry: Schema.String,
  path: Schema.String,
  changed: Schema.Boolean
})

/** Input of a registry update: description and visibility (each optional). */
export const UpdateRegistry = Schema.Struct({
  description: optional(Schema.String),
  visibility: optional(Visibility)
})

/** A registry updated. */
export const RegistryUpdated = Schema.Struct({ registry: Schema.String, changed: Schema.Boolean })

// ---- API keys ----------------------------------------------------------------------------------------------------

/** Input of key creation. */
export const CreateApiKey = Schema.Struct({
  name: optional(Schema.String.annotations({ description: "Where the key is used, e.g. ci" }))
})

/** A key just created: the only response that ever contains the key. */
export const CreatedApiKey = Schema.Struct({
  user: Schema.String,
  name: Schema.String,
  prefix: Schema.String,
  key: Schema.String.annotations({ description: "The whole key; shown once, store it now" }),
  createdAt: Schema.String,
  expiresAt: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }).annotations({
    description: "When the key stops authenticating; null: never"
  })
})

/** A key as listed: name, prefix and dates, never the secret. */
export const ApiKeyInfo = Schema.Struct({
  prefix: Schema.String,
  name: Schema.String,
  createdAt: Schema.String,
  expiresAt: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }).annotations({
    description: "When the key stops authenticating; null: never"
  }),
  revokedAt: Schema.NullOr(Schema.String)
})

/** A key revoked (or already revoked). */
export const ApiKeyRevoked = Schema.Struct({ user: Schema.String, prefix: Schema.String, changed: Schema.Boolean })

/** Health and readiness. */
export const Health = Schema.Struct({ status: Schema.Literal("ok") })

/** New description and metadata of a source version (each optional: what is left out stays). */
export const UpdateArtifactVersion = Schema.Struct({
  description: optional(Schema.String),
  metadata: optional(Metadata)
})

/** A source version by reference (or a linked version's path, naming its source) with its new description and metadata. */
export const UpdateArtifactVersionAt = Schema.Struct({
  reference: Schema.String,
  description: optional(Schema.String),
  metadata: optional(Metadata)
})

/** An alias of the source version a reference names. */
export const ArtifactAliasAt = Schema.Struct({ reference: Schema.String, alias: Schema.String })

/** A source version changed: `entity/project/name:vN`. */
export const ArtifactVersionChanged = Schema.Struct({ reference: Schema.String })

/** A source version's alias moved or removed. */
export const ArtifactAliasChanged = Schema.Struct({ reference: Schema.String, alias: Schema.String })
