/**
 * Collections: the linked versions of one registry collection. Each link points at exactly one source artifact
 * version; indexes `v0, v1, …` are assigned in link order and never reused; aliases are unique per collection and
 * move between versions; `latest` always points at the highest linked index.
 *
 * The state uses persistent maps, so folding 100,000 links costs O(n log n), not O(n²). What every decision needs
 * (the next index, which indexes are linked, the aliases, the latest) is a {@link Summary} that does not grow with
 * the collection; the facts of each linked version (its source, type and digest) can be left out of a state and
 * loaded for the versions a command names ({@link restore}, {@link learn}).
 */
import { Either, HashMap, Option, Schema } from "effect"
import { type Actor, atLeast, type RegistryRole } from "./Access.js"
import type { Decider } from "./Decider.js"
import {
  AliasNotFound,
  CollectionTypeMismatch,
  InsufficientRole,
  LinkedVersionNotFound,
  NotATeamMember,
  PersonalEntityCannotLink,
  ProtectedAliasRequiresAdmin,
  TeamNotInOrganization,
  TypeNotAccepted
} from "./Errors.js"
import * as IndexSet from "./internal/IndexSet.js"
import { collectionPath, fullName as printFullName } from "./Paths.js"

// ---- stream ----------------------------------------------------------------------------------------------------

/** The stream of a collection (by id: names can change, ids cannot). */
export const streamId = (collectionId: string): string => `Collection-${collectionId}`

// ---- events (stored formats: change only by adding a new schema version and an upcast) ---------------------------

/** A source artifact version, as a link points at it. */
export const SourceVersion = Schema.Struct({
  entity: Schema.String,
  project: Schema.String,
  name: Schema.String,
  index: Schema.Number
})
/** A source artifact version. */
export type SourceVersion = typeof SourceVersion.Type

/** `entity/project/name:vN`. */
export const sourceKey = (source: SourceVersion): string =>
  `${source.entity}/${source.project}/${source.name}:v${source.index}`

const CollectionFields = {
  organization: Schema.String,
  registry: Schema.String,
  collectionId: Schema.String
}

/** A source version was linked into the collection as version `index`. */
export class ArtifactLinked extends Schema.TaggedClass<ArtifactLinked>()("ArtifactLinked", {
  ...CollectionFields,
  collection: Schema.String,
  index: Schema.Number,
  source: SourceVersion,
  artifactType: Schema.String,
  digest: Schema.String
}) {}

/** An alias now points at a linked version (moved from `movedFrom` when another version held it). */
export class AliasAssigned extends Schema.TaggedClass<AliasAssigned>()("AliasAssigned", {
  ...CollectionFields,
  alias: Schema.String,
  index: Schema.Number,
  movedFrom: Schema.NullOr(Schema.Number)
}) {}

/** An alias was taken off a linked version. */
export class AliasRemoved extends Schema.TaggedClass<AliasRemoved>()("AliasRemoved", {
  ...CollectionFields,
  alias: Schema.String,
  index: Schema.Number
}) {}

/** A linked version was unlinked; its index is never reused. */
export class ArtifactUnlinked extends Schema.TaggedClass<ArtifactUnlinked>()("ArtifactUnlinked", {
  ...CollectionFields,
  index: Schema.Number,
  source: SourceVersion
}) {}

/** Every event of a collection stream. */
export const Event = Schema.Union(ArtifactLinked, AliasAssigned, AliasRemoved, ArtifactUnlinked)
/** Every event of a collection stream. */
export type Event = typeof Event.Type

// ---- state -------------------------------------------------------------------------------------------------------

/** A linked version as the collection knows it. */
export interface LinkedVersion {
  readonly index: number
  readonly source: SourceVersion
  readonly artifactType: string
  readonly digest: string
}

/**
 * The collection's links and aliases. `linked`, `aliases`, `nextIndex` and `latest` are always complete. The facts
 * of linked versions (`versions`, `bySource`) are complete in a state folded from the first event; in a state
 * restored from a {@link Summary} they hold only the versions linked since, and those {@link learn}ed: before
 * deciding, the loader learns the versions a command names (its index, or its source), which is all `decide` reads.
 */
export interface State {
  /** The facts of linked versions, by index. */
  readonly versions: HashMap.HashMap<number, LinkedVersion>
  /** Source key → index, for idempotent re-links. */
  readonly bySource: HashMap.HashMap<string, number>
  readonly aliases: HashMap.HashMap<string, number>
  readonly nextIndex: number
  /** The highest linked index. */
  readonly latest: Option.Option<number>
  /** Every linked index, as runs: small however many versions are linked. */
  readonly linked: IndexSet.IndexSet
  /** Versions below this index may be linked without their facts in `versions` and `bySource` (0: none). */
  readonly unloadedBelow: number
}

