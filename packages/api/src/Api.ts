/**
 * The HTTP API of Registrar, defined once: one group per resource, bodies from `Models.ts`, every failure a problem
 * document (`Errors.ts`), every group but `health` behind bearer-key authentication. The server implements it with
 * `HttpApiBuilder`, clients derive from it with `HttpApiClient`, and `/openapi.json` is generated from it.
 */
import * as HttpApi from "@effect/platform/HttpApi"
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as OpenApi from "@effect/platform/OpenApi"
import { Schema } from "effect"
import { Authentication } from "./Authentication.js"
import { problems } from "./Errors.js"
import * as A from "./AutomationModels.js"
import * as G from "./GovernanceModels.js"
import { FilesGroup } from "./Files.js"
import { FindGroup } from "./Find.js"
import * as M from "./Models.js"
import { SessionGroup } from "./Session.js"

const { optional } = M

const organization = HttpApiSchema.param("organization", Schema.String)
const registry = HttpApiSchema.param(
  "registry",
  Schema.String.annotations({ description: "The registry name, without the wandb-registry- prefix" })
)
const collection = HttpApiSchema.param("collection", Schema.String)
const version = HttpApiSchema.param(
  "version",
  Schema.String.annotations({ description: "vN, or an alias (latest included)" })
)
const alias = HttpApiSchema.param("alias", Schema.String)
const user = HttpApiSchema.param("user", Schema.String)
const team = HttpApiSchema.param("team", Schema.String)
const principalKind = HttpApiSchema.param("kind", Schema.Literal("user", "team"))
const principalName = HttpApiSchema.param("name", Schema.String)
const entity = HttpApiSchema.param("entity", Schema.String)
const project = HttpApiSchema.param("project", Schema.String)
const artifact = HttpApiSchema.param("artifact", Schema.String)
const prefix = HttpApiSchema.param("prefix", Schema.String)
const tag = HttpApiSchema.param("tag", Schema.String)

const created = { status: 201 } as const

/** Liveness and readiness, without authentication. */
export class HealthGroup extends HttpApiGroup.make("health")
  .add(HttpApiEndpoint.get("healthz", "/healthz").addSuccess(M.Health))
  .add(HttpApiEndpoint.get("readyz", "/readyz").addSuccess(M.Health))
  .annotate(OpenApi.Description, "Is the process up (healthz) and its store reachable (readyz)?") {}

/** The caller's API keys. */
export class KeysGroup extends HttpApiGroup.make("keys")
  .add(HttpApiEndpoint.get("me", "/me").addSuccess(M.Me))
  .add(
    HttpApiEndpoint.post("createApiKey", "/api-keys").setPayload(M.CreateApiKey).addSuccess(M.CreatedApiKey, created)
  )
  .add(HttpApiEndpoint.get("listApiKeys", "/api-keys").addSuccess(Schema.Array(M.ApiKeyInfo)))
  .add(HttpApiEndpoint.del("revokeApiKey")`/api-keys/${prefix}`.addSuccess(M.ApiKeyRevoked))
  .add(
    HttpApiEndpoint.post("createUserApiKey")`/users/${user}/api-keys`
      .setPayload(M.CreateApiKey)
      .addSuccess(M.CreatedApiKey, created)
      .annotate(OpenApi.Description, "A key for a user: by the user themselves or the instance admin")
  )
  .add(
    HttpApiEndpoint.get("listUserApiKeys")`/users/${user}/api-keys`
      .addSuccess(Schema.Array(M.ApiKeyInfo))
      .annotate(OpenApi.Description, "A user's keys: for the user themselves or the instance admin")
  )
  .add(
    HttpApiEndpoint.del("revokeUserApiKey")`/users/${user}/api-keys/${prefix}`
      .addSuccess(M.ApiKeyRevoked)
      .annotate(OpenApi.Description, "Revokes a user's key: by the user themselves or the instance admin")
  )
  .middleware(Authentication)
  .annotate(
    OpenApi.Description,
    "API keys: create (the key is shown once), list, revoke; your own, or as the instance admin any user's"
  ) {}

