/**
 * A rebuild beside the log (versions logged and linked projected in SQL, the rest by the domain) against the plain
 * rebuild and the incrementally caught-up read models, on random histories the deciders wrote; and against the plain
 * rebuild on histories the deciders would not write, where it must notice and leave the work to the plain one.
 */
import { expect, it } from "@effect/vitest"
import {
  type EventStoreShape,
  Projections,
  Projector,
  type ReadModelStoreShape,
  type RecordedEvent,
  EventStore,
  ReadModelStore
} from "@registrar/domain"
import { RandomHistory } from "@registrar/domain/testing"
import { MemoryReadModelStore } from "@registrar/adapters-memory"
import { Effect, FastCheck, Option, type Scope } from "effect"
import type pg from "pg"
import type { Database } from "../../src/internal/Database.js"
import * as PgEventStore from "../../src/PgEventStore.js"
import * as PgReadModelStore from "../../src/PgReadModelStore.js"
import { openTransaction } from "./Transactions.js"

/** Every table of a store, in key order, and its checkpoint. */
const dump = (store: ReadModelStoreShape) =>
  Effect.gen(function* () {
    const tables = yield* Effect.forEach(Projections.allTables, (table) =>
      Effect.map(store.list(table), (rows) => [table, rows] as const)
    )
    return { tables, checkpoint: yield* store.checkpoint }
  })

/** Appends recorded events as they were recorded: one append per transaction, with their ids and metadata. */
const appendAll = (store: EventStoreShape, events: ReadonlyArray<RecordedEvent>) =>
  Effect.gen(function* () {
    let run: Array<RecordedEvent> = []
    const flush = Effect.suspend(() => {
      const [first] = run
      if (first === undefined) return Effect.void
      const written = run.map(({ eventId, type, schemaVersion, data, metadata }) => ({
        eventId,
        type,
        schemaVersion,
        data,
        metadata
      }))
      run = []
      return Effect.asVoid(store.append(first.streamId, written, "any"))
    })
    for (const event of events) {
      if (run[0] !== undefined && run[0].transactionId !== event.transactionId) yield* flush
      run.push(event)
    }
    yield* flush
  })

/** The stores of one fresh schema: the log, live read models caught up incrementally, and a store to rebuild. */
const storesOf = (database: Effect.Effect<Database, unknown, Scope.Scope>) =>
  Effect.gen(function* () {
    const db = yield* database
    const events = PgEventStore.make(db)
    // Chunks of 10 positions: several SQL statements, two at a time.
    const live = yield* PgReadModelStore.make(db, { besideLog: true, besideLogChunk: 10 })
    const on = <A, E>(store: ReadModelStoreShape, effect: Effect.Effect<A, E, EventStore | ReadModelStore>) =>
      effect.pipe(Effect.provideService(EventStore, events), Effect.provideService(ReadModelStore, store))
    return { db, events, live, on }
  })

/** The rebuild beside the log, called directly (so that a fallback shows as `None`), and the progress it reported. */
const besideLog = (store: ReadModelStoreShape, progress: Array<number> = []) =>
  store.rebuildBesideLog!({
    project: Projector.batchOf,
    batchSize: 7,
    onProgress: (events) => Effect.sync(() => progress.push(events))
  })

/** The plain rebuild, through `replaceAll`. */
const plain = (store: ReadModelStoreShape): ReadModelStoreShape => {
  const { rebuildBesideLog: _, ...rest } = store
  return rest
}

/** The world the deciders make of `steps`, with the events they recorded. */
const worldOf = (steps: ReadonlyArray<Parameters<ReturnType<typeof RandomHistory.makeWorld>["apply"]>[0]>) => {
  const world = RandomHistory.makeWorld()
  for (const step of steps) world.apply(step)
  return world
}

const History = FastCheck.array(RandomHistory.ActedStep, { minLength: 1, maxLength: 120, size: "max" })

