/**
 * The application service: everything a library user calls. It loads aggregates, decides, appends with the expected
 * version and retries on conflicts; reads come from the projections, brought up to date first (read your writes),
 * or folded as of a past time or position.
 *
 * Provide it with `Registrar.layer` over an EventStore, a ReadModelStore and a SnapshotStore (in memory or
 * PostgreSQL): `Effect.provide(Registrar.layer(), MemoryStores.layer)`.
 */
import { Context, Effect, Layer, Option } from "effect"
import type * as Artifact from "./Artifact.js"
import { EventStore } from "./EventStore.js"
import type { AnchorDocument } from "./ChainAnchor.js"
import {
  anchorStore,
  type ChainBroken,
  type ChainUnverifiable,
  type VerificationReport,
  type VerifyOptions,
  verifyStore
} from "./HashChain.js"
import { LinkIndex } from "./LinkIndex.js"
import * as FreshReads from "./internal/FreshReads.js"
import * as KeyedLocks from "./internal/KeyedLocks.js"
import { AggregateCache } from "./internal/Loader.js"
import { randomUuid } from "./internal/Uuid.js"
import * as WriteGate from "./WriteGate.js"
import type { ReadModelStore } from "./ReadModelStore.js"
import * as ApiKeys from "./Registrar/ApiKeys.js"
import * as Automations from "./Registrar/Automations.js"
import { SecretBox } from "./Automation/Ports.js"
import * as Artifacts from "./Registrar/Artifacts.js"
import { type Request, requireUser } from "./Registrar/Context.js"
import * as Diff from "./Registrar/Diff.js"
import * as Find from "./Registrar/Find.js"
import * as Governance from "./Registrar/Governance.js"
import * as Links from "./Registrar/Links.js"
import type { PathDefaults } from "./Registrar/Locate.js"
import * as Organizations from "./Registrar/Organizations.js"
import * as Reads from "./Registrar/Reads.js"
import * as Registries from "./Registrar/Registries.js"
import * as Revert from "./Registrar/Revert.js"
import type { SnapshotStore } from "./SnapshotStore.js"
import * as Projector from "./Projector.js"
import type { AuditRow } from "./Projections.js"
import * as ReadModels from "./ReadModels.js"
import type * as Surface from "./Registrar/Surface.js"

export type { Request } from "./Registrar/Context.js"
export type {
  ArtifactAlias,
  ArtifactTag,
  DeleteArtifactVersion,
  LoggedVersion,
  LogArtifact,
  Run,
  UpdateArtifactVersion,
  UseArtifact
} from "./Registrar/Artifacts.js"
export type { Diff, DiffChange, DiffChangeKind, DiffResult } from "./Registrar/Diff.js"
export type {
  FilterInput,
  FindCollections,
  FindRegistries,
  FindVersions,
  FoundCollection,
  FoundPage,
  FoundRegistry,
  FoundVersion
} from "./Registrar/Find.js"
export { type Revert, RevertIncomplete, type RevertStep, type Reverted } from "./Registrar/Revert.js"
export type {
  AliasHistory,
  AliasHistoryResult,
  AliasMove,
  Promote,
  Promoted,
  PromotedMove,
  VersionChange,
  VersionHistory,
  VersionHistoryEntry,
  VersionHistoryResult
} from "./Registrar/Governance.js"
export type { Link, LinkedAlias, LinkedVersionChange, LinkResult, Unlink } from "./Registrar/Links.js"
export type {
  CreateOrganization,
  CreateTeam,
  CreateUser,
  RemoveOrganizationMember,
  SetOrganizationMember,
  TeamMember
} from "./Registrar/Organizations.js"
export type {
  AsOf,
  History,
  Lineage,
  ListArtifactVersions,
  ListRegistries,
  ListVersions,
  ReadRequest,
  Resolve,
  Search,
  ShowRegistry
} from "./Registrar/Reads.js"
export type {
  AcceptTypes,
  ChangeVisibility,
  CollectionRef,
  CreateCollection,
  CreateRegistry,
  GrantRole,
  RegistryChanged,
  RegistryRef,
  RenameCollection,
  RoleChange,
  SetProtectedAliases,
  UpdateCollection
} from "./Registrar/Registries.js"
export type * from "./Registrar/Surface.js"
export type { CreatedApiKey, ListedApiKey } from "./Registrar/ApiKeys.js"
export type {
  AutomationFields,
  AutomationRef,
  AutomationView,
  CreateAutomation,
  DeliveryHistory,
  DeliveryView,
  Redeliver,
  RegistryAutomations,
  SetSecret,
  UpdateAutomation,
  WebhookInput
} from "./Registrar/Automations.js"

/** A handler's effect as the service offers it: the same result and errors, its stores already provided. */
type Served<T> = T extends Effect.Effect<infer A, infer E, infer _R> ? Effect.Effect<A, E> : never

