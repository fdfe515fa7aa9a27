/**
 * Governance through the application service, written once and run by every adapter: atomic promotion (a promotion
 * shows in full or not at all in every read, as of any past position included; concurrent promotions serialise),
 * compare-and-set, protected aliases, and the history of aliases and versions.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Layer } from "effect"
import * as fc from "effect/FastCheck"
import { EventStore, Registrar } from "../src/index.js"
import { seed, type Stores } from "./RegistrarScenarios.js"

const REGISTRY = "Golden Datasets"
const COLLECTIONS = ["A", "B"] as const
const ALIASES = ["production", "staging"] as const
/** Each collection has v0, v1 and v2 linked; v3 is never linked. */
const LINKED = 3

/** The seeded organization of the scenario running (each scenario seeds its own). */
let org = ""
const path = (collection: string, alias: string) => `${org}/wandb-registry-${REGISTRY}/${collection}:${alias}`

/** The seeded organization with collections A and B of `Golden Datasets`, three versions linked in each. */
const world = Effect.gen(function* () {
  const seeded = yield* seed
  org = seeded.org
  for (const collection of COLLECTIONS) {
    for (let index = 0; index < LINKED; index++) {
      const logged = yield* seeded.log(`art-${collection.toLowerCase()}`, `${collection}-${index}`)
      yield* seeded.registrar.link({
        actor: seeded.member,
        source: logged.reference,
        target: `${org}/wandb-registry-${REGISTRY}/${collection}`
      })
    }
  }
  return seeded
})

/** Where every alias of both collections points, read through `listVersions` (as of a position when given). */
const aliasesNow = (registrar: Registrar["Type"], actor: string, position?: number) =>
  Effect.gen(function* () {
    const found: Record<string, number | null> = {}
    for (const collection of COLLECTIONS) {
      const listed = yield* registrar.listVersions({
        actor,
        collection: `${org}/wandb-registry-${REGISTRY}/${collection}`,
        ...(position === undefined ? {} : { asOf: { position } })
      })
      for (const alias of ALIASES) {
        found[`${collection}:${alias}`] =
          listed.versions.find((version) => version.aliases.includes(alias))?.index ?? null
      }
    }
    return found
  })

type Model = Record<string, number | null>

const emptyModel = (): Model =>
  Object.fromEntries(COLLECTIONS.flatMap((collection) => ALIASES.map((alias) => [`${collection}:${alias}`, null])))

const Move = fc.record({
  collection: fc.constantFrom(...COLLECTIONS),
  alias: fc.constantFrom(...ALIASES),
  index: fc.integer({ min: 0, max: LINKED })
})
const Expectation = fc.record({
  collection: fc.constantFrom(...COLLECTIONS),
  alias: fc.constantFrom(...ALIASES),
  index: fc.option(fc.integer({ min: 0, max: LINKED - 1 }), { nil: null })
})
const PromotionArbitrary = fc.record({
  moves: fc.uniqueArray(Move, { minLength: 1, maxLength: 4, selector: (move) => `${move.collection}:${move.alias}` }),
  expectations: fc.array(Expectation, { maxLength: 2 })
})
type PromotionCase = typeof PromotionArbitrary extends fc.Arbitrary<infer A> ? A : never

/** What the model says a promotion does: all of its moves, or (an expectation fails, a version is missing) none. */
const applyToModel = (model: Model, promotion: PromotionCase): Model | undefined => {
  for (const expectation of promotion.expectations) {
    if (model[`${expectation.collection}:${expectation.alias}`] !== expectation.index) return undefined
  }
  if (promotion.moves.some((move) => move.index >= LINKED)) return undefined
  const next = { ...model }
  for (const move of promotion.moves) next[`${move.collection}:${move.alias}`] = move.index
  return next
}

const setOf = (move: { collection: string; alias: string; index: number }) =>
  `${path(move.collection, move.alias)}=v${move.index}`
const expectOf = (expectation: { collection: string; alias: string; index: number | null }) =>
  `${path(expectation.collection, expectation.alias)}=${expectation.index === null ? "none" : `v${expectation.index}`}`