/** Users, organizations and teams. */
export class EntitiesGroup extends HttpApiGroup.make("entities")
  .add(
    HttpApiEndpoint.post("createUser", "/users")
      .setPayload(M.CreateUser)
      .setHeaders(M.IdempotencyHeaders)
      .addSuccess(M.UserCreated, created)
  )
  .add(
    HttpApiEndpoint.post("createOrganization", "/organizations")
      .setPayload(M.CreateOrganization)
      .setHeaders(M.IdempotencyHeaders)
      .addSuccess(M.OrganizationCreated, created)
  )
  .add(
    HttpApiEndpoint.put("setOrganizationMember")`/organizations/${organization}/members/${user}`
      .setPayload(Schema.Struct({ role: M.OrganizationMember.fields.role }))
      .addSuccess(M.OrganizationMember)
  )
  .add(HttpApiEndpoint.del("removeOrganizationMember")`/organizations/${organization}/members/${user}`)
  .add(
    HttpApiEndpoint.post("createTeam", "/teams")
      .setPayload(M.CreateTeam)
      .setHeaders(M.IdempotencyHeaders)
      .addSuccess(M.TeamCreated, created)
  )
  .add(HttpApiEndpoint.put("addTeamMember")`/teams/${team}/members/${user}`.addSuccess(M.TeamMember))
  .add(HttpApiEndpoint.del("removeTeamMember")`/teams/${team}/members/${user}`.addSuccess(M.TeamMember))
  .middleware(Authentication)
  .annotate(OpenApi.Description, "Users, organizations and teams") {}

/** Registries of an organization and their settings. */
export class RegistriesGroup extends HttpApiGroup.make("registries")
  .add(
    HttpApiEndpoint.get("listRegistries")`/organizations/${organization}/registries`
      .setUrlParams(M.PageAsOfParams)
      .addSuccess(M.Page(M.Registry))
  )
  .add(
    HttpApiEndpoint.post("createRegistry")`/organizations/${organization}/registries`
      .setPayload(M.CreateRegistry)
      .setHeaders(M.IdempotencyHeaders)
      .addSuccess(M.RegistryCreated, created)
  )
  .add(
    HttpApiEndpoint.get("showRegistry")`/organizations/${organization}/registries/${registry}`
      .setUrlParams(M.AsOfParams)
      .addSuccess(M.RegistryDetails)
  )
  .add(
    HttpApiEndpoint.del("deleteRegistry")`/organizations/${organization}/registries/${registry}`.addSuccess(M.Changed)
  )
  .add(
    HttpApiEndpoint.put("changeVisibility")`/organizations/${organization}/registries/${registry}/visibility`
      .setPayload(M.ChangeVisibility)
      .addSuccess(M.Changed)
  )
  .add(
    HttpApiEndpoint.post("acceptTypes")`/organizations/${organization}/registries/${registry}/accepted-types`
      .setPayload(M.AcceptTypes)
      .addSuccess(M.Changed)
  )
  .add(
    HttpApiEndpoint.put("setProtectedAliases")`/organizations/${organization}/registries/${registry}/protected-aliases`
      .setPayload(M.SetProtectedAliases)
      .addSuccess(M.Changed)
  )
  .add(
    HttpApiEndpoint.put("grantRole")`/organizations/${organization}/registries/${registry}/grants`
      .setPayload(M.GrantRole)
      .addSuccess(M.Changed)
  )
  .add(
    HttpApiEndpoint.del(
      "revokeRole"
    )`/organizations/${organization}/registries/${registry}/grants/${principalKind}/${principalName}`.addSuccess(
      M.Changed
    )
  )
  .add(
    HttpApiEndpoint.post("renameRegistry")`/organizations/${organization}/registries/${registry}/rename`
      .setPayload(M.RenameRegistry)
      .addSuccess(M.RegistryRenamed)
  )
  .add(
    HttpApiEndpoint.patch("updateRegistry")`/organizations/${organization}/registries/${registry}`
      .setPayload(M.UpdateRegistry)
      .addSuccess(M.RegistryUpdated)
  )
  .middleware(Authentication)
  .annotate(OpenApi.Description, "Registries: create, list, show, configure, grant roles, rename, delete") {}

const collectionPath = HttpApiEndpoint.get(
  "showCollection"
)`/organizations/${organization}/registries/${registry}/collections/${collection}`

