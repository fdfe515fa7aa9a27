import { describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck, HashMap, Option } from "effect"
import * as Artifact from "../src/Artifact.js"
import * as Collection from "../src/Collection.js"
import { EventStore } from "../src/EventStore.js"
import * as InMemoryTables from "../src/internal/InMemoryTables.js"
import * as Projections from "../src/Projections.js"
import * as Projector from "../src/Projector.js"
import { ReadModelStore, type ReadModelStoreShape } from "../src/ReadModelStore.js"
import * as ReadModels from "../src/ReadModels.js"
import { ActedStep, feedOnly, makeWorld } from "../testing/RandomHistory.js"

/** Every table of a store, in key order. */
const dump = (store: ReadModelStoreShape) =>
  Effect.forEach(Projections.allTables, (table) => Effect.map(store.list(table), (rows) => [table, rows] as const))

const BatchSize = FastCheck.integer({ min: 1, max: 40 })

/** Steps, each optionally followed by a catch-up with some batch size. */
const History = FastCheck.array(FastCheck.record({ acted: ActedStep, catchUp: FastCheck.option(BatchSize) }), {
  minLength: 1,
  maxLength: 80,
  size: "max"
})

/** Plays a random history, catching up along the way; returns the world and its incrementally built read model. */
const playIncrementally = (history: typeof History extends FastCheck.Arbitrary<infer A> ? A : never) =>
  Effect.gen(function* () {
    const world = makeWorld()
    const live = InMemoryTables.make()
    const events = feedOnly(world.events)
    const withStores = <A, E>(effect: Effect.Effect<A, E, EventStore | ReadModelStore>, store = live) =>
      effect.pipe(Effect.provideService(EventStore, events), Effect.provideService(ReadModelStore, store))
    for (const { acted, catchUp } of history) {
      world.apply(acted)
      if (catchUp !== null) yield* withStores(Projector.catchUp({ batchSize: catchUp }))
    }
    yield* withStores(Projector.catchUp({ batchSize: 7 }))
    return { world, live, withStores }
  })