/** A collection with no link. */
export const initialState: State = {
  versions: HashMap.empty(),
  bySource: HashMap.empty(),
  aliases: HashMap.empty(),
  nextIndex: 0,
  latest: Option.none(),
  linked: IndexSet.empty,
  unloadedBelow: 0
}

/** Folds one event into the state. */
export const evolve = (state: State, event: Event): State => {
  switch (event._tag) {
    case "ArtifactLinked":
      return {
        versions: HashMap.set(state.versions, event.index, {
          index: event.index,
          source: event.source,
          artifactType: event.artifactType,
          digest: event.digest
        }),
        bySource: HashMap.set(state.bySource, sourceKey(event.source), event.index),
        aliases: state.aliases,
        nextIndex: Math.max(state.nextIndex, event.index + 1),
        latest: Option.some(
          Math.max(
            event.index,
            Option.getOrElse(state.latest, () => -1)
          )
        ),
        linked: IndexSet.add(state.linked, event.index),
        unloadedBelow: state.unloadedBelow
      }
    case "AliasAssigned":
      return { ...state, aliases: HashMap.set(state.aliases, event.alias, event.index) }
    case "AliasRemoved":
      return Option.contains(HashMap.get(state.aliases, event.alias), event.index)
        ? { ...state, aliases: HashMap.remove(state.aliases, event.alias) }
        : state
    case "ArtifactUnlinked": {
      const linked = IndexSet.remove(state.linked, event.index)
      return {
        ...state,
        versions: HashMap.remove(state.versions, event.index),
        bySource: HashMap.remove(state.bySource, sourceKey(event.source)),
        linked,
        latest: Option.contains(state.latest, event.index)
          ? IndexSet.highestAtOrBelow(linked, event.index - 1)
          : state.latest
      }
    }
  }
}

/** The aliases of a linked version, `latest` first when it points there. */
export const aliasesOf = (state: State, index: number): ReadonlyArray<string> => {
  const aliases: Array<string> = []
  for (const [alias, at] of state.aliases) if (at === index) aliases.push(alias)
  aliases.sort()
  return Option.contains(state.latest, index) ? ["latest", ...aliases] : aliases
}

/** A linked version by index, or by alias (`latest` included). */
export type Selector =
  | { readonly _tag: "Index"; readonly index: number }
  | { readonly _tag: "Alias"; readonly alias: string }

/** The linked index a selector names, if that index is linked (known from the summary alone). */
export const indexOf = (state: State, selector: Selector): Option.Option<number> =>
  Option.filter(
    selector._tag === "Index"
      ? Option.some(selector.index)
      : selector.alias === "latest"
        ? state.latest
        : HashMap.get(state.aliases, selector.alias),
    (index) => IndexSet.has(state.linked, index)
  )

/** Finds a linked version by index or alias (`latest` included); its facts must be in the state (see {@link State}). */
export const findVersion = (state: State, selector: Selector): Option.Option<LinkedVersion> =>
  Option.flatMap(indexOf(state, selector), (at) => HashMap.get(state.versions, at))

/** The index at which a source version is linked, if it is; its facts must be in the state (see {@link State}). */
export const findVersionOf = (state: State, source: SourceVersion): Option.Option<number> =>
  HashMap.get(state.bySource, sourceKey(source))

// ---- summary: what every decision needs, without the facts of each version --------------------------------------

/**
 * The part of a state that does not grow with the collection: linked indexes as `[start, end)` runs, aliases, the
 * next index and the latest. Stored in snapshots (plain JSON), so it is a stored format: change it only with a new
 * snapshot version (an old snapshot is then ignored and the stream replayed).
 */
export const Summary = Schema.Struct({
  linked: Schema.Array(Schema.Tuple(Schema.Number, Schema.Number)),
  aliases: Schema.Array(Schema.Tuple(Schema.String, Schema.Number)),
  nextIndex: Schema.Number,
  latest: Schema.NullOr(Schema.Number)
})
/** The summary of a state. */
export type Summary = typeof Summary.Type

/** A state's summary. */
export const summarize = (state: State): Summary => ({
  linked: IndexSet.toRuns(state.linked),
  aliases: [...state.aliases].map(([alias, index]) => [alias, index] as const),
  nextIndex: state.nextIndex,
  latest: Option.getOrNull(state.latest)
})

/**
 * The state a summary describes, with no version's facts loaded (`unloadedBelow` is its next index); none when the
 * summary contradicts itself (runs out of order, an alias or the latest on an index that is not linked).
 */
