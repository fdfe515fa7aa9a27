import { randomUUID } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import {
  Artifact,
  Collection,
  Entity,
  EventStore,
  Events,
  Projections,
  Projector,
  ReadModelStore,
  type ReadModelStoreShape,
  ReadModels,
  Registry,
  VersionSelector
} from "@registrar/domain"
import { Effect, Fiber, Layer, Option, Schedule } from "effect"
import { MemoryEventStore, MemoryReadModelStore } from "../src/index.js"

const golden = { organization: "acme", registry: "Golden Datasets" }
const images = { ...golden, collectionId: "c-images" }
const source = (index: number) => ({ entity: "ml", project: "proj", name: "raw", index })
const at = (day: number) => `2025-03-${String(day).padStart(2, "0")}T12:00:00.000Z`

/** Appends domain events to a stream, recorded by `actor` at `recordedAt`. */
const append = (streamId: string, events: ReadonlyArray<Events.DomainEvent>, recordedAt: string, actor = "alice") =>
  Effect.flatMap(EventStore, (store) =>
    store.append(
      streamId,
      events.map((event) => Events.toNewEvent(event, randomUUID(), { actor, recordedAt })),
      "any"
    )
  )

const linked = (index: number) =>
  new Collection.ArtifactLinked({
    ...images,
    collection: "raw_images",
    index,
    source: source(index),
    artifactType: "dataset",
    digest: `digest-${index}`
  })

const logged = (index: number) =>
  new Artifact.VersionAssigned({
    ...source(index),
    artifactType: "dataset",
    digest: `digest-${index}`,
    files: [],
    metadata: {},
    description: "",
    loggedBy: null
  })

/** An organization, three versions of `ml/proj/raw`, and a collection whose `production` is v0 on day 2, v1 on day 4. */
const history = Effect.gen(function* () {
  yield* append(
    "Entity-acme",
    [new Entity.OrganizationCreated({ organization: "acme", displayName: "Acme Corp" })],
    at(1)
  )
  yield* append("Artifact-ml/proj/raw", [logged(0), logged(1), logged(2)], at(1))
  yield* append(
    "Registry-acme/Golden Datasets",
    [
      new Registry.RegistryCreated({ ...golden, visibility: "organization", description: "", acceptedTypes: [] }),
      new Registry.CollectionCreated({
        ...images,
        collection: "raw_images",
        artifactType: "dataset",
        description: "",
        tags: []
      })
    ],
    at(1)
  )
  const first = yield* append(
    "Collection-c-images",
    [linked(0), new Collection.AliasAssigned({ ...images, alias: "production", index: 0, movedFrom: null })],
    at(2)
  )
  yield* append("Collection-c-images", [linked(1)], at(3))
  yield* append(
    "Collection-c-images",
    [new Collection.AliasAssigned({ ...images, alias: "production", index: 1, movedFrom: 0 })],
    at(4)
  )
  return { productionOnV0: first.checkpoint.globalPosition }
})

const stores = Layer.merge(MemoryEventStore.layer, MemoryReadModelStore.layer)

const dump = (store: ReadModelStoreShape) =>
  Effect.forEach(Projections.allTables, (table) => Effect.map(store.list(table), (rows) => [table, rows] as const))

/** The tables a rebuild into a fresh store gives. */
const rebuilt = Effect.gen(function* () {
  const fresh = yield* MemoryReadModelStore.make
  yield* Projector.rebuild({ batchSize: 2 }).pipe(Effect.provideService(ReadModelStore, fresh))
  return yield* dump(fresh)
})

/** The value of `query` once it satisfies `done`, polling for at most five seconds. */
const eventually = <A, E, R>(query: Effect.Effect<A, E, R>, done: (value: A) => boolean) =>
  query.pipe(
    Effect.filterOrFail(done, () => "not yet"),
    Effect.retry(Schedule.spaced("5 millis")),
    Effect.timeout("5 seconds")
  )

const production = ReadModels.resolveLinked(
  "acme",
  "Golden Datasets",
  "raw_images",
  VersionSelector.alias("production")
)

