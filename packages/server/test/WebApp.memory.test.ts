import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, layer } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import * as Stores from "./support/Stores.js"
import { request, startServer, temporaryBlobStore, type TestServer, uploadedFile } from "./support/TestServer.js"
import { keyFor, memberRegistry, registryPath, world } from "./support/Scenarios.js"

class Running extends Context.Tag("test/WebAppServer")<Running, TestServer>() {}

const INDEX = '<!doctype html><html><head><script type="module" src="/assets/app-1a2b3c.js"></script></head></html>'

const builtApp = Effect.acquireRelease(
  Effect.promise(async () => {
    const directory = await fs.mkdtemp(path.join(os.tmpdir(), "registrar-web-"))
    await fs.mkdir(path.join(directory, "assets"))
    await fs.writeFile(path.join(directory, "index.html"), INDEX)
    await fs.writeFile(path.join(directory, "assets", "app-1a2b3c.js"), "console.log(1)")
    return directory
  }),
  (directory) => Effect.promise(() => fs.rm(directory, { recursive: true, force: true }))
)

const running = Layer.scoped(
  Running,
  Effect.flatMap(builtApp, (webRoot) => startServer(Stores.memory, temporaryBlobStore, { webRoot }))
)

const fetchRaw = (server: TestServer, urlPath: string, init: RequestInit = {}) =>
  Effect.promise(async () => {
    const response = await fetch(`${server.url}${urlPath}`, { redirect: "manual", ...init })
    return { response, text: await response.text() }
  })

const sessionCookieOf = (response: Response): string => {
  const header = response.headers.getSetCookie().find((cookie) => cookie.startsWith("registrar_session="))
  if (header === undefined) throw new Error("no session cookie was set")
  return header
}