/** A history of the deciders with linked versions, unlinks and patched versions in it (the same every run). */
const richHistory = () => {
  const [steps] = FastCheck.sample(History, { seed: 20261207, numRuns: 1 })
  const world = worldOf(steps!)
  // Enough of everything for the cases below, whatever the generator draws.
  const has = (type: string) => world.events.some((event) => event.type === type)
  return { world, has }
}

/** Runs the suite on fresh schemas of one driver. */
export const nativeRebuildSuite = (database: Effect.Effect<Database, unknown, Scope.Scope>): void => {
  it.scopedLive.prop(
    "on random histories it gives exactly the tables of the plain rebuild and of incremental catch-up",
    { history: History },
    ({ history }) =>
      Effect.gen(function* () {
        const world = worldOf(history)
        const { events, live, on } = yield* storesOf(database)
        yield* appendAll(events, world.events)
        yield* on(live, Projector.catchUp({ batchSize: 13 }))
        const caughtUp = yield* dump(live)
        expect(caughtUp.checkpoint.globalPosition).toBe(world.events.length)

        const progress: Array<number> = []
        expect(yield* besideLog(live, progress)).toEqual(Option.some(world.events.length))
        expect(yield* dump(live)).toEqual(caughtUp)
        expect(progress.at(-1)).toBe(world.events.length)
        expect(progress).toEqual([...progress].sort((a, b) => a - b))
        expect(yield* on(plain(live), Projector.rebuild({ batchSize: 7 }))).toBe(world.events.length)
        expect(yield* dump(live)).toEqual(caughtUp)
        // Catch-up goes on from the rebuild's checkpoint.
        expect(yield* on(live, Projector.catchUp())).toBe(0)
      }).pipe(Effect.scoped),
    { timeout: 120_000, fastCheck: { numRuns: 12 } }
  )

  it.scopedLive.prop(
    "the audit rows read from the log are the rows the domain projects, in every listing, up to the checkpoint",
    { history: History },
    ({ history }) =>
      Effect.gen(function* () {
        const world = worldOf(history)
        const { db, events, live, on } = yield* storesOf(database)
        const memory = yield* MemoryReadModelStore.make
        const half = Math.ceil(world.events.length / 2)
        const same = Effect.gen(function* () {
          const rows = (yield* memory.list("audit")) as ReadonlyArray<Projections.AuditRow>
          expect(yield* live.list("audit")).toEqual(rows)
          const wheres = [
            {},
            ...[...new Set(rows.map((row) => row.actor))].map((actor) => ({ actor })),
            ...rows.flatMap((row) => (row.collectionId === null ? [] : [{ collectionId: row.collectionId }])),
            ...rows.flatMap((row) =>
              row.organization === null || row.registry === null
                ? []
                : [{ organization: row.organization, registry: row.registry }]
            ),
            { type: "ArtifactLinked" },
            { collectionId: "no-such-collection" }
          ].slice(0, 8)
          // Keyset pages of three from the start and from about ten rows' keys spread over the history.
          const stride = Math.max(1, Math.ceil(rows.length / 10))
          const afters = rows.filter((_, n) => n % stride === 0).map((row) => Projections.Key.audit(row))
          for (const where of wheres) {
            expect(yield* live.count("audit", where), JSON.stringify(where)).toBe(yield* memory.count("audit", where))
            for (const descending of [false, true]) {
              for (const after of [undefined, ...afters]) {
                const options = { limit: 3, descending, ...(after === undefined ? {} : { after }) }
                expect(yield* live.list("audit", where, options), JSON.stringify({ where, options })).toEqual(
                  yield* memory.list("audit", where, options)
                )
              }
            }
          }
          for (const row of rows) {
            expect(yield* live.get("audit", Projections.Key.audit(row))).toEqual(Option.some(row))
          }
          expect(yield* live.get("audit", "000000000001/999999999999")).toEqual(Option.none())
        })
        yield* appendAll(events, world.events.slice(0, half))
        yield* on(live, Projector.catchUp({ batchSize: 5 }))
        yield* on(memory, Projector.catchUp({ batchSize: 5 }))
        // Events after the checkpoint are not in the history yet.
        yield* appendAll(events, world.events.slice(half))
        yield* same
        yield* on(live, Projector.catchUp({ batchSize: 5 }))
        yield* on(memory, Projector.catchUp({ batchSize: 5 }))
        yield* same
        // The store keeps no copy of the rows the log serves.
        const [kept] = yield* db.driver.query(
          `SELECT count(*)::int AS n FROM ${db.schema}.rm_audit WHERE type IN ('VersionAssigned', 'ArtifactLinked')`
        )
        expect(kept?.n).toBe(0)
      }).pipe(Effect.scoped),
    { timeout: 120_000, fastCheck: { numRuns: 6 } }
  )

  it.scopedLive("a history the deciders would not write is left to the plain rebuild, which projects it in order", () =>
    Effect.gen(function* () {
      const { world, has } = richHistory()
      expect(["VersionAssigned", "ArtifactLinked"].every(has)).toBe(true)
      const last = (type: string) => [...world.events].reverse().find((event) => event.type === type)!
      const copy = (event: RecordedEvent, data: RecordedEvent["data"] = event.data): RecordedEvent => ({
        ...event,
        eventId: `${event.eventId}-again`,
        data,
        transactionId: world.events.length + 1_000
      })
      const linked = last("ArtifactLinked")
      const assigned = last("VersionAssigned")
      const cases: ReadonlyArray<readonly [string, ReadonlyArray<RecordedEvent>]> = [
        // An index unlinked before anything was linked at it, then linked: the unlink must not remove the link.
        [
          "linked after an unlink of its index",
          [
            copy({ ...linked, type: "ArtifactUnlinked", data: unlinkOf({ ...linked.data, index: 999 }) }),
            {
              ...copy(linked, { ...linked.data, index: 999 }),
              eventId: `${linked.eventId}-third`,
              transactionId: world.events.length + 1_001
            }
          ]
        ],
        // The same version assigned twice: the later one wins.
        ["assigned twice", [copy(assigned, { ...assigned.data, description: "the second" })]],
        // A version patched before it is assigned: the patch finds no row.
        [
          "patched before it is assigned",
          [
            copy({
              ...assigned,
              type: "ArtifactVersionUpdated",
              data: { artifact: artifactKeyOf(assigned.data), index: 999, description: "early", metadata: {} }
            }),
            {
              ...copy(assigned, { ...assigned.data, index: 999 }),
              eventId: `${assigned.eventId}-third`,
              transactionId: world.events.length + 1_001
            }
          ]
        ]
      ]
      for (const [name, extra] of cases) {
        const { events, live, on } = yield* storesOf(database)
        yield* appendAll(events, [...world.events, ...extra])
        yield* on(live, Projector.catchUp({ batchSize: 13 }))
        const caughtUp = yield* dump(live)
        expect(yield* besideLog(live), name).toEqual(Option.none())
        // Nothing changed, and the rebuild through the projector falls back to the plain one.
        expect(yield* dump(live), name).toEqual(caughtUp)
        expect(yield* on(live, Projector.rebuild()), name).toBe(world.events.length + extra.length)
        expect(yield* dump(live), name).toEqual(caughtUp)
        const fresh = yield* live.list(Projections.Table.audit)
        expect(fresh.length, name).toBe(world.events.length + extra.length)
      }
    }).pipe(Effect.scoped)
  )

  it.scopedLive("a rebuild that fails in SQL keeps the live read models and leaves no fresh tables", () =>
    Effect.gen(function* () {
      const { world } = richHistory()
      const { db, events, live, on } = yield* storesOf(database)
      yield* appendAll(events, world.events)
      yield* on(live, Projector.catchUp())
      const caughtUp = yield* dump(live)
      // A linked version recorded at a time that is not one: the SQL projection cannot cast it.
      const linked = [...world.events].reverse().find((event) => event.type === "ArtifactLinked")!
      yield* appendAll(events, [
        {
          ...linked,
          eventId: "broken",
          data: { ...linked.data, index: 999 },
          metadata: { ...linked.metadata, recordedAt: "not a time" },
          transactionId: 1e6
        }
      ])
      const failed = yield* Effect.flip(besideLog(live))
      expect(failed._tag).toBe("StoreUnavailable")
      expect(yield* dump(live)).toEqual(caughtUp)
      expect(yield* freshTables(db)).toEqual([])
    }).pipe(Effect.scoped)
  )
}

