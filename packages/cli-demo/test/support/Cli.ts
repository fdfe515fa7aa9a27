/**
 * Running the built `registrar` binary as a child process against a store: a copy of the seeded PGlite template
 * (made once by GlobalSetup) or a fresh schema of the PostgreSQL server named by DATABASE_URL.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, inject, it } from "vitest"
import pg from "pg"

/**
 * The built executable, as a user runs it: starts from the CLI's V8 startup snapshot while that is current, else runs
 * bin/registrar.js (the bundle or the compiled dist).
 */
export const binary = fileURLToPath(new URL("../../bin/registrar", import.meta.url))
/** The executable's JavaScript entry, which runs the bundle (with V8's code cache) or the compiled dist. */
export const script = fileURLToPath(new URL("../../bin/registrar.js", import.meta.url))

/** What a finished command printed and how it exited. */
export interface Result {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Where a command runs: the environment that names its store. */
export interface Store {
  readonly name: string
  readonly env: Readonly<Record<string, string>>
  /** The data directory (the embedded database, or only the blobs for a server). */
  readonly dataDir: string
}

const baseEnv = (): Record<string, string> => {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue
    if (["DATABASE_URL", "REGISTRAR_USER", "REGISTRAR_ORG", "REGISTRAR_SCHEMA", "REGISTRAR_DATA_DIR"].includes(key))
      continue
    env[key] = value
  }
  return { ...env, NO_COLOR: "1", FORCE_COLOR: "0" }
}

/** Starts `command ARGS` on `store`'s environment, in its data directory unless `cwd` is given. */
const launch = (command: string, args: ReadonlyArray<string>, store: Store, cwd?: string): ChildProcess =>
  spawn(command, args, {
    env: { ...baseEnv(), ...store.env },
    cwd: cwd ?? store.dataDir,
    stdio: ["pipe", "pipe", "pipe"]
  })

/** Starts the binary with `args`; the caller talks to it (stdin) and waits for it. */
export const start = (store: Store, args: ReadonlyArray<string>, cwd?: string): ChildProcess =>
  launch(binary, args, store, cwd)

/** A running `registrar serve`: its process, the URL it listens on, and everything it printed so far. */
export interface Serving {
  readonly child: ChildProcess
  readonly url: string
  readonly output: () => string
}

/** Starts `registrar serve --port 0` (with `options` after it) and waits for its "Listening on" line. */
export const serve = async (store: Store, options: ReadonlyArray<string> = []): Promise<Serving> => {
  const child = start(store, ["serve", "--port", "0", ...options])
  child.stdin?.end()
  let output = ""
  child.stderr?.on("data", (chunk) => {
    output += chunk.toString()
  })
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 120_000)
    child.stdout?.on("data", (chunk) => {
      output += chunk.toString()
      const match = /Listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
      if (match !== null) {
        clearTimeout(timer)
        resolve(match[1]!)
      }
    })
    child.on("exit", (code) => reject(new Error(`serve exited with ${code}:\n${output}`)))
  })
  return { child, url, output: () => output }
}

/** What a server answered: the status, the text, and the text parsed as JSON (null when empty). */
export interface Answer {
  readonly status: number
  readonly text: string
  readonly body: Record<string, unknown>
}

