/**
 * Comparing a registry between two moments: collections created, renamed and deleted; versions linked and unlinked;
 * aliases moved; settings and grants changed. Both sides are read models folded as of their point (the live ones for
 * "now"), each with the access that held then: the registry must be visible to the actor at both points it exists.
 */
import { Effect, Option } from "effect"
import { RegistryNotFound } from "../Errors.js"
import { registryNameOf } from "../Names.js"
import * as Projector from "../Projector.js"
import { ReadModelStore } from "../ReadModelStore.js"
import * as ReadModels from "../ReadModels.js"
import type { Dependencies } from "./Artifacts.js"
import { organizationNamed } from "./Locate.js"
import type { AsOf, ReadRequest } from "./Reads.js"

/** Input of {@link diff}. */
export interface Diff extends ReadRequest {
  readonly organization?: string
  /** The registry, with or without the `wandb-registry-` prefix, as it is named at `to`. */
  readonly registry: string
  readonly from: AsOf
  /** Default: now. */
  readonly to?: AsOf
}

/** The kinds of change a diff reports. */
export type DiffChangeKind =
  | "collection created"
  | "collection renamed"
  | "collection deleted"
  | "version linked"
  | "version unlinked"
  | "alias moved"
  | "setting changed"
  | "grant changed"

/** One difference: what changed, and its value at `from` and at `to` (null: absent). */
export interface DiffChange {
  readonly change: DiffChangeKind
  /** What it is about: a collection, a linked version, `C:alias`, a setting or a principal. */
  readonly subject: string
  readonly from: string | null
  readonly to: string | null
}

/** The result of {@link diff}. */
export interface DiffResult {
  readonly organization: string
  readonly registry: string
  readonly changes: ReadonlyArray<DiffChange>
}

/** What a diff compares of a registry at one point. */
interface Snapshot {
  readonly settings: ReadonlyMap<string, string>
  readonly grants: ReadonlyMap<string, string>
  /** Collection id → name. */
  readonly collections: ReadonlyMap<string, string>
  /** `collectionId:vN` → source. */
  readonly versions: ReadonlyMap<
    string,
    { readonly collectionId: string; readonly index: number; readonly source: string }
  >
  /** `collectionId\nalias` → index. */
  readonly aliases: ReadonlyMap<
    string,
    { readonly collectionId: string; readonly alias: string; readonly index: number }
  >
}

const empty: Snapshot = {
  settings: new Map(),
  grants: new Map(),
  collections: new Map(),
  versions: new Map(),
  aliases: new Map()
}

/** The registry at one point, found by id (it may have been renamed since) or by name; none when it did not exist. */
const snapshot = (organization: string, registry: ReadModels.RegistryView | undefined, name: string, actor: string) =>
  Effect.gen(function* () {
    const all = yield* ReadModels.listRegistries(organization, actor)
    const found =
      all.find((view) => registry?.registryId !== undefined && view.registryId === registry.registryId) ??
      all.find((view) => view.registry === name)
    if (found === undefined) return Option.none<readonly [ReadModels.RegistryView, Snapshot]>()
    const settings = new Map([
      ["name", found.registry],
      ["description", found.description],
      ["visibility", found.visibility],
      ["protected aliases", [...found.protectedAliases].sort().join(", ")],
      ["accepted types", [...found.acceptedTypes].sort().join(", ") || "every type"]
    ])
    const grants = new Map(
      found.grants.map((grant) => [`${grant.principal.kind} ${grant.principal.name}`, grant.role] as const)
    )
    const collections = new Map<string, string>()
    const versions = new Map<string, { collectionId: string; index: number; source: string }>()
    const aliases = new Map<string, { collectionId: string; alias: string; index: number }>()
    for (const collection of yield* ReadModels.listCollections(organization, found.registry)) {
      collections.set(collection.collectionId, collection.name)
      const listed = yield* ReadModels.listVersions(collection.collectionId)
      for (const version of listed.versions) {
        versions.set(`${collection.collectionId}:v${version.index}`, {
          collectionId: collection.collectionId,
          index: version.index,
          source: version.sourceKey
        })
        for (const alias of version.aliases) {
          if (alias === "latest") continue
          aliases.set(`${collection.collectionId}\n${alias}`, {
            collectionId: collection.collectionId,
            alias,
            index: version.index
          })
        }
      }
    }
    return Option.some([found, { settings, grants, collections, versions, aliases }] as const)
  })

