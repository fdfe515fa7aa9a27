/**
 * The access policy on every read of the application service, written once and run by every adapter: examples (a
 * restricted registry is invisible to non-members in every read, now and as of the past; an actor who is not a user
 * is refused on every read) and a property over random histories: every read answers, for every actor, exactly the
 * organization admin's answer filtered by the access policy of the state the read answers for.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, FastCheck, Layer, Option } from "effect"
import { effectiveRole } from "../src/Access.js"
import { NotAnOrganizationMember, RegistryNotFound } from "../src/Errors.js"
import { EventStore, type RecordedEvent } from "../src/EventStore.js"
import type { AuditRow } from "../src/Projections.js"
import type { CatalogEntry } from "../src/ReadModels.js"
import * as ReadModels from "../src/ReadModels.js"
import type { ReadModelStore } from "../src/ReadModelStore.js"
import { Registrar, type RegistrarShape } from "../src/Registrar.js"
import { ActedStep, makeWorld, worldNames } from "./RandomHistory.js"
import { seed, type Stores, unique } from "./RegistrarScenarios.js"

/** What a read answered: its value, or the tag and message of its failure. */
type Outcome = { readonly value: unknown } | { readonly failure: string; readonly message: string }

const outcome = <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<Outcome> =>
  Effect.map(Effect.either(effect), (result) =>
    Either.isRight(result)
      ? { value: result.right }
      : {
          failure: (result.left as { readonly _tag: string })._tag,
          message: (result.left as { readonly message: string }).message
        }
  )

/** The answer to a read on a registry that does not exist. */
const missing = (organization: string, registry: string): Outcome => {
  const error = new RegistryNotFound({ organization, registry })
  return { failure: error._tag, message: error.message }
}

/** What a user outside the organization is told when a read names it. */
const notMember = (organization: string, user: string): Outcome => {
  const error = new NotAnOrganizationMember({ organization, user })
  return { failure: error._tag, message: error.message }
}

/** Reads that name the organization (directly or by a registry path); the others answer anyone. */
const namesOrganization = (label: string): boolean =>
  /^(listRegistries|search|history of|showRegistry|listCollections|listVersions|resolve|lineage \S*wandb-registry-)/.test(
    label
  )

// ---- the property -------------------------------------------------------------------------------------------------

type Acted = typeof ActedStep extends FastCheck.Arbitrary<infer A> ? A : never
type World = ReturnType<typeof makeWorld>

const organization = "acme"
/** The organization's admin: an admin of every registry, whose answers are the unfiltered ones. */
const admin = "alice"
const readers = worldNames.users.filter((user) => user !== admin)

/** What the access policy lets each user see in a world's state (the deciders' states, not the read models). */
interface Policy {
  readonly sees: (user: string, registry: string) => boolean
  readonly seesHistory: (user: string, registry: string) => boolean
  /** Whether the user belongs to the organization. */
  readonly member: (user: string) => boolean
}

const policyOf = (world: World): Policy => {
  const table = new Map<string, { readonly sees: boolean; readonly history: boolean }>()
  for (const user of worldNames.users) {
    for (const registry of worldNames.registries) {
      const state = world.registryOf(registry)
      const actor = world.actorOf(user)
      const sees = state._tag === "Active" && Option.isSome(effectiveRole(state, actor))
      const history = state._tag === "Active" ? sees : Option.contains(actor.organizationRole, "admin")
      table.set(`${user}/${registry}`, { sees, history })
    }
  }
  return {
    sees: (user, registry) => table.get(`${user}/${registry}`)?.sees ?? false,
    seesHistory: (user, registry) => table.get(`${user}/${registry}`)?.history ?? false,
    member: (user) => Option.isSome(world.actorOf(user).organizationRole)
  }
}

const eventId = (position: number) => `00000000-0000-4000-8000-${position.toString(16).padStart(12, "0")}`

