/**
 * Source artifacts: `entity/project/name`, one type fixed at the first version, versions `v0, v1, …` with an
 * immutable file manifest and content digest, editable description and metadata, aliases (`latest` is managed by
 * the system), and the runs that produced and used each version (lineage).
 */
import { Either, Option, Schema } from "effect"
import { type CopyOnWrite, copying, type Decider } from "./Decider.js"
import {
  AliasNotFound,
  type ArtifactNotFound,
  ArtifactTypeMismatch,
  ArtifactVersionDeleted,
  ArtifactVersionNotFound,
  SourceVersionProtected,
  TagNotFound
} from "./Errors.js"
import { canonicalJson } from "./internal/CanonicalJson.js"
import { type InvalidName, validateArtifactType } from "./Names.js"
import { sha256Hex } from "./internal/Sha256.js"

// ---- stream ----------------------------------------------------------------------------------------------------

/** The key of an artifact: `entity/project/name`. */
export const artifactKey = (entity: string, project: string, name: string): string => `${entity}/${project}/${name}`

/** The stream of an artifact. */
export const streamId = (entity: string, project: string, name: string): string =>
  `Artifact-${artifactKey(entity, project, name)}`

// ---- events (stored formats: change only by adding a new schema version and an upcast) ---------------------------

/** One file of a version's manifest. */
export const ManifestEntry = Schema.Struct({ path: Schema.String, sha256: Schema.String, size: Schema.Number })
/** One file of a version's manifest. */
export type ManifestEntry = typeof ManifestEntry.Type

/** A run inside a project: `entity/project/runId`. */
export const RunRef = Schema.Struct({ entity: Schema.String, project: Schema.String, runId: Schema.String })
/** A run inside a project. */
export type RunRef = typeof RunRef.Type

/** JSON metadata of a version. */
export const Metadata = Schema.Record({ key: Schema.String, value: Schema.Unknown })
/** JSON metadata of a version. */
export type Metadata = typeof Metadata.Type

/** The artifact assigned version `vN` to newly logged content (this is the "version logged" event). */
export class VersionAssigned extends Schema.TaggedClass<VersionAssigned>()("VersionAssigned", {
  entity: Schema.String,
  project: Schema.String,
  name: Schema.String,
  index: Schema.Number,
  artifactType: Schema.String,
  digest: Schema.String,
  files: Schema.Array(ManifestEntry),
  metadata: Metadata,
  description: Schema.String,
  loggedBy: Schema.NullOr(RunRef)
}) {}

/** An alias now points at a version of the artifact (moved from another version when `movedFrom` is set). */
export class ArtifactAliasAssigned extends Schema.TaggedClass<ArtifactAliasAssigned>()("ArtifactAliasAssigned", {
  artifact: Schema.String,
  alias: Schema.String,
  index: Schema.Number,
  movedFrom: Schema.NullOr(Schema.Number)
}) {}

/** An alias was taken off a version of the artifact. */
export class ArtifactAliasRemoved extends Schema.TaggedClass<ArtifactAliasRemoved>()("ArtifactAliasRemoved", {
  artifact: Schema.String,
  alias: Schema.String,
  index: Schema.Number
}) {}

/** A run used (consumed) a version. */
export class ArtifactUsed extends Schema.TaggedClass<ArtifactUsed>()("ArtifactUsed", {
  artifact: Schema.String,
  index: Schema.Number,
  usedBy: RunRef
}) {}

/** A version's editable description and metadata changed (every link of it shows the change). */
export class ArtifactVersionUpdated extends Schema.TaggedClass<ArtifactVersionUpdated>()("ArtifactVersionUpdated", {
  artifact: Schema.String,
  index: Schema.Number,
  description: Schema.String,
  metadata: Metadata
}) {}

/** A version was deleted; its content is gone, its history stays. */
export class SourceVersionDeleted extends Schema.TaggedClass<SourceVersionDeleted>()("SourceVersionDeleted", {
  artifact: Schema.String,
  index: Schema.Number
}) {}

/** A tag was put on a version (tags are not unique: many versions can share one); `tags` are the version's tags after. */
export class ArtifactVersionTagged extends Schema.TaggedClass<ArtifactVersionTagged>()("ArtifactVersionTagged", {
  artifact: Schema.String,
  index: Schema.Number,
  tag: Schema.String,
  tags: Schema.Array(Schema.String)
}) {}

