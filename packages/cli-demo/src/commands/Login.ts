/**
 * `login URL` and `logout`: keep a server and an API key for it in the user's configuration directory, so that
 * commands run against that server without `--server` (see `Connection` for the precedence).
 */
import * as Args from "@effect/cli/Args"
import * as Options from "@effect/cli/Options"
import * as Prompt from "@effect/cli/Prompt"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Connection from "../Connection.js"
import { UsageError, WriteFailed } from "../Errors.js"
import * as Output from "../Output.js"
import { help, leaf } from "../Root.js"

// The key piped on stdin (`registrar login URL < key-file`), its surrounding whitespace trimmed.
const readStdin = Effect.async<string>((resume) => {
  let text = ""
  process.stdin.setEncoding("utf8")
  process.stdin.on("data", (chunk) => {
    text += chunk
  })
  process.stdin.once("end", () => resume(Effect.succeed(text.trim())))
})

// The key: --key, else stdin when it is not a terminal, else a hidden prompt.
const readKey = (given: Option.Option<string>) =>
  Option.match(given, {
    onSome: (key) => Effect.succeed(key.trim()),
    onNone: () =>
      process.stdin.isTTY === true
        ? Effect.map(Prompt.run(Prompt.hidden({ message: "API key (input hidden)" })), (key) =>
            Redacted.value(key).trim()
          )
        : readStdin
  })

const login = leaf(
  "login",
  {
    url: Args.text({ name: "url" }).pipe(
      Args.withDescription("The server, as `registrar serve` prints it: http://HOST:PORT.")
    ),
    key: Options.text("key").pipe(
      Options.withPseudoName("KEY"),
      Options.withDescription(
        "The API key (rk_…). Default: read from stdin, or asked for without echo. Prefer stdin: a key on the command line lands in your shell history."
      ),
      Options.optional
    )
  },
  help(
    "Log in to a Registrar server: check the API key against it, then keep the server and the key in $XDG_CONFIG_HOME/registrar/login.json (or ~/.config/registrar/login.json), readable by you only. Commands then run there, as the key's user, unless --data-dir, --database-url or --memory names a local store. The key is never printed.",
    "registrar login http://127.0.0.1:8080 < admin.key",
    "registrar login https://registry.example.com"
  ),
  (args, common) =>
    Effect.gen(function* () {
      const server = Connection.normalizeServer(args.url)
      if (!Connection.isServerUrl(server)) {
        return yield* Effect.fail(
          new UsageError({ problem: `"${args.url}" is not a server URL`, fix: "give http://HOST:PORT or https://HOST" })
        )
      }
      const key = yield* readKey(args.key)
      if (key === "") {
        return yield* Effect.fail(
          new UsageError({ problem: "no API key was given", fix: "pass it on stdin, type it when asked, or use --key" })
        )
      }
      const { whoAmI } = yield* Effect.promise(() => import("../Remote.js"))
      const { user } = yield* whoAmI(server, key)
      const file = yield* Effect.try({
        try: () => Connection.writeLogin(process.env, { server, key, user }),
        catch: (error) =>
          new WriteFailed({
            path: Connection.loginFile(process.env),
            reason: error instanceof Error ? error.message : String(error)
          })
      })
      yield* Output.emit(
        common,
        { server, user, file },
        () =>
          `Logged in to ${server} as ${user}. Commands run there now (unless --data-dir, --database-url or --memory is given); the key is kept in ${file}, readable by you only.`
      )
    })
)

const logout = leaf(
  "logout",
  {},
  help("Forget the stored login: commands run on the local store again.", "registrar logout"),
  (_args, common) =>
    Effect.gen(function* () {
      const removed = yield* Effect.try({
        try: () => Connection.removeLogin(process.env),
        catch: (error) =>
          new WriteFailed({
            path: Connection.loginFile(process.env),
            reason: error instanceof Error ? error.message : String(error)
          })
      })
      yield* Output.emit(common, { server: removed?.server ?? null }, () =>
        removed === undefined ? "Not logged in to any server." : `Logged out of ${removed.server}.`
      )
    })
)

/** The `login` and `logout` commands. */
export const commands = [login, logout] as const
