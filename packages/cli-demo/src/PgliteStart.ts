/**
 * Opening PGlite on a data directory, started before the rest of the CLI loads: `begin` looks at the command line
 * first and, when it names a command on the embedded store, starts compiling PGlite's WebAssembly (on V8's
 * background threads), taking the data directory's lock and loading PGlite while the CLI loads; the store takes the
 * opening over (`take`), or opens the database itself when the guess was wrong. Imports Node's built-ins only (and
 * PGlite when it opens one): it runs before everything else.
 */
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"
import * as v8 from "node:v8"
import type { PGlite, PGliteOptions } from "@electric-sql/pglite"
import * as Connection from "./Connection.js"
import * as DataDirLock from "./DataDirLock.js"

type WasmModule = NonNullable<PGliteOptions["pgliteWasmModule"]>

// The WebAssembly global (its types come with the DOM library, which this package does not use).
const { WebAssembly: wasmApi } = globalThis as unknown as {
  readonly WebAssembly: { readonly compile: (bytes: Uint8Array) => Promise<WasmModule> }
}

/** Why the database could not be opened: another process holds the data directory, or PGlite failed. */
export type OpenFailure =
  | { readonly _tag: "Busy"; readonly pid: number; readonly servedAt?: string }
  | { readonly _tag: "Failed"; readonly message: string }

/** PGlite being opened on a data directory. */
export interface Opening {
  readonly dataDir: string
  /** The database once it is open; fails with an {@link OpenFailure}. */
  readonly database: Promise<PGlite>
  /** Closes the database (a checkpoint), once it is open, and gives the lock back. */
  readonly close: () => Promise<void>
}

/** Whether a command line runs long enough to trade start-up time for speed (`replay` rebuilds every read model; `serve` runs until stopped). */
export const runsLong = (args: ReadonlyArray<string>): boolean => args.includes("replay") || args.includes("serve")

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

const message = (error: unknown): string =>
  typeof error === "object" && error !== null && "message" in error ? String(error.message) : String(error)

/**
 * The bytes of `file`, read by one request to libuv's thread pool: it completes while this thread is busy loading
 * the CLI (a chunked read would need this thread between chunks), and its pages are first touched there too.
 */
const readWhole = (file: string): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    fs.open(file, "r", (error, fd) => {
      if (error !== null) return reject(error)
      const done = (failure: Error | null, bytes?: Buffer) =>
        fs.close(fd, () => (failure === null ? resolve(bytes!) : reject(failure)))
      fs.fstat(fd, (statFailure, stat) => {
        if (statFailure !== null) return done(statFailure)
        const bytes = Buffer.allocUnsafeSlow(stat.size)
        const next = (offset: number) =>
          fs.read(fd, bytes, offset, bytes.length - offset, offset, (readFailure, read) => {
            if (readFailure !== null) done(readFailure)
            else if (read === 0 || offset + read === bytes.length) done(null, bytes.subarray(0, offset + read))
            else next(offset + read)
          })
        next(0)
      })
    })
  })

/**
 * PGlite's own files: its WebAssembly, compiled on V8's background threads from now on (the read and the start of
 * the compile take this thread for some 80 ms; done later, the compile would be waited for), and its file-system
 * bundle, read in the background. Both are ready by the time the lock is taken, PGlite is loaded and (when
 * prestarted) the CLI is loaded. Should either fail, PGlite reads the file itself (and reports what is wrong).
 */
const artifacts = () => {
  let directory: string
  try {
    directory = path.dirname(createRequire(import.meta.url).resolve("@electric-sql/pglite"))
  } catch {
    return { wasm: Promise.resolve(undefined), fsBundle: Promise.resolve(undefined) }
  }
  let wasm: Promise<WasmModule | undefined>
  try {
    wasm = wasmApi.compile(fs.readFileSync(path.join(directory, "pglite.wasm"))).catch(() => undefined)
  } catch {
    wasm = Promise.resolve(undefined)
  }
  // PGlite asks for the bundle's bytes (with a Blob's arrayBuffer(), which is slow) once per instance it starts,
  // and may keep views of them: the first gets these, later ones (initdb's instance) copies.
  const fsBundle = readWhole(path.join(directory, "pglite.data"))
    .then((bytes) => {
      let given = false
      const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
      const buffer = whole ? bytes.buffer : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
      return {
        arrayBuffer: async () => {
          if (given) return buffer.slice(0)
          given = true
          return buffer
        }
      } as unknown as Blob
    })
    .catch(() => undefined)
  return { wasm, fsBundle }
}

/**
 * Removes the lock file PostgreSQL left empty in `db` when its process was killed while starting (it creates the file,
 * then writes its pid): PostgreSQL refuses to start on an empty one ("Either another server is starting, or the lock
 * file is the remnant of a previous server startup crash"). Only with the data directory's lock held, so no other
 * process is starting on it; a lock file with content is PostgreSQL's own to judge.
 */
const removeEmptyPostgresLock = async (db: string): Promise<void> => {
  const file = path.join(db, "postmaster.pid")
  const size = await fs.promises.stat(file).then(
    (stat) => stat.size,
    () => undefined
  )
  if (size === 0) await fs.promises.rm(file, { force: true })
}

