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
import { anchorStore, type VerifyOptions, verifyStore } from "./HashChain.js"
import { AggregateCache } from "./internal/Loader.js"
import { randomUuid } from "./internal/Uuid.js"
import type { ReadModelStore } from "./ReadModelStore.js"
import * as Artifacts from "./Registrar/Artifacts.js"
import type { Request } from "./Registrar/Context.js"
import * as Links from "./Registrar/Links.js"
import type { PathDefaults } from "./Registrar/Locate.js"
import * as Organizations from "./Registrar/Organizations.js"
import * as Reads from "./Registrar/Reads.js"
import * as Registries from "./Registrar/Registries.js"
import type { SnapshotStore } from "./SnapshotStore.js"
import * as Projector from "./Projector.js"
import * as ReadModels from "./ReadModels.js"

export type { Request } from "./Registrar/Context.js"
export type { LinkResult } from "./Registrar/Links.js"
export type { LoggedVersion, Run } from "./Registrar/Artifacts.js"

/** How the service interprets paths. */
export interface RegistrarOptions {
  /** The organization of registry paths that name none, when the actor belongs to several. */
  readonly defaultOrganization?: string
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

const make = (options: RegistrarOptions) =>
  Effect.gen(function* () {
    const context = (yield* Effect.context<EventStore | ReadModelStore | SnapshotStore>()).pipe(
      Context.add(AggregateCache, AggregateCache.make())
    )
    const catchUp = Projector.catchUpToHead().pipe(Effect.provide(context))
    const defaults: PathDefaults = {
      defaultOrganization: Option.fromNullable(options.defaultOrganization),
      organizationsOf: (actor) =>
        catchUp.pipe(Effect.zipRight(ReadModels.organizationsOf(actor)), Effect.provide(context))
    }
    const locks = new Map<string, Effect.Semaphore>()
    const deps: Artifacts.Dependencies = {
      defaults,
      serialize: (key, effect) => {
        let lock = locks.get(key)
        if (lock === undefined) {
          lock = Effect.unsafeMakeSemaphore(1)
          locks.set(key, lock)
        }
        return lock.withPermits(1)(effect)
      },
      linksOfSource: (sourceKey) =>
        catchUp.pipe(Effect.zipRight(ReadModels.linksOfSource(sourceKey)), Effect.provide(context))
    }
    const run = <A, E>(effect: Effect.Effect<A, E, EventStore | ReadModelStore | SnapshotStore>) =>
      Effect.provide(effect, context)
    const read = <A, E>(effect: Effect.Effect<A, E, EventStore | ReadModelStore | SnapshotStore>) =>
      Effect.provide(Effect.zipRight(Projector.catchUpToHead(), effect), context)

    return {
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
      updateArtifactVersion: (input: Artifacts.UpdateArtifactVersion) =>
        run(Artifacts.updateArtifactVersion(deps, input)),
      assignArtifactAlias: (input: Artifacts.ArtifactAlias) => run(Artifacts.assignArtifactAlias(deps, input)),
      removeArtifactAlias: (input: Artifacts.ArtifactAlias) => run(Artifacts.removeArtifactAlias(deps, input)),
      deleteArtifactVersion: (input: Artifacts.DeleteArtifactVersion) =>
        run(Artifacts.deleteArtifactVersion(deps, input)),

      // registries
      createRegistry: (input: Registries.CreateRegistry) => run(Registries.createRegistry(input)),
      changeVisibility: (input: Parameters<typeof Registries.changeVisibility>[0]) =>
        run(Registries.changeVisibility(input)),
      acceptTypes: (input: Parameters<typeof Registries.acceptTypes>[0]) => run(Registries.acceptTypes(input)),
      setProtectedAliases: (input: Parameters<typeof Registries.setProtectedAliases>[0]) =>
        run(Registries.setProtectedAliases(input)),
      grantRole: (input: Parameters<typeof Registries.grantRole>[0]) => run(Registries.grantRole(input)),
      revokeRole: (input: Parameters<typeof Registries.revokeRole>[0]) => run(Registries.revokeRole(input)),
      deleteRegistry: (input: Registries.RegistryRef) => run(Registries.deleteRegistry(input)),
      renameRegistry: (input: Registries.RenameRegistry) => run(Registries.renameRegistry(input)),
      updateRegistry: (input: Registries.UpdateRegistry) => run(Registries.updateRegistry(input)),

      // collections
      createCollection: (input: Registries.CreateCollection) => run(Registries.createCollection(defaults, input)),
      renameCollection: (input: Parameters<typeof Registries.renameCollection>[1]) =>
        run(Registries.renameCollection(defaults, input)),
      updateCollection: (input: Parameters<typeof Registries.updateCollection>[1]) =>
        run(Registries.updateCollection(defaults, input)),
      deleteCollection: (input: Registries.CollectionRef) => run(Registries.deleteCollection(defaults, input)),

      // linking
      link: (input: Links.Link) => run(Links.link(deps, input)),
      unlink: (input: Links.Unlink) => run(Links.unlink(deps, input)),
      addAlias: (input: Links.LinkedAlias) => run(Links.addAlias(deps, input)),
      removeAlias: (input: Links.LinkedAlias) => run(Links.removeAlias(deps, input)),

      // the SDK flow: start a run, build an artifact, link it (logging it first under the run's entity)
      startRun: (input: Request & { readonly entity: string; readonly project: string; readonly runId?: string }) =>
        Effect.map(
          input.runId === undefined ? Effect.map(randomUuid, (id) => id.slice(0, 8)) : Effect.succeed(input.runId),
          (runId): RunHandle => ({ actor: input.actor, entity: input.entity, project: input.project, runId })
        ),
      logInRun: (handle: RunHandle, draft: ArtifactDraft, aliases: ReadonlyArray<string> = []) =>
        run(Artifacts.logArtifact({ ...handle, ...draft, aliases })),
      useInRun: (handle: RunHandle, reference: string) =>
        run(
          Artifacts.useArtifact(deps, {
            actor: handle.actor,
            reference,
            run: { entity: handle.entity, project: handle.project, runId: handle.runId }
          })
        ),
      linkArtifact: (handle: RunHandle, draft: ArtifactDraft, target: string, aliases: ReadonlyArray<string> = []) =>
        run(
          Effect.gen(function* () {
            const logged = yield* Artifacts.logArtifact({ ...handle, ...draft })
            return yield* Links.link(deps, { actor: handle.actor, source: logged.reference, target, aliases })
          })
        ),

      // reads (current, or as of a past time or global position)
      resolve: (input: Reads.Resolve) => read(Reads.resolve(deps, input)),
      listVersions: (input: Reads.ListVersions) => read(Reads.listVersions(deps, input)),
      listRegistries: (input: Reads.ListRegistries) => read(Reads.listRegistries(deps, input)),
      showRegistry: (input: Reads.ShowRegistry) => read(Reads.showRegistry(deps, input)),
      listCollections: (input: Reads.ShowRegistry) => read(Reads.listCollections(deps, input)),
      listArtifactVersions: (input: Reads.ListArtifactVersions) => read(Reads.listArtifactVersions(input)),
      lineage: (input: Reads.Lineage) => read(Reads.lineage(deps, input)),
      history: (input: Reads.History) => read(Reads.history(deps, input)),
      search: (input: Reads.Search) => read(Reads.search(deps, input)),

      // maintenance
      /** Brings the read models up to date with the log; returns how many events were applied. */
      catchUp: run(Projector.catchUp()),
      /** Rebuilds every read model from the log into fresh tables, then swaps them in. */
      rebuild: (progress?: Projector.RebuildOptions) => run(Projector.rebuild(progress)),
      /** Recomputes every stream's hash chain and names the first tampered event, if any, and what changed since an anchor. */
      verify: (options?: VerifyOptions) =>
        run(Effect.flatMap(EventStore, (store) => verifyStore(store, options ?? {}))),
      /** Verifies the store, then digests every stream's head: an anchor to keep outside the store. */
      anchor: (options?: Omit<VerifyOptions, "anchor">) =>
        run(Effect.flatMap(EventStore, (store) => anchorStore(store, options ?? {})))
    }
  })

/** The application service's interface. */
export type RegistrarShape = Effect.Effect.Success<ReturnType<typeof make>>

/** The application service. */
export class Registrar extends Context.Tag("@registrar/domain/Registrar")<Registrar, RegistrarShape>() {
  /** The service over whatever EventStore, ReadModelStore and SnapshotStore are provided. */
  static readonly layer = (
    options: RegistrarOptions = {}
  ): Layer.Layer<Registrar, never, EventStore | ReadModelStore | SnapshotStore> =>
    Layer.effect(Registrar, make(options))
}
