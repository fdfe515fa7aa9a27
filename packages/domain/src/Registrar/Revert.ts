/**
 * Reverting a registry to a past point without rewriting history: the events that bring its collections, their
 * links and their aliases back to how they stood then are appended, in one transaction, as a new command (which can
 * itself be reverted). What cannot be brought back is listed, and the revert refuses unless `partial` is asked.
 */
import { Effect, Either, HashMap, Option, Schema } from "effect"
import * as Collection from "../Collection.js"
import { changeOf, collectionChange, execute, loadCollection, type StreamChange } from "../internal/Loader.js"
import { randomUuid } from "../internal/Uuid.js"
import { registryNameOf, registryProjectName } from "../Names.js"
import * as Projector from "../Projector.js"
import { ReadModelStore } from "../ReadModelStore.js"
import * as ReadModels from "../ReadModels.js"
import * as Registry from "../Registry.js"
import { type Dependencies, resolveSource } from "./Artifacts.js"
import { envelope, type Request } from "./Context.js"
import { linkingTeam } from "./Links.js"
import { type Authorized, authorizedRegistry, collectionContext, organizationNamed, registrySpec } from "./Locate.js"
import type { AsOf } from "./Reads.js"

/** Some of what changed since the point cannot be brought back, and a partial revert was not asked for. */
export class RevertIncomplete extends Schema.TaggedError<RevertIncomplete>()("RevertIncomplete", {
  registry: Schema.String,
  unrevertible: Schema.Array(Schema.String)
}) {
  override get message() {
    return `Nothing was reverted in registry "${this.registry}": ${this.unrevertible.length} change(s) cannot be brought back (${this.unrevertible.join("; ")}). Run it again with --partial to revert everything else, or with --dry-run to see the plan.`
  }
}

/** Input of {@link revert}. */
export interface Revert extends Request {
  readonly organization?: string
  /** The registry, with or without the `wandb-registry-` prefix. */
  readonly registry: string
  /** The point to go back to. */
  readonly to: AsOf
  /** Plan only: decide, write nothing. */
  readonly dryRun?: boolean
  /** Revert what can be, even if some changes cannot be brought back. */
  readonly partial?: boolean
}

/** One step of a revert. */
export interface RevertStep {
  readonly change:
    | "delete collection"
    | "rename collection"
    | "recreate collection"
    | "update collection"
    | "unlink"
    | "relink"
    | "move alias"
    | "remove alias"
  /** A collection's name, `C:vN` or `C:alias`. */
  readonly subject: string
  readonly detail: string
}

/** The result of {@link revert}. */
export interface Reverted {
  readonly organization: string
  readonly registry: string
  readonly steps: ReadonlyArray<RevertStep>
  /** What could not be brought back, and why. */
  readonly unrevertible: ReadonlyArray<string>
  /** False for a dry run or when nothing had to change. */
  readonly applied: boolean
}

/** A collection as it stood at the point: its settings, its linked sources (by index) and its aliases (by source). */
interface Past {
  readonly name: string
  readonly artifactType: string
  readonly description: string
  readonly tags: ReadonlyArray<string>
  readonly sources: ReadonlySet<string>
  readonly aliases: ReadonlyMap<string, string>
}

const pastCollections = (organization: string, registryId: string, registry: string) =>
  Effect.gen(function* () {
    const all = yield* ReadModels.listRegistries(organization)
    const found = all.find((view) => view.registryId === registryId) ?? all.find((view) => view.registry === registry)
    const past = new Map<string, Past>()
    if (found === undefined) return past
    for (const collection of yield* ReadModels.listCollections(organization, found.registry)) {
      const listed = yield* ReadModels.listVersions(collection.collectionId)
      const aliases = new Map<string, string>()
      const versions = [...listed.versions].sort((a, b) => a.index - b.index)
      for (const version of versions) {
        for (const alias of version.aliases) if (alias !== "latest") aliases.set(alias, version.sourceKey)
      }
      past.set(collection.collectionId, {
        name: collection.name,
        artifactType: collection.artifactType,
        description: collection.description,
        tags: collection.tags,
        sources: new Set(versions.map((version) => version.sourceKey)),
        aliases
      })
    }
    return past
  })

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/** The registry's part of a revert: its collections deleted, renamed and created back, decided one after another. */
interface RegistryPlan {
  readonly state: Registry.Active
  readonly events: ReadonlyArray<Registry.Event>
  /** The id each past collection has now (a collection created again has a new one). */
  readonly ids: ReadonlyMap<string, string>
}

