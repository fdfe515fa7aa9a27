/**
 * `registrar serve` as a child process on a seeded store: the first start bootstraps the instance admin and prints
 * their key once; keys made with `registrar api-key` authenticate; the request log never shows a key; SIGTERM lets a
 * request in flight finish, then exits cleanly and releases the store; the API docs page is whole.
 */
import { expect, it } from "vitest"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { eachStore, finished, ok, run, serve, withStore } from "./support/Cli.js"

const get = async (url: string, key: string) => {
  const response = await fetch(url, { headers: { authorization: `Bearer ${key}` } })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

eachStore("serve", (fresh) => {
  it("bootstraps once, authenticates keys made on the store, never logs them, and stops cleanly on SIGTERM", () =>
    withStore(fresh, async (s) => {
      const created = await ok(s, "api-key", "create", "--user", "bob", "--name", "laptop")
      const bobKey = /rk_[0-9a-f]{8}_[0-9a-f]{64}/.exec(created)?.[0]
      expect(bobKey).toBeDefined()
      const listed = await ok(s, "api-key", "list", "--user", "bob")
      expect(listed).toContain("laptop")
      // A key made on the store has no expiry: its EXPIRES column reads "-".
      expect(listed).toMatch(/PREFIX\s+NAME\s+CREATED\s+EXPIRES\s+REVOKED/)
      expect(listed).toMatch(/laptop\s+\S+\s+-\s+-/)
      expect(listed).toContain(bobKey!.slice(3, 11))
      expect(listed).not.toContain(bobKey!.slice(12))

      const first = await serve(s)
      const adminKey = /rk_[0-9a-f]{8}_[0-9a-f]{64}/.exec(first.output())?.[0]
      expect(adminKey, first.output()).toBeDefined()
      expect(await get(`${first.url}/me`, adminKey!)).toStrictEqual({ status: 200, body: { user: "admin" } })
      const resolved = await get(
        `${first.url}/resolve?name=${encodeURIComponent("wandb-registry-Golden Datasets/raw_images:production")}`,
        bobKey!
      )
      expect(resolved.status, JSON.stringify(resolved.body)).toBe(200)
      expect(resolved.body.fullName).toMatch(/^wandb-registry-Golden Datasets\/raw_images:v\d+$/)
      const wrong = await get(`${first.url}/me`, `rk_00000000_${"0".repeat(64)}`)
      expect(wrong.status).toBe(401)
      if (s.name === "PGlite") {
        // A command on the served data directory is told at once where the server is, instead of waiting for a
        // process that holds the directory until it stops (it used to wait two minutes, then say "wait").
        const local = await run(s, "registry", "list", "--as", "bob")
        expect(local.code).toBe(1)
        expect(local.stderr).toContain(`is served by \`registrar serve\``)
        expect(local.stderr).toContain(`add --server ${first.url}`)
        expect(local.stderr).toContain(`registrar login ${first.url}`)
        const json = await run(s, "registry", "list", "--as", "bob", "--json")
        expect(JSON.parse(json.stdout).error.code).toBe("StoreBusy")
      }
      // The API docs page carries Swagger UI whole (the bundle keeps it in a file of its own, read on first use).
      const docs = await fetch(`${first.url}/docs`)
      const page = await docs.text()
      expect(docs.status).toBe(200)
      expect(page).toContain("webpackUniversalModuleDefinition")
      expect(page).toMatch(/<style>[^<]*\.swagger-ui/)
      expect(page).toContain('"openapi":"3.1.0"')

      // A request in flight when SIGTERM arrives still gets its answer; then the process exits with 0.
      const inFlight = get(`${first.url}/history`, bobKey!)
      await new Promise((resolve) => setTimeout(resolve, 5))
      first.child.kill("SIGTERM")
      const answered = await inFlight
      expect(answered.status).toBe(200)
      const exit = await finished(first.child)
      expect(exit.code, first.output()).toBe(0)
      const log = first.output()
      expect(log).toMatch(/method=GET path=\/me .*status=200/s)
      // It says what it does on the way down, and the in-flight request's line comes between the two.
      const stopping = log.indexOf("Stopping: no new connections")
      const answeredLine = log.search(/method=GET path=\/history status=200/)
      const stopped = log.indexOf("Stopped: every request in flight was answered and the store is closed.")
      expect(stopping, log).toBeGreaterThan(0)
      expect(stopped, log).toBeGreaterThan(stopping)
      expect(answeredLine, log).toBeGreaterThan(0)
      expect(answeredLine, log).toBeLessThan(stopped)
      expect(log.split(adminKey!).length, "the admin key is printed once, at bootstrap, and never logged").toBe(2)
      expect(log).not.toContain(bobKey!)

      // The store was released (and the note of where it was served taken back): a command opens it, and a second
      // start does not bootstrap again.
      expect(fs.existsSync(path.join(s.dataDir, "serving.json"))).toBe(false)
      expect(await ok(s, "api-key", "list", "--user", "bob")).toContain("laptop")
      const second = await serve(s)
      expect(second.output()).not.toContain("Bootstrapped")
      expect((await get(`${second.url}/me`, adminKey!)).status).toBe(200)
      second.child.kill("SIGTERM")
      expect((await finished(second.child)).code).toBe(0)
    }))
})

eachStore("serve with files", (fresh) => {
  it("serves the files the CLI logged on the same store, and stores uploads where the CLI reads them", () =>
    withStore(fresh, async (s) => {
      const created = await ok(s, "api-key", "create", "--user", "bob", "--name", "files")
      const bobKey = /rk_[0-9a-f]{8}_[0-9a-f]{64}/.exec(created)![0]
      const server = await serve(s)
      try {
        const resolved = await get(
          `${server.url}/resolve?name=${encodeURIComponent("wandb-registry-Golden Datasets/raw_images:production")}`,
          bobKey
        )
        const { organization, registry, collection } = resolved.body as Record<string, string>
        const files = resolved.body.files as Array<{ path: string; sha256: string; size: number }>
        expect(files.length).toBeGreaterThan(0)
        const file = files[0]!
        const base = `${server.url}/organizations/${encodeURIComponent(organization!)}/registries/${encodeURIComponent(
          registry!
        )}/collections/${encodeURIComponent(collection!)}/versions/production`
        const response = await fetch(`${base}/file?path=${encodeURIComponent(file.path)}`, {
          headers: { authorization: `Bearer ${bobKey}` }
        })
        expect(response.status).toBe(200)
        const bytes = Buffer.from(await response.arrayBuffer())
        expect(bytes.length).toBe(file.size)
        expect(createHash("sha256").update(bytes).digest("hex")).toBe(file.sha256)

        const content = Buffer.from(`uploaded through serve ${Date.now()}`)
        const uploaded = await fetch(`${server.url}/blobs`, {
          method: "POST",
          headers: { authorization: `Bearer ${bobKey}`, "content-type": "application/octet-stream" },
          body: content
        })
        expect(uploaded.status).toBe(201)
        const { sha256 } = (await uploaded.json()) as { sha256: string }
        expect(sha256).toBe(createHash("sha256").update(content).digest("hex"))
        if (s.env.DATABASE_URL === undefined) {
          const { readFile } = await import("node:fs/promises")
          const { join } = await import("node:path")
          expect(Buffer.compare(await readFile(join(s.dataDir, "blobs", sha256.slice(0, 2), sha256)), content)).toBe(0)
        }
      } finally {
        server.child.kill("SIGTERM")
        await finished(server.child)
      }
    }))
})
