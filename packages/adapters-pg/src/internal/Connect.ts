/**
 * Opening and closing what the layers run on: a `pg` pool for a connection URL, a PGlite instance for a data
 * directory (or in memory), and the {@link Database} of a schema on either, with its migrations applied.
 */
import { PGlite } from "@electric-sql/pglite"
import { StoreUnavailable } from "@registrar/domain"
import { Effect, type Scope } from "effect"
import pg from "pg"
import { type Database, defaultSchema, inProcess, schemaNamePattern } from "./Database.js"
import { toSqlFailure, toUnavailable } from "./Driver.js"
import { runMigrations } from "./MigrationRunner.js"
import * as PgliteDriver from "./PgliteDriver.js"
import * as ServerDriver from "./ServerDriver.js"
import * as ServerNotifications from "./ServerNotifications.js"

/** Checks a configured schema name (default `registrar`). */
export const schemaName = (schema: string | undefined): Effect.Effect<string, StoreUnavailable> => {
  const name = schema ?? defaultSchema
  return schemaNamePattern.test(name)
    ? Effect.succeed(name)
    : Effect.fail(
        new StoreUnavailable({
          operation: "configure",
          detail: `schema name "${name}" must be lowercase letters, digits and _ (at most 40, not starting with a digit)`
        })
      )
}

/** A pool for `url`, ended when the scope closes; connections open lazily, so a bad server shows up on first use. */
export const openPool = (options: {
  readonly url: string
  readonly poolSize?: number | undefined
  readonly connectTimeoutMillis?: number | undefined
}): Effect.Effect<pg.Pool, StoreUnavailable, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.try({
      try: () =>
        new pg.Pool({
          connectionString: options.url,
          max: options.poolSize ?? 10,
          connectionTimeoutMillis: options.connectTimeoutMillis ?? 10_000
        }),
      catch: (cause) => toUnavailable("connect")(toSqlFailure(cause))
    }),
    (pool) => Effect.promise(() => pool.end().catch(() => undefined))
  )

/** A PGlite instance on `dataDir` (in memory when undefined), closed when the scope closes. */
export const openPglite = (dataDir: string | undefined): Effect.Effect<PGlite, StoreUnavailable, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: () => (dataDir === undefined ? PGlite.create() : PGlite.create(dataDir)),
      catch: (cause) => toUnavailable("open PGlite")(toSqlFailure(cause))
    }),
    (database) => Effect.promise(() => database.close().catch(() => undefined))
  )

/** The server database of `schema` on `pool`: migrated, with LISTEN/NOTIFY running until the scope closes. */
export const serverDatabase = (
  pool: pg.Pool,
  schema: string | undefined
): Effect.Effect<Database, StoreUnavailable, Scope.Scope> =>
  Effect.gen(function* () {
    const name = yield* schemaName(schema)
    const driver = ServerDriver.make(pool)
    const applied = yield* Effect.mapError(runMigrations(driver, name), toUnavailable("migrate"))
    const database = yield* ServerNotifications.make(pool, driver, name)
    return { ...database, migrated: applied.map((migration) => migration.version) }
  })

/** The PGlite database of `schema`: migrated, with appends announced in process. */
export const pgliteDatabase = (
  database: PGlite,
  schema: string | undefined
): Effect.Effect<Database, StoreUnavailable> =>
  Effect.gen(function* () {
    const name = yield* schemaName(schema)
    const driver = yield* PgliteDriver.make(database)
    const applied = yield* Effect.mapError(runMigrations(driver, name), toUnavailable("migrate"))
    return { ...inProcess(driver, name), migrated: applied.map((migration) => migration.version) }
  })