/** Appends a world's events to the store, one append per recorded transaction; maps world positions to the store's. */
export const toStore = (events: ReadonlyArray<RecordedEvent>) =>
  Effect.gen(function* () {
    const store = yield* EventStore
    const positions = new Map<number, number>()
    for (let start = 0; start < events.length; ) {
      const first = events[start]!
      let end = start
      while (end < events.length && events[end]!.transactionId === first.transactionId) end++
      const batch = events.slice(start, end)
      const appended = yield* store.append(
        first.streamId,
        batch.map((event) => ({
          eventId: eventId(event.globalPosition),
          type: event.type,
          schemaVersion: event.schemaVersion,
          data: event.data,
          metadata: event.metadata
        })),
        "any"
      )
      for (const [index, event] of batch.entries()) {
        positions.set(event.globalPosition, appended.globalPositions[index]!)
      }
      start = end
    }
    return positions
  })

/** One read, and what a reader's answer must be given the admin's answer to `baseline` (default: the same read). */
interface Probe {
  readonly label: string
  readonly read: (actor: string) => Effect.Effect<unknown, unknown>
  readonly baseline?: Effect.Effect<unknown, unknown>
  readonly expected: (admin: Outcome, reader: string) => Outcome
  /** Also asked as of the past. Each as-of read folds the log, so the past gets each read path, not every name. */
  readonly past: boolean
}

const same = (admin: Outcome): Outcome => admin

const filtered =
  <A>(keep: (value: A, reader: string) => unknown) =>
  (admin: Outcome, reader: string): Outcome =>
    "value" in admin ? { value: keep(admin.value as A, reader) } : admin

/** Every read method, on every registry, collection and artifact of the world, as of `asOf` when given. */
const probes = (
  registrar: RegistrarShape,
  policy: Policy,
  asOf: { readonly position: number } | undefined
): ReadonlyArray<Probe> => {
  const at = asOf === undefined ? {} : { asOf }
  const seenRow = (reader: string) => (row: AuditRow) =>
    row.organization === null || row.registry === null || policy.seesHistory(reader, row.registry)
  const scoped =
    (registry: string, sees: (reader: string, registry: string) => boolean) => (admin: Outcome, reader: string) =>
      sees(reader, registry) ? admin : missing(organization, registry)
  const rows = filtered<ReadonlyArray<AuditRow>>((all, reader) => all.filter(seenRow(reader)))
  const list: Array<Probe> = [
    {
      label: "listRegistries",
      read: (actor) => registrar.listRegistries({ actor, organization, ...at }),
      expected: filtered<{ readonly registries: ReadonlyArray<{ readonly registry: string }> }>((value, reader) => ({
        ...value,
        registries: value.registries.filter((registry) => policy.sees(reader, registry.registry))
      })),
      past: true
    },
    ...["", "golden", "raw"].map(
      (text): Probe => ({
        label: `search "${text}"`,
        read: (actor) => registrar.search({ actor, organization, text, ...at }),
        expected: filtered<ReadonlyArray<CatalogEntry>>((entries, reader) =>
          entries.filter((entry) => policy.sees(reader, entry.registry))
        ),
        past: text === ""
      })
    ),
    { label: "history", read: (actor) => registrar.history({ actor, ...at }), expected: rows, past: true },
    {
      label: "history of acme",
      read: (actor) => registrar.history({ actor, organization, ...at }),
      expected: rows,
      past: false
    },
    {
      label: "history by bob",
      read: (actor) => registrar.history({ actor, by: "bob", ...at }),
      expected: rows,
      past: false
    },
    {
      label: "history, last 5",
      read: (actor) => registrar.history({ actor, limit: 5, ...at }),
      baseline: registrar.history({ actor: admin, ...at }),
      expected: filtered<ReadonlyArray<AuditRow>>((all, reader) => all.filter(seenRow(reader)).slice(-5)),
      past: true
    }
  ]
  for (const registry of worldNames.registries) {
    const inRegistry = scoped(registry, policy.sees)
    list.push(
      {
        label: `showRegistry ${registry}`,
        read: (actor) => registrar.showRegistry({ actor, organization, registry, ...at }),
        expected: inRegistry,
        past: true
      },
      {
        label: `listCollections ${registry}`,
        read: (actor) => registrar.listCollections({ actor, organization, registry, ...at }),
        expected: inRegistry,
        past: false
      },
      {
        label: `history of ${registry}`,
        read: (actor) => registrar.history({ actor, organization, registry, ...at }),
        expected: scoped(registry, policy.seesHistory),
        past: true
      }
    )
    worldNames.collections.forEach((collection, turn) => {
      const path = `${organization}/wandb-registry-${registry}/${collection}`
      list.push(
        {
          label: `listVersions ${path}`,
          read: (actor) => registrar.listVersions({ actor, collection: path, ...at }),
          expected: inRegistry,
          past: turn === 0
        },
        ...[path, `${path}:v0`, `${path}:production`].map(
          (name, index): Probe => ({
            label: `resolve ${name}`,
            read: (actor) => registrar.resolve({ actor, name, ...at }),
            expected: inRegistry,
            past: turn === 1 && index === 0
          })
        ),
        {
          label: `lineage ${path}:latest`,
          read: (actor) => registrar.lineage({ actor, reference: `${path}:latest`, ...at }),
          expected: inRegistry,
          past: turn === 2
        }
      )
    })
  }
  worldNames.artifacts.forEach(({ entity, project, name }, turn) => {
    list.push(
      {
        label: `listArtifactVersions ${entity}/${project}/${name}`,
        read: (actor) => registrar.listArtifactVersions({ actor, entity, project, name, ...at }),
        expected: same,
        past: turn === 0
      },
      {
        label: `lineage ${entity}/${project}/${name}:v0`,
        read: (actor) => registrar.lineage({ actor, reference: `${entity}/${project}/${name}:v0`, ...at }),
        expected: same,
        past: turn === 0
      }
    )
  })
  return asOf === undefined ? list : list.filter((probe) => probe.past)
}