/** Collections of a registry. */
export class CollectionsGroup extends HttpApiGroup.make("collections")
  .add(
    HttpApiEndpoint.get("listCollections")`/organizations/${organization}/registries/${registry}/collections`
      .setUrlParams(M.PageAsOfParams)
      .addSuccess(M.Page(M.Collection))
  )
  .add(
    HttpApiEndpoint.post("createCollection")`/organizations/${organization}/registries/${registry}/collections`
      .setPayload(M.CreateCollection)
      .setHeaders(M.IdempotencyHeaders)
      .addSuccess(M.CollectionCreated, created)
  )
  .add(collectionPath.setUrlParams(M.AsOfParams).addSuccess(M.Collection))
  .add(
    HttpApiEndpoint.patch(
      "updateCollection"
    )`/organizations/${organization}/registries/${registry}/collections/${collection}`
      .setPayload(M.UpdateCollection)
      .addSuccess(M.CollectionChanged)
  )
  .add(
    HttpApiEndpoint.del(
      "deleteCollection"
    )`/organizations/${organization}/registries/${registry}/collections/${collection}`.addSuccess(M.CollectionDeleted)
  )
  .middleware(Authentication)
  .annotate(OpenApi.Description, "Collections: create, list, show, rename and update, delete") {}

const versionsOf = `/organizations/:organization/registries/:registry/collections/:collection/versions` as const

/** Linked versions: link, unlink, aliases, list, resolve. */
export class VersionsGroup extends HttpApiGroup.make("versions")
  .add(
    HttpApiEndpoint.get(
      "listVersions"
    )`/organizations/${organization}/registries/${registry}/collections/${collection}/versions`
      .setUrlParams(M.VersionsListParams)
      .addSuccess(M.VersionsPage)
  )
  .add(
    HttpApiEndpoint.post("link")`/organizations/${organization}/registries/${registry}/collections/${collection}/links`
      .setPayload(M.Link)
      .setHeaders(M.IdempotencyHeaders)
      .addSuccess(M.LinkResult)
  )
  .add(
    HttpApiEndpoint.del(
      "unlink"
    )`/organizations/${organization}/registries/${registry}/collections/${collection}/versions/${version}`.addSuccess(
      M.LinkedChange
    )
  )
  .add(
    HttpApiEndpoint.put(
      "addAlias"
    )`/organizations/${organization}/registries/${registry}/collections/${collection}/versions/${version}/aliases/${alias}`.addSuccess(
      M.LinkedChange
    )
  )
  .add(
    HttpApiEndpoint.del(
      "removeAlias"
    )`/organizations/${organization}/registries/${registry}/collections/${collection}/versions/${version}/aliases/${alias}`.addSuccess(
      M.LinkedChange
    )
  )
  .add(
    HttpApiEndpoint.get("resolve", "/resolve")
      .setUrlParams(
        Schema.Struct({
          name: Schema.String.annotations({ description: "[ORG/]wandb-registry-R/C[:vN|:alias]" }),
          asOf: optional(M.AsOf)
        })
      )
      .addSuccess(M.Resolved)
  )
  .middleware(Authentication)
  .annotate(OpenApi.Description, `Linked versions (${versionsOf}): link, unlink, aliases, list, resolve`) {}

/** Source artifacts: log (with a JSON manifest), list versions, record use, lineage. */
export class ArtifactsGroup extends HttpApiGroup.make("artifacts")
  .add(
    HttpApiEndpoint.post("logArtifact")`/entities/${entity}/projects/${project}/artifacts/${artifact}/versions`
      .setPayload(M.LogArtifact)
      .setHeaders(M.IdempotencyHeaders)
      .addSuccess(M.LoggedVersion, created)
  )
  .add(
    HttpApiEndpoint.get("listArtifactVersions")`/entities/${entity}/projects/${project}/artifacts/${artifact}/versions`
      .setUrlParams(M.PageAsOfParams)
      .addSuccess(M.Page(M.ArtifactVersion))
  )
  .add(
    HttpApiEndpoint.patch(
      "updateArtifactVersion"
    )`/entities/${entity}/projects/${project}/artifacts/${artifact}/versions/${version}`
      .setPayload(M.UpdateArtifactVersion)
      .addSuccess(M.ArtifactVersionChanged)
  )
  .add(
    HttpApiEndpoint.put(
      "assignArtifactAlias"
    )`/entities/${entity}/projects/${project}/artifacts/${artifact}/versions/${version}/aliases/${alias}`.addSuccess(
      M.ArtifactAliasChanged
    )
  )
  .add(
    HttpApiEndpoint.del(
      "removeArtifactAlias"
    )`/entities/${entity}/projects/${project}/artifacts/${artifact}/versions/${version}/aliases/${alias}`.addSuccess(
      M.ArtifactAliasChanged
    )
  )
  .add(
    HttpApiEndpoint.post("useArtifact", "/uses")
      .setPayload(M.UseArtifact)
      .setHeaders(M.IdempotencyHeaders)
      .addSuccess(Schema.Struct({ reference: Schema.String }))
  )
  .add(
    HttpApiEndpoint.get("lineage", "/lineage")
      .setUrlParams(
        Schema.Struct({
          reference: Schema.String,
          depth: optional(Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 20))),
          asOf: optional(M.AsOf)
        })
      )
      .addSuccess(M.LineageGraph)
  )
  .add(
    HttpApiEndpoint.get("listArtifacts")`/entities/${entity}/artifacts`
      .setUrlParams(M.AsOfParams)
      .addSuccess(Schema.Array(M.ArtifactSummary))
      .annotate(OpenApi.Description, "The artifacts of an entity, every project: type, version count and latest")
  )
  .add(
    HttpApiEndpoint.get("sourceLinks", "/source-links")
      .setUrlParams(Schema.Struct({ reference: Schema.String, asOf: optional(M.AsOf) }))
      .addSuccess(M.SourceLinks)
      .annotate(OpenApi.Description, "Where a source version is linked, in the registries the caller can see")
  )
  .middleware(Authentication)
  .annotate(
    OpenApi.Description,
    "Source artifacts: log versions, list them, change a version's description, metadata and aliases (its entity's writers), record use, lineage, where a version is linked; an entity's artifacts"
  ) {}