/** Whom a key authenticates, and why it may not. */
type Authenticated = Effect.Effect.Success<ReturnType<typeof ApiKeys.authenticate>>
type AuthenticationError = Effect.Effect.Error<ReturnType<typeof ApiKeys.authenticate>>

/** How the service interprets paths. */
export interface RegistrarOptions {
  /** The organization of registry paths that name none, when the actor belongs to several. */
  readonly defaultOrganization?: string
  /**
   * Keep the answers of `resolve` and the records `authenticate` reads while the log's head does not move (default
   * true; see `internal/FreshReads.ts`).
   */
  readonly keepAnswers?: boolean
}

/** Input of {@link RegistrarShape.startRun}: the project to run in, and optionally the run's id. */
export interface StartRun extends Request {
  readonly entity: string
  readonly project: string
  /** Default: a random 8-character id. */
  readonly runId?: string
}

/** A run started with {@link RegistrarShape.startRun}: the SDK flow's handle for logging and linking. */
export interface RunHandle {
  readonly actor: string
  readonly entity: string
  readonly project: string
  readonly runId: string
}

/** An artifact built in a run, not yet logged (the SDK's `wandb.Artifact`). */
export interface ArtifactDraft {
  readonly name: string
  readonly type: string
  readonly files: ReadonlyArray<Artifact.ManifestEntry>
  readonly metadata?: Readonly<Record<string, unknown>>
  readonly description?: string
}

/**
 * The application service's interface: every command and read a library user calls. Each method names its input,
 * its result and the union of typed errors it can fail with; nothing throws.
 */
export interface RegistrarShape {
  // organizations, teams and users
  /** Creates an organization; its creator becomes its first admin. Idempotent for the same names. */
  readonly createOrganization: (
    input: Organizations.CreateOrganization
  ) => Effect.Effect<Surface.CreatedOrganization, Surface.CreateOrganizationError>
  /** Creates a user (a personal entity), optionally adding them to an organization. */
  readonly createUser: (input: Organizations.CreateUser) => Effect.Effect<Surface.CreatedUser, Surface.CreateUserError>
  /** Adds a user to an organization or changes their role (organization admins only). */
  readonly setOrganizationMember: (
    input: Organizations.SetOrganizationMember
  ) => Effect.Effect<Surface.OrganizationMembership, Surface.SetOrganizationMemberError>
  /** Removes a user from an organization (organization admins only). */
  readonly removeOrganizationMember: (
    input: Organizations.RemoveOrganizationMember
  ) => Effect.Effect<void, Surface.RemoveOrganizationMemberError>
  /** Creates a team in an organization (organization admins only); the creator joins it. */
  readonly createTeam: (input: Organizations.CreateTeam) => Effect.Effect<Surface.CreatedTeam, Surface.CreateTeamError>
  /** Adds a user (a member of the team's organization) to a team. */
  readonly addTeamMember: (
    input: Organizations.TeamMember
  ) => Effect.Effect<Surface.TeamMembership, Surface.TeamMemberError>
  /** Removes a user from a team. */
  readonly removeTeamMember: (
    input: Organizations.TeamMember
  ) => Effect.Effect<Surface.TeamMembership, Surface.TeamMemberError>

  // source artifacts
  /** Logs an artifact version under a user or team entity; identical content returns the newest version instead. */
  readonly logArtifact: (
    input: Artifacts.LogArtifact
  ) => Effect.Effect<Artifacts.LoggedVersion, Surface.LogArtifactError>
  /** Records that a run used an artifact version; a linked version records use of its source. */
  readonly useArtifact: (
    input: Artifacts.UseArtifact
  ) => Effect.Effect<Surface.ArtifactUse, Surface.ArtifactVersionChangeError>
  /** A version's files to read (download, verify): a source version's for its entity's writers, a linked one's for its users. */
  readonly sourceVersionFiles: (
    input: Artifacts.SourceVersionFiles
  ) => Effect.Effect<Artifacts.SourceFiles, Surface.SourceVersionFilesError>
  /** Changes a version's description and metadata (shared by all its links). */
  readonly updateArtifactVersion: (
    input: Artifacts.UpdateArtifactVersion
  ) => Effect.Effect<Surface.UpdatedArtifactVersion, Surface.ArtifactVersionChangeError>
  /** Points an alias of a source artifact at a version (moving it from another version). */
  readonly assignArtifactAlias: (
    input: Artifacts.ArtifactAlias
  ) => Effect.Effect<Surface.ArtifactAliasChange, Surface.ArtifactVersionChangeError>
  /** Takes an alias off a source artifact version. */
  readonly removeArtifactAlias: (
    input: Artifacts.ArtifactAlias
  ) => Effect.Effect<Surface.ArtifactAliasChange, Surface.ArtifactVersionChangeError>
  /** Deletes a source version, refused while any link of it holds a protected alias. */
  readonly deleteArtifactVersion: (
    input: Artifacts.DeleteArtifactVersion
  ) => Effect.Effect<Surface.DeletedArtifactVersion, Surface.DeleteArtifactVersionError>

