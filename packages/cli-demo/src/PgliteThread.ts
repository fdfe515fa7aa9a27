/**
 * PGlite on a thread of its own (`PgliteWorker`), behind a client with PGlite's `query` and `exec`. `main` starts it
 * before loading the rest of the CLI when the command line names a command on the embedded store, so that
 * PostgreSQL boots while the CLI loads; the store takes it over (`take`), or starts one when the guess was wrong.
 * Imports Node's built-ins only: it runs before everything else.
 */
import * as path from "node:path"
import * as v8 from "node:v8"
import { Worker } from "node:worker_threads"

/**
 * What the worker needs: the data directory (for the lock), the database directory inside it, how long to wait, and
 * the PostgreSQL settings to start with.
 */
export interface Setup {
  readonly dataDir: string
  readonly directory: string
  readonly lockTimeoutMillis: number
  readonly settings: ReadonlyArray<string>
}

/** A request to the worker. */
export type Request =
  | { readonly op: "query"; readonly id: number; readonly sql: string; readonly params?: ReadonlyArray<unknown> }
  | { readonly op: "exec"; readonly id: number; readonly sql: string }
  | { readonly op: "close" }

/** A database error as the worker reports it (the fields the adapters read). */
export interface ThreadFailure {
  readonly message: string
  readonly code?: string | undefined
  readonly detail?: string | undefined
}

type Reply =
  | { readonly type: "ready" }
  | { readonly type: "failed"; readonly busy?: number; readonly error?: ThreadFailure }
  | { readonly type: "closed" }
  | { readonly id: number; readonly ok: true; readonly rows: ReadonlyArray<Record<string, unknown>> }
  | { readonly id: number; readonly ok: false; readonly error: ThreadFailure }

/** The part of PGlite's interface the adapters use. */
export interface Client {
  readonly query: (sql: string, params?: ReadonlyArray<unknown>) => Promise<{ rows: Array<Record<string, unknown>> }>
  readonly exec: (sql: string) => Promise<ReadonlyArray<never>>
}

/** Why the database could not be opened: another process holds the data directory, or PGlite failed. */
export type OpenFailure =
  | { readonly _tag: "Busy"; readonly pid: number }
  | { readonly _tag: "Failed"; readonly message: string }

/** PGlite running on its thread. */
export interface Thread {
  readonly dataDir: string
  /** The client once the database is open. */
  readonly ready: Promise<Client>
  /** Closes the database (a checkpoint), gives the lock back and ends the thread. */
  readonly close: () => Promise<void>
}

const asError = (failure: ThreadFailure) => Object.assign(new Error(failure.message), failure)

/** Whether a command line runs long enough to trade start-up time for speed (`replay` rebuilds every read model). */
export const runsLong = (args: ReadonlyArray<string>): boolean => args.includes("replay")

/**
 * The PostgreSQL settings a command starts with. PostgreSQL zeroes and initializes all of its shared memory on every
 * start: 24 MB with 16 MB of shared buffers and room for 100 connections, 5 MB with 2 MB and one connection (PGlite
 * serves one), which takes 50–90 ms off its start. A short command reads and writes a few hundred pages, which 2 MB
 * hold (the operating system caches the rest of the files); `replay` keeps 16 MB.
 */
export const settings = (long: boolean): ReadonlyArray<string> => [
  `shared_buffers=${long ? "16MB" : "2MB"}`,
  "max_connections=1"
]

/** Starts PGlite on `dataDir/db` in a new thread, tuned for this process's command line. */
export const start = (dataDir: string, lockTimeoutMillis = 120_000): Thread => {
  const setup: Setup = {
    dataDir,
    directory: path.join(dataDir, "db"),
    lockTimeoutMillis,
    settings: settings(runsLong(process.argv.slice(2)))
  }
  const worker = new Worker(new URL("./PgliteWorker.js", import.meta.url), { workerData: setup })
  const pending = new Map<
    number,
    { resolve: (rows: Array<Record<string, unknown>>) => void; reject: (error: Error) => void }
  >()
  let next = 0
  let settle: { resolve: (client: Client) => void; reject: (failure: OpenFailure) => void } | undefined
  let finished: () => void = () => undefined
  const closed = new Promise<void>((resolve) => {
    finished = resolve
  })
  const ready = new Promise<Client>((resolve, reject) => {
    settle = { resolve, reject }
  })
  ready.catch(() => undefined)

  const send = (request: Request) => worker.postMessage(request)
  const call = (op: "query" | "exec", sql: string, params?: ReadonlyArray<unknown>) =>
    new Promise<Array<Record<string, unknown>>>((resolve, reject) => {
      const id = next++
      pending.set(id, { resolve, reject })
      send(op === "query" ? { op, id, sql, ...(params === undefined ? {} : { params }) } : { op, id, sql })
    })
  const client: Client = {
    query: (sql, params) => call("query", sql, params).then((rows) => ({ rows })),
    exec: (sql) => call("exec", sql).then(() => [])
  }

  worker.on("message", (reply: Reply) => {
    if ("type" in reply) {
      if (reply.type === "ready") settle?.resolve(client)
      else if (reply.type === "failed") {
        settle?.reject(
          reply.busy !== undefined
            ? { _tag: "Busy", pid: reply.busy }
            : { _tag: "Failed", message: reply.error?.message ?? "PGlite failed to open" }
        )
      } else finished()
      return
    }
    const waiting = pending.get(reply.id)
    pending.delete(reply.id)
    if (reply.ok) waiting?.resolve([...reply.rows])
    else waiting?.reject(asError(reply.error))
  })
  const stopped = (message: string) => {
    settle?.reject({ _tag: "Failed", message })
    for (const waiting of pending.values()) waiting.reject(new Error(message))
    pending.clear()
    finished()
  }
  worker.on("error", (error) => stopped(`the database thread failed: ${error.message}`))
  worker.on("exit", () => stopped("the database thread stopped"))

  let closing: Promise<void> | undefined
  return {
    dataDir,
    ready,
    close: () => {
      closing ??= (() => {
        send({ op: "close" })
        return closed
      })()
      return closing
    }
  }
}