/**
 * Brings the registry's collections back to how they stood at the point: those created since are deleted, those
 * renamed since take their old names back (through a free temporary name when renames went round in a cycle), their
 * descriptions and tags are set back, and those deleted since are created again, empty and under a new id (their
 * links are brought back afterwards) unless a collection of the same name and type was created since (it stands for
 * the deleted one). What the registry's own rules refuse is listed.
 */
const planCollections = (
  authorized: Authorized,
  past: ReadonlyMap<string, Past>,
  steps: Array<RevertStep>,
  unrevertible: Array<string>
) =>
  Effect.gen(function* () {
    let state = authorized.registry
    const events: Array<Registry.Event> = []
    const ids = new Map<string, string>()
    const names = { organization: authorized.organization.name, actor: authorized.actor }
    const decide = (command: Registry.Command) =>
      Either.map(Registry.decide(command, state), (decided) => {
        let next: Registry.State = state
        for (const event of decided) next = Registry.evolve(next, event)
        if (next._tag === "Active") state = next
        events.push(...decided)
      })
    const currentById = (id: string) => Registry.collectionById(state, id)
    // Deleted since, and a collection of its name and type created since (a revert brought it back, say): that
    // collection stands for it, and only its links are brought back.
    const adopted = new Map<string, string>()
    for (const [id, then] of past) {
      const info = state.collections.get(then.name)
      if (currentById(id) !== undefined || info === undefined || past.has(info.id)) continue
      if (info.artifactType === then.artifactType) adopted.set(id, info.id)
    }
    const adoptedIds = new Set(adopted.values())
    // Created since: deleted.
    for (const info of [...state.collections.values()].sort((a, b) => byName(a.name, b.name))) {
      if (past.has(info.id) || adoptedIds.has(info.id)) continue
      const deleted = decide({ ...names, registry: state.registry, _tag: "DeleteCollection", collection: info.name })
      if (Either.isLeft(deleted)) {
        unrevertible.push(`collection ${info.name} was created since and cannot be deleted: ${deleted.left.message}`)
      } else steps.push({ change: "delete collection", subject: info.name, detail: "created since" })
    }
    // Renamed since: renamed back, each once its old name is free.
    let pending = [...past].filter(([id, then]) => {
      const info = currentById(id)
      return info !== undefined && info.name !== then.name
    })
    pending.sort(([, a], [, b]) => byName(a.name, b.name))
    const renamedFrom = new Map<string, string>()
    while (pending.length > 0) {
      const free = pending.filter(([, then]) => !state.collections.has(then.name))
      if (free.length === 0) {
        // Every old name is held by another renamed collection: move one aside to a free (short, valid) name to
        // break the cycle; it takes its old name in a later round, in the same transaction.
        const id = pending[0]?.[0]
        const info = id === undefined ? undefined : currentById(id)
        if (id === undefined || info === undefined) break
        let aside = "reverting-1"
        for (let n = 2; state.collections.has(aside); n++) aside = `reverting-${n}`
        const moved = decide({
          ...names,
          registry: state.registry,
          _tag: "RenameCollection",
          collection: info.name,
          to: aside
        })
        if (Either.isLeft(moved)) break
        if (!renamedFrom.has(id)) renamedFrom.set(id, info.name)
        continue
      }
      for (const [id, then] of free) {
        const info = currentById(id)
        if (info === undefined) continue
        const from = renamedFrom.get(id) ?? info.name
        const renamed = decide({
          ...names,
          registry: state.registry,
          _tag: "RenameCollection",
          collection: info.name,
          to: then.name
        })
        if (Either.isLeft(renamed)) {
          unrevertible.push(`collection ${then.name} was renamed ${from} since: ${renamed.left.message}`)
        } else steps.push({ change: "rename collection", subject: then.name, detail: `back from ${from}` })
      }
      pending = pending.filter(([id]) => !free.some(([freed]) => freed === id))
    }
    for (const [id, then] of pending) {
      const name = currentById(id)?.name ?? then.name
      unrevertible.push(`collection ${then.name} was renamed ${name} since, and ${then.name} cannot be freed`)
    }
    for (const id of past.keys()) if (currentById(id) !== undefined) ids.set(id, id)
    for (const [id, now] of adopted) ids.set(id, now)
    // Kept (or stood for): description and tags back.
    for (const [id, then] of [...past].sort(([, a], [, b]) => byName(a.name, b.name))) {
      const info = Option.fromNullable(ids.get(id)).pipe(Option.flatMapNullable((now) => currentById(now)))
      if (Option.isNone(info)) continue
      const before = events.length
      const updated = decide({
        ...names,
        registry: state.registry,
        _tag: "UpdateCollection",
        collection: info.value.name,
        description: Option.some(then.description),
        tags: Option.some(then.tags)
      })
      if (Either.isLeft(updated)) unrevertible.push(`collection ${info.value.name}: ${updated.left.message}`)
      else if (events.length > before) {
        steps.push({ change: "update collection", subject: info.value.name, detail: "description and tags back" })
      }
    }
    // Deleted since: created again under a new id.
    for (const [id, then] of [...past].sort(([, a], [, b]) => byName(a.name, b.name))) {
      if (ids.has(id)) continue
      const newId = yield* randomUuid
      const created = decide({
        ...names,
        registry: state.registry,
        _tag: "CreateCollection",
        collectionId: newId,
        collection: then.name,
        artifactType: then.artifactType,
        description: then.description,
        tags: then.tags,
        implicit: false
      })
      if (Either.isLeft(created)) {
        unrevertible.push(
          `collection ${then.name} was deleted since and cannot be created again: ${created.left.message}`
        )
        continue
      }
      ids.set(id, newId)
      steps.push({
        change: "recreate collection",
        subject: then.name,
        detail: `deleted since; created again under a new id (it was ${id}), its versions numbered from v0 again`
      })
    }
    return { state, events, ids } satisfies RegistryPlan
  })