  // registries
  /** Creates a registry (organization members and admins); its creator becomes its admin. */
  readonly createRegistry: (
    input: Registries.CreateRegistry
  ) => Effect.Effect<Surface.CreatedRegistry, Surface.CreateRegistryError>
  /** Changes a registry's visibility (organization → restricted only; admins). */
  readonly changeVisibility: (
    input: Registries.ChangeVisibility
  ) => Effect.Effect<Registries.RegistryChanged, Surface.RegistrySettingError>
  /** Adds accepted artifact types (never removes; admins). */
  readonly acceptTypes: (
    input: Registries.AcceptTypes
  ) => Effect.Effect<Registries.RegistryChanged, Surface.RegistryListSettingError>
  /** Replaces the registry's protected aliases (admins). */
  readonly setProtectedAliases: (
    input: Registries.SetProtectedAliases
  ) => Effect.Effect<Registries.RegistryChanged, Surface.RegistryListSettingError>
  /** Grants a user or a team of the organization a role in the registry (admins). */
  readonly grantRole: (input: Registries.GrantRole) => Effect.Effect<Registries.RegistryChanged, Surface.GrantRoleError>
  /** Revokes a user's or team's role in the registry (admins). */
  readonly revokeRole: (
    input: Registries.RoleChange
  ) => Effect.Effect<Registries.RegistryChanged, Surface.RegistrySettingError>
  /** Deletes a registry and its collections, never the source artifacts (admins). */
  readonly deleteRegistry: (
    input: Registries.RegistryRef
  ) => Effect.Effect<Registries.RegistryChanged, Surface.RegistrySettingError>
  /** Renames a registry (admins); its collections, links, grants and protected aliases stay; the old name is gone. */
  readonly renameRegistry: (input: Registries.RenameRegistry) => Served<ReturnType<typeof Registries.renameRegistry>>
  /** Changes a registry's description and visibility (admins), like W&B's `Registry.save`. */
  readonly updateRegistry: (input: Registries.UpdateRegistry) => Served<ReturnType<typeof Registries.updateRegistry>>

  // collections
  /** Creates an empty collection of a type (members). */
  readonly createCollection: (
    input: Registries.CreateCollection
  ) => Effect.Effect<Surface.CreatedCollection, Surface.CollectionCommandError>
  /** Renames a collection; its id, type and versions stay (members). */
  readonly renameCollection: (
    input: Registries.RenameCollection
  ) => Effect.Effect<Surface.RenamedCollection, Surface.CollectionCommandError>
  /** Changes a collection's description and tags (members). */
  readonly updateCollection: (
    input: Registries.UpdateCollection
  ) => Effect.Effect<Surface.UpdatedCollection, Surface.CollectionCommandError>
  /** Deletes a collection and its links, never the sources (members). */
  readonly deleteCollection: (
    input: Registries.CollectionRef
  ) => Effect.Effect<Surface.CollectionTarget, Surface.CollectionCommandError>

  // linking
  /** Links a source artifact version into a registry collection (docs/behaviour.md, "Linking", rules 1–11). */
  readonly link: (input: Links.Link) => Effect.Effect<Links.LinkResult, Surface.LinkError>
  /** Unlinks a linked version; its index is never reused, its source stays. */
  readonly unlink: (input: Links.Unlink) => Effect.Effect<Links.LinkedVersionChange, Surface.LinkedVersionChangeError>
  /** Points an alias of the collection at a linked version, moving it from another version. */
  readonly addAlias: (
    input: Links.LinkedAlias
  ) => Effect.Effect<Links.LinkedVersionChange, Surface.LinkedVersionChangeError>
  /** Takes an alias off a linked version. */
  readonly removeAlias: (
    input: Links.LinkedAlias
  ) => Effect.Effect<Links.LinkedVersionChange, Surface.LinkedVersionChangeError>

  // governance
  /** Moves several aliases of one registry's collections in one transaction, or none; `expect` makes it a compare-and-set. */
  readonly promote: (input: Governance.Promote) => Effect.Effect<Governance.Promoted, Surface.PromoteError>
  /** Every move of an alias in a registry (or one collection): from which version to which, who and when. */
  readonly aliasHistory: (
    input: Governance.AliasHistory
  ) => Effect.Effect<Governance.AliasHistoryResult, Surface.GovernanceReadError>
  /** A linked version's history: linked, aliases gained and lost, unlinked; who and when. */
  readonly versionHistory: (
    input: Governance.VersionHistory
  ) => Effect.Effect<Governance.VersionHistoryResult, Surface.GovernanceReadError>
  /** What changed in a registry between two points: collections, links, aliases, settings and grants. */
  readonly diff: (input: Diff.Diff) => Effect.Effect<Diff.DiffResult, Surface.GovernanceReadError>
  /** Puts a tag on a source version (a linked version names its source); every link of it shows it. */
  readonly tagArtifactVersion: (
    input: Artifacts.ArtifactTag
  ) => Effect.Effect<{ readonly reference: string; readonly tag: string }, Surface.ArtifactVersionChangeError>
  /** Takes a tag off a source version. */
  readonly untagArtifactVersion: (
    input: Artifacts.ArtifactTag
  ) => Effect.Effect<{ readonly reference: string; readonly tag: string }, Surface.ArtifactVersionChangeError>
  /** Appends what brings a registry's collections, links and aliases back to a past point (admins); lists what cannot be. */
  readonly revert: (input: Revert.Revert) => Effect.Effect<Revert.Reverted, Surface.RevertError>

