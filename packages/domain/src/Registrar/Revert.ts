/**
 * Reverting a registry to a past point without rewriting history: the events that bring its collections' links and
 * aliases back to how they stood then are appended, in one transaction, as a new command (which can itself be
 * reverted). What cannot be brought back is listed, and the revert refuses unless `partial` is asked.
 */
import { Effect, Either, HashMap, Option, Schema } from "effect"
import * as Collection from "../Collection.js"
import { collectionChange, execute, guardOf, loadCollection } from "../internal/Loader.js"
import { registryNameOf, registryProjectName } from "../Names.js"
import * as Projector from "../Projector.js"
import { ReadModelStore } from "../ReadModelStore.js"
import * as ReadModels from "../ReadModels.js"
import * as Registry from "../Registry.js"
import { type Dependencies, resolveSource } from "./Artifacts.js"
import { envelope, type Request } from "./Context.js"
import { linkingTeam } from "./Links.js"
import { authorizedRegistry, collectionContext, organizationNamed } from "./Locate.js"
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
  readonly change: "unlink" | "relink" | "move alias" | "remove alias"
  /** `C:vN` or `C:alias`. */
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

/** A collection as it stood at the point: its linked sources and where each alias pointed (by source). */
interface Past {
  readonly name: string
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
      for (const version of listed.versions) {
        for (const alias of version.aliases) if (alias !== "latest") aliases.set(alias, version.sourceKey)
      }
      past.set(collection.collectionId, {
        name: collection.name,
        sources: new Set(listed.versions.map((version) => version.sourceKey)),
        aliases
      })
    }
    return past
  })

/**
 * Brings a registry's links and aliases back to how they stood at `to` (registry admins only): versions linked
 * since are unlinked, versions unlinked since are linked again (as new versions: indexes are never reused), and
 * every alias is moved back to the version of the source it held then, or removed. Collections created, deleted or
 * renamed since, and sources deleted since, cannot be brought back: they are listed, and without `partial` nothing
 * is written. Everything is appended in one transaction.
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
      const changes = [guardOf(Registry.streamIdOf(authorized.registryId), { version: authorized.version })]
      const current = new Map([...authorized.registry.collections.values()].map((info) => [info.id, info] as const))
      for (const [id, then] of past) {
        const info = current.get(id)
        if (info === undefined) unrevertible.push(`collection ${then.name} was deleted since`)
        else if (info.name !== then.name) unrevertible.push(`collection ${then.name} was renamed ${info.name} since`)
      }
      for (const info of current.values()) {
        if (!past.has(info.id)) unrevertible.push(`collection ${info.name} was created since`)
      }
      for (const info of current.values()) {
        const then = past.get(info.id)
        if (then === undefined) continue
        const context = collectionContext(authorized, info)
        const loaded = yield* loadCollection(info.id)
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
        // Link again what was unlinked since, if its source can still be linked.
        for (const source of [...then.sources].sort()) {
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
        for (const [alias, source] of [...then.aliases].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
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
        for (const [alias, index] of [...state.aliases].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
          if (then.aliases.has(alias)) continue
          apply(yield* Collection.decide({ _tag: "RemoveAlias", context, index, alias }, state))
          steps.push({ change: "remove alias", subject: label(alias), detail: `off v${index}` })
        }
        changes.push(collectionChange(info.id, loaded, events))
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