/** Every probe, for every reader, answers what the policy lets them see of the admin's answer. */
const expectFiltered = (registrar: RegistrarShape, policy: Policy, asOf: { readonly position: number } | undefined) =>
  Effect.forEach(
    probes(registrar, policy, asOf),
    (probe) =>
      Effect.gen(function* () {
        const full = yield* outcome(probe.baseline ?? probe.read(admin))
        for (const reader of readers) {
          const answered = yield* outcome(probe.read(reader))
          const when = asOf === undefined ? "now" : `as of ${asOf.position}`
          const expected =
            !policy.member(reader) && namesOrganization(probe.label)
              ? notMember(organization, reader)
              : probe.expected(full, reader)
          expect(answered, `${probe.label} as ${reader}, ${when}`).toEqual(expected)
        }
      }),
    { discard: true }
  )

/** Plays a random history (noting the policy after `cut` steps), stores it, and checks every read now and then. */
const checkRandomHistory = (steps: ReadonlyArray<Acted>, cut: number) =>
  Effect.gen(function* () {
    const world = makeWorld()
    for (const step of steps.slice(0, cut)) world.apply(step)
    const thenPosition = world.events.length
    const then = policyOf(world)
    for (const step of steps.slice(cut)) world.apply(step)
    const now = policyOf(world)
    const positions = yield* toStore(world.events)
    const registrar = yield* Registrar
    yield* registrar.catchUp
    // The admin's answers are the unfiltered ones.
    const unfiltered = yield* ReadModels.history()
    expect(yield* registrar.history({ actor: admin })).toEqual(unfiltered)
    const position = positions.get(thenPosition)!
    expect(yield* registrar.history({ actor: admin, asOf: { position } })).toEqual(
      unfiltered.filter((row) => row.globalPosition <= position)
    )
    yield* expectFiltered(registrar, now, undefined)
    yield* expectFiltered(registrar, then, { position })
  })