/** A tag was taken off a version; `tags` are the version's tags after. */
export class ArtifactVersionUntagged extends Schema.TaggedClass<ArtifactVersionUntagged>()("ArtifactVersionUntagged", {
  artifact: Schema.String,
  index: Schema.Number,
  tag: Schema.String,
  tags: Schema.Array(Schema.String)
}) {}

/** Every event of an artifact stream. */
export const Event = Schema.Union(
  VersionAssigned,
  ArtifactAliasAssigned,
  ArtifactAliasRemoved,
  ArtifactUsed,
  ArtifactVersionUpdated,
  SourceVersionDeleted,
  ArtifactVersionTagged,
  ArtifactVersionUntagged
)
/** Every event of an artifact stream. */
export type Event = typeof Event.Type

// ---- state -------------------------------------------------------------------------------------------------------

/** One version as the artifact knows it. */
export interface Version {
  readonly index: number
  readonly digest: string
  readonly files: ReadonlyArray<ManifestEntry>
  readonly metadata: Metadata
  readonly description: string
  readonly loggedBy: RunRef | null
  readonly usedBy: ReadonlyArray<RunRef>
  readonly deleted: boolean
  /** Sorted. */
  readonly tags: ReadonlyArray<string>
}

/** The artifact's state: absent until its first version. */
export type State =
  | { readonly _tag: "Absent" }
  | {
      readonly _tag: "Present"
      readonly entity: string
      readonly project: string
      readonly name: string
      readonly artifactType: string
      readonly versions: ReadonlyMap<number, Version>
      readonly aliases: ReadonlyMap<string, number>
      readonly nextIndex: number
    }

/** An artifact with no version. */
export const initialState: State = { _tag: "Absent" }

const withVersion = (
  state: State,
  copies: CopyOnWrite,
  index: number,
  update: (version: Version) => Version
): State => {
  if (state._tag !== "Present") return state
  const version = state.versions.get(index)
  return version === undefined ? state : { ...state, versions: copies.map(state.versions).set(index, update(version)) }
}

/** Folds one event into the state, taking the maps it changes from `copies` (see `Decider`). */
export const evolveWith =
  (copies: CopyOnWrite) =>
  (state: State, event: Event): State => {
    switch (event._tag) {
      case "VersionAssigned": {
        const version: Version = {
          index: event.index,
          digest: event.digest,
          files: event.files,
          metadata: event.metadata,
          description: event.description,
          loggedBy: event.loggedBy,
          usedBy: [],
          deleted: false,
          tags: []
        }
        const base =
          state._tag === "Present"
            ? state
            : {
                _tag: "Present" as const,
                entity: event.entity,
                project: event.project,
                name: event.name,
                artifactType: event.artifactType,
                versions: new Map<number, Version>(),
                aliases: new Map<string, number>(),
                nextIndex: 0
              }
        return {
          ...base,
          versions: copies.map(base.versions).set(event.index, version),
          nextIndex: Math.max(base.nextIndex, event.index + 1)
        }
      }
      case "ArtifactAliasAssigned":
        return state._tag === "Present"
          ? { ...state, aliases: copies.map(state.aliases).set(event.alias, event.index) }
          : state
      case "ArtifactAliasRemoved": {
        if (state._tag !== "Present" || state.aliases.get(event.alias) !== event.index) return state
        const aliases = copies.map(state.aliases)
        aliases.delete(event.alias)
        return { ...state, aliases }
      }
      case "ArtifactUsed":
        return withVersion(state, copies, event.index, (version) =>
          version.usedBy.some((run) => sameRun(run, event.usedBy))
            ? version
            : { ...version, usedBy: [...version.usedBy, event.usedBy] }
        )
      case "ArtifactVersionUpdated":
        return withVersion(state, copies, event.index, (version) => ({
          ...version,
          description: event.description,
          metadata: event.metadata
        }))
      case "SourceVersionDeleted":
        return withVersion(state, copies, event.index, (version) => ({ ...version, deleted: true }))
      case "ArtifactVersionTagged":
      case "ArtifactVersionUntagged":
        return withVersion(state, copies, event.index, (version) => ({ ...version, tags: event.tags }))
    }
  }

/** Folds one event into the state. */
export const evolve = evolveWith(copying)

const sameRun = (a: RunRef, b: RunRef): boolean =>
  a.entity === b.entity && a.project === b.project && a.runId === b.runId

