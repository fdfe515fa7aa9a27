/**
 * Governance handlers: atomic promotion (several alias moves in one transaction, optionally a compare-and-set), and
 * the history of an alias and of a linked version, read from the log with who and when.
 */
import { Effect, Option } from "effect"
import * as Artifact from "../Artifact.js"
import type * as Collection from "../Collection.js"
import { CollectionNotFound, LinkedVersionNotFound, RegistryNotFound } from "../Errors.js"
import * as Events from "../Events.js"
import { EventStore, type RecordedEvent } from "../EventStore.js"
import { collectionChange, execute, guardOf, type Loaded, loadCollection } from "../internal/Loader.js"
import { registryNameOf, validateCollectionName, validateStorableName, validateUserAlias } from "../Names.js"
import { fullName, linkedVersionName, parseRegistryPath, type VersionSelector } from "../Paths.js"
import * as Projector from "../Projector.js"
import type { AuditRow } from "../Projections.js"
import * as Promotion from "../Promotion.js"
import { ReadModelStore } from "../ReadModelStore.js"
import * as ReadModels from "../ReadModels.js"
import * as Registry from "../Registry.js"
import type { Dependencies } from "./Artifacts.js"
import { envelope, idempotent, type Request } from "./Context.js"
import { type Authorized, authorizedRegistry, collectionContext, collectionOf, organizationNamed } from "./Locate.js"
import type { AsOf, ReadRequest } from "./Reads.js"

// ---- promotion -----------------------------------------------------------------------------------------------------

/** Input of {@link promote}. */
export interface Promote extends Request {
  /** `[ORG/]wandb-registry-R/C:ALIAS=vN`, one per alias move; all in one registry. */
  readonly set: ReadonlyArray<string>
  /** `[ORG/]wandb-registry-R/C:ALIAS=vN|none`: the promotion goes ahead only if every alias still points there. */
  readonly expect?: ReadonlyArray<string>
}

/** One alias move of a promotion. */
export interface PromotedMove extends Promotion.Move {
  /** `wandb-registry-R/C:vN`, the version the alias points at now. */
  readonly fullName: string
}

/** The result of {@link promote}. */
export interface Promoted {
  readonly organization: string
  readonly registry: string
  readonly moves: ReadonlyArray<PromotedMove>
  /** False when every alias already pointed where it was set (nothing was written). */
  readonly changed: boolean
}

/** A change that holds the registry at the version it was authorized against, appending nothing. */
const registryGuard = (authorized: Authorized) =>
  guardOf(Registry.streamIdOf(authorized.registryId), { version: authorized.version })

/**
 * Moves several aliases across the collections of one registry in one transaction, or none of them: the registry
 * and every collection named (by `set` or `expect`) must still be as they were read when the moves are appended.
 * With `expect`, a compare-and-set: if any alias points elsewhere, nothing is written and the error names it.
 */
