/**
 * Three `registrar serve --database-url …` processes (the real binary, each on a free port) over one fresh schema of
 * one PostgreSQL server: nothing one process keeps is needed by another. Concurrent links through all three into one
 * collection give exactly v0..vN-1, once each; every write is seen at once by a read through any other process
 * (read your writes across processes); a cursor handed out by one process pages on through another; and a key
 * revoked through one process is refused at once by the others.
 */
import { randomBytes } from "node:crypto"
import { afterAll, beforeAll, expect, it } from "vitest"
import {
  callServer,
  emptyServerStore,
  databaseUrl,
  describeServer,
  dispose,
  expectOk,
  finished,
  ok,
  type Serving,
  serve as serveOn,
  type Store,
  unique
} from "./support/Cli.js"

type Running = Serving

/** Starts `serve --port 0 --database-url …` and waits for its "Listening on" line. */
const serve = (store: Store): Promise<Running> => serveOn(store, ["--database-url", databaseUrl ?? ""])

const call = (server: Running, key: string, method: string, path: string, body?: unknown) =>
  callServer(server.url, key, method, path, body)

describeServer("three serve processes over one database", () => {
  const adminKey = `rk_${randomBytes(4).toString("hex")}_${randomBytes(32).toString("hex")}`
  let store: Store
  const servers: Array<Running> = []

  beforeAll(async () => {
    store = await emptyServerStore("three", { REGISTRAR_BOOTSTRAP_KEY: adminKey })
    // The first start migrates the fresh schema and bootstraps the admin; the other two start on it together.
    servers.push(await serve(store))
    servers.push(...(await Promise.all([serve(store), serve(store)])))
  }, 240_000)

  afterAll(async () => {
    for (const server of servers) {
      server.child.kill("SIGTERM")
      await finished(server.child)
    }
    if (store !== undefined) await dispose(store)
  }, 60_000)

  it("links concurrently through all three into v0..vN-1 once each, and every read sees its own writes", async () => {
    const [a, b, c] = servers as [Running, Running, Running]
    for (const server of servers) {
      expect((await call(server, adminKey, "GET", "/me")).body).toStrictEqual({ user: "admin" })
    }
    const org = unique("org")
    const team = unique("team")
    const user = unique("uma")
    // Each step goes through a different process than the one before it: each must see the last one's write.
    expectOk(await call(a, adminKey, "POST", "/organizations", { organization: org, displayName: org }), "org")
    expectOk(await call(b, adminKey, "POST", "/users", { user, organization: org, organizationRole: "member" }), "user")
    expectOk(await call(c, adminKey, "POST", "/teams", { team, organization: org }), "team")
    expectOk(await call(a, adminKey, "PUT", `/teams/${team}/members/${user}`), "team member")
    const created = await call(b, adminKey, "POST", "/api-keys", {})
    expectOk(created, "admin's second key")
    expectOk(await call(c, String(created.body.key), "GET", "/me"), "a key made through another process")
    expectOk(await call(c, adminKey, "POST", `/organizations/${org}/registries`, { registry: "Models" }), "registry")
    expectOk(
      await call(a, adminKey, "PUT", `/organizations/${org}/registries/Models/grants`, {
        principal: { kind: "team", name: team },
        role: "member"
      }),
      "grant"
    )
    // A key for the user, made on the store by the CLI (as an operator would), authenticates through every process.
    const userKey = /rk_[0-9a-f]{8}_[0-9a-f]{64}/.exec(await ok(store, "api-key", "create", "--user", user))?.[0] ?? ""
    for (const server of servers) expect((await call(server, userKey, "GET", "/me")).body).toStrictEqual({ user })

    const N = 24
    const sources: Array<string> = []
    for (let index = 0; index < N; index++) {
      const through = servers[index % 3]!
      // The bytes go up through another process: every process of the database sees every file.
      const uploaded = await fetch(`${servers[(index + 1) % 3]!.url}/blobs`, {
        method: "POST",
        headers: { authorization: `Bearer ${userKey}`, "content-type": "application/octet-stream" },
        body: randomBytes(index + 1)
      })
      expect(uploaded.status, `upload ${index}`).toBe(201)
      const blob = (await uploaded.json()) as { sha256: string; size: number }
      const logged = await call(through, userKey, "POST", `/entities/${team}/projects/p/artifacts/weights/versions`, {
        type: "model",
        files: [{ path: "w.bin", sha256: blob.sha256, size: blob.size }]
      })
      expectOk(logged, `log ${index}`)
      sources.push(String(logged.body.reference))
    }

    const links = `/organizations/${org}/registries/Models/collections/weights/links`
    const results = await Promise.all(
      sources.map(async (source, index) => {
        const through = servers[index % 3]!
        const linked = await call(through, userKey, "POST", links, { source })
        expectOk(linked, `link ${source}`)
        const version = Number(linked.body.version)
        // Read your writes: at once, through the other two processes.
        for (const other of servers.filter((server) => server !== through)) {
          const name = encodeURIComponent(`${org}/wandb-registry-Models/weights:v${version}`)
          const resolved = await call(other, adminKey, "GET", `/resolve?name=${name}`)
          expect(resolved.status, resolved.text).toBe(200)
          expect(resolved.body.source).toBe(source)
        }
        return { source, version }
      })
    )
    expect(results.map((result) => result.version).sort((x, y) => x - y)).toStrictEqual(
      Array.from({ length: N }, (_, index) => index)
    )

    // Paged through all three in turn (a cursor from one process continues on the next): each version once.
    const seen: Array<number> = []
    let cursor: string | null = null
    let turn = 0
    do {
      const query: string = cursor === null ? "?limit=5" : `?limit=5&cursor=${encodeURIComponent(cursor)}`
      const page = await call(
        servers[turn++ % 3]!,
        adminKey,
        "GET",
        `/organizations/${org}/registries/Models/collections/weights/versions${query}`
      )
      expect(page.status, page.text).toBe(200)
      const items = page.body.items as Array<{ index: number; sourceKey: string }>
      seen.push(...items.map((item) => item.index))
      cursor = page.body.nextCursor as string | null
    } while (cursor !== null)
    expect(seen).toStrictEqual(Array.from({ length: N }, (_, index) => index))
    const latest = await call(
      c,
      adminKey,
      "GET",
      `/resolve?name=${encodeURIComponent(`${org}/wandb-registry-Models/weights`)}`
    )
    expect(latest.body.version).toBe(N - 1)
    // A key revoked through one process is refused at once by all three (each has authenticated it before).
    const prefix = userKey.slice(3, 11)
    expect((await call(a, userKey, "DELETE", `/api-keys/${prefix}`)).status).toBe(200)
    for (const server of servers) expect((await call(server, userKey, "GET", "/me")).status).toBe(401)
    for (const server of servers) expect(server.output()).not.toContain(adminKey)
  }, 240_000)
})
