/**
 * Where a command runs: on a local store, or against a Registrar server over HTTP. Decides from the command line
 * and the environment, and keeps the login (`registrar login URL`) in the user's configuration directory:
 * `$XDG_CONFIG_HOME/registrar/login.json`, else `~/.config/registrar/login.json`, mode 0600.
 *
 * Precedence, first match wins:
 * 1. `--server URL` → that server;
 * 2. `--data-dir`, `--database-url` or `--memory` → the local store;
 * 3. `$REGISTRAR_SERVER` → that server;
 * 4. `$REGISTRAR_DATA_DIR` or `$DATABASE_URL` → the local store;
 * 5. a stored login → its server;
 * 6. the local store in `./.registrar`.
 * The key is `$REGISTRAR_API_KEY`, else the stored login's key when the login is for the same server (a key is never
 * sent to a server it was not stored for).
 *
 * Imports Node's built-ins only: `main` asks it, before loading the CLI, whether to start PGlite at all.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

/** A stored login: the server and a key for it (and the key's user, for messages). */
export interface Login {
  readonly server: string
  readonly key: string
  readonly user: string
}

/** A command that runs against a server. */
export interface Remote {
  readonly kind: "remote"
  readonly server: string
  /** Undefined when no key was given or stored for this server. */
  readonly key: string | undefined
  /**
   * The key's user when the key is the stored login's (`login` asked the server whose it is); undefined for a key
   * from `$REGISTRAR_API_KEY` that no login stored, whose user the command asks the server for.
   */
  readonly user: string | undefined
}

/** Where a command runs. */
export type Target = Remote | { readonly kind: "local" }

const nonEmpty = (value: string | undefined): string | undefined =>
  value === undefined || value === "" ? undefined : value

/** The directory of the login file. */
export const configDirectory = (env: NodeJS.ProcessEnv): string => {
  const xdg = nonEmpty(env.XDG_CONFIG_HOME)
  return path.join(xdg ?? path.join(nonEmpty(env.HOME) ?? os.homedir(), ".config"), "registrar")
}

/** The login file. */
export const loginFile = (env: NodeJS.ProcessEnv): string => path.join(configDirectory(env), "login.json")

/** A server URL without trailing slashes (`http://host:8080`). */
export const normalizeServer = (url: string): string => url.trim().replace(/\/+$/, "")

/** Whether `url` is an http(s) URL. */
export const isServerUrl = (url: string): boolean => {
  try {
    const parsed = new URL(url)
    return (parsed.protocol === "http:" || parsed.protocol === "https:") && parsed.host !== ""
  } catch {
    return false
  }
}

/** The stored login, if any (an unreadable or malformed file counts as none). */
export const readLogin = (env: NodeJS.ProcessEnv): Login | undefined => {
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(loginFile(env), "utf8"))
    if (typeof parsed !== "object" || parsed === null) return undefined
    const { server, key, user } = parsed as Record<string, unknown>
    if (typeof server !== "string" || typeof key !== "string") return undefined
    return { server: normalizeServer(server), key, user: typeof user === "string" ? user : "" }
  } catch {
    return undefined
  }
}

/** Stores a login, readable by its owner only (the directory 0700, the file 0600, replaced atomically). */
export const writeLogin = (env: NodeJS.ProcessEnv, login: Login): string => {
  const directory = configDirectory(env)
  fs.mkdirSync(directory, { recursive: true, mode: 0o700 })
  const file = loginFile(env)
  const temporary = `${file}.${process.pid}.tmp`
  fs.writeFileSync(temporary, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 })
  fs.chmodSync(temporary, 0o600)
  fs.renameSync(temporary, file)
  return file
}

/** Removes the stored login; returns it, or undefined when there was none. */
export const removeLogin = (env: NodeJS.ProcessEnv): Login | undefined => {
  const login = readLogin(env)
  fs.rmSync(loginFile(env), { force: true })
  return login
}

/** What the command line says about the store: `--server`, and whether a local store option was given. */
export interface StoreFlags {
  readonly server: string | undefined
  readonly local: boolean
}

/** Where a command runs, by the precedence above. */
export const select = (flags: StoreFlags, env: NodeJS.ProcessEnv): Target => {
  const remote = (server: string, login: Login | undefined = readLogin(env)): Remote => {
    const normalized = normalizeServer(server)
    const stored = login?.server === normalized ? login : undefined
    const key = nonEmpty(env.REGISTRAR_API_KEY) ?? stored?.key
    const user = stored !== undefined && stored.key === key ? nonEmpty(stored.user) : undefined
    return { kind: "remote", server: normalized, key, user }
  }
  if (flags.server !== undefined) return remote(flags.server)
  if (flags.local) return { kind: "local" }
  const fromEnvironment = nonEmpty(env.REGISTRAR_SERVER)
  if (fromEnvironment !== undefined) return remote(fromEnvironment)
  if (nonEmpty(env.REGISTRAR_DATA_DIR) !== undefined || nonEmpty(env.DATABASE_URL) !== undefined) {
    return { kind: "local" }
  }
  const login = readLogin(env)
  return login === undefined ? { kind: "local" } : remote(login.server, login)
}

/** The store flags of a raw command line (before parsing: `main` uses it to decide whether to start PGlite). */
export const flagsOf = (args: ReadonlyArray<string>): StoreFlags => {
  let server: string | undefined
  let local = false
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!
    const name = arg.startsWith("--") && arg.includes("=") ? arg.slice(0, arg.indexOf("=")) : arg
    if (name === "--server") server = arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : (args[index + 1] ?? "")
    if (name === "--data-dir" || name === "--database-url" || name === "--memory") local = true
  }
  return { server, local }
}
