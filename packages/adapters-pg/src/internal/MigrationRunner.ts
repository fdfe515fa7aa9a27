/**
 * Applies the migrations a schema has not seen yet, in version order, inside one transaction that holds a
 * per-schema advisory lock: concurrent starters wait for each other and then find nothing left to do.
 */
import { Effect } from "effect"
import { quote } from "./Database.js"
import type { Driver, SqlFailure } from "./Driver.js"
import {
  appendFunction,
  artifactLinkedIndexes,
  automationTables,
  partialReadModelIndexes,
  appendFunctionPlanningIdProbe,
  appendFunctionSkippingIdempotencyCheck,
  appendGroupFunction,
  auditBesideLog,
  appendManyFunction,
  blobTables,
  eventStoreTables,
  keyedChain,
  readModelIndexedFields,
  readModelTables,
  readModelTypedTables,
  snapshotTable
} from "./MigrationScripts.js"

/** One versioned step of the schema. */
export interface Migration {
  readonly version: number
  readonly name: string
  /** The SQL script, given the quoted schema name. */
  readonly sql: (schema: string) => string
}

/** Every migration, in the order they apply. */
export const migrations: ReadonlyArray<Migration> = [
  { version: 1, name: "event store tables", sql: eventStoreTables },
  { version: 2, name: "append function", sql: appendFunction },
  { version: 3, name: "read model tables", sql: readModelTables },
  { version: 4, name: "snapshot table", sql: snapshotTable },
  {
    version: 5,
    name: "append function: idempotency check only for known event ids",
    sql: appendFunctionSkippingIdempotencyCheck
  },
  { version: 6, name: "group append function", sql: appendGroupFunction },
  { version: 7, name: "read model rows: index only the indexed fields", sql: readModelIndexedFields },
  { version: 8, name: "append function: plan the event-id probe on every call", sql: appendFunctionPlanningIdProbe },
  { version: 9, name: "multi-stream append function", sql: appendManyFunction },
  {
    version: 10,
    name: "keyed chains: chain_hash, chain_settings, append function reading the chain key",
    sql: keyedChain
  },
  { version: 11, name: "blob tables: artifact file contents in chunks", sql: blobTables },
  { version: 12, name: "indexes of ArtifactLinked events by version index and by source", sql: artifactLinkedIndexes },
  { version: 13, name: "read models as typed tables, rebuilt from the log", sql: readModelTypedTables },
  { version: 14, name: "automations: the dispatcher's checkpoint and leases", sql: automationTables },
  {
    version: 15,
    name: "read-model indexes of optional fields hold only the rows that have them",
    sql: partialReadModelIndexes
  },
  { version: 16, name: "audit rows of versions logged and linked read from the events table", sql: auditBesideLog }
]

/**
 * Whether every migration is recorded already: one query, no lock, no transaction. It only ever answers yes for an
 * up-to-date schema (a missing schema or table fails the query, and that answers no), so starting against a current
 * schema, which is nearly every start, skips the locked transaction.
 */
const upToDate = (driver: Driver, schemaName: string): Effect.Effect<boolean> =>
  driver.query(`SELECT version FROM ${quote(schemaName)}.schema_migrations`).pipe(
    Effect.map((rows) => {
      const applied = new Set(rows.map((row) => Number(row.version)))
      return migrations.every((migration) => applied.has(migration.version))
    }),
    Effect.orElseSucceed(() => false)
  )

/** Brings `schemaName` up to date; returns the migrations applied now (empty when it already was). */
export const runMigrations = (
  driver: Driver,
  schemaName: string
): Effect.Effect<ReadonlyArray<Migration>, SqlFailure> =>
  Effect.flatMap(upToDate(driver, schemaName), (current) =>
    current ? Effect.succeed([]) : migrateLocked(driver, schemaName)
  )

const migrateLocked = (driver: Driver, schemaName: string): Effect.Effect<ReadonlyArray<Migration>, SqlFailure> =>
  driver.transaction((connection) =>
    Effect.gen(function* () {
      const s = quote(schemaName)
      yield* connection.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [
        `registrar.migrate.${schemaName}`
      ])
      yield* connection.execute(
        `CREATE SCHEMA IF NOT EXISTS ${s};
         CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (
           version integer PRIMARY KEY,
           name text NOT NULL,
           applied_at timestamptz NOT NULL DEFAULT now()
         );`
      )
      const rows = yield* connection.query(`SELECT version FROM ${s}.schema_migrations`)
      const applied = new Set(rows.map((row) => Number(row.version)))
      const pending = migrations.filter((migration) => !applied.has(migration.version))
      for (const migration of pending) {
        yield* connection.execute(migration.sql(s))
        yield* connection.query(`INSERT INTO ${s}.schema_migrations (version, name) VALUES ($1, $2)`, [
          migration.version,
          migration.name
        ])
      }
      return pending
    })
  )
