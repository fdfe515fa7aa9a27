/**
 * The filter language on the application service (docs/search.md), written once and run by every adapter: W&B's
 * rules on real registries, collections and versions, access filtering, reads as of the past, cursor paging, hostile
 * filters, and a property over random histories — every store answers a random query exactly as the evaluator does
 * on the same history folded in memory (`asOf` the head), page for page and cursor for cursor.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, FastCheck as fc, Layer } from "effect"
import { EventStore } from "../src/EventStore.js"
import type { ReadModelStore } from "../src/ReadModelStore.js"
import { Registrar, type RegistrarShape } from "../src/Registrar.js"
import { ActedStep, makeWorld } from "./RandomHistory.js"
import { toStore } from "./ReadAccess.js"
import { seed, type Stores } from "./RegistrarScenarios.js"
import { fakeSha256 } from "./FakeDigest.js"

const file = (content: string) => [{ path: "data.bin", sha256: fakeSha256(content), size: 1 }]

const failureOf = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.map(Effect.either(effect), (result) =>
    Either.isLeft(result) ? (result.left as { readonly _tag: string; readonly message: string })._tag : "succeeded"
  )

type Level = "registries" | "collections" | "versions"

/** Every page of a query, following cursors, as `actor`. */
const allPages = (registrar: RegistrarShape, level: Level, input: Record<string, unknown>, pageSize: number) =>
  Effect.gen(function* () {
    const pages: Array<{ readonly items: ReadonlyArray<unknown>; readonly nextCursor: string | null }> = []
    let cursor: string | undefined
    for (let turn = 0; turn < 200; turn++) {
      const request = { ...input, pageSize, ...(cursor === undefined ? {} : { cursor }) } as never
      const found =
        level === "registries"
          ? yield* registrar.registries(request)
          : level === "collections"
            ? yield* registrar.collections(request)
            : yield* registrar.versions(request)
      pages.push({ items: found.items, nextCursor: found.nextCursor })
      if (found.nextCursor === null) break
      cursor = found.nextCursor
    }
    return pages
  })

// ---- random queries over the random world's names ---------------------------------------------------------------

const times = ["2025-01-01T00:05:00.000Z", "2025-01-01T00:20:00.000Z", "2025-01-01T01:00:00.000Z"]
const pick = <A>(...items: ReadonlyArray<A>) => fc.constantFrom(...items)
const text = pick("raw", "model", "Golden", "Models", "fine", "a", "")
const registryCondition = fc.oneof(
  fc.record({ name: pick("Models", "Golden Datasets", "wandb-registry-Models", "nope") }),
  fc.record({ name: fc.record({ $in: fc.subarray(["Models", "Golden Datasets", "x"]) }) }),
  fc.record({ name: fc.record({ $regex: pick("^wandb-registry-M", "Data", "s$") }) }),
  fc.record({ created_at: fc.record({ $gte: pick(...times) }) }),
  fc.record({ description: fc.record({ $exists: fc.boolean() }) })
)
const collectionCondition = fc.oneof(
  fc.record({ name: pick("raw_images", "finetuned", "Finetuned Llama-3.2") }),
  fc.record({ name: fc.record({ $regex: pick("^fine", "[Ll]lama", "images$", "e.*e") }) }),
  fc.record({ name: fc.record({ $contains: text }) }),
  fc.record({ type: pick("model", "dataset") }),
  fc.record({ tag: fc.record({ $size: fc.nat(2) }) }),
  fc.record({ created_at: fc.record({ $lt: pick(...times) }) })
)
const versionCondition = fc.oneof(
  fc.record({ version: fc.record({ $gt: fc.nat(3) }) }),
  fc.record({ version: pick<string | number>("v0", "v1", 2) }),
  fc.record({ alias: fc.record({ $in: fc.subarray(["production", "staging", "best", "latest"], { minLength: 1 }) }) }),
  fc.record({ alias: pick("latest", "production") }),
  fc.record({ alias: fc.record({ $size: fc.nat(2) }) }),
  fc.record({ "metadata.content": fc.record({ $gte: fc.nat(3) }) }),
  fc.record({ "metadata.note": fc.record({ $exists: fc.boolean() }) }),
  fc.record({ metadata: fc.record({ $eq: fc.record({ content: fc.nat(3) }) }) }),
  fc.record({ source: fc.record({ $regex: pick("raw", "^ml/proj/model:v[0-2]$", "notes") }) }),
  fc.record({ type: fc.record({ $ne: fc.constant("model") }) }),
  fc.record({ created_at: fc.record({ $gt: pick(...times) }) })
)
const combined = (condition: fc.Arbitrary<object>) =>
  fc.oneof(
    { weight: 3, arbitrary: condition },
    { weight: 1, arbitrary: fc.record({ $or: fc.array(condition, { minLength: 1, maxLength: 3 }) }) },
    { weight: 1, arbitrary: fc.record({ $and: fc.array(condition, { minLength: 1, maxLength: 3 }) }) },
    { weight: 1, arbitrary: fc.record({ $nor: fc.array(condition, { minLength: 1, maxLength: 2 }) }) },
    { weight: 1, arbitrary: fc.record({ $not: condition }) }
  )