/** Runs the read-access examples and the random-history property against the stores built by `stores`. */
export const readAccessScenarios = (
  name: string,
  stores: () => Stores,
  options: { readonly numRuns: number; readonly timeout?: number }
): void => {
  const run = <A, E>(effect: Effect.Effect<A, E, Registrar | EventStore | ReadModelStore>) =>
    Effect.provide(effect, Registrar.layer().pipe(Layer.provideMerge(stores())))

  describe(`${name} read access`, () => {
    it.live("a restricted registry is invisible to a non-member in every read, as if it did not exist", () =>
      run(
        Effect.gen(function* () {
          const { registrar, org, admin, member, outsider, log } = yield* seed
          const v0 = yield* log("secret_data", "s0")
          yield* registrar.createRegistry({
            actor: admin,
            organization: org,
            registry: "Secret",
            visibility: "restricted"
          })
          yield* registrar.grantRole({
            actor: admin,
            organization: org,
            registry: "Secret",
            principal: { kind: "user", name: admin },
            role: "admin"
          })
          yield* registrar.link({
            actor: admin,
            source: v0.reference,
            target: `${org}/wandb-registry-Secret/hidden`,
            aliases: ["production"]
          })
          const secret = `${org}/wandb-registry-Secret/hidden`
          for (const actor of [member, outsider]) {
            // Someone outside the organization is told so; a member without a role sees no such registry.
            const hidden = actor === outsider ? notMember(org, outsider) : missing(org, "Secret")
            expect(yield* outcome(registrar.showRegistry({ actor, organization: org, registry: "Secret" }))).toEqual(
              hidden
            )
            expect(yield* outcome(registrar.listCollections({ actor, organization: org, registry: "Secret" }))).toEqual(
              hidden
            )
            expect(yield* outcome(registrar.listVersions({ actor, collection: secret }))).toEqual(hidden)
            expect(yield* outcome(registrar.resolve({ actor, name: `${secret}:production` }))).toEqual(hidden)
            expect(yield* outcome(registrar.lineage({ actor, reference: `${secret}:v0` }))).toEqual(hidden)
            expect(yield* outcome(registrar.history({ actor, organization: org, registry: "Secret" }))).toEqual(hidden)
            // Exactly what a registry that does not exist at all answers.
            expect(yield* outcome(registrar.showRegistry({ actor, organization: org, registry: "Nope" }))).toEqual(
              actor === outsider ? notMember(org, outsider) : missing(org, "Nope")
            )
            if (actor === outsider) {
              expect(yield* outcome(registrar.listRegistries({ actor, organization: org }))).toEqual(hidden)
              expect(yield* outcome(registrar.search({ actor, organization: org, text: "" }))).toEqual(hidden)
              expect(yield* outcome(registrar.history({ actor, organization: org }))).toEqual(hidden)
            } else {
              const listed = yield* registrar.listRegistries({ actor, organization: org })
              expect(listed.registries.map((registry) => registry.registry)).not.toContain("Secret")
              const found = yield* registrar.search({ actor, organization: org, text: "" })
              expect(found.filter((entry) => entry.registry === "Secret")).toEqual([])
            }
            const organizationRows = actor === outsider ? [] : yield* registrar.history({ actor, organization: org })
            for (const rows of [
              yield* registrar.history({ actor }),
              organizationRows,
              yield* registrar.history({ actor, by: admin })
            ]) {
              expect(rows.filter((row) => row.registry === "Secret")).toEqual([])
              expect(rows.filter((row) => row.summary.includes("Secret"))).toEqual([])
            }
          }
          // The admin sees it all, and so does a member once granted a role.
          const all = yield* registrar.history({ actor: admin, organization: org })
          expect(all.filter((row) => row.registry === "Secret").map((row) => row.type)).toEqual([
            "RegistryCreated",
            "RoleGranted",
            "CollectionCreated",
            "ArtifactLinked",
            "AliasAssigned"
          ])
          yield* registrar.grantRole({
            actor: admin,
            organization: org,
            registry: "Secret",
            principal: { kind: "user", name: member },
            role: "restricted_viewer"
          })
          const resolved = yield* registrar.resolve({ actor: member, name: `${secret}:production` })
          expect(resolved.source).toBe(v0.reference)
          const seen = yield* registrar.history({ actor: member, organization: org })
          expect(seen.filter((row) => row.registry === "Secret").length).toBe(6)
        })
      )
    )

    it.live("reads as of a past point apply the access that held then", () =>
      run(
        Effect.gen(function* () {
          const { registrar, org, admin, member, log } = yield* seed
          const v0 = yield* log("open_data", "o0")
          yield* registrar.createRegistry({ actor: admin, organization: org, registry: "Open" })
          yield* registrar.link({ actor: admin, source: v0.reference, target: `${org}/wandb-registry-Open/data` })
          const before = (yield* registrar.history({ actor: admin })).at(-1)!.globalPosition
          yield* registrar.changeVisibility({
            actor: admin,
            organization: org,
            registry: "Open",
            visibility: "restricted"
          })
          const name = `${org}/wandb-registry-Open/data:v0`
          expect(yield* outcome(registrar.resolve({ actor: member, name }))).toEqual(missing(org, "Open"))
          const then = yield* registrar.resolve({ actor: member, name, asOf: { position: before } })
          expect(then.source).toBe(v0.reference)
          const listedThen = yield* registrar.listRegistries({
            actor: member,
            organization: org,
            asOf: { position: before }
          })
          expect(listedThen.registries.map((registry) => registry.registry)).toContain("Open")
          const historyThen = yield* registrar.history({ actor: member, asOf: { position: before } })
          expect(historyThen.at(-1)?.globalPosition).toBe(before)
          expect(historyThen.filter((row) => row.registry === "Open").map((row) => row.type)).toEqual([
            "RegistryCreated",
            "RoleGranted",
            "CollectionCreated",
            "ArtifactLinked"
          ])
          const historyNow = yield* registrar.history({ actor: member })
          expect(historyNow.filter((row) => row.registry === "Open")).toEqual([])
        })
      )
    )

    it.live("an actor who is not a user is refused on every read", () =>
      run(
        Effect.gen(function* () {
          const { registrar, org, team, log } = yield* seed
          const v0 = yield* log("raw", "r0")
          const collection = `${org}/wandb-registry-Golden Datasets/raw`
          const stranger = unique("stranger")
          const reads: ReadonlyArray<Effect.Effect<unknown, unknown>> = [
            registrar.resolve({ actor: stranger, name: `${collection}:v0` }),
            registrar.listVersions({ actor: stranger, collection }),
            registrar.listRegistries({ actor: stranger, organization: org }),
            registrar.showRegistry({ actor: stranger, organization: org, registry: "Golden Datasets" }),
            registrar.listCollections({ actor: stranger, organization: org, registry: "Golden Datasets" }),
            registrar.listArtifactVersions({ actor: stranger, entity: team, project: "images", name: "raw" }),
            registrar.lineage({ actor: stranger, reference: v0.reference }),
            registrar.history({ actor: stranger }),
            registrar.search({ actor: stranger, organization: org, text: "" })
          ]
          for (const read of reads) {
            const answered = yield* outcome(read)
            expect(answered).toEqual({
              failure: "UserNotFound",
              message: `User "${stranger}" does not exist. Create the user first.`
            })
          }
        })
      )
    )

    it.live.prop(
      "random histories: every read answers the admin's answer filtered by the access policy, now and as of the past",
      { steps: FastCheck.array(ActedStep, { minLength: 1, maxLength: 40 }), cutChoice: FastCheck.nat() },
      ({ steps, cutChoice }) => run(checkRandomHistory(steps, cutChoice % (steps.length + 1))),
      { timeout: options.timeout ?? 120_000, fastCheck: { numRuns: options.numRuns } }
    )
  })
}