export const promote = (deps: Dependencies, input: Promote) =>
  idempotent(
    input,
    "promote",
    Effect.gen(function* () {
      const sets = yield* Effect.forEach(input.set, (text) => Promotion.parseEntry(text, "set"))
      const expectations = yield* Effect.forEach(input.expect ?? [], (text) => Promotion.parseEntry(text, "expect"))
      const scope = yield* Promotion.sameRegistry(sets, expectations)
      const organization = yield* organizationNamed(Option.getOrUndefined(scope.org), input.actor, deps.defaults)
      const names = [...new Set([...sets, ...expectations].map((entry) => entry.path.collection))]
      const decision = Effect.gen(function* () {
        const authorized = yield* authorizedRegistry(organization, scope.registry, input.actor, "see")
        const targets = new Map<string, Promotion.Target>()
        const loaded: Array<{
          readonly name: string
          readonly id: string
          readonly collection: Loaded<Collection.State>
        }> = []
        for (const name of names) {
          const info = yield* collectionOf(authorized, name)
          const collection = yield* loadCollection(info.id)
          targets.set(name, { context: collectionContext(authorized, info), state: collection.state })
          loaded.push({ name, id: info.id, collection })
        }
        const decided = yield* Promotion.decide(targets, {
          moves: sets.map((entry) => ({
            collection: entry.path.collection,
            alias: entry.alias,
            index: entry.index ?? 0
          })),
          expectations: expectations.map((entry) => ({
            collection: entry.path.collection,
            alias: entry.alias,
            index: entry.index
          }))
        })
        // Every collection named commits only while it is as it was read (a guard when nothing moves in it), so an
        // expectation still holds when the moves land.
        const changes = [
          registryGuard(authorized),
          ...loaded.map(({ name, id, collection }) => collectionChange(id, collection, decided.events.get(name) ?? []))
        ]
        const result: Promoted = {
          organization: organization.name,
          registry: authorized.registry.registry,
          moves: decided.moves.map((move) => ({
            ...move,
            fullName: fullName(authorized.registry.registry, move.collection, move.to)
          })),
          changed: decided.moves.some((move) => move.changed)
        }
        return { changes, result }
      })
      return yield* deps.serialize(
        `${organization.name}\n${scope.registry}\npromote`,
        execute(envelope(input), decision)
      )
    })
  )

// ---- history of aliases and versions -------------------------------------------------------------------------------

/** Runs a read-model query against the live read models, or against ones folded as of a past point. */
const at = <A, E, R>(asOf: AsOf | undefined, query: Effect.Effect<A, E, R>) =>
  asOf === undefined
    ? query
    : Effect.flatMap(Projector.asOf(asOf), (store) => Effect.provideService(query, ReadModelStore, store))

/** One recorded collection event of the history, decoded, with its envelope. */
interface Recorded {
  readonly row: AuditRow
  readonly event: Collection.Event
}

const collectionTypes = new Set(["ArtifactLinked", "AliasAssigned", "AliasRemoved", "ArtifactUnlinked"])

/**
 * The collection events among audit rows (those the reader may see, as of the point asked), decoded from the log:
 * each stream is read once.
 */
const collectionEvents = (rows: ReadonlyArray<AuditRow>) =>
  Effect.gen(function* () {
    const store = yield* EventStore
    const wanted = rows.filter((row) => collectionTypes.has(row.type))
    const streams = new Map<string, Map<number, RecordedEvent>>()
    for (const streamId of new Set(wanted.map((row) => row.streamId))) {
      const events = yield* store.readStream(streamId)
      streams.set(streamId, new Map(events.map((event) => [event.streamPosition, event])))
    }
    const found: Array<Recorded> = []
    for (const row of wanted) {
      const stored = streams.get(row.streamId)?.get(row.streamPosition)
      if (stored === undefined) continue
      const decoded = yield* Events.decode(stored)
      if (Option.isNone(decoded)) continue
      const event = decoded.value
      if (
        event._tag === "ArtifactLinked" ||
        event._tag === "AliasAssigned" ||
        event._tag === "AliasRemoved" ||
        event._tag === "ArtifactUnlinked"
      ) {
        found.push({ row, event })
      }
    }
    return found
  })

/** Input of {@link aliasHistory}. */
export interface AliasHistory extends ReadRequest {
  readonly organization?: string
  /** The registry (with or without the `wandb-registry-` prefix). */
  readonly registry: string
  readonly alias: string
  /** Only this collection of the registry. */
  readonly collection?: string
}

/** One move of an alias: from which version to which (null: none), who and when. */
export interface AliasMove {
  readonly globalPosition: number
  readonly recordedAt: string
  readonly actor: string
  readonly collection: string
  readonly alias: string
  readonly from: number | null
  readonly to: number | null
}

/** The result of {@link aliasHistory}. */
export interface AliasHistoryResult {
  readonly organization: string
  readonly registry: string
  readonly alias: string
  readonly moves: ReadonlyArray<AliasMove>
}

