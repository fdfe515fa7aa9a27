/**
 * `registrar serve --pool-size N` (the real binary) over a fresh schema of the PostgreSQL server: however many
 * requests arrive at once, the server holds at most N connections for its store (beside the one that LISTENs for
 * appends and the file contents' pool of two), and a larger N lets it hold more. Connections are told apart by the `application_name` in the URL.
 */
import { randomBytes } from "node:crypto"
import pg from "pg"
import { afterAll, beforeAll, expect, it } from "vitest"
import {
  API_KEY,
  callServer,
  databaseUrl,
  describeServer,
  dispose,
  emptyServerStore,
  expectOk,
  ok,
  type Serving,
  serve,
  type Store,
  stop,
  teamWithRegistry,
  unique
} from "./support/Cli.js"

describeServer("serve --pool-size", () => {
  const adminKey = `rk_${randomBytes(4).toString("hex")}_${randomBytes(32).toString("hex")}`
  const application = unique("pool").replace(/[^a-z0-9]/g, "_")
  const org = unique("org")
  const team = unique("team")
  const user = unique("uma")
  let store: Store
  let userKey = ""
  let monitor: pg.Client

  /** The connections the server under test holds now. */
  const connections = async () =>
    Number(
      (
        await monitor.query<{ count: string }>("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", [
          application
        ])
      ).rows[0]?.count
    )

  /** Links `count` fresh versions at once through `server`, sampling its connections meanwhile; the most seen. */
  const burst = async (server: Serving, collection: string, count: number) => {
    const call = (method: string, route: string, body?: unknown) => callServer(server.url, userKey, method, route, body)
    const logged = await Promise.all(
      Array.from({ length: count }, (_, index) =>
        call("POST", `/entities/${team}/projects/p/artifacts/${collection}-${index}/versions`, {
          type: "model",
          files: []
        })
      )
    )
    for (const version of logged) expectOk(version, "log")
    let most = 0
    let sampling = true
    const sampler = (async () => {
      while (sampling) {
        most = Math.max(most, await connections())
        await new Promise((resolve) => setTimeout(resolve, 5))
      }
    })()
    const links = await Promise.all(
      logged.map((version) =>
        call("POST", `/organizations/${org}/registries/Models/collections/${collection}/links`, {
          source: version.body.reference
        })
      )
    )
    sampling = false
    await sampler
    for (const link of links) expectOk(link, "link")
    expect(links.map((link) => Number(link.body.version)).sort((a, b) => a - b)).toStrictEqual(
      Array.from({ length: count }, (_, index) => index)
    )
    // Idle connections stay in the pool for a while: what the burst opened is still there to count.
    return Math.max(most, await connections())
  }

  beforeAll(async () => {
    const named = `${databaseUrl}${(databaseUrl ?? "").includes("?") ? "&" : "?"}application_name=${application}`
    store = await emptyServerStore("pool", { DATABASE_URL: named, REGISTRAR_BOOTSTRAP_KEY: adminKey })
    monitor = new pg.Client({ connectionString: databaseUrl })
    await monitor.connect()
    const server = await serve(store, ["--pool-size", "2"])
    try {
      await teamWithRegistry((method, route, body) => callServer(server.url, adminKey, method, route, body), {
        org,
        team,
        user
      })
    } finally {
      await stop(server.child)
    }
    userKey = API_KEY.exec(await ok(store, "api-key", "create", "--user", user))?.[0] ?? ""
  }, 240_000)

  afterAll(async () => {
    await monitor?.end()
    if (store !== undefined) await dispose(store)
  }, 60_000)

  it("holds at most N store connections under 24 concurrent links, and more with a larger N", async () => {
    const small = await serve(store, ["--pool-size", "2"])
    let mostWithTwo: number
    try {
      mostWithTwo = await burst(small, "two", 24)
    } finally {
      await stop(small.child)
    }
    // The store's two, the connection that LISTENs for appends, and at most two for file contents (their own pool,
    // so that a long upload never holds up the store).
    expect(mostWithTwo).toBeGreaterThanOrEqual(3)
    expect(mostWithTwo).toBeLessThanOrEqual(2 + 3)

    const large = await serve(store, ["--pool-size", "8"])
    try {
      const mostWithEight = await burst(large, "eight", 24)
      // The same burst spreads over more connections when the pool allows them (24 links wait on at most 8).
      expect(mostWithEight).toBeGreaterThan(mostWithTwo)
      expect(mostWithEight).toBeLessThanOrEqual(8 + 3)
    } finally {
      await stop(large.child)
    }
  }, 240_000)
})
