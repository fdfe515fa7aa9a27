/**
 * One in-memory PGlite per test file (started from the fresh-cluster tarball), closed after the file; each test
 * works in a fresh schema dropped afterwards.
 */
import type { PGlite } from "@electric-sql/pglite"
import { afterAll } from "@effect/vitest"
import { Effect, type Scope } from "effect"
import { pgliteDatabase } from "../../src/internal/Connect.js"
import type { Database } from "../../src/internal/Database.js"
import { createPglite } from "./FreshCluster.js"
import { freshSchemaName } from "./Schemas.js"

let shared: Promise<PGlite> | undefined

/** The file's PGlite instance, started on first use. */
export const sharedPglite = (): Effect.Effect<PGlite> =>
  Effect.promise(() => {
    shared ??= createPglite()
    return shared
  })

afterAll(async () => {
  if (shared !== undefined) await (await shared).close()
})

/** A migrated database in a fresh schema of the shared PGlite; dropped when the scope closes. */
export const freshPgliteDatabase = (): Effect.Effect<Database, unknown, Scope.Scope> =>
  Effect.gen(function* () {
    const client = yield* sharedPglite()
    const schema = freshSchemaName()
    const database = yield* pgliteDatabase(client, schema)
    yield* Effect.addFinalizer(() => Effect.ignore(database.driver.execute(`DROP SCHEMA "${schema}" CASCADE`)))
    return database
  })
