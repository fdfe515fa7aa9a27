/**
 * Tests that need a PostgreSQL server: they read DATABASE_URL and are skipped where it is not set, except in CI
 * (CI set), where a missing server fails the run. Each test works in a fresh schema dropped afterwards.
 */
import { describe, it } from "@effect/vitest"
import type { StoreUnavailable } from "@registrar/domain"
import { Effect, type Scope } from "effect"
import pg from "pg"
import { openPool, serverDatabase } from "../../src/internal/Connect.js"
import type { Database } from "../../src/internal/Database.js"
import { freshSchemaName } from "./Schemas.js"

/** The server the tests use, when configured. */
export const databaseUrl: string | undefined = process.env.DATABASE_URL

/** `describe` for tests that need a server; the suite's name ends with "(PostgreSQL server)". */
export const describeServer = (name: string, body: () => void): void => {
  const title = `${name} (PostgreSQL server)`
  if (databaseUrl !== undefined && databaseUrl !== "") describe(title, body)
  else if (process.env.CI) {
    describe(title, () => {
      it("has a server to run against", () => {
        throw new Error("DATABASE_URL is not set: CI must run the PostgreSQL server tests against a live server")
      })
    })
  } else describe.skip(title, body)
}

const requireUrl = (): string => {
  if (databaseUrl === undefined || databaseUrl === "") throw new Error("DATABASE_URL is not set")
  return databaseUrl
}

/** A pool on the test server, ended with the scope. */
export const testPool = (poolSize = 16): Effect.Effect<pg.Pool, StoreUnavailable, Scope.Scope> =>
  openPool({ url: requireUrl(), poolSize, connectTimeoutMillis: 5_000 })

/** Drops `schema` (and everything in it) with a short-lived connection. */
export const dropSchema = (schema: string): Effect.Effect<void> =>
  Effect.promise(async () => {
    const client = new pg.Client({ connectionString: requireUrl() })
    client.on("error", () => {})
    try {
      await client.connect()
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    } catch {
      // best effort: a test that restarts the server may leave it briefly unreachable
    } finally {
      await client.end().catch(() => undefined)
    }
  })

/** A migrated database in a fresh schema of the test server, with its own pool; dropped when the scope closes. */
export const freshServerDatabase = (
  poolSize = 16
): Effect.Effect<{ readonly database: Database; readonly pool: pg.Pool }, unknown, Scope.Scope> =>
  Effect.gen(function* () {
    const schema = freshSchemaName()
    yield* Effect.addFinalizer(() => dropSchema(schema))
    const pool = yield* testPool(poolSize)
    const database = yield* serverDatabase(pool, schema)
    return { database, pool }
  })