/** The audit history and catalog search. */
export class HistoryGroup extends HttpApiGroup.make("history")
  .add(HttpApiEndpoint.get("history", "/history").setUrlParams(M.HistoryParams).addSuccess(M.Page(M.AuditEvent)))
  .add(
    HttpApiEndpoint.get("search")`/organizations/${organization}/search`
      .setUrlParams(Schema.Struct({ ...M.PageParams, text: Schema.String, asOf: optional(M.AsOf) }))
      .addSuccess(M.Page(M.CatalogEntry))
  )
  .middleware(Authentication)
  .annotate(OpenApi.Description, "The audit history (newest last) and catalog search") {}

const ofRegistry = "/organizations/:organization/registries/:registry" as const

/** Governance: atomic promotion, an alias's history, diff and revert. */
export class GovernanceGroup extends HttpApiGroup.make("governance")
  .add(
    HttpApiEndpoint.post("promote")`/organizations/${organization}/registries/${registry}/promotions`
      .setPayload(G.Promote)
      .setHeaders(M.IdempotencyHeaders)
      .addSuccess(G.Promoted)
  )
  .add(
    HttpApiEndpoint.get("aliasHistory")`/organizations/${organization}/registries/${registry}/aliases/${alias}/history`
      .setUrlParams(G.AliasHistoryParams)
      .addSuccess(G.AliasHistory)
  )
  .add(
    HttpApiEndpoint.get("diff")`/organizations/${organization}/registries/${registry}/diff`
      .setUrlParams(G.DiffParams)
      .addSuccess(G.Diff)
  )
  .add(
    HttpApiEndpoint.put(
      "tagArtifactVersion"
    )`/entities/${entity}/projects/${project}/artifacts/${artifact}/versions/${version}/tags/${tag}`.addSuccess(
      G.Tagged
    )
  )
  .add(
    HttpApiEndpoint.del(
      "untagArtifactVersion"
    )`/entities/${entity}/projects/${project}/artifacts/${artifact}/versions/${version}/tags/${tag}`.addSuccess(
      G.Tagged
    )
  )
  .add(
    HttpApiEndpoint.post("revert")`/organizations/${organization}/registries/${registry}/reverts`
      .setPayload(G.Revert)
      .addSuccess(G.Reverted)
  )
  .middleware(Authentication)
  .annotate(OpenApi.Description, `Governance (${ofRegistry}): promote, alias history, diff, revert; version tags`) {}

/**
 * Reads and commands by the names people type — `[ORG/]wandb-registry-R/C[:vN|:alias]` and `entity/project/name:vN` —
 * with the organization optional (the caller's only organization when omitted), answered exactly as the library
 * answers them. The remote CLI uses these.
 */
