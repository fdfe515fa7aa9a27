/**
 * `registrar serve --workers 2` (the real binary) over a fresh schema of the PostgreSQL server: two processes answer
 * on one port, concurrent links through both give v0..vN-1 once each, a killed worker is replaced while the other
 * answers, and SIGTERM stops every process. On the embedded store the option is refused with what to do instead.
 */
import { execFileSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  callServer,
  emptyServerStore,
  databaseUrl,
  describeServer,
  dispose,
  expectOk,
  finished,
  ok,
  pgliteStore,
  run,
  type Serving,
  serve,
  type Store,
  teamWithRegistry,
  unique
} from "./support/Cli.js"

/** The worker processes of the server whose first process is `pid` (the binary execs Node, so that is its pid). */
const workersOf = (pid: number): Array<number> => {
  try {
    return execFileSync("pgrep", ["-P", String(pid)], { encoding: "utf8" })
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map(Number)
  } catch {
    // pgrep exits with 1 when there are none.
    return []
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Waits until `check` holds (polling), or fails with `what`. */
const eventually = async (what: string, check: () => boolean, millis = 30_000) => {
  const deadline = Date.now() + millis
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** The workers named by the request log's lines printed after `from` characters of output. */
const workersInLog = (output: string, from = 0) =>
  new Set([...output.slice(from).matchAll(/ worker=(\d+)\n/g)].map((match) => match[1]))

describeServer("serve --workers", () => {
  const adminKey = `rk_${randomBytes(4).toString("hex")}_${randomBytes(32).toString("hex")}`
  let store: Store
  let server: Serving

  // Each request on a connection of its own, so that the first process hands them to the workers in turn.
  const call = (method: string, route: string, body?: unknown, key = adminKey) =>
    callServer(server.url, key, method, route, body, { connection: "close" })

  beforeAll(async () => {
    store = await emptyServerStore("workers", { REGISTRAR_BOOTSTRAP_KEY: adminKey })
    server = await serve(store, ["--database-url", databaseUrl ?? "", "--workers", "2"])
  }, 240_000)

  afterAll(async () => {
    if (server !== undefined && server.child.exitCode === null) {
      server.child.kill("SIGKILL")
      await finished(server.child)
    }
    if (store !== undefined) await dispose(store)
  }, 60_000)

  it("answers from both workers on one port, and concurrent links through both give v0..vN-1 once each", async () => {
    expect(server.output()).toMatch(/with 2 worker processes/)
    expect(workersOf(server.child.pid!)).toHaveLength(2)
    const org = unique("org")
    const team = unique("team")
    const user = unique("uma")
    await teamWithRegistry(call, { org, team, user })
    const userKey = /rk_[0-9a-f]{8}_[0-9a-f]{64}/.exec(await ok(store, "api-key", "create", "--user", user))?.[0] ?? ""
    const N = 16
    const logged = await Promise.all(
      // Artifacts of their own: versions of one artifact with the same (empty) contents would be one version.
      Array.from({ length: N }, (_, index) =>
        call(
          "POST",
          `/entities/${team}/projects/p/artifacts/weights-${index}/versions`,
          { type: "model", files: [] },
          userKey
        )
      )
    )
    for (const version of logged) expectOk(version, "log")
    const links = await Promise.all(
      logged.map((version) =>
        call(
          "POST",
          `/organizations/${org}/registries/Models/collections/weights/links`,
          { source: version.body.reference },
          userKey
        )
      )
    )
    for (const link of links) expectOk(link, "link")
    expect(links.map((link) => Number(link.body.version)).sort((a, b) => a - b)).toStrictEqual(
      Array.from({ length: N }, (_, index) => index)
    )
    // Every read, through whichever worker, sees every link.
    for (let index = 0; index < 4; index++) {
      const resolved = await call(
        "GET",
        `/resolve?name=${encodeURIComponent(`${org}/wandb-registry-Models/weights:latest`)}`
      )
      expect(resolved.body.version, resolved.text).toBe(N - 1)
    }
    await eventually("both workers logged requests", () => workersInLog(server.output()).size === 2, 5_000)
    expect(workersInLog(server.output())).toStrictEqual(new Set(["1", "2"]))
  }, 120_000)

  it("replaces a worker that was killed while the other goes on answering", async () => {
    const [victim, survivor] = workersOf(server.child.pid!) as [number, number]
    process.kill(victim, "SIGKILL")
    await eventually("the victim is gone", () => !alive(victim))
    // The other worker answers meanwhile.
    expect((await call("GET", "/me")).body).toStrictEqual({ user: "admin" })
    await eventually("a replacement started", () => {
      const now = workersOf(server.child.pid!)
      return now.length === 2 && !now.includes(victim) && now.includes(survivor)
    })
    expect(server.output()).toMatch(/Worker [12] stopped by SIGKILL; starting another in 1 s\./)
    // The replacement listens on the same port: requests reach both workers again.
    const mark = server.output().length
    await eventually(
      "both workers answer again",
      () => {
        call("GET", "/me").catch(() => undefined)
        return workersInLog(server.output(), mark).size === 2
      },
      30_000
    )
  }, 120_000)

  it("stops every worker on SIGTERM, then exits 0", async () => {
    const workers = workersOf(server.child.pid!)
    expect(workers).toHaveLength(2)
    server.child.kill("SIGTERM")
    const result = await finished(server.child)
    expect(result.code).toBe(0)
    expect(server.output()).toMatch(/Stopped: every worker answered its requests in flight and stopped\./)
    for (const worker of workers) expect(alive(worker)).toBe(false)
  }, 60_000)
})

describeServer("serve --workers that cannot listen", () => {
  it("fails, saying which worker stopped and that it never listened", async () => {
    // The port is taken: every worker's listen fails, so the first one to stop fails the command.
    const taken = createServer()
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve))
    const port = (taken.address() as AddressInfo).port
    const store = await emptyServerStore("taken")
    try {
      const result = await run(store, "serve", "--port", String(port), "--workers", "2")
      expect(result.code).toBe(1)
      expect(result.stderr).toMatch(/Worker [12] stopped with code 1 before it listened\. The worker's own message/)
      expect(result.stdout).not.toMatch(/Listening on/)
    } finally {
      await new Promise((resolve) => taken.close(resolve))
      await dispose(store)
    }
  }, 120_000)
})

describe("serve --workers on the embedded store", () => {
  it("is refused, saying what to do", async () => {
    const store = await pgliteStore()
    try {
      const result = await run(store, "serve", "--port", "0", "--workers", "2")
      expect(result.code).toBe(1)
      expect(result.stderr).toContain("--workers 2 needs a PostgreSQL server store")
      expect(result.stderr).toContain("give --database-url")
    } finally {
      await dispose(store)
    }
  }, 60_000)
})
