/**
 * Versioned, idempotent migrations of a Registrar schema: the event store, the read-model rows and checkpoint,
 * and snapshots. The layers run them on start; `migrate` runs them alone, for a CLI command or a deploy step.
 */
import type { PGlite } from "@electric-sql/pglite"
import type { StoreUnavailable } from "@registrar/domain"
import { Effect } from "effect"
import type pg from "pg"
import { openPglite, openPool, schemaName } from "./internal/Connect.js"
import { toUnavailable } from "./internal/Driver.js"
import { type Migration, migrations, runMigrations } from "./internal/MigrationRunner.js"
import * as PgliteDriver from "./internal/PgliteDriver.js"
import * as ServerDriver from "./internal/ServerDriver.js"

export { type Migration, migrations }

/** Where to migrate: a server by URL or pool, or PGlite by data directory (in memory when omitted) or instance. */
export type MigrateTarget = (
  | { readonly url: string }
  | { readonly pool: pg.Pool }
  | { readonly client: PGlite }
  | { readonly dataDir?: string }
) & {
  /** The schema to bring up to date (default `registrar`). */
  readonly schema?: string
}

/** Brings a schema up to date and returns the migrations applied now (none when it already was). */
export const migrate = (target: MigrateTarget): Effect.Effect<ReadonlyArray<Migration>, StoreUnavailable> =>
  Effect.scoped(
    Effect.gen(function* () {
      const name = yield* schemaName(target.schema)
      const driver =
        "url" in target
          ? ServerDriver.make(yield* openPool({ url: target.url, poolSize: 1 }))
          : "pool" in target
            ? ServerDriver.make(target.pool)
            : yield* PgliteDriver.make("client" in target ? target.client : yield* openPglite(target.dataDir))
      return yield* Effect.mapError(runMigrations(driver, name), toUnavailable("migrate"))
    })
  )