/** The collection names revert properties use: A and B exist at the start, C may be created, renamed to or linked. */
const NAMES = ["A", "B", "C"] as const

/**
 * What a revert property does after the point: promote, unlink, link a new version, or link an old source again;
 * create, rename or delete a collection.
 */
const Operation = fc.oneof(
  fc.record({ _tag: fc.constant("promote" as const), move: Move }),
  fc.record({
    _tag: fc.constant("unlink" as const),
    collection: fc.constantFrom(...NAMES),
    index: fc.nat({ max: 4 })
  }),
  fc.record({
    _tag: fc.constant("link" as const),
    collection: fc.constantFrom(...NAMES),
    index: fc.nat({ max: 4 })
  }),
  fc.record({ _tag: fc.constant("create" as const), collection: fc.constantFrom(...NAMES) }),
  fc.record({
    _tag: fc.constant("rename" as const),
    collection: fc.constantFrom(...NAMES),
    to: fc.constantFrom(...NAMES)
  }),
  fc.record({ _tag: fc.constant("delete" as const), collection: fc.constantFrom(...NAMES) })
)
type OperationCase = typeof Operation extends fc.Arbitrary<infer A> ? A : never

const collectionPath = (collection: string) => `${org}/wandb-registry-${REGISTRY}/${collection}`

const perform = (
  registrar: Registrar["Type"],
  admin: string,
  log: (name: string, content: string) => Effect.Effect<{ readonly reference: string }, unknown>,
  operation: OperationCase
): Effect.Effect<unknown, unknown> => {
  switch (operation._tag) {
    case "promote":
      return registrar.promote({ actor: admin, set: [setOf(operation.move)] })
    case "unlink":
      return registrar.unlink({ actor: admin, name: `${collectionPath(operation.collection)}:v${operation.index}` })
    case "link":
      // Indexes 0–2 name sources linked at the start (linked again if unlinked); 3–4 log new versions.
      return Effect.flatMap(
        log(`art-${operation.collection.toLowerCase()}`, `${operation.collection}-${operation.index}`),
        (logged) =>
          registrar.link({ actor: admin, source: logged.reference, target: collectionPath(operation.collection) })
      )
    case "create":
      return registrar.createCollection({
        actor: admin,
        collection: collectionPath(operation.collection),
        type: "dataset"
      })
    case "rename":
      return registrar.renameCollection({
        actor: admin,
        collection: collectionPath(operation.collection),
        to: operation.to
      })
    case "delete":
      return registrar.deleteCollection({ actor: admin, collection: collectionPath(operation.collection) })
  }
}

/**
 * Every collection of the registry by name: its type, its linked sources (sorted) and where each alias points, by
 * source (as of a position when given).
 */
const linksNow = (registrar: Registrar["Type"], actor: string, position?: number) =>
  Effect.gen(function* () {
    const asOf = position === undefined ? {} : { asOf: { position } }
    const found: Record<string, { type: string; sources: Array<string>; aliases: Record<string, string> }> = {}
    for (const collection of yield* registrar.listCollections({
      actor,
      organization: org,
      registry: REGISTRY,
      ...asOf
    })) {
      const listed = yield* registrar.listVersions({ actor, collection: collectionPath(collection.name), ...asOf })
      const aliases: Record<string, string> = {}
      for (const version of listed.versions) {
        for (const alias of version.aliases) if (alias !== "latest") aliases[alias] = version.sourceKey
      }
      found[collection.name] = {
        type: collection.artifactType,
        sources: listed.versions.map((version) => version.sourceKey).sort(),
        aliases
      }
    }
    return found
  })

