/**
 * The stores the server tests run on: memory, embedded PGlite (in memory) and the PostgreSQL server of
 * DATABASE_URL in a fresh schema dropped afterwards. Server suites are skipped without DATABASE_URL, except in CI.
 */
import { describe, it } from "@effect/vitest"
import * as MemoryStores from "@registrar/adapters-memory"
import { PgStore } from "@registrar/adapters-pg"
import { Effect, Layer } from "effect"
import pg from "pg"

/** The PostgreSQL server the tests use, when configured. */
export const databaseUrl: string | undefined = process.env.DATABASE_URL

/** `describe` for tests that need a PostgreSQL server; the name ends with "(PostgreSQL server)". */
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

let counter = 0

/** A schema name no other test uses. */
export const freshSchemaName = (): string => {
  counter += 1
  return `srv_${process.pid}_${Date.now().toString(36)}_${counter}`
}

/** Drops a schema of the test server (best effort). */
export const dropSchema = (schema: string): Effect.Effect<void> =>
  Effect.promise(async () => {
    const client = new pg.Client({ connectionString: databaseUrl })
    client.on("error", () => {})
    try {
      await client.connect()
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    } catch {
      // best effort
    } finally {
      await client.end().catch(() => undefined)
    }
  })

/** In-memory stores. */
export const memory = MemoryStores.layer

/** Embedded PGlite, in memory. */
export const pglite = PgStore.layerPglite({})

/** The PostgreSQL server, in a fresh schema dropped when the layer is released. */
export const postgres = Layer.unwrapScoped(
  Effect.gen(function* () {
    const schema = freshSchemaName()
    yield* Effect.addFinalizer(() => dropSchema(schema))
    return PgStore.layer({ url: databaseUrl ?? "", schema, poolSize: 8 })
  })
)
