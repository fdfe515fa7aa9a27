/** Application handlers for source artifacts: log versions, record use by runs, edit, alias and delete. */
import { Effect, HashMap, Option } from "effect"
import type { Action } from "../Access.js"
import * as Artifact from "../Artifact.js"
import * as Collection from "../Collection.js"
import {
  ArtifactVersionDeleted,
  ArtifactVersionNotFound,
  EntityNotFound,
  EntityNotWritable,
  SourceFilesNotReadable
} from "../Errors.js"
import {
  aggregate,
  changeOf,
  execute,
  guardOf,
  load,
  loadCollectionFor,
  type StreamChange
} from "../internal/Loader.js"
import {
  InvalidName,
  validateArtifactName,
  validateArtifactType,
  validateDescription,
  validateEntityName,
  validateManifest,
  validateMetadata,
  validateProjectName,
  validateRunId,
  validateTag,
  validateUserAlias,
  validateUserAliases,
  isRegistryProject
} from "../Names.js"
import { fullName, parseAnyRef, sourceVersionKey, type VersionSelector } from "../Paths.js"
import * as Registry from "../Registry.js"
import { envelope, idempotent, loadEntity, type Request } from "./Context.js"
import { loadRegistry, locateVersion, type PathDefaults } from "./Locate.js"

const artifactSpec = aggregate(Artifact.Event, Artifact.decider)

/** Loads an artifact stream. */
export const loadArtifact = (entity: string, project: string, name: string) =>
  load(artifactSpec, Artifact.streamId(entity, project, name))

