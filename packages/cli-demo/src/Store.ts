/**
 * Picks the store a command runs on: embedded PGlite in the data directory (the default, created on first use, held by
 * one process at a time), a PostgreSQL server (`--database-url`), or a throwaway
 * memory store (`--memory`). Each adapter is imported only when it is used.
 */
import type { PGlite } from "@electric-sql/pglite"
import { type EventStore, type ReadModelStore, type SnapshotStore, StoreUnavailable } from "@registrar/domain"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type { StoreLocation } from "./Common.js"
import { StoreBusy } from "./Errors.js"
import * as PgliteStart from "./PgliteStart.js"

/** The ports every store provides. */
export type Stores = EventStore | ReadModelStore | SnapshotStore

const openFailure =
  (dataDir: string) =>
  (failure: unknown): StoreBusy | StoreUnavailable => {
    const reason = failure as PgliteStart.OpenFailure
    return reason._tag === "Busy"
      ? new StoreBusy({ dataDir, pid: reason.pid })
      : new StoreUnavailable({ operation: "open PGlite", detail: `${dataDir}: ${reason.message ?? String(failure)}` })
  }

/** PGlite on `dataDir/db` (the one `main` started opening, when it guessed this directory). */
const openPglite = (dataDir: string): Effect.Effect<PGlite, StoreBusy | StoreUnavailable, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => PgliteStart.take(dataDir) ?? PgliteStart.open(dataDir)),
    (opening) => Effect.promise(() => opening.close())
  ).pipe(Effect.flatMap((opening) => Effect.tryPromise({ try: () => opening.database, catch: openFailure(dataDir) })))

const schemaOption = (where: StoreLocation) => (where.schema === undefined ? {} : { schema: where.schema })

/** The stores at `where`, opened when the layer is built and closed (and unlocked) when it is released. */
export const layer = (where: StoreLocation): Layer.Layer<Stores, StoreUnavailable | StoreBusy> => {
  switch (where.kind) {
    case "memory":
      return Layer.unwrapEffect(
        Effect.map(
          Effect.promise(() => import("@registrar/adapters-memory")),
          (memory) => memory.layer
        )
      )
    case "server":
      return Layer.unwrapEffect(
        Effect.map(
          Effect.promise(() => import("@registrar/adapters-pg")),
          ({ PgStore }) =>
            PgStore.layer({
              url: where.databaseUrl ?? "",
              poolSize: 4,
              connectTimeoutMillis: 5_000,
              ...schemaOption(where)
            })
        )
      )
    case "pglite":
      return Layer.unwrapScoped(
        Effect.gen(function* () {
          // The adapter loads while PGlite is still compiling its WebAssembly.
          const { PgStore } = yield* Effect.promise(() => import("@registrar/adapters-pg"))
          const client = yield* openPglite(where.dataDir)
          return PgStore.layerPglite({ client, ...schemaOption(where) })
        })
      )
  }
}
