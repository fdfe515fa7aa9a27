/**
 * The embedded database's own thread: takes the data directory's lock, opens PGlite on it and answers the queries
 * that `PgliteThread` forwards, until it is told to close. Running PGlite here lets PostgreSQL start while the main
 * thread is still loading the CLI.
 */
import { parentPort, workerData } from "node:worker_threads"
import { readFile } from "node:fs/promises"
import type { PGlite, PGliteOptions } from "@electric-sql/pglite"
import * as DataDirLock from "./DataDirLock.js"
import type { Request, Setup, ThreadFailure } from "./PgliteThread.js"

type WasmModule = NonNullable<PGliteOptions["pgliteWasmModule"]>

// The WebAssembly global (its types come with the DOM library, which this package does not use).
const { WebAssembly: wasmApi } = globalThis as unknown as {
  readonly WebAssembly: { readonly compile: (bytes: Uint8Array) => Promise<WasmModule> }
}

const setup = workerData as Setup
const port = parentPort!

const failure = (error: unknown): ThreadFailure => {
  const record = (typeof error === "object" && error !== null ? error : {}) as Record<string, unknown>
  const text = (key: string) => (typeof record[key] === "string" ? (record[key] as string) : undefined)
  return {
    message: text("message") ?? String(error),
    ...(text("code") === undefined ? {} : { code: text("code") }),
    ...(text("detail") === undefined ? {} : { detail: text("detail") })
  }
}

let locked = false

// Compiled on V8's background threads while the module loads and the lock is taken.
const wasm = readFile(new URL("pglite.wasm", import.meta.resolve("@electric-sql/pglite")))
  .then((bytes) => wasmApi.compile(bytes))
  .catch(() => undefined)

const opened: Promise<PGlite> = (async () => {
  const lock = await DataDirLock.acquire(setup.dataDir, setup.lockTimeoutMillis)
  if (lock._tag === "Held") throw { busy: lock.pid }
  locked = true
  const { PGlite } = await import("@electric-sql/pglite")
  const pgliteWasmModule = await wasm
  return PGlite.create(setup.directory, {
    startParams: [...PGlite.defaultStartParams, ...setup.settings.flatMap((setting) => ["-c", setting])],
    ...(pgliteWasmModule === undefined ? {} : { pgliteWasmModule })
  })
})()

opened.then(
  () => port.postMessage({ type: "ready" }),
  (error: unknown) =>
    port.postMessage({
      type: "failed",
      ...(typeof error === "object" && error !== null && "busy" in error
        ? { busy: (error as { busy: number }).busy }
        : { error: failure(error) })
    })
)

const close = async () => {
  const database = await opened.catch(() => undefined)
  await database?.close().catch(() => undefined)
  if (locked) await DataDirLock.release(setup.dataDir)
  port.postMessage({ type: "closed" })
  port.close()
}

port.on("message", (request: Request) => {
  if (request.op === "close") {
    void close()
    return
  }
  opened
    .then(async (database) => {
      if (request.op === "query") {
        const result = await database.query(request.sql, request.params === undefined ? undefined : [...request.params])
        port.postMessage({ id: request.id, ok: true, rows: result.rows })
      } else {
        await database.exec(request.sql)
        port.postMessage({ id: request.id, ok: true, rows: [] })
      }
    })
    .catch((error: unknown) => port.postMessage({ id: request.id, ok: false, error: failure(error) }))
})