/** Opens PGlite on `dataDir/db`, tuned for this process's command line, once it holds the data directory's lock. */
export const open = (dataDir: string, lockTimeoutMillis = 120_000): Opening => {
  const { wasm, fsBundle } = artifacts()
  let locked = false
  const database = (async (): Promise<PGlite> => {
    const lock = await DataDirLock.acquire(dataDir, lockTimeoutMillis).catch((error: unknown) => {
      throw { _tag: "Failed", message: message(error) } satisfies OpenFailure
    })
    if (lock._tag === "Held") {
      throw {
        _tag: "Busy",
        pid: lock.pid,
        ...(lock.servedAt === undefined ? {} : { servedAt: lock.servedAt })
      } satisfies OpenFailure
    }
    locked = true
    try {
      const { PGlite } = await import("@electric-sql/pglite")
      const [pgliteWasmModule, bundle] = await Promise.all([wasm, fsBundle])
      await removeEmptyPostgresLock(path.join(dataDir, "db"))
      return await PGlite.create(path.join(dataDir, "db"), {
        startParams: [
          ...PGlite.defaultStartParams,
          ...settings(runsLong(process.argv.slice(2))).flatMap((s) => ["-c", s])
        ],
        ...(pgliteWasmModule === undefined ? {} : { pgliteWasmModule }),
        ...(bundle === undefined ? {} : { fsBundle: bundle })
      })
    } catch (error) {
      throw { _tag: "Failed", message: message(error) } satisfies OpenFailure
    }
  })()
  database.catch(() => undefined)

  let closing: Promise<void> | undefined
  return {
    dataDir,
    database,
    close: () => {
      closing ??= (async () => {
        const opened = await database.catch(() => undefined)
        await opened?.close().catch(() => undefined)
        if (locked) await DataDirLock.release(dataDir)
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
  "promote",
  "diff",
  "revert",
  "automation",
  "resolve",
  "lineage",
  "history",
  "search",
  "versions",
  "verify",
  "anchor",
  "chain",
  "replay",
  "serve",
  "api-key"
]

// The commands that never open a store: `login` and `logout` keep the server and key for remote commands.
export const storelessCommands: ReadonlyArray<string> = ["login", "logout"]

// The commands that always run on a local store and need no acting user.
const localOnly = ["demo", "verify", "anchor", "chain", "replay", "serve"]

// Whether a command line needs no acting user: a local-only command, or `api-key` naming whose keys (`--user`).
const actsAsNobody = (command: string, args: ReadonlyArray<string>): boolean =>
  localOnly.includes(command) ||
  (command === "api-key" && args.some((arg) => arg === "--user" || arg.startsWith("--user=")))

// The common options that take a value (their values are not command names).
const valueOptions = ["--as", "--data-dir", "--database-url", "--schema", "--as-of", "--server"]
const skips = ["--memory", "--help", "-h", "--version", "--wizard", "--completions", "--database-url"]

// The store command a command line names, and its `--data-dir`; undefined when it names none or only asks for help.
const commandOf = (
  args: ReadonlyArray<string>
): { readonly command: string; readonly dataDir: string | undefined } | undefined => {
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
  return command === undefined || !storeCommands.includes(command) ? undefined : { command, dataDir }
}

/**
 * Whether a command line runs against a server (a guess made before the options are parsed, as
 * {@link embeddedDataDir}'s): `BundledMain` reads the code cache written by a command of the same kind.
 */
export const runsRemotely = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv): boolean => {
  const named = commandOf(args)
  return (
    named !== undefined &&
    !localOnly.includes(named.command) &&
    Connection.select(Connection.flagsOf(args), env).kind === "remote"
  )
}

/**
 * The data directory a command line will open, when it names a command on the embedded store (a guess made before
 * the options are parsed; the store checks it): `--data-dir`, else `$REGISTRAR_DATA_DIR`, else `.registrar`.
 */
export const embeddedDataDir = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv): string | undefined => {
  if ((env.DATABASE_URL ?? "") !== "") return undefined
  const named = commandOf(args)
  if (named === undefined) return undefined
  const { command, dataDir } = named
  // Without a user, the command fails before it opens the store (except those that act as nobody).
  const hasUser = args.some((arg) => arg === "--as" || arg.startsWith("--as=")) || (env.REGISTRAR_USER ?? "") !== ""
  if (!hasUser && !actsAsNobody(command, args)) return undefined
  // A command that runs against a server opens no store (the local-only ones always run on the local store).
  if (!localOnly.includes(command) && Connection.select(Connection.flagsOf(args), env).kind === "remote") {
    return undefined
  }
  return dataDir ?? ((env.REGISTRAR_DATA_DIR ?? "") === "" ? ".registrar" : env.REGISTRAR_DATA_DIR)
}

let prestarted: Opening | undefined

/** Starts opening PGlite for the data directory this command line will open, if any, ahead of everything else. */
export const prestart = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv): void => {
  const dataDir = embeddedDataDir(args, env)
  if (dataDir !== undefined) prestarted = open(dataDir)
}

/**
 * What a command does first, before loading the CLI: sets V8's flags for PGlite's WebAssembly (before any code is
 * compiled, as they must be the same when V8's code cache is written and read), then starts opening PGlite.
 */
export const begin = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv): void => {
  // A command is short: compiling PGlite's 9 MB of WebAssembly with V8's baseline compiler only (no optimizing
  // tier-up in the background) halves its start-up time and CPU. `replay` runs long enough to profit from tier-up.
  if (!runsLong(args)) v8.setFlagsFromString("--liftoff-only")
  prestart(args, env)
}

/** The prestarted opening, if it is of `dataDir`; the caller owns it from then on. */
export const take = (dataDir: string): Opening | undefined => {
  if (prestarted === undefined || path.resolve(prestarted.dataDir) !== path.resolve(dataDir)) return undefined
  const opening = prestarted
  prestarted = undefined
  return opening
}

/** Closes a prestarted database that no command took (the guess was wrong, or the command failed early). */
export const closeUnused = async (): Promise<void> => {
  const opening = prestarted
  prestarted = undefined
  if (opening !== undefined) await opening.close()
}