/** The registry's visible history (as of the point asked) with its collection names by id. */
const registryHistory = (organization: string, registry: string, actor: string, collection: string | undefined) =>
  Effect.gen(function* () {
    const seen = yield* ReadModels.reader(actor).seesHistoryOf(organization, registry)
    if (!seen) return yield* Effect.fail(new RegistryNotFound({ organization, registry }))
    const collections = yield* ReadModels.listCollections(organization, registry)
    let collectionId: string | undefined
    if (collection !== undefined) {
      yield* validateCollectionName(collection)
      const found = collections.find((row) => row.name === collection)
      if (found === undefined) return yield* Effect.fail(new CollectionNotFound({ registry, collection }))
      collectionId = found.collectionId
    }
    const rows = yield* ReadModels.history({
      organization,
      registry,
      ...(collectionId === undefined ? {} : { collectionId }),
      reader: actor
    })
    const names = new Map(collections.map((row) => [row.collectionId, row.name]))
    return { rows, names }
  })

/** The name of a collection by id: as the registry knows it, else as it was when something was linked into it. */
const collectionName = (names: Map<string, string>, recorded: ReadonlyArray<Recorded>) => (collectionId: string) => {
  const known = names.get(collectionId)
  if (known !== undefined) return known
  for (const { event } of recorded) {
    if (event._tag === "ArtifactLinked" && event.collectionId === collectionId) return event.collection
  }
  return collectionId
}

/** Every time an alias moved in a registry (or one of its collections): from which version to which, who and when. */
export const aliasHistory = (deps: Dependencies, input: AliasHistory) =>
  Effect.gen(function* () {
    const alias = yield* validateUserAlias(input.alias)
    const organization = yield* organizationNamed(input.organization, input.actor, deps.defaults)
    const registry = yield* validateStorableName("registry", registryNameOf(input.registry))
    const { rows, names } = yield* at(
      input.asOf,
      registryHistory(organization.name, registry, input.actor, input.collection)
    )
    const recorded = yield* collectionEvents(rows)
    const nameOf = collectionName(names, recorded)
    const moves: Array<AliasMove> = []
    for (const { row, event } of recorded) {
      if ((event._tag !== "AliasAssigned" && event._tag !== "AliasRemoved") || event.alias !== alias) continue
      moves.push({
        globalPosition: row.globalPosition,
        recordedAt: row.recordedAt,
        actor: row.actor,
        collection: nameOf(event.collectionId),
        alias,
        from: event._tag === "AliasAssigned" ? event.movedFrom : event.index,
        to: event._tag === "AliasAssigned" ? event.index : null
      })
    }
    return { organization: organization.name, registry, alias, moves } satisfies AliasHistoryResult
  })

/** Input of {@link versionHistory}. */
export interface VersionHistory extends ReadRequest {
  /** `[ORG/]wandb-registry-R/C:vN` (or `:alias`, the version holding it at the point asked). */
  readonly name: string
}

/** What happened to a linked version. */
export type VersionChange = "linked" | "alias gained" | "alias lost" | "unlinked" | "tagged" | "untagged"

/** One change of a linked version, who and when. */
export interface VersionHistoryEntry {
  readonly globalPosition: number
  readonly recordedAt: string
  readonly actor: string
  readonly change: VersionChange
  /** The alias gained or lost; the source version linked or unlinked. */
  readonly detail: string
}

/** The result of {@link versionHistory}. */
export interface VersionHistoryResult {
  readonly fullName: string
  readonly organization: string
  readonly registry: string
  readonly collection: string
  readonly version: number
  readonly entries: ReadonlyArray<VersionHistoryEntry>
}

const sourceText = (source: Collection.SourceVersion) =>
  `${source.entity}/${source.project}/${source.name}:v${source.index}`

