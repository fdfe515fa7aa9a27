/**
 * Picks the store a command runs on: embedded PGlite in the data directory (the default, created on first use and
 * held by one process at a time), a PostgreSQL server (`--database-url`), or a throwaway memory store (`--memory`).
 * Each adapter is imported only when it is used.
 */
import * as fs from "node:fs/promises"
import * as path from "node:path"
import type { PGlite, PGliteOptions } from "@electric-sql/pglite"
import { type EventStore, type ReadModelStore, type SnapshotStore, StoreUnavailable } from "@registrar/domain"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type { StoreLocation } from "./Common.js"
import * as DataDirLock from "./DataDirLock.js"
import { type StoreBusy, WriteFailed } from "./Errors.js"

/** The ports every store provides. */
export type Stores = EventStore | ReadModelStore | SnapshotStore

/** Creates a directory (and its parents) when it is missing. */
export const ensureDirectory = (directory: string): Effect.Effect<void, WriteFailed> =>
  Effect.tryPromise({
    try: () => fs.mkdir(directory, { recursive: true }),
    catch: (error) => new WriteFailed({ path: directory, reason: String((error as Error).message ?? error) })
  })

type PgliteModule = typeof import("@electric-sql/pglite")
type WasmModule = NonNullable<PGliteOptions["pgliteWasmModule"]>

// The WebAssembly global (its types come with the DOM library, which this package does not use).
const { WebAssembly: wasmApi } = globalThis as unknown as {
  readonly WebAssembly: { readonly compile: (bytes: Uint8Array) => Promise<WasmModule> }
}

let loading: Promise<{ readonly pglite: PgliteModule; readonly wasm: WasmModule | undefined }> | undefined

/**
 * Starts importing PGlite and compiling its WebAssembly (on V8's background threads), so that both are ready by the
 * time the command opens the store; `main` calls it early when the command will use the embedded store.
 */
export const warmUpPglite = () => {
  loading ??= import("@electric-sql/pglite").then(async (pglite) => {
    const wasm = await fs
      .readFile(new URL("pglite.wasm", import.meta.resolve("@electric-sql/pglite")))
      .then((bytes) => wasmApi.compile(bytes))
      .catch(() => undefined)
    return { pglite, wasm }
  })
  return loading
}

/**
 * PGlite on `directory` (initialized on first use), closed with the scope. Its shared buffers are kept small: zeroing
 * PostgreSQL's default 128 MB buffer pool is most of PGlite's start-up time, and a command's working set is small.
 */
const openPglite = (directory: string): Effect.Effect<PGlite, StoreUnavailable, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.flatMap(Effect.promise(warmUpPglite), ({ pglite: { PGlite }, wasm }) =>
      Effect.tryPromise({
        try: () =>
          PGlite.create(directory, {
            startParams: [...PGlite.defaultStartParams, "-c", `shared_buffers=${sharedBuffers}`],
            ...(wasm === undefined ? {} : { pgliteWasmModule: wasm })
          }),
        catch: (cause) => new StoreUnavailable({ operation: "open PGlite", detail: `${directory}: ${String(cause)}` })
      })
    ),
    (client) => Effect.promise(() => client.close().catch(() => undefined))
  )

const sharedBuffers = "16MB"

const schemaOption = (where: StoreLocation) => (where.schema === undefined ? {} : { schema: where.schema })

/** The stores at `where`, opened when the layer is built and closed (and unlocked) when it is released. */
export const layer = (where: StoreLocation): Layer.Layer<Stores, StoreUnavailable | StoreBusy | WriteFailed> => {
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
          yield* ensureDirectory(where.dataDir)
          yield* DataDirLock.hold(where.dataDir)
          const client = yield* openPglite(path.join(where.dataDir, "db"))
          const { PgStore } = yield* Effect.promise(() => import("@registrar/adapters-pg"))
          return PgStore.layerPglite({ client, ...schemaOption(where) })
        })
      )
  }
}