const RandomQuery = fc.oneof(
  fc.record({
    level: fc.constant<Level>("registries"),
    filter: combined(registryCondition),
    order: pick("name", "-name", "-created_at", "updated_at")
  }),
  fc.record({
    level: fc.constant<Level>("collections"),
    registryFilter: fc.option(registryCondition, { nil: undefined }),
    filter: combined(collectionCondition),
    order: pick("name", "-name", "created_at", "-updated_at")
  }),
  fc.record({
    level: fc.constant<Level>("versions"),
    registryFilter: fc.option(registryCondition, { nil: undefined }),
    collectionFilter: fc.option(collectionCondition, { nil: undefined }),
    filter: combined(versionCondition),
    order: pick("version", "-version", "created_at", "-created_at", "-updated_at")
  })
)

const withoutUndefined = (query: object): Record<string, unknown> =>
  Object.fromEntries(Object.entries(query).filter(([key, value]) => value !== undefined && key !== "level"))

/** Runs the search examples and the random-history property against the stores built by `stores`. */
export const searchScenarios = (
  name: string,
  stores: () => Stores,
  options: { readonly numRuns: number; readonly timeout?: number }
): void => {
  const run = <A, E>(effect: Effect.Effect<A, E, Registrar | EventStore | ReadModelStore>) =>
    Effect.provide(effect, Registrar.layer().pipe(Layer.provideMerge(stores())))

  describe(`${name} search with the filter language`, () => {
    it.live(
      "W&B's filters on registries, collections and versions, access-filtered, paged and as of the past",
      () =>
        run(
          Effect.gen(function* () {
            const { registrar, org, team, admin, member, log } = yield* seed
            const organization = org
            yield* registrar.createRegistry({ actor: admin, organization, registry: "Models", description: "trained" })
            yield* registrar.grantRole({
              actor: admin,
              organization,
              registry: "Models",
              principal: { kind: "user", name: member },
              role: "member"
            })
            yield* registrar.createRegistry({
              actor: admin,
              organization,
              registry: "Secret",
              visibility: "restricted"
            })
            yield* registrar.createCollection({
              actor: member,
              collection: `${org}/wandb-registry-Models/classifier`,
              type: "model",
              tags: ["vision"]
            })
            const logged = []
            for (const [index, accuracy] of [0.5, 0.9, 0.95].entries()) {
              logged.push(
                yield* registrar.logArtifact({
                  actor: member,
                  entity: team,
                  project: "train",
                  name: "classifier",
                  type: "model",
                  files: file(`c${index}`),
                  metadata: { accuracy, owner: { team: "ml" } }
                })
              )
            }
            const target = `${org}/wandb-registry-Models/classifier`
            const first = yield* registrar.link({
              actor: member,
              source: logged[0]!.reference,
              target,
              aliases: ["production"]
            })
            yield* registrar.link({ actor: member, source: logged[1]!.reference, target, aliases: ["staging"] })
            const before = yield* registrar.history({ actor: admin, organization })
            const position = before[before.length - 1]!.globalPosition
            yield* registrar.link({ actor: member, source: logged[2]!.reference, target })
            yield* registrar.tagArtifactVersion({ actor: member, reference: logged[2]!.reference, tag: "gold" })
            const raw = yield* log("raw_images", "r0")
            yield* registrar.link({
              actor: member,
              source: raw.reference,
              target: `${org}/wandb-registry-Golden Datasets/raw_images`
            })
            yield* registrar.link({
              actor: admin,
              source: raw.reference,
              target: `${org}/wandb-registry-Secret/hidden`
            })

            const names = (page: { readonly items: ReadonlyArray<{ readonly name: string }> }) =>
              page.items.map((item) => item.name)
            // A registry name is read with its prefix, as W&B does, but never inside $regex.
            expect(
              names(yield* registrar.registries({ actor: member, organization, filter: { name: "Models" } }))
            ).toEqual(["Models"])
            expect(
              names(
                yield* registrar.registries({
                  actor: member,
                  organization,
                  filter: '{"name": {"$in": ["wandb-registry-Models", "Golden Datasets"]}}'
                })
              )
            ).toEqual(["Golden Datasets", "Models"])
            expect(
              names(
                yield* registrar.registries({ actor: member, organization, filter: { name: { $regex: "^Models" } } })
              )
            ).toEqual([])
            expect(
              names(
                yield* registrar.registries({
                  actor: member,
                  organization,
                  filter: { name: { $regex: "^wandb-registry-M" } }
                })
              )
            ).toEqual(["Models"])
            // Restricted registries are invisible to those without a role, and so is everything in them.
            expect(names(yield* registrar.registries({ actor: member, organization, order: "-name" }))).toEqual([
              "Models",
              "Golden Datasets"
            ])
            expect(names(yield* registrar.registries({ actor: admin, organization, order: "-name" }))).toEqual([
              "Secret",
              "Models",
              "Golden Datasets"
            ])
            expect(names(yield* registrar.collections({ actor: member, organization }))).toEqual([
              "classifier",
              "raw_images"
            ])
            expect(names(yield* registrar.collections({ actor: admin, organization }))).toEqual([
              "classifier",
              "hidden",
              "raw_images"
            ])
            expect(
              names(
                yield* registrar.collections({
                  actor: member,
                  organization,
                  registryFilter: { name: "Models" },
                  filter: { tag: "vision", type: "model" }
                })
              )
            ).toEqual(["classifier"])
            // Chained: registries(f1).collections(f2).versions(f3).
            const chained = yield* registrar.versions({
              actor: member,
              organization,
              registryFilter: { name: "Models" },
              collectionFilter: { name: { $regex: "^class" } },
              filter: { alias: { $in: ["production", "latest"] }, "metadata.accuracy": { $gte: 0.4, $lt: 1 } },
              order: "-version"
            })
            expect(chained.items.map((item) => [item.version, item.aliases])).toEqual([
              [2, ["latest"]],
              [0, ["production"]]
            ])
            expect(chained.items[1]).toMatchObject({
              collection: "classifier",
              registry: "Models",
              path: "wandb-registry-Models/classifier:v0",
              source: first.source,
              metadata: { accuracy: 0.5 }
            })
            expect(
              (yield* registrar.versions({ actor: member, organization, filter: { tag: "gold" } })).items.map(
                (item) => item.version
              )
            ).toEqual([2])
            expect(
              (yield* registrar.versions({ actor: member, organization, filter: { "metadata.owner.team": "ml" } }))
                .items.length
            ).toBe(3)
            expect(
              (yield* registrar.versions({ actor: member, organization, filter: { source: raw.reference } })).items.map(
                (item) => item.registry
              )
            ).toEqual(["Golden Datasets"])
            expect(
              (yield* registrar.versions({ actor: admin, organization, filter: { source: raw.reference } })).items
                .map((item) => item.registry)
                .sort()
            ).toEqual(["Golden Datasets", "Secret"])
            // As of a past point: the versions linked then, with the aliases they had then.
            const past = yield* registrar.versions({
              actor: member,
              organization,
              registryFilter: { name: "Models" },
              asOf: { position }
            })
            expect(past.items.map((item) => [item.version, item.aliases])).toEqual([
              [0, ["production"]],
              [1, ["latest", "staging"]]
            ])
            // Pages by cursor: every version once, in order, and no cursor after the last page.
            const pages = yield* allPages(
              registrar,
              "versions",
              { actor: member, organization, order: "-created_at" },
              1
            )
            expect(pages.map((page) => page.items.length)).toEqual([1, 1, 1, 1])
            expect(
              pages.flatMap((page) => page.items as ReadonlyArray<{ readonly path: string }>).map((item) => item.path)
            ).toEqual([
              "wandb-registry-Golden Datasets/raw_images:v0",
              "wandb-registry-Models/classifier:v2",
              "wandb-registry-Models/classifier:v1",
              "wandb-registry-Models/classifier:v0"
            ])
            const cursor = pages[0]!.nextCursor!
            expect(
              yield* failureOf(registrar.versions({ actor: member, organization, order: "created_at", cursor }))
            ).toBe("InvalidSearchCursor")
            expect(yield* failureOf(registrar.collections({ actor: member, organization, cursor }))).toBe(
              "InvalidSearchCursor"
            )
            // Typed refusals.
            expect(yield* failureOf(registrar.registries({ actor: member, organization, order: "Name" }))).toBe(
              "InvalidOrder"
            )
            expect(yield* failureOf(registrar.registries({ actor: member, organization, pageSize: 0 }))).toBe(
              "InvalidPageSize"
            )
            expect(
              yield* failureOf(registrar.collections({ actor: member, organization, filter: { alias: "x" } }))
            ).toBe("UnknownFilterField")
            expect(
              yield* failureOf(registrar.versions({ actor: member, organization, collectionFilter: { version: 1 } }))
            ).toBe("UnknownFilterField")
          })
        ),
      options.timeout
    )

    it.live("hostile filters are refused with typed errors, and injection attempts stay data", () =>
      run(
        Effect.gen(function* () {
          const { registrar, org, member, log } = yield* seed
          const raw = yield* log("raw_images", "h0")
          yield* registrar.link({
            actor: member,
            source: raw.reference,
            target: `${org}/wandb-registry-Golden Datasets/raw_images`
          })
          const versions = (filter: unknown) =>
            registrar.versions({ actor: member, organization: org, filter: filter as never })
          expect(yield* failureOf(versions(`${'{"$not":'.repeat(5_000)}{}${"}".repeat(5_000)}`))).toBe(
            "FilterTooComplex"
          )
          expect(
            yield* failureOf(versions({ alias: { $in: Array.from({ length: 100_000 }, (_, i) => `a${i}`) } }))
          ).toBe("FilterTooComplex")
          expect(yield* failureOf(versions({ alias: { $in: Array.from({ length: 500 }, (_, i) => `a${i}`) } }))).toBe(
            "FilterListTooLong"
          )
          expect(yield* failureOf(versions({ source: { $regex: "(a+)+$" } }))).toBe("UnsupportedRegex")
          expect(yield* failureOf(versions({ source: { $regex: "(?=x)" } }))).toBe("UnsupportedRegex")
          expect(yield* failureOf(versions({ "metadata.x') OR 1=1 --": 1 }))).toBe("InvalidFilterFieldName")
          expect(yield* failureOf(versions({ "metadata.$where": 1 }))).toBe("InvalidFilterFieldName")
          for (const hostile of ["'; DROP TABLE x; --", "x' OR '1'='1", "$1", "\\", "%", "' || pg_sleep(10) || '"]) {
            expect((yield* versions({ source: hostile })).items).toEqual([])
            expect((yield* versions({ source: { $contains: hostile } })).items).toEqual([])
            expect((yield* versions({ "metadata.k": hostile })).items).toEqual([])
            expect((yield* versions({ alias: { $in: [hostile] } })).items).toEqual([])
          }
          // A pattern that backtracks catastrophically in JavaScript is refused; its safe cousin answers.
          expect((yield* versions({ source: { $regex: "^(?:raw|x)_images:v\\d+$|raw_images" } })).items.length).toBe(1)
        })
      )
    )

    it.live.prop(
      "random histories: every query, paged, answers as the evaluator does on the same history folded in memory",
      {
        steps: fc.array(ActedStep, { minLength: 10, maxLength: 40 }),
        queries: fc.array(RandomQuery, { minLength: 4, maxLength: 8 }),
        pageSize: fc.integer({ min: 1, max: 4 })
      },
      ({ steps, queries, pageSize }) =>
        run(
          Effect.gen(function* () {
            const registrar = yield* Registrar
            const world = makeWorld()
            for (const step of steps) world.apply(step)
            yield* toStore(world.events)
            yield* registrar.catchUp
            const head = yield* Effect.flatMap(EventStore, (store) => store.head)
            for (const query of queries) {
              const input = withoutUndefined(query)
              for (const actor of ["alice", "bob"]) {
                const asked = { ...input, actor, organization: "acme" }
                const live = yield* Effect.either(allPages(registrar, query.level, asked, pageSize))
                const folded = yield* Effect.either(
                  allPages(registrar, query.level, { ...asked, asOf: { position: head.globalPosition } }, pageSize)
                )
                expect(
                  JSON.stringify(live),
                  `${query.level} ${JSON.stringify(input)} as ${actor}: live (left) and folded (right) differ`
                ).toBe(JSON.stringify(folded))
              }
            }
          })
        ),
      { timeout: options.timeout ?? 120_000, fastCheck: { numRuns: options.numRuns } }
    )
  })
}