/**
 * Brings a registry's collections, links and aliases back to how they stood at `to` (registry admins only):
 * collections created since are deleted, collections renamed since get their names back (and all their descriptions
 * and tags), collections deleted since are created again (under a new id, their versions numbered anew); versions
 * linked since are unlinked, versions
 * unlinked since are linked again (as new versions: indexes are never reused), and every alias is moved back to the
 * version of the source it held then, or removed. What cannot be brought back (a source deleted since, a change the
 * registry's rules refuse) is listed, and without `partial` nothing is written. Everything is appended in one
 * transaction.
 */
export const revert = (deps: Dependencies, input: Revert) =>
  Effect.gen(function* () {
    const organization = yield* organizationNamed(input.organization, input.actor, deps.defaults)
    const name = registryNameOf(input.registry)
    const pastStore = yield* Projector.asOf(input.to)
    const decision = Effect.gen(function* () {
      const authorized = yield* authorizedRegistry(organization, name, input.actor, "administer")
      const past = yield* Effect.provideService(
        pastCollections(organization.name, authorized.registryId, name),
        ReadModelStore,
        pastStore
      )
      const steps: Array<RevertStep> = []
      const unrevertible: Array<string> = []
      const plan = yield* planCollections(authorized, past, steps, unrevertible)
      const changes: Array<StreamChange> = [
        changeOf(
          registrySpec,
          Registry.streamIdOf(authorized.registryId),
          { state: authorized.registry, version: authorized.version },
          plan.events
        )
      ]
      const reverted: Authorized = { ...authorized, registry: plan.state }
      for (const [pastId, then] of [...past].sort(([, a], [, b]) => byName(a.name, b.name))) {
        const id = plan.ids.get(pastId)
        const info = id === undefined ? undefined : Registry.collectionById(plan.state, id)
        if (id === undefined || info === undefined) continue
        const context = collectionContext(reverted, info)
        const loaded = yield* loadCollection(id)
        let state = loaded.state
        const events: Array<Collection.Event> = []
        const apply = (decided: ReadonlyArray<Collection.Event>) => {
          for (const event of decided) state = Collection.evolve(state, event)
          events.push(...decided)
        }
        const label = (suffix: string) => `${info.name}:${suffix}`
        // Unlink what was linked since (its aliases go with it).
        for (const version of [...HashMap.values(state.versions)].sort((a, b) => a.index - b.index)) {
          const source = Collection.sourceKey(version.source)
          if (then.sources.has(source)) continue
          apply(yield* Collection.decide({ _tag: "Unlink", context, index: version.index }, state))
          steps.push({ change: "unlink", subject: label(`v${version.index}`), detail: source })
        }
        // Link again what was unlinked since (in the order it was linked), if its source can still be linked.
        for (const source of then.sources) {
          if (Option.isSome(HashMap.get(state.bySource, source))) continue
          const relinked = yield* Effect.either(
            Effect.gen(function* () {
              const found = yield* resolveSource(deps, source, input.actor)
              const team = yield* linkingTeam(found)
              return yield* Collection.decide(
                {
                  _tag: "Link",
                  context,
                  source: { entity: found.entity, project: found.project, name: found.name, index: found.index },
                  sourceType: found.artifactType,
                  sourceDigest: found.version.digest,
                  sourceEntity: team,
                  aliases: []
                },
                state
              )
            })
          )
          if (Either.isLeft(relinked)) {
            unrevertible.push(`${source} cannot be linked into ${info.name} again: ${relinked.left.message}`)
            continue
          }
          apply(relinked.right)
          const index = Option.getOrElse(HashMap.get(state.bySource, source), () => -1)
          steps.push({ change: "relink", subject: label(`v${index}`), detail: source })
        }
        // Aliases back to the versions of the sources they held, or off.
        for (const [alias, source] of [...then.aliases].sort(([a], [b]) => byName(a, b))) {
          const index = HashMap.get(state.bySource, source)
          if (Option.isNone(index)) {
            unrevertible.push(`alias ${alias} of ${info.name} pointed at ${source}, which is not linked there`)
            continue
          }
          const decided = yield* Collection.decide({ _tag: "AssignAlias", context, index: index.value, alias }, state)
          if (decided.length === 0) continue
          apply(decided)
          steps.push({ change: "move alias", subject: label(alias), detail: `to v${index.value} (${source})` })
        }
        for (const [alias, index] of [...state.aliases].sort(([a], [b]) => byName(a, b))) {
          if (then.aliases.has(alias)) continue
          apply(yield* Collection.decide({ _tag: "RemoveAlias", context, index, alias }, state))
          steps.push({ change: "remove alias", subject: label(alias), detail: `off v${index}` })
        }
        changes.push(collectionChange(id, loaded, events))
      }
      const result: Reverted = {
        organization: organization.name,
        registry: authorized.registry.registry,
        steps,
        unrevertible,
        applied: input.dryRun !== true && steps.length > 0
      }
      if (unrevertible.length > 0 && input.partial !== true && input.dryRun !== true) {
        return yield* Effect.fail(new RevertIncomplete({ registry: registryProjectName(name), unrevertible }))
      }
      return { changes: input.dryRun === true ? [] : changes, result }
    })
    return yield* deps.serialize(`${organization.name}\n${name}\npromote`, execute(envelope(input), decision))
  })
