/**
 * Migration 13 on a store made by the previous code: a schema at migration 12 holding a random history and its read
 * models in the generic `read_model_rows` (as the old projector wrote them), opened by the new code, answers every
 * read-model query as the in-memory read models of the same events do, and the generic table is gone.
 */
import { expect, it } from "@effect/vitest"
import {
  EventStore,
  InMemoryTables,
  Projections,
  Projector,
  ReadModelStore,
  type ReadModelStoreShape,
  type RecordedEvent,
  type Row
} from "@registrar/domain"
import { RandomHistory } from "@registrar/domain/testing"
import { Effect, Either, FastCheck, Layer, type Scope } from "effect"
import type { Driver } from "../../src/internal/Driver.js"
import { migrations } from "../../src/internal/MigrationRunner.js"
import * as PgEventStore from "../../src/PgEventStore.js"
import type { Stores } from "../../src/PgStore.js"
import { inProcess, quote } from "../../src/internal/Database.js"

/** What a migration test needs of one driver: a raw driver on a fresh schema, and the stores' layer on it. */
export interface MigrationSubject {
  readonly driver: Driver
  readonly schemaName: string
  /** The layer of the new code on the same schema (it runs the pending migrations). */
  readonly open: Layer.Layer<Stores, unknown>
}

/** Applies migrations 1–12 only, as the previous release did. */
const migrateTo12 = (driver: Driver, schemaName: string) =>
  Effect.gen(function* () {
    const s = quote(schemaName)
    yield* driver.execute(
      `CREATE SCHEMA ${s};
       CREATE TABLE ${s}.schema_migrations (version integer PRIMARY KEY, name text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now());`
    )
    for (const migration of migrations.filter((migration) => migration.version <= 12)) {
      yield* driver.execute(migration.sql(s))
      yield* driver.query(`INSERT INTO ${s}.schema_migrations (version, name) VALUES ($1, $2)`, [
        migration.version,
        migration.name
      ])
    }
  })

/** The answers compared: every table in key order, filtered by each filtered field, keyset pages, counts. */
const answers = (store: ReadModelStoreShape) =>
  Effect.gen(function* () {
    const result: Record<string, unknown> = { checkpoint: yield* store.checkpoint }
    for (const table of Projections.allTables) {
      const rows = yield* store.list(table)
      result[table] = rows
      result[`${table} descending 3`] = yield* store.list(table, undefined, { descending: true, limit: 3 })
      for (const field of Projections.indexedFields[table] ?? []) {
        const value = rows.find((row) => typeof row[field] === "string")?.[field]
        if (typeof value !== "string") continue
        result[`${table} ${field}=${value}`] = yield* store.list(table, { [field]: value })
        result[`${table} count ${field}=${value}`] = yield* store.count(table, { [field]: value })
      }
    }
    return result
  })

/** A random history of `steps` commands (fixed seed), as recorded events. */
const history = (steps: number): ReadonlyArray<RecordedEvent> => {
  const world = RandomHistory.makeWorld()
  for (const step of FastCheck.sample(RandomHistory.ActedStep, { numRuns: steps, seed: 13 })) world.apply(step)
  return world.events
}

/** Runs the migration test on the subjects `subject` makes (fresh, empty schemas). */
export const readModelMigrationSuite = (subject: Effect.Effect<MigrationSubject, unknown, Scope.Scope>): void => {
  it.scopedLive("a store at migration 12 opened by the new code answers as its events say, without the old table", () =>
    Effect.gen(function* () {
      const { driver, schemaName, open } = yield* subject
      const s = quote(schemaName)
      yield* migrateTo12(driver, schemaName)
      // The old code's store: its events, and read models projected from them into read_model_rows.
      const events = PgEventStore.make(inProcess(driver, schemaName))
      let transaction: Array<RecordedEvent> = []
      const flush = Effect.suspend(() => {
        const run = transaction
        transaction = []
        const newEvents = run.map(({ eventId, type, schemaVersion, data, metadata }) => ({
          eventId,
          type,
          schemaVersion,
          data,
          metadata
        }))
        return run[0] === undefined ? Effect.void : Effect.asVoid(events.append(run[0].streamId, newEvents, "any"))
      })
      for (const event of history(400)) {
        if (transaction[0] !== undefined && transaction[0].transactionId !== event.transactionId) yield* flush
        transaction.push(event)
      }
      yield* flush
      const stored = yield* events.readAll({ after: { transactionId: 0, globalPosition: 0 }, limit: 100_000 })
      expect(stored.length).toBeGreaterThan(200)
      const tables: InMemoryTables.Tables = new Map()
      InMemoryTables.applyChanges(tables, Either.getOrThrow(Projector.changesOf(stored)))
      const old: Array<{ t: string; k: string; v: Row }> = []
      for (const [table, rows] of tables) for (const [key, row] of rows) old.push({ t: table, k: key, v: row })
      yield* driver.query(
        `INSERT INTO ${s}.read_model_rows (table_name, row_key, row_value)
         SELECT x.t, x.k, x.v FROM jsonb_to_recordset($1::jsonb) AS x(t text, k text, v jsonb)`,
        [JSON.stringify(old)]
      )
      const last = stored[stored.length - 1]!
      yield* driver.query(`UPDATE ${s}.read_model_checkpoint SET transaction_id = $1, global_position = $2`, [
        last.transactionId,
        last.globalPosition
      ])
      const memory = InMemoryTables.make()
      yield* Projector.catchUp().pipe(
        Effect.provideService(EventStore, events),
        Effect.provideService(ReadModelStore, memory)
      )

      const migrated = yield* Effect.scoped(
        Layer.build(open).pipe(
          Effect.flatMap((context) =>
            Effect.gen(function* () {
              const store = yield* ReadModelStore
              // Opening rebuilt the read models: they are current before any read catches up.
              expect(yield* store.checkpoint).toEqual({
                transactionId: last.transactionId,
                globalPosition: last.globalPosition
              })
              return yield* answers(store)
            }).pipe(Effect.provide(context))
          )
        )
      )
      expect(migrated).toEqual(yield* answers(memory))
      // The history fills every table, so every column is compared.
      expect(Projections.allTables.filter((table) => (migrated[table] as ReadonlyArray<Row>).length === 0)).toEqual([])
      const left = yield* driver.query(
        `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = $1 AND tablename LIKE 'read_model_rows%'`,
        [schemaName]
      )
      expect(left[0]?.n).toBe(0)
      // Every migration ran, the typed tables' (13) and those after it.
      const versions = yield* driver.query(`SELECT max(version)::int AS v FROM ${s}.schema_migrations`)
      expect(versions[0]?.v).toBe(Math.max(...migrations.map((migration) => migration.version)))
    })
  )
}