  // the SDK flow: start a run, build an artifact, link it (logging it first under the run's entity)
  /** Starts a run in a project; cannot fail. */
  readonly startRun: (input: StartRun) => Effect.Effect<RunHandle>
  /** Logs an artifact built in the run, recording the run as the version's producer. */
  readonly logInRun: (
    handle: RunHandle,
    draft: ArtifactDraft,
    aliases?: ReadonlyArray<string>
  ) => Effect.Effect<Artifacts.LoggedVersion, Surface.LogArtifactError>
  /** Records that the run used an artifact version. */
  readonly useInRun: (
    handle: RunHandle,
    reference: string
  ) => Effect.Effect<Surface.ArtifactUse, Surface.ArtifactVersionChangeError>
  /** Logs an artifact built in the run, then links it into a collection. */
  readonly linkArtifact: (
    handle: RunHandle,
    draft: ArtifactDraft,
    target: string,
    aliases?: ReadonlyArray<string>
  ) => Effect.Effect<Links.LinkResult, Surface.LinkArtifactError>

  // reads (current, or as of a past time or global position)
  /** Resolves a linked version's full or qualified name to the linked version, its source and its files. */
  readonly resolve: (input: Reads.Resolve) => Effect.Effect<Surface.ResolvedVersion, Surface.ResolveError>
  /** Every linked version of a collection with aliases, source, and when and by whom it was linked. */
  readonly listVersions: (
    input: Reads.ListVersions
  ) => Effect.Effect<Surface.CollectionVersions, Surface.ListVersionsError>
  /** A collection the actor can see, with its version count (counted, not read). */
  readonly showCollection: (
    input: Reads.ShowCollection
  ) => Effect.Effect<Surface.CollectionOverview, Surface.ListVersionsError>
  /** The registries of an organization that the actor can see. */
  readonly listRegistries: (
    input: Reads.ListRegistries
  ) => Effect.Effect<Surface.RegistryList, Surface.OrganizationReadError>
  /** A registry the actor can see: settings, grants and collections. */
  readonly showRegistry: (
    input: Reads.ShowRegistry
  ) => Effect.Effect<Surface.RegistryOverview, Surface.ShowRegistryError>
  /** The collections of a registry the actor can see, with version counts. */
  readonly listCollections: (
    input: Reads.ShowRegistry
  ) => Effect.Effect<ReadonlyArray<ReadModels.CollectionSummary>, Surface.ShowRegistryError>
  /** The versions of a source artifact with their aliases. */
  readonly listArtifactVersions: (
    input: Reads.ListArtifactVersions
  ) => Effect.Effect<ReadModels.ArtifactVersions, Surface.ListArtifactVersionsError>
  /** The artifacts of an entity, every project: the artifact browser's list. */
  readonly listArtifacts: (
    input: Reads.ListArtifacts
  ) => Effect.Effect<ReadonlyArray<ReadModels.ArtifactSummary>, Surface.ListArtifactVersionsError>
  /** The runs and versions around a version: what produced it, what used it, and so on. */
  readonly lineage: (input: Reads.Lineage) => Effect.Effect<Surface.RootedLineage, Surface.LineageError>
  /** Where a source version is linked, in the registries the actor can see. */
  readonly sourceLinks: (input: Reads.SourceLinks) => Effect.Effect<Surface.SourceLinks, Surface.LineageError>
  /** The audit log: every event with actor, time, position and hash, filtered. */
  readonly history: (input: Reads.History) => Effect.Effect<ReadonlyArray<AuditRow>, Surface.HistoryError>
  /** Registries and collections whose name, description or tags contain the text (those the actor can see). */
  readonly search: (
    input: Reads.Search
  ) => Effect.Effect<ReadonlyArray<ReadModels.CatalogEntry>, Surface.OrganizationReadError>