/** Runs the governance scenarios against the stores built by `stores`. */
export const governanceScenarios = (name: string, stores: () => Stores): void => {
  const provide = <A, E>(effect: Effect.Effect<A, E, Registrar | EventStore>) =>
    Effect.provide(effect, Registrar.layer().pipe(Layer.provideMerge(stores())))

  describe(`governance (${name})`, () => {
    it.effect.prop(
      "a promotion shows in full or not at all in every read, now and as of every position since",
      { promotions: fc.array(PromotionArbitrary, { minLength: 1, maxLength: 5 }) },
      ({ promotions }) =>
        provide(
          Effect.gen(function* () {
            const { registrar, admin } = yield* world
            const store = yield* EventStore
            const before = (yield* store.head).globalPosition
            let model = emptyModel()
            const checkpoints: Array<{ position: number; model: Model }> = []
            for (const promotion of promotions) {
              const expected = applyToModel(model, promotion)
              const result = yield* Effect.either(
                registrar.promote({
                  actor: admin,
                  set: promotion.moves.map(setOf),
                  expect: promotion.expectations.map(expectOf)
                })
              )
              expect(Either.isRight(result), JSON.stringify(promotion)).toBe(expected !== undefined)
              if (Either.isLeft(result)) {
                expect(["AliasMovedSince", "LinkedVersionNotFound"]).toContain(result.left._tag)
              }
              model = expected ?? model
              expect(yield* aliasesNow(registrar, admin)).toEqual(model)
              checkpoints.push({ position: (yield* store.head).globalPosition, model })
            }
            // Every position since before the first promotion shows some checkpoint's aliases, never a mix.
            const last = checkpoints[checkpoints.length - 1]!.position
            const models = [emptyModel(), ...checkpoints.map((checkpoint) => checkpoint.model)]
            for (let position = before; position <= last; position++) {
              const seen = yield* aliasesNow(registrar, admin, position)
              expect(models, `as of position ${position}`).toContainEqual(seen)
            }
            for (const checkpoint of checkpoints) {
              expect(yield* aliasesNow(registrar, admin, checkpoint.position)).toEqual(checkpoint.model)
            }
          })
        ),
      { timeout: 120_000, fastCheck: { numRuns: 12 } }
    )

    it.effect("concurrent promotions serialise: each lands whole, and a compare-and-set loser is told what moved", () =>
      provide(
        Effect.gen(function* () {
          const { registrar, admin } = yield* world
          const promotions = Array.from({ length: 8 }, (_, round) =>
            registrar.promote({
              actor: admin,
              set: [`${path("A", "production")}=v${round % LINKED}`, `${path("B", "production")}=v${round % LINKED}`]
            })
          )
          yield* Effect.all(promotions, { concurrency: "unbounded" })
          // As of the position between the two moves of the last promotion: neither or both, never one.
          const head = (yield* (yield* EventStore).head).globalPosition
          const inside = yield* aliasesNow(registrar, admin, head - 1)
          expect(inside["A:production"]).toBe(inside["B:production"])
          const now = yield* aliasesNow(registrar, admin)
          // Whichever promotion landed last, both aliases moved together.
          expect(now["A:production"]).toBe(now["B:production"])

          const racers = [1, 2].map((index) =>
            Effect.either(
              registrar.promote({
                actor: admin,
                set: [`${path("A", "staging")}=v${index}`],
                expect: [`${path("A", "staging")}=none`]
              })
            )
          )
          const outcomes = yield* Effect.all(racers, { concurrency: "unbounded" })
          const won = outcomes.filter(Either.isRight)
          const lost = outcomes.filter(Either.isLeft)
          expect([won.length, lost.length]).toEqual([1, 1])
          const winner = won[0]!.right.moves[0]!.to
          expect(lost[0]!.left._tag).toBe("AliasMovedSince")
          expect(lost[0]!.left.message).toContain(`points at v${winner} now, not no version as expected`)
        })
      )
    )

    it.effect("protected aliases still need an admin; a refused promotion moves nothing", () =>
      provide(
        Effect.gen(function* () {
          const { registrar, admin, member } = yield* world
          yield* registrar.setProtectedAliases({
            actor: admin,
            organization: org,
            registry: REGISTRY,
            aliases: ["production"]
          })
          const refused = yield* Effect.flip(
            registrar.promote({ actor: member, set: [`${path("A", "staging")}=v1`, `${path("B", "production")}=v1`] })
          )
          expect(refused._tag).toBe("ProtectedAliasRequiresAdmin")
          expect((yield* aliasesNow(registrar, admin))["A:staging"]).toBeNull()
          const promoted = yield* registrar.promote({
            actor: admin,
            set: [`${path("A", "staging")}=v1`, `${path("B", "production")}=v1`]
          })
          expect(promoted.moves.map((move) => move.fullName)).toEqual([
            `wandb-registry-${REGISTRY}/A:v1`,
            `wandb-registry-${REGISTRY}/B:v1`
          ])
          const again = yield* registrar.promote({ actor: admin, set: [`${path("B", "production")}=v1`] })
          expect(again.changed).toBe(false)
        })
      )
    )

    it.effect("an outsider cannot promote in or read the history of a registry they cannot see", () =>
      provide(
        Effect.gen(function* () {
          const { registrar, outsider } = yield* world
          const promote = yield* Effect.flip(
            registrar.promote({ actor: outsider, set: [`${path("A", "production")}=v1`] })
          )
          expect(promote._tag).toBe("NotAnOrganizationMember")
          const history = yield* Effect.flip(
            registrar.aliasHistory({
              actor: outsider,
              organization: org,
              registry: REGISTRY,
              alias: "production"
            })
          )
          expect(history._tag).toBe("NotAnOrganizationMember")
        })
      )
    )

    it.effect("a diff names what changed between two points: aliases, links, collections, settings, grants", () =>
      provide(
        Effect.gen(function* () {
          const { registrar, admin, member, outsider } = yield* world
          const store = yield* EventStore
          yield* registrar.promote({ actor: admin, set: [`${path("A", "production")}=v0`] })
          const start = (yield* store.head).globalPosition
          yield* registrar.promote({
            actor: admin,
            set: [`${path("A", "production")}=v2`, `${path("B", "staging")}=v1`]
          })
          yield* registrar.unlink({ actor: admin, name: `${org}/wandb-registry-${REGISTRY}/B:v0` })
          yield* registrar.renameCollection({
            actor: admin,
            collection: `${org}/wandb-registry-${REGISTRY}/A`,
            to: "A2"
          })
          yield* registrar.setProtectedAliases({
            actor: admin,
            organization: org,
            registry: REGISTRY,
            aliases: ["production"]
          })
          const middle = (yield* store.head).globalPosition
          yield* registrar.removeAlias({
            actor: admin,
            name: `${org}/wandb-registry-${REGISTRY}/B:v1`,
            alias: "staging"
          })

          const changed = yield* registrar.diff({
            actor: member,
            organization: org,
            registry: REGISTRY,
            from: { position: start },
            to: { position: middle }
          })
          expect(changed.changes.map((change) => [change.change, change.subject, change.from, change.to])).toEqual([
            ["setting changed", "protected aliases", "", "production"],
            ["collection renamed", "A2", "A", "A2"],
            ["version unlinked", "B:v0", expect.stringContaining("/art-b:v0"), null],
            ["alias moved", "A2:production", "v0", "v2"],
            ["alias moved", "B:staging", null, "v1"]
          ])
          const sinceThen = yield* registrar.diff({
            actor: member,
            organization: org,
            registry: REGISTRY,
            from: { position: middle }
          })
          expect(sinceThen.changes).toEqual([{ change: "alias moved", subject: "B:staging", from: "v1", to: null }])
          const nothing = yield* registrar.diff({
            actor: member,
            organization: org,
            registry: REGISTRY,
            from: { position: middle },
            to: { position: middle }
          })
          expect(nothing.changes).toEqual([])
          const hidden = yield* Effect.flip(
            registrar.diff({ actor: outsider, organization: org, registry: REGISTRY, from: { position: start } })
          )
          expect(hidden._tag).toBe("NotAnOrganizationMember")
        })
      )
    )

    it.effect.prop(
      "revert to a point, then now reads as that point did for everything revertible",
      { operations: fc.array(Operation, { minLength: 1, maxLength: 6 }) },
      ({ operations }) =>
        provide(
          Effect.gen(function* () {
            const { registrar, admin, log } = yield* world
            const store = yield* EventStore
            yield* registrar.promote({
              actor: admin,
              set: [`${path("A", "production")}=v0`, `${path("B", "staging")}=v1`]
            })
            const point = (yield* store.head).globalPosition
            for (const operation of operations) yield* Effect.either(perform(registrar, admin, log, operation))
            const reverted = yield* registrar.revert({
              actor: admin,
              organization: org,
              registry: REGISTRY,
              to: { position: point }
            })
            expect(reverted.unrevertible).toEqual([])
            expect(yield* linksNow(registrar, admin)).toEqual(yield* linksNow(registrar, admin, point))
            // The revert is in the history: as of just before it, the operations still show.
            const again = yield* registrar.revert({
              actor: admin,
              organization: org,
              registry: REGISTRY,
              to: { position: point }
            })
            expect(again.steps).toEqual([])
          })
        ),
      { timeout: 120_000, fastCheck: { numRuns: 10 } }
    )

    it.effect(
      "revert needs an admin, plans with a dry run, and refuses what cannot be brought back unless partial",
      () =>
        provide(
          Effect.gen(function* () {
            const { registrar, admin, member } = yield* world
            const store = yield* EventStore
            const point = (yield* store.head).globalPosition
            yield* registrar.promote({ actor: admin, set: [`${path("A", "production")}=v2`] })
            yield* registrar.unlink({ actor: admin, name: `${org}/wandb-registry-${REGISTRY}/B:v0` })
            const source = (yield* registrar.resolve({ actor: admin, name: `${org}/wandb-registry-${REGISTRY}/B:v1` }))
              .source
            yield* registrar.unlink({ actor: admin, name: `${org}/wandb-registry-${REGISTRY}/B:v1` })
            yield* registrar.deleteArtifactVersion({ actor: member, reference: source })
            const input = { organization: org, registry: REGISTRY, to: { position: point } }
            const refused = yield* Effect.flip(registrar.revert({ actor: member, ...input }))
            expect(refused._tag).toBe("InsufficientRole")
            const plan = yield* registrar.revert({ actor: admin, ...input, dryRun: true })
            expect(plan.applied).toBe(false)
            expect(plan.steps.map((step) => [step.change, step.subject])).toEqual([
              ["remove alias", "A:production"],
              ["relink", "B:v3"]
            ])
            expect(plan.unrevertible).toEqual([expect.stringContaining(`${source} cannot be linked into B again`)])
            const incomplete = yield* Effect.flip(registrar.revert({ actor: admin, ...input }))
            expect(incomplete._tag).toBe("RevertIncomplete")
            expect(incomplete.message).toContain("--partial")
            expect((yield* linksNow(registrar, admin)).B?.sources).toHaveLength(1)
            const partial = yield* registrar.revert({ actor: admin, ...input, partial: true })
            expect(partial.applied).toBe(true)
            const now = yield* linksNow(registrar, admin)
            expect(now.A?.aliases).toEqual({})
            expect(now.B?.sources).toHaveLength(2)
          })
        )
    )

    it.effect(
      "revert deletes collections created since, renames back those renamed, creates again those deleted with their links and aliases; the dry run is the plan",
      () =>
        provide(
          Effect.gen(function* () {
            const { registrar, admin } = yield* world
            const store = yield* EventStore
            yield* registrar.promote({
              actor: admin,
              set: [`${path("A", "production")}=v1`, `${path("B", "staging")}=v2`]
            })
            const point = (yield* store.head).globalPosition
            const before = yield* linksNow(registrar, admin, point)
            yield* registrar.createCollection({ actor: admin, collection: collectionPath("C"), type: "dataset" })
            yield* registrar.updateCollection({ actor: admin, collection: collectionPath("A"), description: "changed" })
            yield* registrar.renameCollection({ actor: admin, collection: collectionPath("A"), to: "A2" })
            yield* registrar.deleteCollection({ actor: admin, collection: collectionPath("B") })
            const input = { actor: admin, organization: org, registry: REGISTRY, to: { position: point } }
            const beforePlan = (yield* store.head).globalPosition
            const plan = yield* registrar.revert({ ...input, dryRun: true })
            expect((yield* store.head).globalPosition).toBe(beforePlan)
            expect(plan.applied).toBe(false)
            expect(plan.unrevertible).toEqual([])
            expect(plan.steps.map((step) => [step.change, step.subject])).toEqual([
              ["delete collection", "C"],
              ["rename collection", "A"],
              ["update collection", "A"],
              ["recreate collection", "B"],
              ["relink", "B:v0"],
              ["relink", "B:v1"],
              ["relink", "B:v2"],
              ["move alias", "B:staging"]
            ])
            expect(plan.steps[1]?.detail).toBe("back from A2")
            expect(plan.steps[3]?.detail).toContain("new id")
            const reverted = yield* registrar.revert(input)
            expect(reverted.applied).toBe(true)
            expect(reverted.steps).toEqual(plan.steps)
            expect(yield* linksNow(registrar, admin)).toEqual(before)
            const collections = yield* registrar.listCollections({
              actor: admin,
              organization: org,
              registry: REGISTRY
            })
            expect(collections.find((collection) => collection.name === "A")?.description).toBe("")
            // One transaction: as of just before its last event, none of it shows.
            const after = (yield* store.head).globalPosition
            expect(Object.keys(yield* linksNow(registrar, admin, after - 1)).sort()).toEqual(["A2", "C"])
            // The same revert again finds nothing to do: the collection created again stands for the deleted one.
            const again = yield* registrar.revert(input)
            expect(again.steps).toEqual([])
            expect(again.unrevertible).toEqual([])
          })
        )
    )

    it.effect(
      "revert creates a deleted collection again without a source deleted since, and refuses unless partial",
      () =>
        provide(
          Effect.gen(function* () {
            const { registrar, admin, member } = yield* world
            const store = yield* EventStore
            const point = (yield* store.head).globalPosition
            const before = yield* linksNow(registrar, admin, point)
            const gone = (yield* registrar.resolve({ actor: admin, name: `${collectionPath("B")}:v1` })).source
            yield* registrar.createCollection({ actor: admin, collection: collectionPath("C"), type: "dataset" })
            yield* registrar.deleteCollection({ actor: admin, collection: collectionPath("B") })
            yield* registrar.deleteArtifactVersion({ actor: member, reference: gone })
            const input = { actor: admin, organization: org, registry: REGISTRY, to: { position: point } }
            const plan = yield* registrar.revert({ ...input, dryRun: true })
            expect(plan.steps.map((step) => [step.change, step.subject])).toEqual([
              ["delete collection", "C"],
              ["recreate collection", "B"],
              ["relink", "B:v0"],
              ["relink", "B:v1"]
            ])
            expect(plan.unrevertible).toEqual([expect.stringContaining(`${gone} cannot be linked into B again`)])
            const head = (yield* store.head).globalPosition
            const incomplete = yield* Effect.flip(registrar.revert(input))
            expect(incomplete._tag).toBe("RevertIncomplete")
            expect((yield* store.head).globalPosition).toBe(head)
            expect(Object.keys(yield* linksNow(registrar, admin)).sort()).toEqual(["A", "C"])
            const partial = yield* registrar.revert({ ...input, partial: true })
            expect(partial.applied).toBe(true)
            expect(partial.steps).toEqual(plan.steps)
            const now = yield* linksNow(registrar, admin)
            expect(Object.keys(now).sort()).toEqual(["A", "B"])
            expect(now.B?.sources).toHaveLength(LINKED - 1)
            expect(now.B?.sources).toEqual(before.B?.sources.filter((source) => source !== gone))
          })
        )
    )

    it.effect("revert renames back collections whose names went round in a cycle", () =>
      provide(
        Effect.gen(function* () {
          const { registrar, admin } = yield* world
          const store = yield* EventStore
          const point = (yield* store.head).globalPosition
          const before = yield* linksNow(registrar, admin, point)
          yield* registrar.renameCollection({ actor: admin, collection: collectionPath("A"), to: "C" })
          yield* registrar.renameCollection({ actor: admin, collection: collectionPath("B"), to: "A" })
          yield* registrar.renameCollection({ actor: admin, collection: collectionPath("C"), to: "B" })
          const reverted = yield* registrar.revert({
            actor: admin,
            organization: org,
            registry: REGISTRY,
            to: { position: point }
          })
          expect(reverted.unrevertible).toEqual([])
          expect(reverted.steps).toEqual([
            { change: "rename collection", subject: "B", detail: "back from A" },
            { change: "rename collection", subject: "A", detail: "back from B" }
          ])
          expect(yield* linksNow(registrar, admin)).toEqual(before)
        })
      )
    )

    it.effect("a version's tags show on every link of it, in its history, and are not unique", () =>
      provide(
        Effect.gen(function* () {
          const { registrar, admin, member } = yield* world
          const a0 = `${org}/wandb-registry-${REGISTRY}/A:v0`
          const source = (yield* registrar.resolve({ actor: member, name: a0 })).source
          const alsoInB = yield* registrar.link({
            actor: member,
            source,
            target: `${org}/wandb-registry-${REGISTRY}/B`
          })
          yield* registrar.tagArtifactVersion({ actor: member, reference: a0, tag: "reviewed" })
          yield* registrar.tagArtifactVersion({
            actor: member,
            reference: `${org}/wandb-registry-${REGISTRY}/A:v1`,
            tag: "reviewed"
          })
          expect((yield* registrar.resolve({ actor: member, name: `${org}/${alsoInB.fullName}` })).tags).toEqual([
            "reviewed"
          ])
          const listed = yield* registrar.listVersions({
            actor: admin,
            collection: `${org}/wandb-registry-${REGISTRY}/A`
          })
          expect(listed.versions.map((version) => version.tags)).toEqual([["reviewed"], ["reviewed"], []])
          yield* registrar.untagArtifactVersion({ actor: member, reference: source, tag: "reviewed" })
          const history = yield* registrar.versionHistory({ actor: member, name: a0 })
          expect(history.entries.slice(-2).map((entry) => [entry.change, entry.detail])).toEqual([
            ["tagged", "reviewed"],
            ["untagged", "reviewed"]
          ])
          const missing = yield* Effect.flip(
            registrar.untagArtifactVersion({ actor: member, reference: source, tag: "reviewed" })
          )
          expect(missing._tag).toBe("TagNotFound")
        })
      )
    )

    it.effect(
      "the history of an alias: every move, from which version to which, who and when; as of a past point",
      () =>
        provide(
          Effect.gen(function* () {
            const { registrar, admin, member } = yield* world
            const store = yield* EventStore
            yield* registrar.promote({
              actor: member,
              set: [`${path("A", "production")}=v0`, `${path("B", "production")}=v2`]
            })
            const between = (yield* store.head).globalPosition
            yield* registrar.promote({ actor: admin, set: [`${path("A", "production")}=v2`] })
            yield* registrar.removeAlias({
              actor: admin,
              name: `${org}/wandb-registry-${REGISTRY}/A:v2`,
              alias: "production"
            })
            const all = yield* registrar.aliasHistory({
              actor: member,
              organization: org,
              registry: REGISTRY,
              alias: "production"
            })
            expect(all.moves.map((move) => [move.collection, move.from, move.to, move.actor])).toEqual([
              ["A", null, 0, member],
              ["B", null, 2, member],
              ["A", 0, 2, admin],
              ["A", 2, null, admin]
            ])
            const onlyB = yield* registrar.aliasHistory({
              actor: member,
              registry: REGISTRY,
              alias: "production",
              collection: "B"
            })
            expect(onlyB.moves.map((move) => move.to)).toEqual([2])
            const past = yield* registrar.aliasHistory({
              actor: member,
              registry: REGISTRY,
              alias: "production",
              asOf: { position: between }
            })
            expect(past.moves).toHaveLength(2)

            const version = yield* registrar.versionHistory({
              actor: member,
              name: `${org}/wandb-registry-${REGISTRY}/A:v0`
            })
            expect(version.entries.map((entry) => [entry.change, entry.detail])).toEqual([
              ["linked", expect.stringContaining("/art-a:v0")],
              ["alias gained", "production"],
              ["alias lost", "production (moved to v2)"]
            ])
            const missing = yield* Effect.flip(
              registrar.versionHistory({ actor: member, name: `${org}/wandb-registry-${REGISTRY}/A:v9` })
            )
            expect(missing._tag).toBe("LinkedVersionNotFound")
          })
        )
    )
  })
}