/** The changes of one event to linked version `index`, if any. */
const changesOf = (event: Collection.Event, index: number): ReadonlyArray<[VersionChange, string]> => {
  switch (event._tag) {
    case "ArtifactLinked":
      return event.index === index ? [["linked", sourceText(event.source)]] : []
    case "AliasAssigned":
      if (event.index === index) return [["alias gained", event.alias]]
      return event.movedFrom === index ? [["alias lost", `${event.alias} (moved to v${event.index})`]] : []
    case "AliasRemoved":
      return event.index === index ? [["alias lost", event.alias]] : []
    case "ArtifactUnlinked":
      return event.index === index ? [["unlinked", sourceText(event.source)]] : []
  }
}

/** The tags put on and taken off a source version (its tags show on every link), up to the point asked. */
const tagEntries = (source: Collection.SourceVersion, asOf: AsOf | undefined) =>
  Effect.gen(function* () {
    const store = yield* EventStore
    const recorded = yield* store.readStream(Artifact.streamId(source.entity, source.project, source.name))
    const limit = asOf === undefined ? undefined : "position" in asOf ? asOf.position : Date.parse(asOf.time)
    const entries: Array<VersionHistoryEntry> = []
    for (const stored of recorded) {
      if (stored.type !== "ArtifactVersionTagged" && stored.type !== "ArtifactVersionUntagged") continue
      if (limit !== undefined && asOf !== undefined) {
        const at = "position" in asOf ? stored.globalPosition : Date.parse(stored.metadata.recordedAt)
        if (at > limit) continue
      }
      const decoded = yield* Events.decode(stored)
      if (Option.isNone(decoded)) continue
      const event = decoded.value
      if (event._tag !== "ArtifactVersionTagged" && event._tag !== "ArtifactVersionUntagged") continue
      if (event.index !== source.index) continue
      entries.push({
        globalPosition: stored.globalPosition,
        recordedAt: stored.metadata.recordedAt,
        actor: stored.metadata.actor,
        change: event._tag === "ArtifactVersionTagged" ? "tagged" : "untagged",
        detail: event.tag
      })
    }
    return entries
  })

/** A linked version's history: linked, aliases gained and lost, unlinked; who and when. */
export const versionHistory = (deps: Dependencies, input: VersionHistory) =>
  Effect.gen(function* () {
    const path = yield* parseRegistryPath(input.name)
    const organization = yield* organizationNamed(Option.getOrUndefined(path.org), input.actor, deps.defaults)
    const selector: VersionSelector = Option.getOrElse(
      path.version,
      () => ({ _tag: "Alias", alias: "latest" }) as const
    )
    const { rows, index } = yield* at(
      input.asOf,
      Effect.gen(function* () {
        const { rows } = yield* registryHistory(organization.name, path.registry, input.actor, path.collection)
        if (selector._tag === "Index") return { rows, index: selector.index }
        const found = yield* ReadModels.resolveLinked(organization.name, path.registry, path.collection, selector)
        if (Option.isNone(found)) {
          return yield* Effect.fail(
            new LinkedVersionNotFound({ name: linkedVersionName(path.registry, path.collection, selector) })
          )
        }
        return { rows, index: found.value.version.index }
      })
    )
    const recorded = yield* collectionEvents(rows)
    const entries: Array<VersionHistoryEntry> = []
    for (const { row, event } of recorded) {
      for (const [change, detail] of changesOf(event, index)) {
        entries.push({
          globalPosition: row.globalPosition,
          recordedAt: row.recordedAt,
          actor: row.actor,
          change,
          detail
        })
      }
    }
    const linked = recorded.find(({ event }) => event._tag === "ArtifactLinked" && event.index === index)
    if (linked !== undefined && linked.event._tag === "ArtifactLinked") {
      entries.push(...(yield* tagEntries(linked.event.source, input.asOf)))
      entries.sort((a, b) => a.globalPosition - b.globalPosition)
    }
    if (entries.length === 0) {
      return yield* Effect.fail(new LinkedVersionNotFound({ name: fullName(path.registry, path.collection, index) }))
    }
    return {
      fullName: fullName(path.registry, path.collection, index),
      organization: organization.name,
      registry: path.registry,
      collection: path.collection,
      version: index,
      entries
    } satisfies VersionHistoryResult
  })