  /** The registries the actor can see that match a W&B filter (docs/search.md): one page, ordered. */
  readonly registries: (
    input: Find.FindRegistries
  ) => Effect.Effect<Find.FoundPage<Find.FoundRegistry>, Surface.FindError>
  /** The collections of the registries a registry filter selects that match a filter: one page, ordered. */
  readonly collections: (
    input: Find.FindCollections
  ) => Effect.Effect<Find.FoundPage<Find.FoundCollection>, Surface.FindError>
  /** The linked versions of the registries and collections two filters select that match a third: one page. */
  readonly versions: (input: Find.FindVersions) => Effect.Effect<Find.FoundPage<Find.FoundVersion>, Surface.FindError>

  // API keys (the server's credentials)
  /**
   * Creates a key for a user (by the user themselves or the instance admin); returns the key once: only its digest
   * is stored.
   */
  readonly createApiKey: (input: ApiKeys.CreateApiKey) => Served<ReturnType<typeof ApiKeys.createApiKey>>
  /** A user's keys by name and prefix, never the secret. */
  readonly listApiKeys: (input: ApiKeys.ListApiKeys) => Served<ReturnType<typeof ApiKeys.listApiKeys>>
  /** Revokes a key; a revoked key authenticates no more. */
  readonly revokeApiKey: (input: ApiKeys.RevokeApiKey) => Served<ReturnType<typeof ApiKeys.revokeApiKey>>
  /** The user a key belongs to; InvalidApiKey for an unknown, revoked or wrong key. */
  readonly authenticate: (key: string) => Served<ReturnType<typeof ApiKeys.authenticate>>
  /**
   * `authenticate` without waiting for the log: the user of the key's kept record (refused at once if that record
   * says unknown, revoked or expired), with `confirmed`, the check of that record against the log, already sent for
   * (awaiting it again sends nothing more unless the key's stream moved), which the caller must see succeed before
   * anything done for the key leaves the process (set it as the `WriteGate` of the work, and await it before
   * answering). `confirmed` is `undefined` when the record was read just now.
   *
   * With `deferConfirmation` (for a request that is expected to write), the confirmation is not sent: `guard` names
   * the user's key stream and the version the kept record was read at, for the work's writes to check inside their
   * own transaction (a `WriteGate.Guard`), and `confirmed` sends its read only when run.
   */
  readonly authenticateLater: (
    key: string,
    options?: { readonly deferConfirmation?: boolean }
  ) => Effect.Effect<
    Authenticated & {
      readonly confirmed: Effect.Effect<Authenticated, AuthenticationError> | undefined
      readonly guard: { readonly streamId: string; readonly version: number } | undefined
    },
    AuthenticationError
  >
  /** Creates the instance admin and their first key, once per store; `None` afterwards. */
  readonly bootstrap: (input: ApiKeys.Bootstrap) => Served<ReturnType<typeof ApiKeys.bootstrap>>

  // automations (registry admins)
  /** Creates an automation: event types, scope, optional filter, and a webhook or no-op action. */
  readonly createAutomation: (
    input: Automations.CreateAutomation
  ) => Served<ReturnType<typeof Automations.createAutomation>>
  /** Replaces the fields given of an automation. */
  readonly updateAutomation: (
    input: Automations.UpdateAutomation
  ) => Served<ReturnType<typeof Automations.updateAutomation>>
  /** Stops an automation reacting to events (queued deliveries still go out). */
  readonly disableAutomation: (
    input: Automations.AutomationRef
  ) => Served<ReturnType<typeof Automations.disableAutomation>>
  /** Lets an automation react to events again. */
  readonly enableAutomation: (
    input: Automations.AutomationRef
  ) => Served<ReturnType<typeof Automations.enableAutomation>>
  /** Deletes an automation; its delivery history stays. */
  readonly deleteAutomation: (
    input: Automations.AutomationRef
  ) => Served<ReturnType<typeof Automations.deleteAutomation>>
  /** A registry's automations. */
  readonly listAutomations: (
    input: Automations.RegistryAutomations
  ) => Served<ReturnType<typeof Automations.listAutomations>>
  /** One automation. */
  readonly showAutomation: (input: Automations.AutomationRef) => Served<ReturnType<typeof Automations.showAutomation>>
  /** Queues a test delivery with sample values. */
  readonly testAutomation: (input: Automations.AutomationRef) => Served<ReturnType<typeof Automations.testAutomation>>
  /** An automation's deliveries, newest first, with every attempt. */
  readonly automationHistory: (
    input: Automations.DeliveryHistory
  ) => Served<ReturnType<typeof Automations.deliveryHistory>>
  /** Queues a past delivery again under a new id. */
  readonly redeliver: (input: Automations.Redeliver) => Served<ReturnType<typeof Automations.redeliver>>
  /** Sets a secret of a registry's automations; only its sealed form is stored, and it is never returned. */
  readonly setAutomationSecret: (input: Automations.SetSecret) => Served<ReturnType<typeof Automations.setSecret>>
  /** Removes a secret. */
  readonly removeAutomationSecret: (
    input: Automations.RegistryAutomations & { readonly name: string }
  ) => Served<ReturnType<typeof Automations.removeSecret>>
  /** The names of a registry's secrets (never their values). */
  readonly listAutomationSecrets: (
    input: Automations.RegistryAutomations
  ) => Served<ReturnType<typeof Automations.listSecrets>>

