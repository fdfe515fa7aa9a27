/** Restarting the local PostgreSQL 15 cluster, bounded in time, and making sure it is up again afterwards. */
import { execFile } from "node:child_process"
import { Effect } from "effect"
import pg from "pg"
import { databaseUrl } from "./Server.js"

const pgCtlCluster = "/usr/bin/pg_ctlcluster"

const run = (args: ReadonlyArray<string>) =>
  Effect.async<string, Error>((resume) => {
    execFile(pgCtlCluster, ["--skip-systemctl-redirect", ...args], { timeout: 60_000 }, (error, stdout, stderr) =>
      resume(
        error
          ? Effect.fail(new Error(`pg_ctlcluster ${args.join(" ")}: ${stderr || error.message}`))
          : Effect.succeed(stdout)
      )
    )
  })

const reachable = Effect.promise(async () => {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 2_000 })
  client.on("error", () => {})
  try {
    await client.connect()
    await client.query("SELECT 1")
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => undefined)
  }
})

/** Crash-restarts the cluster (immediate shutdown, so committed work must come back through WAL recovery). */
export const restartServer: Effect.Effect<void, Error> = run(["-m", "immediate", "15", "main", "restart"])

/** Waits until the server answers, starting the cluster if it stays down; gives up after about a minute. */
export const ensureServerUp: Effect.Effect<void> = Effect.gen(function* () {
  const deadline = Date.now() + 60_000
  let started = false
  while (Date.now() < deadline) {
    if (yield* reachable) return
    if (!started && Date.now() > deadline - 50_000) {
      started = true
      yield* Effect.ignore(run(["15", "main", "start"]))
    }
    yield* Effect.sleep("250 millis")
  }
})