describe("Projector over random histories", () => {
  it.effect.prop(
    "rebuild from zero gives exactly the tables of incremental catch-up, and catch-up is exactly once",
    { history: History, rebuildBatch: BatchSize },
    ({ history, rebuildBatch }) =>
      Effect.gen(function* () {
        const { world, live, withStores } = yield* playIncrementally(history)
        const rebuilt = InMemoryTables.make()
        const replayed = yield* withStores(Projector.rebuild({ batchSize: rebuildBatch }), rebuilt)
        expect(replayed).toBe(world.events.length)
        expect(yield* dump(rebuilt)).toEqual(yield* dump(live))
        expect(yield* rebuilt.checkpoint).toEqual(yield* live.checkpoint)
        const before = yield* dump(live)
        expect(yield* withStores(Projector.catchUp())).toBe(0)
        expect(yield* dump(live)).toEqual(before)
      }),
    { timeout: 60_000, fastCheck: { numRuns: 40 } }
  )

  it.effect.prop(
    "the read models agree with the deciders' states",
    { history: History },
    ({ history }) =>
      Effect.gen(function* () {
        const { world, withStores } = yield* playIncrementally(history)
        const query = <A>(effect: Effect.Effect<A, unknown, ReadModelStore>) => withStores(effect)
        const live = new Set<string>()
        for (const registry of world.registryStates.values()) {
          if (registry._tag !== "Active") continue
          const view = Option.getOrThrow(yield* query(ReadModels.findRegistry("acme", registry.registry)))
          expect(view.visibility).toBe(registry.visibility)
          expect([...view.acceptedTypes].sort()).toEqual([...registry.acceptedTypes].sort())
          expect(new Set(view.grants.map((g) => `${g.principal.kind}/${g.principal.name}=${g.role}`))).toEqual(
            new Set(registry.grants.map((g) => `${g.principal.kind}/${g.principal.name}=${g.role}`))
          )
          expect(view.protectedAliases).toEqual(registry.protectedAliases)
          const listed = yield* query(ReadModels.listCollections("acme", registry.registry))
          expect(listed.map((c) => c.name).sort()).toEqual([...registry.collections.keys()].sort())
          for (const info of registry.collections.values()) {
            live.add(info.id)
            const state = world.collectionStates.get(info.id) ?? Collection.initialState
            const versions = yield* query(ReadModels.listVersions(info.id))
            expect(versions.latest).toEqual(state.latest)
            expect(versions.versions.map((v) => v.index)).toEqual(
              [...HashMap.keys(state.versions)].sort((a, b) => a - b)
            )
            for (const version of versions.versions) {
              expect(version.aliases).toEqual(Collection.aliasesOf(state, version.index))
            }
            expect(listed.find((c) => c.collectionId === info.id)?.versionCount).toBe(HashMap.size(state.versions))
          }
        }
        for (const collectionId of world.collectionStates.keys()) {
          if (!live.has(collectionId))
            expect((yield* query(ReadModels.listVersions(collectionId))).versions).toEqual([])
        }
        for (const artifact of world.artifactStates.values()) {
          if (artifact._tag !== "Present") continue
          const listed = yield* query(ReadModels.listArtifactVersions(artifact.entity, artifact.project, artifact.name))
          expect(listed.latest).toEqual(Option.map(Artifact.latest(artifact), (v) => v.index))
          for (const version of listed.versions) {
            const state = artifact.versions.get(version.index)!
            expect(version.deleted).toBe(state.deleted)
            expect([...version.aliases].sort()).toEqual([...Artifact.aliasesOf(artifact, version.index)].sort())
            const key = `${version.artifactKey}:v${version.index}`
            const links = yield* query(ReadModels.linksOfSource(key))
            const expected = [...live].flatMap((id) => {
              const state = world.collectionStates.get(id) ?? Collection.initialState
              return Option.toArray(Option.map(HashMap.get(state.bySource, key), (index) => `${id}:v${index}`))
            })
            expect(links.map((link) => `${link.collectionId}:v${link.index}`).sort()).toEqual(expected.sort())
            const lineage = yield* query(ReadModels.lineage(key, { depth: 1 }))
            const runs = [...(state.loggedBy === null ? [] : [state.loggedBy]), ...state.usedBy].map(Projections.runKey)
            expect(lineage.nodes.map((node) => node.id).sort()).toEqual([key, ...new Set(runs)].sort())
          }
        }
      }),
    { timeout: 60_000, fastCheck: { numRuns: 40 } }
  )

  it.effect.prop(
    "as of a position answers with the tables catch-up had built at that position, transactions whole",
    { history: History, cut: FastCheck.nat() },
    ({ history, cut }) =>
      Effect.gen(function* () {
        const { world, withStores } = yield* playIncrementally(history)
        const position = cut % (world.events.length + 1)
        const partial = InMemoryTables.make()
        // A transaction that the position cuts through is left out whole: a command never shows in part.
        const cutThrough = world.events[position]?.transactionId
        const prefix = feedOnly(world.events.slice(0, position).filter((event) => event.transactionId !== cutThrough))
        yield* Projector.catchUp({ batchSize: 5 }).pipe(
          Effect.provideService(EventStore, prefix),
          Effect.provideService(ReadModelStore, partial)
        )
        const past = yield* withStores(Projector.asOf({ position }))
        expect(yield* dump(past)).toEqual(yield* dump(partial))
        const last = world.events[position - 1]
        if (last !== undefined) {
          const atTime = yield* withStores(Projector.asOf({ time: last.metadata.recordedAt }))
          const sameTime = world.events.filter((event) => event.metadata.recordedAt === last.metadata.recordedAt)
          expect(yield* atTime.checkpoint).toEqual({
            transactionId: last.transactionId,
            globalPosition: sameTime[sameTime.length - 1]!.globalPosition
          })
        }
      }),
    { timeout: 60_000, fastCheck: { numRuns: 30 } }
  )
})

describe("Projector", () => {
  it("reads an as-of point from text: up to 15 digits a position, an ISO date or date-time a time", () => {
    expect(Projector.parseAsOfTarget("0")).toEqual(Option.some({ position: 0 }))
    expect(Projector.parseAsOfTarget("999999999999999")).toEqual(Option.some({ position: 999999999999999 }))
    expect(Projector.parseAsOfTarget("2025-01-31")).toEqual(Option.some({ time: "2025-01-31" }))
    expect(Projector.parseAsOfTarget("2025-01-31T12:00:00Z")).toEqual(Option.some({ time: "2025-01-31T12:00:00Z" }))
    // Past any position a store can hold (positions stay safe integers), and text that is neither.
    for (const text of ["1000000000000000", "99999999999999999999", "-1", "4.2", "", "last tuesday", "2025-13-45"]) {
      expect(Projector.parseAsOfTarget(text), text).toEqual(Option.none())
    }
  })

  it.effect("an as-of time that is not a time is a typed failure", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Projector.asOf({ time: "last tuesday" }).pipe(Effect.provideService(EventStore, feedOnly([])))
      )
      expect(error._tag).toBe("InvalidAsOfTime")
      expect(error.message).toContain("last tuesday")
    })
  )

  it.effect("an undecodable event fails catch-up with UndecodableEvent and applies nothing of its batch", () =>
    Effect.gen(function* () {
      const world = makeWorld()
      const broken = [
        ...world.events,
        { ...world.events[0]!, globalPosition: 999, transactionId: 999, data: { user: 42 } }
      ]
      const store = InMemoryTables.make()
      const error = yield* Effect.flip(
        Projector.catchUp({ batchSize: 1000 }).pipe(
          Effect.provideService(EventStore, feedOnly(broken)),
          Effect.provideService(ReadModelStore, store)
        )
      )
      expect(error._tag).toBe("UndecodableEvent")
      expect(yield* store.list("audit")).toEqual([])
    })
  )
})