  // maintenance
  /** Brings the read models up to date with the log; returns how many events were applied. */
  readonly catchUp: Effect.Effect<number, Surface.StoreFailure>
  /** Rebuilds every read model from the log into fresh tables, then swaps them in. */
  readonly rebuild: (progress?: Projector.RebuildOptions) => Effect.Effect<number, Surface.StoreFailure>
  /** Recomputes every stream's hash chain and names the first tampered event, if any, and what changed since an anchor. */
  readonly verify: (options?: VerifyOptions) => Effect.Effect<VerificationReport, ChainUnverifiable>
  /** Verifies the store, then digests every stream's head: an anchor to keep outside the store. */
  readonly anchor: (
    options?: Omit<VerifyOptions, "anchor">
  ) => Effect.Effect<AnchorDocument, ChainBroken | ChainUnverifiable>
}

const make = (
  options: RegistrarOptions
): Effect.Effect<RegistrarShape, never, EventStore | ReadModelStore | SnapshotStore> =>
  Effect.gen(function* () {
    const stores = yield* Effect.context<EventStore | ReadModelStore | SnapshotStore>()
    // The LinkIndex is optional: without one, collections restored from a snapshot scan their stream for lookups.
    const linkIndex = yield* Effect.serviceOption(LinkIndex)
    // The SecretBox is optional too: without one, setting an automation secret fails with SecretsKeyMissing.
    const secretBox = yield* Effect.serviceOption(SecretBox)
    // Every append of the service waits for the appending fiber's write gate (a request's key confirmation).
    const gatedStores = Context.add(stores, EventStore, WriteGate.gated(Context.get(stores, EventStore)))
    const withIndex = Option.match(linkIndex, {
      onNone: () => gatedStores,
      onSome: (index) => Context.add(gatedStores, LinkIndex, index)
    }).pipe(Context.add(AggregateCache, AggregateCache.make()))
    const context = Option.match(secretBox, {
      onNone: () => withIndex,
      onSome: (box) => Context.add(withIndex, SecretBox, box)
    })
    const fresh = FreshReads.make(context)
    const defaults: PathDefaults = {
      defaultOrganization: Option.fromNullable(options.defaultOrganization),
      organizationsOf: (actor) =>
        fresh.catchUpToHead.pipe(Effect.zipRight(ReadModels.organizationsOf(actor)), Effect.provide(context))
    }
    const locks = KeyedLocks.make()
    // Authentication runs on every request: its context is built once, and a kept key's check provides none.
    const keysContext = Context.add(context, ApiKeys.PrefixOwners, new Map<string, string>())
    const keptKeys = ApiKeys.keptKeys(keysContext)
    const deps: Artifacts.Dependencies = {
      defaults,
      serialize: locks.withLock,
      linksOfSource: (sourceKey) =>
        fresh.catchUpToHead.pipe(Effect.zipRight(ReadModels.linksOfSource(sourceKey)), Effect.provide(context))
    }
    const run = <A, E>(effect: Effect.Effect<A, E, EventStore | ReadModelStore | SnapshotStore>) =>
      Effect.provide(effect, context)
    // Reads refuse an actor who is not a user, then answer from read models brought up to date (read your writes).
    const read = <A, E>(request: Request, effect: Effect.Effect<A, E, EventStore | ReadModelStore | SnapshotStore>) =>
      Effect.provide(
        Effect.all([requireUser(request.actor), fresh.catchUpToHead], { concurrency: 2, discard: true }).pipe(
          Effect.zipRight(effect)
        ),
        context
      )
    // A current resolve is the hot read: its answer is kept while the log's head stays where it was. A kept answer
    // is found with no context provided (the one read of the head uses the stores `fresh` holds); the resolve
    // itself and the actor's check run only when it is not kept.
    const resolve = (input: Reads.Resolve) =>
      input.asOf !== undefined || options.keepAnswers === false
        ? read(input, Reads.resolve(deps, input))
        : fresh.cached(
            `resolve\n${input.actor}\n${input.forUse === true}\n${input.name}`,
            Effect.provide(Reads.resolve(deps, input), context),
            Effect.provide(requireUser(input.actor), context)
          )

    const service: RegistrarShape = {
      // organizations, teams and users
      createOrganization: (input: Organizations.CreateOrganization) => run(Organizations.createOrganization(input)),
      createUser: (input: Organizations.CreateUser) => run(Organizations.createUser(input)),
      setOrganizationMember: (input: Organizations.SetOrganizationMember) =>
        run(Organizations.setOrganizationMember(input)),
      removeOrganizationMember: (input: Organizations.RemoveOrganizationMember) =>
        run(Organizations.removeOrganizationMember(input)),
      createTeam: (input: Organizations.CreateTeam) => run(Organizations.createTeam(input)),
      addTeamMember: (input: Organizations.TeamMember) => run(Organizations.addTeamMember(input)),
      removeTeamMember: (input: Organizations.TeamMember) => run(Organizations.removeTeamMember(input)),

      // source artifacts
      logArtifact: (input: Artifacts.LogArtifact) => run(Artifacts.logArtifact(input)),
      useArtifact: (input: Artifacts.UseArtifact) => run(Artifacts.useArtifact(deps, input)),
      sourceVersionFiles: (input: Artifacts.SourceVersionFiles) => run(Artifacts.sourceVersionFiles(deps, input)),
      updateArtifactVersion: (input: Artifacts.UpdateArtifactVersion) =>
        run(Artifacts.updateArtifactVersion(deps, input)),
      assignArtifactAlias: (input: Artifacts.ArtifactAlias) => run(Artifacts.assignArtifactAlias(deps, input)),
      removeArtifactAlias: (input: Artifacts.ArtifactAlias) => run(Artifacts.removeArtifactAlias(deps, input)),
      deleteArtifactVersion: (input: Artifacts.DeleteArtifactVersion) =>
        run(Artifacts.deleteArtifactVersion(deps, input)),

      // registries
      createRegistry: (input: Registries.CreateRegistry) => run(Registries.createRegistry(input)),
      changeVisibility: (input: Registries.ChangeVisibility) => run(Registries.changeVisibility(input)),
      acceptTypes: (input: Registries.AcceptTypes) => run(Registries.acceptTypes(input)),
      setProtectedAliases: (input: Registries.SetProtectedAliases) => run(Registries.setProtectedAliases(input)),
      grantRole: (input: Registries.GrantRole) => run(Registries.grantRole(input)),
      revokeRole: (input: Registries.RoleChange) => run(Registries.revokeRole(input)),
      deleteRegistry: (input: Registries.RegistryRef) => run(Registries.deleteRegistry(input)),
      renameRegistry: (input: Registries.RenameRegistry) => run(Registries.renameRegistry(input)),
      updateRegistry: (input: Registries.UpdateRegistry) => run(Registries.updateRegistry(input)),

      // collections
      createCollection: (input: Registries.CreateCollection) => run(Registries.createCollection(defaults, input)),
      renameCollection: (input: Registries.RenameCollection) => run(Registries.renameCollection(defaults, input)),
      updateCollection: (input: Registries.UpdateCollection) => run(Registries.updateCollection(defaults, input)),
      deleteCollection: (input: Registries.CollectionRef) => run(Registries.deleteCollection(defaults, input)),

      // linking
      link: (input: Links.Link) => run(Links.link(deps, input)),
      unlink: (input: Links.Unlink) => run(Links.unlink(deps, input)),
      addAlias: (input: Links.LinkedAlias) => run(Links.addAlias(deps, input)),
      removeAlias: (input: Links.LinkedAlias) => run(Links.removeAlias(deps, input)),

      // governance
      promote: (input: Governance.Promote) => run(Governance.promote(deps, input)),
      aliasHistory: (input: Governance.AliasHistory) => read(input, Governance.aliasHistory(deps, input)),
      versionHistory: (input: Governance.VersionHistory) => read(input, Governance.versionHistory(deps, input)),
      diff: (input: Diff.Diff) => read(input, Diff.diff(deps, input)),
      tagArtifactVersion: (input: Artifacts.ArtifactTag) => run(Artifacts.tagArtifactVersion(deps, input)),
      untagArtifactVersion: (input: Artifacts.ArtifactTag) => run(Artifacts.untagArtifactVersion(deps, input)),
      revert: (input: Revert.Revert) => run(requireUser(input.actor).pipe(Effect.zipRight(Revert.revert(deps, input)))),

      // the SDK flow: start a run, build an artifact, link it (logging it first under the run's entity)
      startRun: (input: StartRun) =>
        Effect.map(
          input.runId === undefined ? Effect.map(randomUuid, (id) => id.slice(0, 8)) : Effect.succeed(input.runId),
          (runId): RunHandle => ({ actor: input.actor, entity: input.entity, project: input.project, runId })
        ),
      logInRun: (handle, draft, aliases = []) => run(Artifacts.logArtifact({ ...handle, ...draft, aliases })),
      useInRun: (handle, reference) =>
        run(
          Artifacts.useArtifact(deps, {
            actor: handle.actor,
            reference,
            run: { entity: handle.entity, project: handle.project, runId: handle.runId }
          })
        ),
      linkArtifact: (handle, draft, target, aliases = []) =>
        run(
          Effect.gen(function* () {
            const logged = yield* Artifacts.logArtifact({ ...handle, ...draft })
            return yield* Links.link(deps, { actor: handle.actor, source: logged.reference, target, aliases })
          })
        ),

      // reads (current, or as of a past time or global position)
      resolve,
      listVersions: (input: Reads.ListVersions) => read(input, Reads.listVersions(deps, input)),
      showCollection: (input: Reads.ShowCollection) => read(input, Reads.showCollection(deps, input)),
      listRegistries: (input: Reads.ListRegistries) => read(input, Reads.listRegistries(deps, input)),
      showRegistry: (input: Reads.ShowRegistry) => read(input, Reads.showRegistry(deps, input)),
      listCollections: (input: Reads.ShowRegistry) => read(input, Reads.listCollections(deps, input)),
      listArtifactVersions: (input: Reads.ListArtifactVersions) => read(input, Reads.listArtifactVersions(input)),
      listArtifacts: (input: Reads.ListArtifacts) => read(input, Reads.listArtifacts(input)),
      lineage: (input: Reads.Lineage) => read(input, Reads.lineage(deps, input)),
      sourceLinks: (input: Reads.SourceLinks) => read(input, Reads.sourceLinks(deps, input)),
      history: (input: Reads.History) => read(input, Reads.history(deps, input)),
      search: (input: Reads.Search) => read(input, Reads.search(deps, input)),
      registries: (input: Find.FindRegistries) => read(input, Find.registries(deps, input)),
      collections: (input: Find.FindCollections) => read(input, Find.collections(deps, input)),
      versions: (input: Find.FindVersions) => read(input, Find.versions(deps, input)),

      // API keys (the server's credentials)
      createApiKey: (input: ApiKeys.CreateApiKey) => run(ApiKeys.createApiKey(input)),
      listApiKeys: (input: ApiKeys.ListApiKeys) => run(ApiKeys.listApiKeys(input)),
      revokeApiKey: (input: ApiKeys.RevokeApiKey) => run(ApiKeys.revokeApiKey(input)),
      /** The user a key belongs to; InvalidApiKey for an unknown, revoked or wrong key. */
      // A key's record is kept while its user's key stream does not move (see `ApiKeys.keptKeys`); expiry is checked
      // every time.
      authenticate: (key: string) =>
        Effect.flatMap(
          options.keepAnswers === false ? Effect.provide(ApiKeys.keyOf(key), keysContext) : keptKeys.check(key),
          ApiKeys.usable
        ),
      authenticateLater: (key, later) =>
        options.keepAnswers === false
          ? Effect.map(Effect.flatMap(Effect.provide(ApiKeys.keyOf(key), keysContext), ApiKeys.usable), (user) => ({
              ...user,
              confirmed: undefined,
              guard: undefined
            }))
          : Effect.flatMap(
              later?.deferConfirmation === true ? keptKeys.deferred(key) : keptKeys.later(key),
              ({ confirm, found, guard }) =>
                Effect.map(ApiKeys.usable(found), (user) => ({
                  ...user,
                  confirmed: confirm === undefined ? undefined : Effect.flatMap(confirm, ApiKeys.usable),
                  guard: confirm === undefined ? undefined : guard
                }))
            ),
      /** Creates the instance admin and their first key, once per store; `None` afterwards. */
      bootstrap: (input: ApiKeys.Bootstrap) => run(ApiKeys.bootstrap(input)),

      // automations (registry admins)
      createAutomation: (input) => run(Automations.createAutomation(input)),
      updateAutomation: (input) => run(Automations.updateAutomation(input)),
      disableAutomation: (input) => run(Automations.disableAutomation(input)),
      enableAutomation: (input) => run(Automations.enableAutomation(input)),
      deleteAutomation: (input) => run(Automations.deleteAutomation(input)),
      listAutomations: (input) => run(Automations.listAutomations(input)),
      showAutomation: (input) => run(Automations.showAutomation(input)),
      testAutomation: (input) => run(Automations.testAutomation(input)),
      automationHistory: (input) => run(Automations.deliveryHistory(input)),
      redeliver: (input) => run(Automations.redeliver(input)),
      setAutomationSecret: (input) => run(Automations.setSecret(input)),
      removeAutomationSecret: (input) => run(Automations.removeSecret(input)),
      listAutomationSecrets: (input) => run(Automations.listSecrets(input)),

      // maintenance
      catchUp: run(Projector.catchUp()),
      rebuild: (progress) => run(Projector.rebuild(progress)),
      verify: (options) => run(Effect.flatMap(EventStore, (store) => verifyStore(store, options ?? {}))),
      anchor: (options) => run(Effect.flatMap(EventStore, (store) => anchorStore(store, options ?? {})))
    }
    return service
  })

/** The application service. */
export class Registrar extends Context.Tag("@registrar/domain/Registrar")<Registrar, RegistrarShape>() {
  /** The service over whatever EventStore, ReadModelStore and SnapshotStore are provided. */
  static readonly layer = (
    options: RegistrarOptions = {}
  ): Layer.Layer<Registrar, never, EventStore | ReadModelStore | SnapshotStore> =>
    Layer.effect(Registrar, make(options))
}