/** The newest version that was not deleted (what `latest` points at). */
export const latest = (state: State): Option.Option<Version> => {
  if (state._tag !== "Present") return Option.none()
  for (let index = state.nextIndex - 1; index >= 0; index--) {
    const version = state.versions.get(index)
    if (version !== undefined && !version.deleted) return Option.some(version)
  }
  return Option.none()
}

/** The aliases of a version, `latest` included when it points there. */
export const aliasesOf = (state: State, index: number): ReadonlyArray<string> => {
  if (state._tag !== "Present") return []
  const aliases = [...state.aliases].filter(([, at]) => at === index).map(([alias]) => alias)
  return Option.exists(latest(state), (version) => version.index === index) ? ["latest", ...aliases] : aliases
}

/** Finds a version by index or alias (`latest` included); deleted versions are not found by alias. */
export const findVersion = (
  state: State,
  selector: { readonly _tag: "Index"; readonly index: number } | { readonly _tag: "Alias"; readonly alias: string }
): Option.Option<Version> => {
  if (state._tag !== "Present") return Option.none()
  if (selector._tag === "Index") return Option.fromNullable(state.versions.get(selector.index))
  if (selector.alias === "latest") return latest(state)
  const index = state.aliases.get(selector.alias)
  return index === undefined ? Option.none() : Option.fromNullable(state.versions.get(index))
}

/** The content digest of a manifest: independent of file order. */
export const manifestDigest = (files: ReadonlyArray<ManifestEntry>): string =>
  sha256Hex(
    canonicalJson(
      [...files]
        .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
        .map((file) => [file.path, file.sha256, file.size])
    )
  )

// ---- commands and decisions --------------------------------------------------------------------------------------

/** Commands on an artifact stream. Names are validated before a command is built. */
export type Command =
  | {
      readonly _tag: "LogVersion"
      readonly entity: string
      readonly project: string
      readonly name: string
      readonly artifactType: string
      readonly files: ReadonlyArray<ManifestEntry>
      readonly metadata: Metadata
      readonly description: string
      readonly aliases: ReadonlyArray<string>
      readonly loggedBy: RunRef | null
    }
  | { readonly _tag: "AssignAlias"; readonly index: number; readonly alias: string }
  | { readonly _tag: "RemoveAlias"; readonly index: number; readonly alias: string }
  | { readonly _tag: "UseVersion"; readonly index: number; readonly usedBy: RunRef }
  | {
      readonly _tag: "UpdateVersion"
      readonly index: number
      readonly description: string
      readonly metadata: Metadata
    }
  | { readonly _tag: "TagVersion"; readonly index: number; readonly tag: string }
  | { readonly _tag: "UntagVersion"; readonly index: number; readonly tag: string }
  | {
      readonly _tag: "DeleteVersion"
      readonly index: number
      /** Links of this version that hold a protected alias (gathered from the registries). */
      readonly protectedLinks: ReadonlyArray<{ readonly linkedVersion: string; readonly alias: string }>
    }

/** The rejections of artifact commands. */
export type Rejection =
  | ArtifactNotFound
  | ArtifactTypeMismatch
  | ArtifactVersionNotFound
  | ArtifactVersionDeleted
  | AliasNotFound
  | SourceVersionProtected
  | TagNotFound
  | InvalidName

const none: ReadonlyArray<Event> = []

type Present = Extract<State, { _tag: "Present" }>

const keyOf = (state: Present) => artifactKey(state.entity, state.project, state.name)

const liveVersion = (state: State, index: number): Either.Either<readonly [Present, Version], Rejection> => {
  if (state._tag !== "Present") return Either.left(new ArtifactVersionNotFound({ reference: `v${index}` }))
  const version = state.versions.get(index)
  const reference = `${keyOf(state)}:v${index}`
  if (version === undefined) return Either.left(new ArtifactVersionNotFound({ reference }))
  if (version.deleted) return Either.left(new ArtifactVersionDeleted({ reference }))
  return Either.right([state, version] as const)
}

const assignAliases = (state: Present, index: number, aliases: ReadonlyArray<string>): ReadonlyArray<Event> =>
  aliases
    .filter((alias, position) => aliases.indexOf(alias) === position && state.aliases.get(alias) !== index)
    .map(
      (alias) =>
        new ArtifactAliasAssigned({
          artifact: keyOf(state),
          alias,
          index,
          movedFrom: state.aliases.get(alias) ?? null
        })
    )