describe("Projector over the memory EventStore", () => {
  it.effect("catch-up applies each event exactly once, and only what is new", () =>
    Effect.gen(function* () {
      yield* history
      expect(yield* Projector.catchUp({ batchSize: 3 })).toBe(10)
      expect(yield* Projector.catchUp()).toBe(0)
      yield* append("Collection-c-images", [linked(2)], at(5))
      expect(yield* Projector.catchUp()).toBe(1)
      expect(yield* Projector.catchUp()).toBe(0)
      const live = yield* ReadModelStore
      expect(yield* dump(live)).toEqual(yield* rebuilt)
      expect((yield* ReadModels.listVersions("c-images")).latest).toEqual(Option.some(2))
    }).pipe(Effect.provide(stores))
  )

  it.effect("concurrent catch-ups still give the tables of one replay", () =>
    Effect.gen(function* () {
      yield* history
      yield* Effect.all([Projector.catchUp({ batchSize: 1 }), Projector.catchUp({ batchSize: 2 })], {
        concurrency: "unbounded"
      })
      expect(yield* dump(yield* ReadModelStore)).toEqual(yield* rebuilt)
    }).pipe(Effect.provide(stores))
  )

  it.effect("rebuild replays the log into fresh tables, reporting progress, and catch-up continues after it", () =>
    Effect.gen(function* () {
      yield* history
      yield* Projector.catchUp()
      const progress: Array<number> = []
      const replayed = yield* Projector.rebuild({
        batchSize: 4,
        onProgress: (events) => Effect.sync(() => progress.push(events))
      })
      expect(replayed).toBe(10)
      expect(progress).toEqual([4, 8, 10])
      expect(yield* dump(yield* ReadModelStore)).toEqual(yield* rebuilt)
      expect(yield* Projector.catchUp()).toBe(0)
    }).pipe(Effect.provide(stores))
  )

  it.effect("as of a position or a time answers what production pointed at then", () =>
    Effect.gen(function* () {
      const { productionOnV0 } = yield* history
      yield* Projector.catchUp()
      const indexOf = (found: Option.Option<ReadModels.ResolvedLinkedVersion>) =>
        Option.map(found, (resolved) => resolved.version.index)
      expect(indexOf(yield* production)).toEqual(Option.some(1))
      const asOf = (target: Projector.AsOfTarget) => Effect.provide(production, Projector.asOfLayer(target))
      expect(indexOf(yield* asOf({ position: productionOnV0 }))).toEqual(Option.some(0))
      expect(indexOf(yield* asOf({ position: productionOnV0 - 1 }))).toEqual(Option.none())
      expect(indexOf(yield* asOf({ time: at(2) }))).toEqual(Option.some(0))
      expect(indexOf(yield* asOf({ time: "2025-03-03T23:59:59Z" }))).toEqual(Option.some(0))
      expect(indexOf(yield* asOf({ time: at(4) }))).toEqual(Option.some(1))
      expect(indexOf(yield* asOf({ time: "2025-03-01" }))).toEqual(Option.none())
      const feed = yield* Effect.provide(
        ReadModels.history({ collectionId: "c-images" }),
        Projector.asOfLayer({ time: at(3) })
      )
      expect(feed.map((row) => row.type)).toEqual([
        "CollectionCreated",
        "ArtifactLinked",
        "AliasAssigned",
        "ArtifactLinked"
      ])
    }).pipe(Effect.provide(stores))
  )

  it.effect("events of other types only move the checkpoint; an undecodable event is a typed failure", () =>
    Effect.gen(function* () {
      const events = yield* EventStore
      yield* events.append(
        "Other-1",
        [
          {
            eventId: randomUUID(),
            type: "SomethingElse",
            schemaVersion: 1,
            data: {},
            metadata: { actor: "x", recordedAt: at(1) }
          }
        ],
        "any"
      )
      expect(yield* Projector.catchUp()).toBe(1)
      expect(yield* (yield* ReadModelStore).list("audit")).toEqual([])
      expect((yield* (yield* ReadModelStore).checkpoint).globalPosition).toBe(1)
      yield* events.append(
        "Collection-c-broken",
        [
          {
            eventId: randomUUID(),
            type: "ArtifactLinked",
            schemaVersion: 1,
            data: { index: "v0" },
            metadata: { actor: "x", recordedAt: at(1) }
          }
        ],
        "any"
      )
      const error = yield* Effect.flip(Projector.catchUp())
      expect(error._tag).toBe("UndecodableEvent")
      expect((yield* (yield* ReadModelStore).checkpoint).globalPosition).toBe(1)
    }).pipe(Effect.provide(stores))
  )

  it.scopedLive(
    "follow keeps the read models current as events arrive",
    () =>
      Effect.gen(function* () {
        const follower = yield* Effect.forkScoped(Projector.follow({ pollMillis: 5_000 }))
        yield* history
        const productionIndex = production.pipe(Effect.map(Option.map((resolved) => resolved.version.index)))
        expect(yield* eventually(productionIndex, Option.contains(1))).toEqual(Option.some(1))
        yield* append("Collection-c-images", [linked(2)], at(5))
        const latest = Effect.map(ReadModels.listVersions("c-images"), (versions) => versions.latest)
        expect(yield* eventually(latest, Option.contains(2))).toEqual(Option.some(2))
        yield* Fiber.interrupt(follower)
      }).pipe(Effect.provide(stores)),
    15_000
  )
})
