/**
 * Runs the `registrar` command line: parses it, runs the command, prints a failure as one line (or one JSON document
 * with `--json`) and exits with 0 (success), 1 (the command failed), 2 (bad usage) or 3 (tampered history).
 */
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as ValidationError from "@effect/cli/ValidationError"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import * as Terminal from "@effect/platform/Terminal"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Random from "effect/Random"
import type * as Mailbox from "effect/Mailbox"
import { command } from "./Cli.js"
import * as Output from "./Output.js"
import * as PgliteStart from "./PgliteStart.js"

/** Exit codes. */
export const ExitCode = { failure: 1, usage: 2 } as const

// Read when a command fails, not when this module loads: the CLI's modules may load before the command line exists
// (in the V8 startup snapshot, scripts/snapshot.mjs).
const json = (): boolean => process.argv.includes("--json")

const run = Command.run(command, { name: "registrar", version: "0.1.0" })

// Prompts (link --interactive) draw on stderr, so stdout carries only the command's output (the full name, or the
// JSON document with --json), as with every other command.
const promptsOnStderr = Layer.scoped(
  Terminal.Terminal,
  Effect.map(NodeTerminal.make(), (terminal) => ({
    ...terminal,
    columns: Effect.sync(() => process.stderr.columns ?? 0),
    rows: Effect.sync(() => process.stderr.rows ?? 0),
    isTTY: Effect.sync(() => process.stderr.isTTY === true),
    display: (text: string) =>
      Effect.async<void>((resume) => {
        process.stderr.write(text, () => resume(Effect.void))
      }),
    // A prompt reading from a pipe or a file stops, as if cancelled, when the input ends (instead of waiting forever).
    readInput: Effect.tap(terminal.readInput, (input) =>
      Effect.acquireRelease(
        Effect.sync(() => {
          const end = () => (input as Mailbox.Mailbox<Terminal.UserInput>).unsafeDone(Exit.void)
          if (process.stdin.readableEnded) end()
          else process.stdin.once("end", end)
          return end
        }),
        (end) => Effect.sync(() => process.stdin.off("end", end))
      )
    )
  }))
)

// What @effect/cli said was wrong with the command line, as plain text on one line.
const usageMessage = (error: ValidationError.ValidationError): string => {
  const text = HelpDoc.toAnsiText(error.error)
    .replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g"), "")
    .replace(/\s+/g, " ")
    .trim()
  return text === "" ? "Invalid command line. See --help." : `${text}${/[.!?]$/.test(text) ? "" : "."} See --help.`
}

const program = Effect.suspend(() => run(process.argv)).pipe(
  Effect.catchAll((error) =>
    Effect.sync(() => {
      if (ValidationError.isValidationError(error)) {
        // @effect/cli has printed what was wrong on stderr already.
        if (json()) Output.failure(true, { code: "InvalidUsage", message: usageMessage(error) })
        process.stderr.write("Run `registrar --help` (or `registrar <command> --help`) for usage and examples.\n")
        process.exitCode = ExitCode.usage
      } else {
        Output.failure(json(), { code: error.code, message: error.message })
        process.exitCode = ExitCode.failure
      }
    })
  ),
  Effect.catchAllDefect((defect) =>
    Effect.sync(() => {
      Output.failure(json(), Output.describe(defect))
      process.exitCode = ExitCode.failure
    })
  ),
  Effect.provide(Layer.mergeAll(NodeFileSystem.layer, NodePath.layer, promptsOnStderr))
)

// Exits as soon as the command is done (its store is closed by then, and a prestarted database no command took is
// closed now): flushes what was printed, then exits with the code, rather than waiting for timers that libraries
// may leave behind.
const exitWith = (code: number) =>
  void PgliteStart.closeUnused().finally(() =>
    process.stdout.write("", () => process.stderr.write("", () => process.exit(code)))
  )

/**
 * Runs the command line of this process and exits. Effect's default random generator is seeded when effect loads,
 * which a V8 startup snapshot does once for every process started from it; each command seeds its own here, so that
 * the jittered retries of racing processes spread out.
 */
export const main = (): void =>
  NodeRuntime.runMain(program.pipe(Effect.withRandom(Random.make(Math.random()))), {
    disableErrorReporting: true,
    teardown: (exit) => {
      const code = Exit.isFailure(exit) && !Cause.isInterruptedOnly(exit.cause) ? ExitCode.failure : process.exitCode
      exitWith(typeof code === "number" ? code : 0)
    }
  })

/**
 * Loads the modules that commands import on first use (the remote client and the store adapters; not the server's,
 * which only `serve` needs), so that the V8 startup snapshot (scripts/snapshot.mjs) holds them loaded.
 */
export const preload = (): Promise<unknown> =>
  Promise.all([
    import("./Remote.js"),
    import("./RemoteFiles.js"),
    import("@registrar/adapters-memory"),
    import("@registrar/adapters-pg"),
    import("@registrar/adapters-blob")
  ])