/** Decides an artifact command. */
export const decide = (command: Command, state: State): Either.Either<ReadonlyArray<Event>, Rejection> => {
  switch (command._tag) {
    case "LogVersion": {
      const key = artifactKey(command.entity, command.project, command.name)
      // Types W&B-compatible clients reserve for themselves (`job`, `wandb-…`, `run_table` for `run-…`, …).
      const type = validateArtifactType(command.artifactType, command.name)
      if (Either.isLeft(type)) return Either.left(type.left)
      if (state._tag === "Present" && state.artifactType !== command.artifactType) {
        return Either.left(
          new ArtifactTypeMismatch({
            artifact: key,
            artifactType: state.artifactType,
            requestedType: command.artifactType
          })
        )
      }
      const digest = manifestDigest(command.files)
      const newest = latest(state)
      if (state._tag === "Present" && Option.isSome(newest) && newest.value.digest === digest) {
        return Either.right(assignAliases(state, newest.value.index, command.aliases))
      }
      const index = state._tag === "Present" ? state.nextIndex : 0
      const assigned = new VersionAssigned({
        entity: command.entity,
        project: command.project,
        name: command.name,
        index,
        artifactType: command.artifactType,
        digest,
        files: command.files,
        metadata: command.metadata,
        description: command.description,
        loggedBy: command.loggedBy
      })
      const after = evolve(state, assigned) as Present
      return Either.right([assigned, ...assignAliases(after, index, command.aliases)])
    }
    case "AssignAlias":
      return Either.map(liveVersion(state, command.index), ([present]) =>
        assignAliases(present, command.index, [command.alias])
      )
    case "RemoveAlias":
      return Either.flatMap(liveVersion(state, command.index), ([present]) =>
        present.aliases.get(command.alias) === command.index
          ? Either.right([
              new ArtifactAliasRemoved({ artifact: keyOf(present), alias: command.alias, index: command.index })
            ])
          : Either.left(new AliasNotFound({ alias: command.alias, name: `${keyOf(present)}:v${command.index}` }))
      )
    case "UseVersion":
      return Either.map(liveVersion(state, command.index), ([present, version]) =>
        version.usedBy.some((run) => sameRun(run, command.usedBy))
          ? none
          : [new ArtifactUsed({ artifact: keyOf(present), index: command.index, usedBy: command.usedBy })]
      )
    case "UpdateVersion":
      return Either.map(liveVersion(state, command.index), ([present, version]) =>
        version.description === command.description &&
        canonicalJson(version.metadata) === canonicalJson(command.metadata)
          ? none
          : [
              new ArtifactVersionUpdated({
                artifact: keyOf(present),
                index: command.index,
                description: command.description,
                metadata: command.metadata
              })
            ]
      )
    case "TagVersion":
      return Either.map(liveVersion(state, command.index), ([present, version]) =>
        version.tags.includes(command.tag)
          ? none
          : [
              new ArtifactVersionTagged({
                artifact: keyOf(present),
                index: command.index,
                tag: command.tag,
                tags: [...version.tags, command.tag].sort()
              })
            ]
      )
    case "UntagVersion":
      return Either.flatMap(liveVersion(state, command.index), ([present, version]) =>
        version.tags.includes(command.tag)
          ? Either.right([
              new ArtifactVersionUntagged({
                artifact: keyOf(present),
                index: command.index,
                tag: command.tag,
                tags: version.tags.filter((tag) => tag !== command.tag)
              })
            ])
          : Either.left(new TagNotFound({ tag: command.tag, reference: `${keyOf(present)}:v${command.index}` }))
      )
    case "DeleteVersion": {
      if (state._tag !== "Present") return Either.left(new ArtifactVersionNotFound({ reference: `v${command.index}` }))
      const version = state.versions.get(command.index)
      const reference = `${keyOf(state)}:v${command.index}`
      if (version === undefined) return Either.left(new ArtifactVersionNotFound({ reference }))
      if (version.deleted) return Either.right(none)
      const blocking = command.protectedLinks[0]
      if (blocking !== undefined) {
        return Either.left(
          new SourceVersionProtected({ reference, linkedVersion: blocking.linkedVersion, alias: blocking.alias })
        )
      }
      const removals = [...state.aliases]
        .filter(([, index]) => index === command.index)
        .map(([alias]) => new ArtifactAliasRemoved({ artifact: keyOf(state), alias, index: command.index }))
      return Either.right([...removals, new SourceVersionDeleted({ artifact: keyOf(state), index: command.index })])
    }
  }
}

/** The artifact decider. */
export const decider: Decider<Command, Event, State, Rejection> = { initialState, evolve, evolveWith, decide }