layer(running, { timeout: 60_000, excludeTestServices: true })("The Registry App's files and session", (it) => {
  describe("the app's files", () => {
    it.effect("index.html at / and at client routes, with a Content-Security-Policy without inline scripts", () =>
      Effect.gen(function* () {
        const server = yield* Running
        for (const route of ["/", "/ui/registries/Models", "/ui/search"]) {
          const { response, text } = yield* fetchRaw(server, route)
          expect(response.status, route).toBe(200)
          expect(text).toBe(INDEX)
          expect(response.headers.get("content-type")).toContain("text/html")
          const policy = response.headers.get("content-security-policy") ?? ""
          expect(policy).toContain("script-src 'self'")
          expect(policy).not.toContain("unsafe-inline")
          expect(policy).toContain("frame-ancestors 'none'")
          expect(response.headers.get("x-content-type-options")).toBe("nosniff")
          expect(response.headers.get("cache-control")).toBe("no-cache")
        }
      })
    )

    it.effect("hashed assets with a long immutable cache; an unknown asset is a 404", () =>
      Effect.gen(function* () {
        const server = yield* Running
        const asset = yield* fetchRaw(server, "/assets/app-1a2b3c.js")
        expect(asset.response.status).toBe(200)
        expect(asset.text).toBe("console.log(1)")
        expect(asset.response.headers.get("content-type")).toContain("text/javascript")
        expect(asset.response.headers.get("cache-control")).toContain("immutable")
        expect((yield* fetchRaw(server, "/assets/missing.js")).response.status).toBe(404)
        expect((yield* fetchRaw(server, "/assets/..%2Findex.html")).response.status).toBe(404)
      })
    )

    it.effect("does not shadow the API: its routes answer JSON, unknown ones a problem", () =>
      Effect.gen(function* () {
        const server = yield* Running
        const health = yield* fetchRaw(server, "/healthz")
        expect(JSON.parse(health.text)).toEqual({ status: "ok" })
        const registries = yield* fetchRaw(server, "/registries")
        expect(registries.response.status).toBe(401)
        expect(registries.response.headers.get("content-type")).toContain("application/problem+json")
      })
    )
  })

  describe("the session", () => {
    it.effect("signing in sets an HttpOnly SameSite=Strict cookie holding a session key, not the posted key", () =>
      Effect.gen(function* () {
        const server = yield* Running
        const w = yield* world(server)
        const key = yield* keyFor(server, w.viewer)
        const signIn = yield* fetchRaw(server, "/session", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ key })
        })
        expect(signIn.response.status, signIn.text).toBe(200)
        expect(JSON.parse(signIn.text)).toEqual({ user: w.viewer })
        const cookie = sessionCookieOf(signIn.response)
        expect(cookie).toMatch(/HttpOnly/i)
        expect(cookie).toMatch(/SameSite=Strict/i)
        expect(cookie).not.toMatch(/Secure/i)
        expect(cookie).not.toContain(key)
        expect(signIn.text).not.toContain(key)
        const pair = cookie.split(";")[0]!
        const me = yield* fetchRaw(server, "/me", { headers: { cookie: pair } })
        expect(JSON.parse(me.text)).toEqual({ user: w.viewer })
        // The session's key expires with the cookie (its expiry is in the key's list; the clock-driven refusal is
        // tested on the Registrar, adapters-memory/test/ApiKeyExpiry.test.ts).
        expect(cookie).toMatch(/Max-Age=43200/i)
        const keys = (yield* request(server, "GET", "/api-keys", { key })).body as unknown as ReadonlyArray<{
          readonly name: string
          readonly createdAt: string
          readonly expiresAt: string | null
        }>
        const sessionKey = keys.find((listed) => listed.name === "web session")
        expect(sessionKey && Date.parse(sessionKey.expiresAt ?? "") - Date.parse(sessionKey.createdAt)).toBe(43_200_000)
        expect(
          keys.filter((listed) => listed.name !== "web session").every((listed) => listed.expiresAt === null)
        ).toBe(true)
        // Behind an https proxy the cookie is Secure.
        const overHttps = yield* fetchRaw(server, "/session", {
          method: "POST",
          headers: { "content-type": "application/json", "x-forwarded-proto": "https" },
          body: JSON.stringify({ key })
        })
        expect(sessionCookieOf(overHttps.response)).toMatch(/Secure/i)

        const signOut = yield* fetchRaw(server, "/session", { method: "DELETE", headers: { cookie: pair } })
        expect(JSON.parse(signOut.text)).toEqual({ signedOut: true })
        expect(sessionCookieOf(signOut.response)).toMatch(/Max-Age=0/i)
        const after = yield* fetchRaw(server, "/me", { headers: { cookie: pair } })
        expect(after.response.status).toBe(401)
        // The key the person typed still works: only the session's key was revoked.
        const still = yield* request(server, "GET", "/me", { key })
        expect(still.body).toEqual({ user: w.viewer })
      })
    )
  })

  describe("where a version is linked", () => {
    it.effect("lists the links of a source in the registries the caller sees, never a restricted one", () =>
      Effect.gen(function* () {
        const server = yield* Running
        const w = yield* world(server)
        yield* memberRegistry(server, w, "Datasets")
        const restricted = yield* request(server, "POST", `/organizations/${w.org}/registries`, {
          key: w.keys.admin,
          body: { registry: "Hidden", visibility: "restricted" }
        })
        expect(restricted.status, restricted.text).toBe(201)
        for (const [registry, collection, key] of [
          ["Datasets", "images", w.keys.member],
          ["Datasets", "faces", w.keys.member],
          ["Hidden", "images", w.keys.admin]
        ] as const) {
          const linked = yield* request(
            server,
            "POST",
            `${registryPath(w.org, registry)}/collections/${collection}/links`,
            {
              key,
              body: { source: w.source, aliases: collection === "images" ? ["production"] : [] }
            }
          )
          expect(linked.status, linked.text).toBe(200)
        }
        const query = `/source-links?reference=${encodeURIComponent(w.source)}`
        const asMember = yield* request(server, "GET", query, { key: w.keys.member })
        expect(asMember.status, asMember.text).toBe(200)
        const seen = (
          asMember.body.links as Array<{ registry: string; collection: string; index: number; aliases: Array<string> }>
        )
          .map((link) => `${link.registry}/${link.collection}:v${link.index} ${link.aliases.join(",")}`)
          .sort()
        expect(seen).toEqual(["Datasets/faces:v0 latest", "Datasets/images:v0 latest,production"])
        expect(asMember.body.reference).toBe(w.source)
        const asAdmin = yield* request(server, "GET", query, { key: w.keys.admin })
        expect((asAdmin.body.links as Array<unknown>).length).toBe(3)
        // A registry path names its source.
        const byPath = yield* request(
          server,
          "GET",
          `/source-links?reference=${encodeURIComponent(`${w.org}/wandb-registry-Datasets/faces:v0`)}`,
          { key: w.keys.member }
        )
        expect(byPath.body.reference).toBe(w.source)
        expect((byPath.body.links as Array<unknown>).length).toBe(2)
        const missing = yield* request(
          server,
          "GET",
          `/source-links?reference=${encodeURIComponent(`${w.team}/images/nothing:v0`)}`,
          {
            key: w.keys.member
          }
        )
        expect(missing.status).toBe(404)
        expect(missing.body.code).toBe("ArtifactVersionNotFound")
      })
    )
  })

  describe("the artifact browser", () => {
    it.effect("lists an entity's artifacts with their type, live version count and latest", () =>
      Effect.gen(function* () {
        const server = yield* Running
        const w = yield* world(server)
        const images = yield* uploadedFile(server, w.keys.member, "b.txt", "bb")
        const weights = yield* uploadedFile(server, w.keys.member, "w.bin", "ccc")
        const second = yield* request(
          server,
          "POST",
          `/entities/${w.team}/projects/images/artifacts/raw_images/versions`,
          {
            key: w.keys.member,
            body: { type: "dataset", files: [images] }
          }
        )
        expect(second.status, second.text).toBe(201)
        const model = yield* request(server, "POST", `/entities/${w.team}/projects/training/artifacts/net/versions`, {
          key: w.keys.member,
          body: { type: "model", files: [weights] }
        })
        expect(model.status, model.text).toBe(201)
        const listed = yield* request(server, "GET", `/entities/${w.team}/artifacts`, { key: w.keys.viewer })
        expect(listed.status, listed.text).toBe(200)
        expect(listed.body).toEqual([
          { project: "images", name: "raw_images", artifactType: "dataset", versions: 2, latest: 1 },
          { project: "training", name: "net", artifactType: "model", versions: 1, latest: 0 }
        ])
        const invalid = yield* request(server, "GET", `/entities/${encodeURIComponent("no such!")}/artifacts`, {
          key: w.keys.viewer
        })
        expect(invalid.status).toBe(400)
      })
    )
  })
})