const at = <A, E, R>(asOf: AsOf | undefined, query: Effect.Effect<A, E, R>) =>
  asOf === undefined
    ? query
    : Effect.flatMap(Projector.asOf(asOf), (store) => Effect.provideService(query, ReadModelStore, store))

const keys = <K>(a: ReadonlyMap<K, unknown>, b: ReadonlyMap<K, unknown>) => [...new Set([...a.keys(), ...b.keys()])]

/** The differences between two snapshots, in a stable order: settings, grants, collections, versions, aliases. */
export const compare = (before: Snapshot, after: Snapshot): ReadonlyArray<DiffChange> => {
  const changes: Array<DiffChange> = []
  const name = (id: string) => after.collections.get(id) ?? before.collections.get(id) ?? id
  for (const key of keys(before.settings, after.settings)) {
    const from = before.settings.get(key) ?? null
    const to = after.settings.get(key) ?? null
    if (from !== to && from !== null && to !== null) changes.push({ change: "setting changed", subject: key, from, to })
  }
  for (const key of keys(before.grants, after.grants)) {
    const from = before.grants.get(key) ?? null
    const to = after.grants.get(key) ?? null
    if (from !== to) changes.push({ change: "grant changed", subject: key, from, to })
  }
  for (const id of keys(before.collections, after.collections)) {
    const from = before.collections.get(id) ?? null
    const to = after.collections.get(id) ?? null
    if (from === null) changes.push({ change: "collection created", subject: name(id), from, to })
    else if (to === null) changes.push({ change: "collection deleted", subject: from, from, to })
    else if (from !== to) changes.push({ change: "collection renamed", subject: to, from, to })
  }
  for (const key of keys(before.versions, after.versions)) {
    const from = before.versions.get(key)
    const to = after.versions.get(key)
    const version = from ?? to
    if (version === undefined) continue
    const subject = `${name(version.collectionId)}:v${version.index}`
    if (from === undefined) changes.push({ change: "version linked", subject, from: null, to: version.source })
    else if (to === undefined) changes.push({ change: "version unlinked", subject, from: version.source, to: null })
  }
  for (const key of keys(before.aliases, after.aliases)) {
    const from = before.aliases.get(key)
    const to = after.aliases.get(key)
    const alias = from ?? to
    if (alias === undefined || from?.index === to?.index) continue
    changes.push({
      change: "alias moved",
      subject: `${name(alias.collectionId)}:${alias.alias}`,
      from: from === undefined ? null : `v${from.index}`,
      to: to === undefined ? null : `v${to.index}`
    })
  }
  return changes
}

/**
 * What changed in a registry between two points (`to` defaults to now). The registry is named as it is at `to`
 * (found at `from` by id, so a rename shows as a setting); it must be visible to the actor at `to`, and at `from` if
 * it existed then, else it is `RegistryNotFound`.
 */
export const diff = (deps: Dependencies, input: Diff) =>
  Effect.gen(function* () {
    const organization = yield* organizationNamed(input.organization, input.actor, deps.defaults)
    const name = registryNameOf(input.registry)
    const after = yield* at(input.to, snapshot(organization.name, undefined, name, input.actor))
    if (Option.isNone(after)) {
      return yield* Effect.fail(new RegistryNotFound({ organization: organization.name, registry: name }))
    }
    const [view, later] = after.value
    const before = yield* at(input.from, snapshot(organization.name, view, name, input.actor))
    const earlier = Option.match(before, { onNone: () => empty, onSome: ([, found]) => found })
    return {
      organization: organization.name,
      registry: view.registry,
      changes: compare(earlier, later)
    } satisfies DiffResult
  })
