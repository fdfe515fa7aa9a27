/**
 * Picks the store a command runs on: embedded PGlite in the data directory (the default, created on first use, held by
 * one process at a time), a PostgreSQL server (`--database-url`), or a throwaway
 * memory store (`--memory`). Each adapter is imported only when it is used.
 */
import type { PGlite } from "@electric-sql/pglite"
import type { PgChain } from "@registrar/adapters-pg"
import {
  type ChainBroken,
  type ChainKey,
  type ChainKeyedWithAnotherKey,
  type EventStore,
  type InvalidChainKey,
  makeChainKey,
  type ReadModelStore,
  type SnapshotStore,
  StoreUnavailable
} from "@registrar/domain"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
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
      ? new StoreBusy({
          dataDir,
          pid: reason.pid,
          ...(reason.servedAt === undefined ? {} : { servedAt: reason.servedAt })
        })
      : new StoreUnavailable({ operation: "open PGlite", detail: `${dataDir}: ${reason.message ?? String(failure)}` })
  }

/** PGlite on `dataDir/db` (the one `main` started opening, when it guessed this directory). */
const openPglite = (dataDir: string): Effect.Effect<PGlite, StoreBusy | StoreUnavailable, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => PgliteStart.take(dataDir) ?? PgliteStart.open(dataDir)),
    (opening) => Effect.promise(() => opening.close())
  ).pipe(Effect.flatMap((opening) => Effect.tryPromise({ try: () => opening.database, catch: openFailure(dataDir) })))

const schemaOption = (where: StoreLocation) => (where.schema === undefined ? {} : { schema: where.schema })

/** The chain key of `$REGISTRAR_CHAIN_KEY` (none when unset or empty); read here only, never printed. */
export const chainKey: Effect.Effect<ChainKey | undefined, InvalidChainKey> = Effect.suspend(() => {
  const secret = process.env.REGISTRAR_CHAIN_KEY
  return secret === undefined || secret === ""
    ? Effect.succeed(undefined)
    : Either.match(makeChainKey(secret), { onLeft: Effect.fail, onRight: Effect.succeed })
})

const keyOption = (key: ChainKey | undefined) => (key === undefined ? {} : { chainKey: key })

/** The stores at `where`, opened when the layer is built and closed (and unlocked) when it is released. */
export const layer = (where: StoreLocation): Layer.Layer<Stores, StoreUnavailable | StoreBusy | InvalidChainKey> => {
  switch (where.kind) {
    case "memory":
      return Layer.unwrapEffect(
        Effect.zipWith(
          Effect.promise(() => import("@registrar/adapters-memory")),
          chainKey,
          (memory, key) => memory.layerWith(keyOption(key))
        )
      )
    case "server":
      return Layer.unwrapEffect(
        Effect.zipWith(
          Effect.promise(() => import("@registrar/adapters-pg")),
          chainKey,
          ({ PgStore }, key) =>
            PgStore.layer({
              url: where.databaseUrl ?? "",
              poolSize: where.poolSize ?? 4,
              connectTimeoutMillis: 5_000,
              ...schemaOption(where),
              ...keyOption(key)
            })
        )
      )
    case "pglite":
      return Layer.unwrapScoped(
        Effect.gen(function* () {
          const key = yield* chainKey
          // The adapter loads while PGlite is still compiling its WebAssembly.
          const { PgStore } = yield* Effect.promise(() => import("@registrar/adapters-pg"))
          const client = yield* openPglite(where.dataDir)
          return PgStore.layerPglite({ client, ...schemaOption(where), ...keyOption(key) })
        })
      )
  }
}

/**
 * Keys the chain of the store at `where` with `key` (see `PgChain.rekey`), on the database the store layer would
 * open; a memory store has nothing to re-key (it is keyed from the start when a key is set).
 */
export const rekey = (
  where: StoreLocation,
  key: ChainKey,
  onProgress: (events: number) => Effect.Effect<void>
): Effect.Effect<PgChain.RekeyResult, StoreUnavailable | StoreBusy | ChainBroken | ChainKeyedWithAnotherKey> =>
  Effect.scoped(
    Effect.gen(function* () {
      const { PgChain: Chain } = yield* Effect.promise(() => import("@registrar/adapters-pg"))
      switch (where.kind) {
        case "memory":
          return yield* Effect.fail(
            new StoreUnavailable({
              operation: "rekey",
              detail:
                "a memory store keeps nothing to re-key; with REGISTRAR_CHAIN_KEY set it is keyed from its first event"
            })
          )
        case "server":
          return yield* Chain.rekey({ url: where.databaseUrl ?? "", ...schemaOption(where), key }, { onProgress })
        case "pglite": {
          const client = yield* openPglite(where.dataDir)
          return yield* Chain.rekey({ client, ...schemaOption(where), key }, { onProgress })
        }
      }
    })
  )