export const restore = (summary: Summary): Option.Option<State> =>
  Option.flatMap(IndexSet.fromRuns(summary.linked), (linked) => {
    const isLinked = (index: number) => IndexSet.has(linked, index)
    const latest = Option.fromNullable(summary.latest)
    const highest = summary.linked.at(-1)?.[1] ?? 0
    const consistent =
      summary.aliases.every(([, index]) => isLinked(index)) &&
      summary.latest === (highest > 0 ? highest - 1 : null) &&
      highest <= summary.nextIndex
    return consistent
      ? Option.some({
          versions: HashMap.empty(),
          bySource: HashMap.empty(),
          aliases: HashMap.fromIterable(summary.aliases),
          nextIndex: summary.nextIndex,
          latest,
          linked,
          unloadedBelow: summary.nextIndex
        })
      : Option.none()
  })

/** Whether the facts of the version at `index` are to be loaded before a command that names it. */
export const needsVersion = (state: State, index: number): boolean =>
  IndexSet.has(state.linked, index) && !HashMap.has(state.versions, index)

/**
 * Whether a source is to be looked up before a command that names it: it is not known as linked, and versions below
 * {@link State.unloadedBelow} (whose facts are not loaded) may hold it.
 */
export const needsSource = (state: State, source: SourceVersion): boolean =>
  state.unloadedBelow > 0 && !HashMap.has(state.bySource, sourceKey(source))

/** Adds the facts of a linked version (as its `ArtifactLinked` event holds them); ignored if it is not linked. */
export const learn = (state: State, linked: ArtifactLinked): State =>
  IndexSet.has(state.linked, linked.index) && !HashMap.has(state.versions, linked.index)
    ? {
        ...state,
        versions: HashMap.set(state.versions, linked.index, {
          index: linked.index,
          source: linked.source,
          artifactType: linked.artifactType,
          digest: linked.digest
        }),
        bySource: HashMap.set(state.bySource, sourceKey(linked.source), linked.index)
      }
    : state

// ---- commands and decisions --------------------------------------------------------------------------------------

/** What every collection command knows about the collection and its registry. */
export interface Context {
  readonly organization: string
  readonly registry: string
  readonly collectionId: string
  readonly collection: string
  readonly artifactType: string
  /** The registry's accepted types (empty: all). */
  readonly acceptedTypes: ReadonlyArray<string>
  readonly protectedAliases: ReadonlyArray<string>
  readonly actor: Actor
  /** The actor's effective role in the registry. */
  readonly role: Option.Option<RegistryRole>
}

/** Where a source artifact was logged: under a team of some organization, or under a personal entity. */
export type SourceEntity =
  | {
      readonly kind: "team"
      readonly team: string
      readonly organization: string
      readonly members: ReadonlyArray<string>
    }
  | { readonly kind: "user"; readonly user: string }

/** Commands on a collection stream. Aliases are validated before a command is built. */
export type Command = { readonly context: Context } & (
  | {
      readonly _tag: "Link"
      /** The underlying source version (a linked version given as source was resolved to its source already). */
      readonly source: SourceVersion
      readonly sourceType: string
      readonly sourceDigest: string
      readonly sourceEntity: SourceEntity
      readonly aliases: ReadonlyArray<string>
    }
  | { readonly _tag: "Unlink"; readonly index: number }
  | { readonly _tag: "AssignAlias"; readonly index: number; readonly alias: string }
  | { readonly _tag: "RemoveAlias"; readonly index: number; readonly alias: string }
)

/** The rejections of collection commands. */
export type Rejection =
  | PersonalEntityCannotLink
  | TeamNotInOrganization
  | NotATeamMember
  | InsufficientRole
  | TypeNotAccepted
  | CollectionTypeMismatch
  | ProtectedAliasRequiresAdmin
  | LinkedVersionNotFound
  | AliasNotFound

const none: ReadonlyArray<Event> = []

const requireRole = (
  context: Context,
  required: RegistryRole,
  action: "write" | "administer"
): Either.Either<void, InsufficientRole> =>
  atLeast(context.role, required)
    ? Either.void
    : Either.left(
        new InsufficientRole({
          actor: context.actor.username,
          registry: context.registry,
          action,
          required,
          actual: Option.getOrNull(context.role)
        })
      )

const requireAliasRights = (
  context: Context,
  aliases: ReadonlyArray<string>
): Either.Either<void, ProtectedAliasRequiresAdmin> => {
  const guarded = aliases.find((alias) => context.protectedAliases.includes(alias))
  return guarded === undefined || atLeast(context.role, "admin")
    ? Either.void
    : Either.left(
        new ProtectedAliasRequiresAdmin({ alias: guarded, registry: context.registry, actor: context.actor.username })
      )
}