/** Names of a schema's fresh tables left behind. */
const freshTables = (db: Database) =>
  db.driver.query(`SELECT tablename FROM pg_tables WHERE schemaname = $1 AND tablename LIKE '%\\_\\_rebuild'`, [
    db.schemaName
  ])

/** The data of an `ArtifactUnlinked` of the version an `ArtifactLinked` linked. */
const unlinkOf = (linked: RecordedEvent["data"]): RecordedEvent["data"] => {
  const { organization, registry, collectionId, index, source } = linked
  return { organization, registry, collectionId, index, source } as RecordedEvent["data"]
}

/** `entity/project/name` of a `VersionAssigned`. */
const artifactKeyOf = (assigned: RecordedEvent["data"]): string =>
  `${String(assigned.entity)}/${String(assigned.project)}/${String(assigned.name)}`

/**
 * On a server: a transaction open when the rebuild starts fixes its horizon. The rebuild projects only the events
 * below it; what that transaction and later ones commit is caught up after the swap, in feed order, to exactly the
 * plain rebuild's tables.
 */
export const horizonTest = (
  server: Effect.Effect<{ readonly database: Database; readonly pool: pg.Pool }, unknown, Scope.Scope>
): void => {
  it.scopedLive(
    "events of a transaction open across the rebuild, and those after it, are caught up after the swap",
    () =>
      Effect.gen(function* () {
        const { world } = richHistory()
        const { database, pool } = yield* server
        const { events, live, on } = yield* storesOf(Effect.succeed(database))
        const transactions = [...new Set(world.events.map((event) => event.transactionId))]
        const split = transactions[Math.floor(transactions.length / 2)]!
        const before = world.events.filter((event) => event.transactionId < split)
        const after = world.events.filter((event) => event.transactionId >= split)
        yield* appendAll(events, before)

        // A version of an artifact of its own, logged in a transaction that stays open: the horizon.
        const assigned = before.find((event) => event.type === "VersionAssigned")!
        const { entity, project } = assigned.data as Record<string, string>
        const open = yield* openTransaction(database, pool)
        yield* open.append(
          `Artifact-${entity}/${project}/held-open`,
          [
            {
              eventId: "held-open",
              type: assigned.type,
              schemaVersion: assigned.schemaVersion,
              data: { ...assigned.data, name: "held-open", index: 0 },
              metadata: assigned.metadata
            }
          ],
          "any"
        )
        yield* appendAll(events, after)

        expect(yield* besideLog(live)).toEqual(Option.some(before.length))
        expect((yield* live.list(Projections.Table.audit)).length).toBe(before.length)
        yield* open.commit
        expect(yield* on(live, Projector.catchUp())).toBe(after.length + 1)
        const caughtUp = yield* dump(live)
        expect(yield* on(plain(live), Projector.rebuild())).toBe(world.events.length + 1)
        expect(yield* dump(live)).toEqual(caughtUp)
        expect(caughtUp.tables.find(([table]) => table === Projections.Table.artifactVersions)?.[1]).toContainEqual(
          expect.objectContaining({ name: "held-open" })
        )
      }).pipe(Effect.scoped)
  )
}