// The commands that open the store (every subcommand of `registrar`; a test keeps this list in step).
export const storeCommands: ReadonlyArray<string> = [
  "demo",
  "org",
  "user",
  "team",
  "artifact",
  "registry",
  "collection",
  "link",
  "unlink",
  "alias",
  "resolve",
  "lineage",
  "history",
  "search",
  "verify",
  "replay"
]

// The commands that need no acting user.
const actingAsNobody = ["demo", "verify", "replay"]

// The common options that take a value (their values are not command names).
const valueOptions = ["--as", "--data-dir", "--database-url", "--schema", "--as-of"]
const skips = ["--memory", "--help", "-h", "--version", "--wizard", "--completions", "--database-url"]

/**
 * The data directory a command line will open, when it names a command on the embedded store (a guess made before
 * the options are parsed; the store checks it): `--data-dir`, else `$REGISTRAR_DATA_DIR`, else `.registrar`.
 */
export const embeddedDataDir = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv): string | undefined => {
  if ((env.DATABASE_URL ?? "") !== "") return undefined
  let command: string | undefined
  let dataDir: string | undefined
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!
    const [name, inline] =
      arg.startsWith("--") && arg.includes("=")
        ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
        : [arg, undefined]
    if (skips.includes(name)) return undefined
    if (name === "--data-dir") dataDir = inline ?? args[index + 1]
    if (valueOptions.includes(name) && inline === undefined) index++
    else if (command === undefined && !arg.startsWith("-")) command = arg
  }
  if (command === undefined || !storeCommands.includes(command)) return undefined
  // Without a user, the command fails before it opens the store (except those that act as nobody).
  const hasUser = args.some((arg) => arg === "--as" || arg.startsWith("--as=")) || (env.REGISTRAR_USER ?? "") !== ""
  if (!hasUser && !actingAsNobody.includes(command)) return undefined
  return dataDir ?? ((env.REGISTRAR_DATA_DIR ?? "") === "" ? ".registrar" : env.REGISTRAR_DATA_DIR)
}

let prestarted: Thread | undefined

/** Starts PGlite for the data directory this command line will open, if any, ahead of everything else. */
export const prestart = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv): void => {
  const dataDir = embeddedDataDir(args, env)
  if (dataDir !== undefined) prestarted = start(dataDir)
}

/**
 * What a command does first, before loading the CLI: sets V8's flags for PGlite's WebAssembly (before any code is
 * compiled, as they must be the same when V8's code cache is written and read), then starts PGlite.
 */
export const begin = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv): void => {
  // A command is short: compiling PGlite's 9 MB of WebAssembly with V8's baseline compiler only (no optimizing
  // tier-up in the background) halves its start-up time and CPU. `replay` runs long enough to profit from tier-up.
  if (!runsLong(args)) v8.setFlagsFromString("--liftoff-only")
  prestart(args, env)
}

/** The prestarted thread, if it opened `dataDir`; the caller owns it from then on. */
export const take = (dataDir: string): Thread | undefined => {
  if (prestarted === undefined || path.resolve(prestarted.dataDir) !== path.resolve(dataDir)) return undefined
  const thread = prestarted
  prestarted = undefined
  return thread
}

/** Closes a prestarted thread that no command took (the guess was wrong, or the command failed early). */
export const closeUnused = async (): Promise<void> => {
  const thread = prestarted
  prestarted = undefined
  if (thread !== undefined) await thread.close()
}