const fullName = (context: Context, index: number) => printFullName(context.registry, context.collection, index)

const requireVersion = (state: State, context: Context, index: number): Either.Either<void, LinkedVersionNotFound> =>
  IndexSet.has(state.linked, index)
    ? Either.void
    : Either.left(new LinkedVersionNotFound({ name: fullName(context, index) }))

const fields = (context: Context) => ({
  organization: context.organization,
  registry: context.registry,
  collectionId: context.collectionId
})

const assign = (state: State, context: Context, index: number, aliases: ReadonlyArray<string>): ReadonlyArray<Event> =>
  [...new Set(aliases)]
    .filter((alias) => !Option.contains(HashMap.get(state.aliases, alias), index))
    .map(
      (alias) =>
        new AliasAssigned({
          ...fields(context),
          alias,
          index,
          movedFrom: Option.getOrNull(HashMap.get(state.aliases, alias))
        })
    )

const decideLink = (
  command: Extract<Command, { _tag: "Link" }>,
  state: State
): Either.Either<ReadonlyArray<Event>, Rejection> => {
  const { context } = command
  const entity = command.sourceEntity
  const artifact = `${command.source.entity}/${command.source.project}/${command.source.name}`
  if (entity.kind === "user") return Either.left(new PersonalEntityCannotLink({ entity: entity.user, artifact }))
  if (entity.organization !== context.organization) {
    return Either.left(new TeamNotInOrganization({ team: entity.team, organization: context.organization }))
  }
  return Either.gen(function* () {
    yield* requireRole(context, "member", "write")
    if (!entity.members.includes(context.actor.username)) {
      return yield* Either.left(new NotATeamMember({ user: context.actor.username, team: entity.team }))
    }
    if (context.acceptedTypes.length > 0 && !context.acceptedTypes.includes(command.sourceType)) {
      return yield* Either.left(
        new TypeNotAccepted({
          registry: context.registry,
          artifactType: command.sourceType,
          acceptedTypes: context.acceptedTypes
        })
      )
    }
    if (command.sourceType !== context.artifactType) {
      return yield* Either.left(
        new CollectionTypeMismatch({
          collection: collectionPath(context.registry, context.collection),
          collectionType: context.artifactType,
          artifactType: command.sourceType
        })
      )
    }
    yield* requireAliasRights(context, command.aliases)
    const existing = HashMap.get(state.bySource, sourceKey(command.source))
    if (Option.isSome(existing)) return assign(state, context, existing.value, command.aliases)
    const index = state.nextIndex
    const linked = new ArtifactLinked({
      ...fields(context),
      collection: context.collection,
      index,
      source: command.source,
      artifactType: command.sourceType,
      digest: command.sourceDigest
    })
    return [linked, ...assign(state, context, index, command.aliases)]
  })
}

/** Decides a collection command. */
export const decide = (command: Command, state: State): Either.Either<ReadonlyArray<Event>, Rejection> => {
  const { context } = command
  switch (command._tag) {
    case "Link":
      return decideLink(command, state)
    case "Unlink":
      return Either.gen(function* () {
        yield* requireRole(context, "member", "write")
        const version = HashMap.get(state.versions, command.index)
        if (Option.isNone(version)) {
          return yield* Either.left(new LinkedVersionNotFound({ name: fullName(context, command.index) }))
        }
        const aliases = aliasesOf(state, command.index).filter((alias) => alias !== "latest")
        yield* requireAliasRights(context, aliases)
        return [
          ...aliases.map((alias) => new AliasRemoved({ ...fields(context), alias, index: command.index })),
          new ArtifactUnlinked({ ...fields(context), index: command.index, source: version.value.source })
        ]
      })
    case "AssignAlias":
      return Either.gen(function* () {
        yield* requireRole(context, "member", "write")
        yield* requireVersion(state, context, command.index)
        yield* requireAliasRights(context, [command.alias])
        return assign(state, context, command.index, [command.alias])
      })
    case "RemoveAlias":
      return Either.gen(function* () {
        yield* requireRole(context, "member", "write")
        yield* requireVersion(state, context, command.index)
        if (!Option.contains(HashMap.get(state.aliases, command.alias), command.index)) {
          return yield* Either.left(new AliasNotFound({ alias: command.alias, name: fullName(context, command.index) }))
        }
        yield* requireAliasRights(context, [command.alias])
        return none.concat([new AliasRemoved({ ...fields(context), alias: command.alias, index: command.index })])
      })
  }
}

/** The collection decider. */
export const decider: Decider<Command, Event, State, Rejection> = { initialState, evolve, decide }