/** Sends `method route` to the server at `url` with `key` (and `body` as JSON, and `headers`, when given). */
export const callServer = async (
  url: string,
  key: string,
  method: string,
  route: string,
  body?: unknown,
  headers: Readonly<Record<string, string>> = {}
): Promise<Answer> => {
  const response = await fetch(`${url}${route}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...headers,
      ...(body === undefined ? {} : { "content-type": "application/json" })
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  const text = await response.text()
  return { status: response.status, text, body: (text === "" ? null : JSON.parse(text)) as Record<string, unknown> }
}

/**
 * Through `call` (an instance admin's requests): organization `org` with `user` as a member of its team `team`, and
 * the organization's registry "Models", where the team has the member role: what a test needs to link as `user`.
 */
export const teamWithRegistry = async (
  call: (method: string, route: string, body?: unknown) => Promise<Answer>,
  names: { readonly org: string; readonly team: string; readonly user: string }
): Promise<void> => {
  const { org, team, user } = names
  expectOk(await call("POST", "/organizations", { organization: org, displayName: org }), "org")
  expectOk(await call("POST", "/users", { user, organization: org, organizationRole: "member" }), "user")
  expectOk(await call("POST", "/teams", { team, organization: org }), "team")
  expectOk(await call("PUT", `/teams/${team}/members/${user}`), "team member")
  expectOk(await call("POST", `/organizations/${org}/registries`, { registry: "Models" }), "registry")
  expectOk(
    await call("PUT", `/organizations/${org}/registries/Models/grants`, {
      principal: { kind: "team", name: team },
      role: "member"
    }),
    "grant"
  )
}

/** Fails unless the answer is a success, naming `what` and showing the answer. */
export const expectOk = (result: { readonly status: number; readonly text: string }, what: string): void => {
  expect(result.status, `${what}: ${result.text}`).toBeLessThan(300)
}

/** An API key as the server prints it once. */
export const API_KEY = /rk_[0-9a-f]{8}_[0-9a-f]{64}/

/** Stops a running `registrar serve` as an operator does (SIGTERM) and waits for it to exit. */
export const stop = async (child: ChildProcess): Promise<void> => {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = finished(child)
  child.kill("SIGTERM")
  await exited
}

/** Collects a child's output until it exits. */
export const finished = (child: ChildProcess): Promise<Result> =>
  new Promise((resolve, reject) => {
    let stdout = ""
    let stderr = ""
    child.stdout?.on("data", (chunk) => {
      stdout += chunk.toString()
    })
    child.stderr?.on("data", (chunk) => {
      stderr += chunk.toString()
    })
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, stdout, stderr }))
  })

/** Runs `registrar ARGS` to completion (stdin closed). */
export const run = (store: Store, ...args: ReadonlyArray<string>): Promise<Result> => {
  const child = start(store, args)
  child.stdin?.end()
  return finished(child)
}

/** Runs `node bin/registrar.js ARGS` (the executable's JavaScript entry, without the startup snapshot). */
export const runScript = (store: Store, ...args: ReadonlyArray<string>): Promise<Result> => {
  const child = launch(process.execPath, [script, ...args], store)
  child.stdin?.end()
  return finished(child)
}

/** Runs a command that must succeed and returns its stdout. */
export const ok = async (store: Store, ...args: ReadonlyArray<string>): Promise<string> => {
  const result = await run(store, ...args)
  if (result.code !== 0) {
    throw new Error(`registrar ${args.join(" ")} exited ${result.code}\n${result.stderr}${result.stdout}`)
  }
  return result.stdout
}

/** Runs a command with `--json` that must succeed and returns its document. */
export const json = async <A = Record<string, unknown>>(store: Store, ...args: ReadonlyArray<string>): Promise<A> =>
  JSON.parse(await ok(store, ...args, "--json")) as A

/** Removes ANSI escape sequences (prompts draw with them). */
export const plain = (text: string): string =>
  text.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, "g"), "")

let sequence = 0
/** A name no other test uses. */
export const unique = (prefix: string): string =>
  `${prefix}-${process.pid.toString(36)}${Date.now().toString(36)}${(sequence++).toString(36)}`

const temporaryDirectory = (prefix: string) => fs.mkdtemp(path.join(os.tmpdir(), prefix))

/** A fresh embedded store: a copy of the template that `registrar demo` seeded (database and blobs). */
export const pgliteStore = async (): Promise<Store> => {
  const dataDir = await temporaryDirectory("registrar-cli-")
  await fs.cp(inject("pgliteTemplate"), dataDir, { recursive: true })
  return { name: "PGlite", dataDir, env: { REGISTRAR_DATA_DIR: dataDir } }
}

/** The PostgreSQL server the server tests use, when configured. */
export const databaseUrl: string | undefined =
  process.env.DATABASE_URL === undefined || process.env.DATABASE_URL === "" ? undefined : process.env.DATABASE_URL

/** A fresh schema on the server (seeded by `registrar demo`), with its own blob directory. */
export const serverStore = async (): Promise<Store> => {
  if (databaseUrl === undefined) throw new Error("DATABASE_URL is not set")
  const dataDir = await temporaryDirectory("registrar-cli-server-")
  const schema = `cli_${unique("t").replace(/[^a-z0-9]/g, "_")}`
  const store = {
    name: "PostgreSQL server",
    dataDir,
    env: { DATABASE_URL: databaseUrl, REGISTRAR_SCHEMA: schema, REGISTRAR_DATA_DIR: dataDir }
  }
  await ok(store, "demo")
  return store
}

/**
 * A fresh, empty schema on the server (nothing seeded: the first `serve` migrates and bootstraps it), with its own
 * blob directory and `env` added to its environment.
 */
export const emptyServerStore = async (name: string, env: Readonly<Record<string, string>> = {}): Promise<Store> => {
  const dataDir = await temporaryDirectory(`registrar-${name}-`)
  return {
    name: "PostgreSQL server",
    dataDir,
    env: {
      DATABASE_URL: databaseUrl ?? "",
      REGISTRAR_SCHEMA: `cli_${unique(name).replace(/[^a-z0-9]/g, "_")}`,
      REGISTRAR_DATA_DIR: dataDir,
      ...env
    }
  }
}

/** Drops what a store left behind: its directory, and its schema on the server. */
export const dispose = async (store: Store): Promise<void> => {
  await fs.rm(store.dataDir, { recursive: true, force: true })
  const schema = store.env.REGISTRAR_SCHEMA
  if (schema !== undefined && databaseUrl !== undefined) {
    const client = new pg.Client({ connectionString: databaseUrl })
    client.on("error", () => {})
    try {
      await client.connect()
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    } finally {
      await client.end().catch(() => undefined)
    }
  }
}

/** `describe` for tests that need the server: named "(PostgreSQL server)", skipped only outside CI without one. */
export const describeServer = (name: string, body: () => void): void => {
  const title = `${name} (PostgreSQL server)`.trim()
  if (databaseUrl !== undefined) describe(title, body)
  else if (process.env.CI) {
    describe(title, () => {
      it("has a server to run against", () => {
        throw new Error("DATABASE_URL is not set: CI must run the PostgreSQL server tests against a live server")
      })
    })
  } else describe.skip(title, body)
}

/**
 * The stores a scenario runs on: PGlite always, the server when configured (or failing in CI without one). The
 * tests run concurrently: each works on a store of its own (`withStore`).
 */
export const eachStore = (name: string, body: (fresh: () => Promise<Store>) => void): void => {
  describe.concurrent(name, () => {
    describe("(PGlite)", () => body(pgliteStore))
    describeServer("", () => body(serverStore))
  })
}

/** Runs `body` on a fresh store, disposed afterwards. */
export const withStore = async <A>(fresh: () => Promise<Store>, body: (store: Store) => Promise<A>): Promise<A> => {
  const store = await fresh()
  try {
    return await body(store)
  } finally {
    await dispose(store)
  }
}

/** Runs `body` on a fresh copy of the seeded PGlite template. */
export const withPgliteStore = <A>(body: (store: Store) => Promise<A>): Promise<A> => withStore(pgliteStore, body)

/** Every non-empty line of a text. */
export const lines = (text: string): ReadonlyArray<string> => text.split("\n").filter((line) => line.trim() !== "")
