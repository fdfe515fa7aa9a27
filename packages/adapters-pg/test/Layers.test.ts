/**
 * The public API: layers that provide the three stores and run migrations on start, `migrate` on its own, schema
 * names, and typed errors for a server that cannot be reached.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { PGlite } from "@electric-sql/pglite"
import { describe, expect, it } from "@effect/vitest"
import { EventStore, ReadModelStore, SnapshotStore } from "@registrar/domain"
import { newEvent } from "@registrar/domain/testing"
import { Effect, Either, Layer, Option } from "effect"
import { migrate, migrations, PgStore } from "../src/index.js"
import { createPglite } from "./support/FreshCluster.js"
import { freshSchemaName } from "./support/Schemas.js"
import { databaseUrl, describeServer, dropSchema, testPool } from "./support/Server.js"

const useStores = Effect.gen(function* () {
  const events = yield* EventStore
  const readModels = yield* ReadModelStore
  const snapshots = yield* SnapshotStore
  return { events, readModels, snapshots }
})

describe("PgStore on PGlite", () => {
  it.scopedLive("a data directory keeps its events across layers, and migrations run once", () =>
    Effect.gen(function* () {
      const dataDir = mkdtempSync(join(tmpdir(), "registrar-pglite-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(dataDir, { recursive: true, force: true })))
      yield* Effect.promise(() => createPglite(dataDir).then((fresh) => fresh.close()))
      const event = newEvent("Kept", { value: 1 })
      yield* Effect.provide(
        Effect.gen(function* () {
          const { events, snapshots } = yield* useStores
          yield* events.append("kept", [event], "no_stream")
          yield* snapshots.save({ streamId: "kept", version: 1, schemaVersion: 1, state: { value: 1 } })
        }),
        PgStore.layerPglite({ dataDir })
      )

      const client = yield* Effect.acquireRelease(
        Effect.promise(() => PGlite.create(dataDir)),
        (db) => Effect.promise(() => db.close())
      )
      expect(yield* migrate({ client })).toEqual([])
      const reopened = yield* Effect.provide(
        Effect.gen(function* () {
          const { events, snapshots } = yield* useStores
          return { stored: yield* events.readStream("kept"), snapshot: yield* snapshots.load("kept") }
        }),
        PgStore.layerPglite({ client })
      )
      expect(reopened.stored.map((e) => e.eventId)).toEqual([event.eventId])
      expect(Option.getOrThrow(reopened.snapshot).state).toEqual({ value: 1 })
      const other = yield* migrate({ client, schema: "second_registry" })
      expect(other.map((migration) => migration.version)).toEqual(migrations.map((migration) => migration.version))
    })
  )

  it.effect("a schema name that is not a plain identifier is refused with StoreUnavailable", () =>
    Effect.gen(function* () {
      const failed = yield* Effect.either(
        Layer.build(PgStore.layerPglite({ schema: 'bad"; DROP' })).pipe(Effect.scoped)
      )
      const error = Either.flip(failed).pipe(Either.getOrThrow)
      expect(error._tag).toBe("StoreUnavailable")
      expect(error.message).toContain("schema name")
    })
  )
})

describeServer("PgStore", () => {
  it.scopedLive("layer(url) provides the stores and migrates on start; migrate afterwards applies nothing", () =>
    Effect.gen(function* () {
      const schema = freshSchemaName()
      yield* Effect.addFinalizer(() => dropSchema(schema))
      const url = databaseUrl ?? ""
      const version = yield* Effect.provide(
        Effect.gen(function* () {
          const { events, readModels } = yield* useStores
          const result = yield* events.append("layered", [newEvent()], "no_stream")
          yield* readModels.apply({ changes: [], checkpoint: result.checkpoint })
          return yield* events.streamVersion("layered")
        }),
        PgStore.layer({ url, schema, poolSize: 2 })
      )
      expect(version).toBe(1)
      expect(yield* migrate({ url, schema })).toEqual([])
    })
  )

  it.scopedLive("concurrent starters on a fresh schema migrate it exactly once", () =>
    Effect.gen(function* () {
      const schema = freshSchemaName()
      yield* Effect.addFinalizer(() => dropSchema(schema))
      const pool = yield* testPool(8)
      const applied = yield* Effect.all(
        Array.from({ length: 6 }, () => migrate({ pool, schema })),
        { concurrency: "unbounded" }
      )
      expect(applied.filter((list) => list.length === migrations.length).length).toBe(1)
      expect(applied.filter((list) => list.length === 0).length).toBe(5)
      const stores = yield* Effect.provide(useStores, PgStore.layerPool({ pool, schema }))
      expect(yield* stores.events.streamVersion("nothing")).toBe(0)
    })
  )

  it.live("an unreachable server fails the layer with StoreUnavailable naming the cause", () =>
    Effect.gen(function* () {
      const failed = yield* Effect.either(
        Layer.build(PgStore.layer({ url: "postgres://postgres@127.0.0.1:1/test", connectTimeoutMillis: 2_000 })).pipe(
          Effect.scoped
        )
      )
      const error = Either.flip(failed).pipe(Either.getOrThrow)
      expect(error._tag).toBe("StoreUnavailable")
      expect(error.message).toContain("ECONNREFUSED")
    })
  )
})