export class PathsGroup extends HttpApiGroup.make("paths")
  .add(HttpApiEndpoint.get("registriesOf", "/registries").setUrlParams(M.RegistriesQuery).addSuccess(M.RegistriesPage))
  .add(HttpApiEndpoint.get("registryNamed", "/registry").setUrlParams(M.RegistryQuery).addSuccess(M.RegistryDetails))
  .add(
    HttpApiEndpoint.get("collectionsOf", "/collections")
      .setUrlParams(M.CollectionsQuery)
      .addSuccess(M.Page(M.Collection))
  )
  .add(
    HttpApiEndpoint.post("createCollectionAt", "/collections")
      .setPayload(M.CreateCollectionAt)
      .setHeaders(M.IdempotencyHeaders)
      .addSuccess(M.CollectionCreated, created)
  )
  .add(
    HttpApiEndpoint.get("versionsAt", "/versions").setUrlParams(M.VersionsQuery).addSuccess(M.CollectionVersionsPage)
  )
  .add(
    HttpApiEndpoint.post("renameCollectionAt", "/collections/rename")
      .setPayload(M.RenameCollectionAt)
      .addSuccess(M.RenamedCollection)
  )
  .add(
    HttpApiEndpoint.post("updateCollectionAt", "/collections/update")
      .setPayload(M.UpdateCollectionAt)
      .addSuccess(M.CollectionChanged)
  )
  .add(
    HttpApiEndpoint.post("deleteCollectionAt", "/collections/delete")
      .setPayload(M.CollectionAt)
      .addSuccess(M.CollectionDeleted)
  )
  .add(
    HttpApiEndpoint.post("linkAt", "/links")
      .setPayload(M.LinkAt)
      .setHeaders(M.IdempotencyHeaders)
      .addSuccess(M.LinkResult)
  )
  .add(HttpApiEndpoint.post("unlinkAt", "/unlinks").setPayload(M.LinkedVersionAt).addSuccess(M.LinkedChange))
  .add(HttpApiEndpoint.post("addAliasAt", "/aliases/add").setPayload(M.LinkedAliasAt).addSuccess(M.LinkedChange))
  .add(HttpApiEndpoint.post("removeAliasAt", "/aliases/remove").setPayload(M.LinkedAliasAt).addSuccess(M.LinkedChange))
  .add(HttpApiEndpoint.get("searchCatalog", "/search").setUrlParams(M.SearchQuery).addSuccess(M.Page(M.CatalogEntry)))
  .add(
    HttpApiEndpoint.post("deleteArtifactVersionAt", "/artifact-versions/delete")
      .setPayload(M.ArtifactVersionAt)
      .addSuccess(M.DeletedArtifactVersion)
  )
  .add(
    HttpApiEndpoint.post("updateArtifactVersionAt", "/artifact-versions/update")
      .setPayload(M.UpdateArtifactVersionAt)
      .addSuccess(M.ArtifactVersionChanged)
  )
  .add(
    HttpApiEndpoint.post("addArtifactAliasAt", "/artifact-versions/aliases/add")
      .setPayload(M.ArtifactAliasAt)
      .addSuccess(M.ArtifactAliasChanged)
  )
  .add(
    HttpApiEndpoint.post("removeArtifactAliasAt", "/artifact-versions/aliases/remove")
      .setPayload(M.ArtifactAliasAt)
      .addSuccess(M.ArtifactAliasChanged)
  )
  .add(
    HttpApiEndpoint.post("promoteAt", "/promotions")
      .setPayload(G.PromoteAt)
      .setHeaders(M.IdempotencyHeaders)
      .addSuccess(G.Promoted)
  )
  .add(
    HttpApiEndpoint.get("aliasHistoryAt", "/aliases/history")
      .setUrlParams(G.AliasHistoryQuery)
      .addSuccess(G.AliasHistory)
  )
  .add(
    HttpApiEndpoint.get("versionHistoryAt", "/versions/history")
      .setUrlParams(G.VersionHistoryQuery)
      .addSuccess(G.VersionHistory)
  )
  .add(HttpApiEndpoint.get("diffAt", "/diff").setUrlParams(G.DiffQuery).addSuccess(G.Diff))
  .add(HttpApiEndpoint.post("revertAt", "/reverts").setPayload(G.RevertAt).addSuccess(G.Reverted))
  .add(HttpApiEndpoint.post("tagAt", "/tags/add").setPayload(G.TagAt).addSuccess(G.Tagged))
  .add(HttpApiEndpoint.post("untagAt", "/tags/remove").setPayload(G.TagAt).addSuccess(G.Tagged))
  .middleware(Authentication)
  .annotate(
    OpenApi.Description,
    "By the paths people type ([ORG/]wandb-registry-R/C[:vN|:alias]), the organization optional: what the remote CLI calls"
  ) {}

