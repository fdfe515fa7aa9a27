/**
 * `registrar serve` as a user runs it (the real binary), over a schema of the PostgreSQL server: for the figures of a
 * server in processes of its own, e.g. `--workers 2`. Its request log goes to a file, as a service's log does, and
 * the run waits for its "Listening on" line.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ApiKey } from "@registrar/domain"
import { Either } from "effect"
import * as Cli from "../Cli.js"

/** A running server: its base URL, and `stop`, which ends it with SIGTERM and waits for it. */
export interface ServeProcess {
  readonly base: string
  readonly stop: () => Promise<void>
}

/** Starts `registrar serve --port 0 --database-url URL --schema SCHEMA ...options` and waits until it listens. */
export const start = async (url: string, schema: string, options: ReadonlyArray<string>): Promise<ServeProcess> => {
  const directory = mkdtempSync(join(tmpdir(), "registrar-bench-serve-"))
  const logFile = join(directory, "serve.log")
  const log = openSync(logFile, "w")
  let child: ChildProcess
  try {
    // Its connections named, so that PostgreSQL's views and logs tell them from the bench's own.
    const named = `${url}${url.includes("?") ? "&" : "?"}application_name=registrar-bench-serve`
    child = spawn(Cli.binary, ["serve", "--port", "0", "--database-url", named, "--schema", schema, ...options], {
      cwd: directory,
      // A key of the run's own, should this schema not be bootstrapped yet: never printed.
      env: {
        ...process.env,
        REGISTRAR_DATA_DIR: directory,
        REGISTRAR_BOOTSTRAP_KEY: Either.getOrThrow(ApiKey.keyFromRandom(randomBytes(ApiKey.RANDOM_BYTES))).key
      },
      stdio: ["ignore", log, log]
    })
  } finally {
    closeSync(log)
  }
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  const output = () => readFileSync(logFile, "utf8")
  const deadline = Date.now() + 120_000
  for (;;) {
    const listening = /Listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output())
    if (listening !== null) {
      return {
        base: listening[1]!,
        stop: async () => {
          child.kill("SIGTERM")
          await exited
          rmSync(directory, { recursive: true, force: true })
        }
      }
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL")
      throw new Error(`registrar serve ${options.join(" ")} did not start:\n${output().slice(0, 2_000)}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