/** What handlers need from the service instance. */
export interface Dependencies {
  readonly defaults: PathDefaults
  /**
   * Runs `effect` alone among this process's commands with the same key (links into one collection queue up here
   * instead of losing optimistic-concurrency races to each other and retrying).
   */
  readonly serialize: <A, E, R>(key: string, effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** The collections a source version is linked into (from the read models). */
  readonly linksOfSource: (
    sourceKey: string
  ) => Effect.Effect<
    ReadonlyArray<{ readonly organization: string; readonly registry: string; readonly collectionId: string }>,
    unknown
  >
}

/** A source artifact version, resolved. */
export interface SourceVersion {
  readonly entity: string
  readonly project: string
  readonly name: string
  readonly index: number
  readonly artifactType: string
  readonly version: Artifact.Version
  readonly reference: string
}

/**
 * Resolves a reference to the underlying source version: `entity/project/name[:vN|:alias]` directly, or a linked
 * version's registry path to the source it points at (links never chain). Without a version, `latest`.
 */
export const resolveSource = (deps: Dependencies, reference: string, actor: string, action: Action = "see") =>
  Effect.gen(function* () {
    const parsed = yield* parseAnyRef(reference)
    let entity: string
    let project: string
    let name: string
    let selector: VersionSelector
    if (parsed._tag === "Registry") {
      const located = yield* locateVersion(parsed.path, actor, action, deps.defaults)
      ;({ entity, project, name } = located.linked.source)
      selector = { _tag: "Index", index: located.linked.source.index }
    } else {
      ;({ entity, project, name } = parsed.ref)
      selector = Option.getOrElse(parsed.ref.version, () => ({ _tag: "Alias", alias: "latest" }) as const)
    }
    const loaded = yield* loadArtifact(entity, project, name)
    const printed = selector._tag === "Index" ? `v${selector.index}` : selector.alias
    const version = yield* Option.match(Artifact.findVersion(loaded.state, selector), {
      onNone: () => Effect.fail(new ArtifactVersionNotFound({ reference: `${entity}/${project}/${name}:${printed}` })),
      onSome: Effect.succeed
    })
    const key = sourceVersionKey(entity, project, name, version.index)
    if (version.deleted) return yield* Effect.fail(new ArtifactVersionDeleted({ reference: key }))
    const artifactType = loaded.state._tag === "Present" ? loaded.state.artifactType : ""
    return {
      entity,
      project,
      name,
      index: version.index,
      artifactType,
      version,
      reference: key
    } satisfies SourceVersion
  })

/** A run, named by its project and id. */
export interface Run {
  readonly entity: string
  readonly project: string
  readonly runId: string
}

/** Input of {@link logArtifact}. */
export interface LogArtifact extends Request {
  readonly entity: string
  readonly project: string
  readonly name: string
  readonly type: string
  readonly files: ReadonlyArray<Artifact.ManifestEntry>
  readonly metadata?: Readonly<Record<string, unknown>>
  readonly description?: string
  readonly aliases?: ReadonlyArray<string>
  /** The run that produced this version (recorded as lineage). */
  readonly runId?: string
}

/** The result of logging: the version (new, or the newest one when the content was identical). */
export interface LoggedVersion {
  readonly reference: string
  readonly entity: string
  readonly project: string
  readonly name: string
  readonly index: number
  readonly digest: string
  readonly created: boolean
  readonly aliases: ReadonlyArray<string>
}

const requireWritableEntity = (entity: string, actor: string) =>
  Effect.gen(function* () {
    const { state } = yield* loadEntity(entity)
    if (state._tag === "User" && state.name === actor) return state
    if (state._tag === "Team" && state.members.has(actor)) return state
    if (state._tag === "User" || state._tag === "Team")
      return yield* Effect.fail(new EntityNotWritable({ entity, actor }))
    return yield* Effect.fail(new EntityNotFound({ entity }))
  })

/** Input of {@link sourceVersionFiles}. */
export interface SourceVersionFiles extends Request {
  /** `entity/project/name[:vN|:alias]` (latest without a version), or a linked version's registry path. */
  readonly reference: string
}

/** A source version's files, for reading their contents. */
export interface SourceFiles {
  /** `entity/project/name:vN`. */
  readonly reference: string
  readonly files: ReadonlyArray<Artifact.ManifestEntry>
}

/**
 * A version's files, to read their bytes (download, verify). A source reference needs the entity: its own user or a
 * member of its team, those who may log it (SourceFilesNotReadable otherwise); a registry path needs use of the
 * registry (viewer or higher), as downloading a linked version does.
 */
export const sourceVersionFiles = (deps: Dependencies, input: SourceVersionFiles) =>
  Effect.gen(function* () {
    const throughRegistry = (yield* parseAnyRef(input.reference))._tag === "Registry"
    const source = yield* resolveSource(deps, input.reference, input.actor, throughRegistry ? "use" : "see")
    if (!throughRegistry) {
      yield* requireWritableEntity(source.entity, input.actor).pipe(
        Effect.catchTag("EntityNotWritable", () =>
          Effect.fail(new SourceFilesNotReadable({ reference: source.reference, actor: input.actor }))
        )
      )
    }
    return { reference: source.reference, files: source.version.files } satisfies SourceFiles
  })

/** Logs an artifact version under a user or team entity; identical content returns the newest version instead. */
export const logArtifact = (input: LogArtifact) =>
  idempotent(
    input,
    "logArtifact",
    Effect.gen(function* () {
      const entity = yield* validateEntityName(input.entity)
      const project = yield* validateProjectName(input.project)
      if (isRegistryProject(project)) {
        return yield* Effect.fail(
          new InvalidName({
            kind: "project",
            value: project,
            rule: "artifacts are logged in a team or user project, not in a registry; link them into the registry afterwards"
          })
        )
      }
      const name = yield* validateArtifactName(input.name)
      const artifactType = yield* validateArtifactType(input.type, name)
      const metadata = yield* validateMetadata(input.metadata ?? {})
      yield* validateManifest(input.files)
      yield* validateDescription(input.description ?? "")
      const aliases = yield* validateUserAliases(input.aliases ?? [])
      const runId = input.runId === undefined ? null : yield* validateRunId(input.runId)
      yield* requireWritableEntity(entity, input.actor)
      const streamId = Artifact.streamId(entity, project, name)
      return yield* execute(
        envelope(input),
        Effect.gen(function* () {
          const loaded = yield* loadArtifact(entity, project, name)
          const events = yield* Artifact.decide(
            {
              _tag: "LogVersion",
              entity,
              project,
              name,
              artifactType,
              files: input.files,
              metadata,
              description: input.description ?? "",
              aliases,
              loggedBy: runId === null ? null : { entity, project, runId }
            },
            loaded.state
          )
          const change = changeOf(artifactSpec, streamId, loaded, events)
          const assigned = events.find((event) => event._tag === "VersionAssigned")
          const index =
            assigned?.index ??
            Option.match(Artifact.latest(change.state), { onNone: () => 0, onSome: (version) => version.index })
          const logged: LoggedVersion = {
            reference: sourceVersionKey(entity, project, name, index),
            entity,
            project,
            name,
            index,
            digest: Artifact.manifestDigest(input.files),
            created: assigned !== undefined,
            aliases: Artifact.aliasesOf(change.state, index)
          }
          return { changes: [change], result: logged }
        })
      )
    })
  )

/**
 * Who may run a command on a source version: anyone who may see it (`see`), use it (`use`), only those who may
 * write under its entity (`owner`: its aliases, description and metadata belong to the team or user that logged
 * it), or, for tags, its owners and — through a linked version's path — the registry's members (`tagger`).
 */
type SourceAccess = "see" | "use" | "owner" | "tagger"

const onSource = <A>(
  deps: Dependencies,
  request: Request,
  reference: string,
  command: (source: SourceVersion) => Artifact.Command,
  result: (source: SourceVersion) => A,
  access: SourceAccess = "see"
) =>
  execute(
    envelope(request),
    Effect.gen(function* () {
      const throughRegistry = (yield* parseAnyRef(reference))._tag === "Registry"
      const action: Action = access === "use" ? "use" : access === "tagger" && throughRegistry ? "write" : "see"
      const source = yield* resolveSource(deps, reference, request.actor, action)
      if (access === "owner" || (access === "tagger" && !throughRegistry)) {
        yield* requireWritableEntity(source.entity, request.actor)
      }
      const loaded = yield* loadArtifact(source.entity, source.project, source.name)
      const events = yield* Artifact.decide(command(source), loaded.state)
      const streamId = Artifact.streamId(source.entity, source.project, source.name)
      return { changes: [changeOf(artifactSpec, streamId, loaded, events)], result: result(source) }
    })
  )

/** Input of {@link useArtifact}. */
export interface UseArtifact extends Request {
  /** A source reference or a linked version's registry path. */
  readonly reference: string
  readonly run: Run
}

/** Records that a run used (consumed) an artifact version; a linked version records use of its source. */
export const useArtifact = (deps: Dependencies, input: UseArtifact) =>
  Effect.gen(function* () {
    yield* validateRunId(input.run.runId)
    return yield* onSource(
      deps,
      input,
      input.reference,
      (source) => ({ _tag: "UseVersion", index: source.index, usedBy: input.run }),
      (source) => ({ reference: source.reference, run: input.run }),
      // Using a linked version is downloading it: viewer or higher (restricted viewers only see it).
      "use"
    )
  })

/** Input of {@link updateArtifactVersion}. */
export interface UpdateArtifactVersion extends Request {
  readonly reference: string
  readonly description?: string
  readonly metadata?: Readonly<Record<string, unknown>>
}

/** Changes a version's description and metadata (shared by all its links). */
export const updateArtifactVersion = (deps: Dependencies, input: UpdateArtifactVersion) =>
  Effect.gen(function* () {
    const metadata = input.metadata === undefined ? undefined : yield* validateMetadata(input.metadata)
    yield* validateDescription(input.description ?? "")
    return yield* onSource(
      deps,
      input,
      input.reference,
      (source) => ({
        _tag: "UpdateVersion",
        index: source.index,
        description: input.description ?? source.version.description,
        metadata: metadata ?? source.version.metadata
      }),
      (source) => ({ reference: source.reference }),
      "owner"
    )
  })

/** Input of {@link tagArtifactVersion} and {@link untagArtifactVersion}. */
export interface ArtifactTag extends Request {
  /** A source version, or a linked version (its source is tagged). */
  readonly reference: string
  readonly tag: string
}

const changeTag = (deps: Dependencies, input: ArtifactTag, tag: "TagVersion" | "UntagVersion") =>
  Effect.flatMap(validateTag(input.tag), (checked) =>
    onSource(
      deps,
      input,
      input.reference,
      (source) => ({ _tag: tag, index: source.index, tag: checked }),
      (source) => ({ reference: source.reference, tag: checked }),
      "tagger"
    )
  )

/** Puts a tag on a source version (many versions can share a tag); every link of it shows it. */
export const tagArtifactVersion = (deps: Dependencies, input: ArtifactTag) => changeTag(deps, input, "TagVersion")

/** Takes a tag off a source version. */
export const untagArtifactVersion = (deps: Dependencies, input: ArtifactTag) => changeTag(deps, input, "UntagVersion")

/** Input of {@link assignArtifactAlias} and {@link removeArtifactAlias}. */
export interface ArtifactAlias extends Request {
  readonly reference: string
  readonly alias: string
}

const changeAlias = (deps: Dependencies, input: ArtifactAlias, tag: "AssignAlias" | "RemoveAlias") =>
  Effect.flatMap(validateUserAlias(input.alias), (alias) =>
    onSource(
      deps,
      input,
      input.reference,
      (source) => ({ _tag: tag, index: source.index, alias }),
      (source) => ({ reference: source.reference, alias }),
      "owner"
    )
  )

/** Points an alias of a source artifact at a version (moving it from another version). */
export const assignArtifactAlias = (deps: Dependencies, input: ArtifactAlias) => changeAlias(deps, input, "AssignAlias")

/** Takes an alias off a source artifact version. */
export const removeArtifactAlias = (deps: Dependencies, input: ArtifactAlias) => changeAlias(deps, input, "RemoveAlias")

/** Input of {@link deleteArtifactVersion}. */
export interface DeleteArtifactVersion extends Request {
  readonly reference: string
}

/** Deletes a source version, refused while any link of it holds a protected alias. */
export const deleteArtifactVersion = (deps: Dependencies, input: DeleteArtifactVersion) =>
  execute(
    envelope(input),
    Effect.gen(function* () {
      const parsed = yield* parseAnyRef(input.reference)
      if (parsed._tag === "Registry") {
        return yield* Effect.fail(
          new InvalidName({
            kind: "artifact",
            value: input.reference,
            rule: "delete takes a source artifact version (entity/project/name:vN); to remove a linked version, unlink it"
          })
        )
      }
      const { entity, project, name } = parsed.ref
      yield* requireWritableEntity(entity, input.actor)
      const loaded = yield* loadArtifact(entity, project, name)
      const selector = Option.getOrElse(parsed.ref.version, () => ({ _tag: "Alias", alias: "latest" }) as const)
      const version = yield* Option.match(Artifact.findVersion(loaded.state, selector), {
        onNone: () => Effect.fail(new ArtifactVersionNotFound({ reference: input.reference })),
        onSome: Effect.succeed
      })
      const key = sourceVersionKey(entity, project, name, version.index)
      const protectedLinks: Array<{ linkedVersion: string; alias: string }> = []
      // The delete commits only while every registry and collection read here is unchanged (no alias protected since).
      const guards = new Map<string, StreamChange>()
      for (const link of yield* deps.linksOfSource(key).pipe(Effect.orElseSucceed(() => []))) {
        const registry = yield* loadRegistry(link.organization, link.registry)
        // The registry as found by name now (it may have been renamed since the link was recorded); none when the
        // name is free (a fresh id, no stream to guard).
        const registryStream = Registry.streamIdOf(registry.id)
        if (!registry.bindName) guards.set(registryStream, guardOf(registryStream, registry))
        if (registry.state._tag !== "Active") continue
        const collection = yield* loadCollectionFor(link.collectionId, {
          sources: [{ entity, project, name, index: version.index }]
        })
        const collectionStream = Collection.streamId(link.collectionId)
        guards.set(collectionStream, guardOf(collectionStream, collection))
        const linkedIndex = HashMap.get(collection.state.bySource, key)
        if (Option.isNone(linkedIndex)) continue
        const info = Registry.collectionById(registry.state, link.collectionId)
        for (const alias of Collection.aliasesOf(collection.state, linkedIndex.value)) {
          if (registry.state.protectedAliases.includes(alias)) {
            protectedLinks.push({
              linkedVersion: fullName(link.registry, info?.name ?? link.collectionId, linkedIndex.value),
              alias
            })
          }
        }
      }
      const events = yield* Artifact.decide(
        { _tag: "DeleteVersion", index: version.index, protectedLinks },
        loaded.state
      )
      const change = changeOf(artifactSpec, Artifact.streamId(entity, project, name), loaded, events)
      return { changes: [change, ...guards.values()], result: { reference: key, deleted: events.length > 0 } }
    })
  )