const automationParam = HttpApiSchema.param("automation", Schema.String)
const delivery = HttpApiSchema.param("delivery", Schema.String)
const secretName = HttpApiSchema.param("name", Schema.String)

/** Automations of a registry (its admins): webhooks on registry events, their secrets and every delivery. */
export class AutomationsGroup extends HttpApiGroup.make("automations")
  .add(
    HttpApiEndpoint.get(
      "listAutomations"
    )`/organizations/${organization}/registries/${registry}/automations`.addSuccess(Schema.Array(A.Automation))
  )
  .add(
    HttpApiEndpoint.post("createAutomation")`/organizations/${organization}/registries/${registry}/automations`
      .setPayload(A.CreateAutomation)
      .addSuccess(A.Automation, created)
  )
  .add(
    HttpApiEndpoint.get(
      "showAutomation"
    )`/organizations/${organization}/registries/${registry}/automations/${automationParam}`.addSuccess(A.Automation)
  )
  .add(
    HttpApiEndpoint.patch(
      "updateAutomation"
    )`/organizations/${organization}/registries/${registry}/automations/${automationParam}`
      .setPayload(A.UpdateAutomation)
      .addSuccess(A.Automation)
  )
  .add(
    HttpApiEndpoint.del(
      "deleteAutomation"
    )`/organizations/${organization}/registries/${registry}/automations/${automationParam}`.addSuccess(A.Automation)
  )
  .add(
    HttpApiEndpoint.post(
      "disableAutomation"
    )`/organizations/${organization}/registries/${registry}/automations/${automationParam}/disable`.addSuccess(
      A.Automation
    )
  )
  .add(
    HttpApiEndpoint.post(
      "enableAutomation"
    )`/organizations/${organization}/registries/${registry}/automations/${automationParam}/enable`.addSuccess(
      A.Automation
    )
  )
  .add(
    HttpApiEndpoint.post(
      "testAutomation"
    )`/organizations/${organization}/registries/${registry}/automations/${automationParam}/test`.addSuccess(
      A.DeliveryQueued,
      created
    )
  )
  .add(
    HttpApiEndpoint.get(
      "automationHistory"
    )`/organizations/${organization}/registries/${registry}/automations/${automationParam}/deliveries`
      .setUrlParams(A.DeliveryParams)
      .addSuccess(Schema.Array(A.Delivery))
  )
  .add(
    HttpApiEndpoint.post(
      "redeliver"
    )`/organizations/${organization}/registries/${registry}/automations/${automationParam}/deliveries/${delivery}/redeliver`.addSuccess(
      A.DeliveryQueued,
      created
    )
  )
  .add(
    HttpApiEndpoint.get(
      "listAutomationSecrets"
    )`/organizations/${organization}/registries/${registry}/automation-secrets`.addSuccess(Schema.Array(A.Secret))
  )
  .add(
    HttpApiEndpoint.put(
      "setAutomationSecret"
    )`/organizations/${organization}/registries/${registry}/automation-secrets/${secretName}`
      .setPayload(A.SetSecret)
      .addSuccess(A.Secret)
  )
  .add(
    HttpApiEndpoint.del(
      "removeAutomationSecret"
    )`/organizations/${organization}/registries/${registry}/automation-secrets/${secretName}`.addSuccess(
      A.SecretRemoved
    )
  )
  .middleware(Authentication)
  .annotate(OpenApi.Description, "Automations (registry admins): webhooks on registry events, secrets, deliveries") {}

/** The whole API. */
export class RegistrarApi extends HttpApi.make("registrar")
  .add(HealthGroup)
  .add(SessionGroup)
  .add(KeysGroup)
  .add(EntitiesGroup)
  .add(RegistriesGroup)
  .add(CollectionsGroup)
  .add(VersionsGroup)
  .add(ArtifactsGroup)
  .add(HistoryGroup)
  .add(GovernanceGroup)
  .add(AutomationsGroup)

  .add(PathsGroup)
  .add(FilesGroup)
  .add(FindGroup)
  .addError(Schema.Union(...problems))
  .annotate(OpenApi.Title, "Registrar")
  .annotate(OpenApi.Version, "0.1.0")
  .annotate(
    OpenApi.Description,
    "An event-sourced artifact registry with the semantics of the W&B Registry. Authenticate with Authorization: Bearer <API key>. Errors are application/problem+json documents."
  ) {}
