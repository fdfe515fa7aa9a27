/**
 * The server's end-to-end scenarios, written once and run on every store: a real server on 127.0.0.1 on a free
 * port, driven with plain `fetch` and with the `HttpApiClient` derived from the API definition.
 */
import { randomBytes } from "node:crypto"
import { FetchHttpClient, HttpApiClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, layer } from "@effect/vitest"
import { RegistrarApi } from "@registrar/api"
import { ApiKey, type EventStore, type ReadModelStore, RegistryNotFound, type SnapshotStore } from "@registrar/domain"
import { Context, Effect, Layer } from "effect"
import { request, startServer, TEST_BODY_LIMIT, type TestServer, uploadedFile } from "./TestServer.js"

class Running extends Context.Tag("test/Running")<Running, TestServer>() {}

let sequence = 0
export const unique = (stem: string) => `${stem}-${process.pid.toString(36)}-${(++sequence).toString(36)}`

export const PROBLEM = "application/problem+json"

/** A key for `user` made on the store (as `registrar api-key create --user` does). */
export const keyFor = (server: TestServer, user: string): Effect.Effect<string, unknown> =>
  Effect.map(
    server.registrar.createApiKey({ actor: user, user, random: randomBytes(ApiKey.RANDOM_BYTES) }),
    (created) => created.key
  )

/**
 * An organization with an admin (`admin`, the bootstrapped instance admin), a member who belongs to its team,
 * a viewer and an outsider member, each with a key; a team project with one logged artifact version.
 */
/** A new user, created as users are: by an organization admin (the instance admin) into their organization. */
const userInOwnOrganization = (server: TestServer, user: string) =>
  Effect.gen(function* () {
    const organization = `${user}-org`
    yield* server.registrar.createOrganization({ actor: "admin", organization, displayName: organization })
    yield* server.registrar.createUser({ actor: "admin", user, organization })
  })

/** The organization, people, keys and logged source of {@link world}. */
export interface World {
  readonly org: string
  readonly team: string
  readonly member: string
  readonly viewer: string
  readonly outsider: string
  readonly keys: { readonly admin: string; readonly member: string; readonly viewer: string; readonly outsider: string }
  readonly source: string
}

export const world = (server: TestServer): Effect.Effect<World, unknown> =>
  Effect.gen(function* () {
    const org = unique("org")
    const team = unique("team")
    const [member, viewer, outsider] = [unique("mia"), unique("vic"), unique("oscar")]
    const admin = server.adminKey
    const ok = (result: { status: number; text: string }, what: string) =>
      expect(result.status, `${what}: ${result.text}`).toBeLessThan(300)
    ok(
      yield* request(server, "POST", "/organizations", { key: admin, body: { organization: org, displayName: org } }),
      "org"
    )
    for (const user of [member, viewer, outsider]) {
      ok(
        yield* request(server, "POST", "/users", {
          key: admin,
          body: { user, organization: org, organizationRole: "member" }
        }),
        "user"
      )
    }
    ok(yield* request(server, "POST", "/teams", { key: admin, body: { team, organization: org } }), "team")
    ok(yield* request(server, "PUT", `/teams/${team}/members/${member}`, { key: admin }), "team member")
    const keys = {
      admin,
      member: yield* keyFor(server, member),
      viewer: yield* keyFor(server, viewer),
      outsider: yield* keyFor(server, outsider)
    }
    const logged = yield* request(server, "POST", `/entities/${team}/projects/images/artifacts/raw_images/versions`, {
      key: keys.member,
      body: { type: "dataset", files: [yield* uploadedFile(server, keys.member, "a.txt", "a")] }
    })
    ok(logged, "log")
    return { org, team, member, viewer, outsider, keys, source: String(logged.body.reference) }
  })

/** Creates a registry as the admin and makes the world's team a member of it. */
export const memberRegistry = (
  server: TestServer,
  w: { org: string; team: string; keys: { admin: string } },
  registry: string,
  body: object = {}
) =>
  Effect.gen(function* () {
    const created = yield* request(server, "POST", `/organizations/${w.org}/registries`, {
      key: w.keys.admin,
      body: { registry, ...body }
    })
    expect(created.status, created.text).toBe(201)
    const granted = yield* request(server, "PUT", `${registryPath(w.org, registry)}/grants`, {
      key: w.keys.admin,
      body: { principal: { kind: "team", name: w.team }, role: "member" }
    })
    expect(granted.status, granted.text).toBe(200)
  })

export const registryPath = (org: string, registry: string) =>
  `/organizations/${encodeURIComponent(org)}/registries/${encodeURIComponent(registry)}`

/** Runs every scenario against a server on the stores `stores` makes. */
export const serverScenarios = (
  name: string,
  stores: Layer.Layer<EventStore | ReadModelStore | SnapshotStore, unknown>
) =>
  layer(Layer.scoped(Running, startServer(stores)), { timeout: 120_000, excludeTestServices: true })(
    `Server on ${name}`,
    (it) => {
      describe("health and documents", () => {
        it.effect("answers /healthz and /readyz without credentials", () =>
          Effect.gen(function* () {
            const server = yield* Running
            for (const path of ["/healthz", "/readyz"]) {
              const result = yield* request(server, "GET", path)
              expect(result.status).toBe(200)
              expect(result.body).toStrictEqual({ status: "ok" })
            }
          })
        )
        it.effect("serves the OpenAPI document and a page that renders it", () =>
          Effect.gen(function* () {
            const server = yield* Running
            const document = yield* request(server, "GET", "/openapi.json")
            expect(document.status).toBe(200)
            expect(document.body.openapi).toBe("3.1.0")
            const docs = yield* request(server, "GET", "/docs")
            expect(docs.status).toBe(200)
            expect(docs.contentType).toContain("text/html")
          })
        )
        it.effect("answers an unknown route with a 404 problem", () =>
          Effect.gen(function* () {
            const server = yield* Running
            const result = yield* request(server, "GET", "/no/such/route", { key: server.adminKey })
            expect(result.status).toBe(404)
            expect(result.contentType).toContain(PROBLEM)
            expect(result.body.code).toBe("RouteNotFound")
          })
        )
      })

      describe("authentication", () => {
        it.effect("refuses a request without a key, with a wrong key, a malformed one and a revoked one (401)", () =>
          Effect.gen(function* () {
            const server = yield* Running
            const wrong = `rk_${randomBytes(4).toString("hex")}_${randomBytes(32).toString("hex")}`
            const user = unique("rita")
            yield* userInOwnOrganization(server, user)
            const revoked = yield* keyFor(server, user)
            expect((yield* request(server, "GET", "/me", { key: revoked })).body).toStrictEqual({ user })
            const prefix = ApiKey.prefixOf(revoked)
            expect(prefix._tag).toBe("Right")
            const revoke = yield* request(
              server,
              "DELETE",
              `/api-keys/${prefix._tag === "Right" ? prefix.right : ""}`,
              {
                key: revoked
              }
            )
            expect(revoke.body.changed).toBe(true)
            for (const key of [undefined, wrong, "not-a-key", revoked]) {
              const result = yield* request(server, "GET", "/me", { key })
              expect(result.status, `${String(key)} ${result.text}`).toBe(401)
              expect(result.contentType).toContain(PROBLEM)
              expect(result.body.code).toBe("Unauthorized")
              expect(result.body.status).toBe(401)
              if (key !== undefined) expect(result.text).not.toContain(key)
            }
          })
        )
        it.effect("lets users create, list and revoke their own keys; the secret is shown once", () =>
          Effect.gen(function* () {
            const server = yield* Running
            const user = unique("kim")
            yield* userInOwnOrganization(server, user)
            const first = yield* keyFor(server, user)
            const created = yield* request(server, "POST", "/api-keys", { key: first, body: { name: "ci" } })
            expect(created.status).toBe(201)
            const second = String(created.body.key)
            expect(second).toMatch(/^rk_[0-9a-f]{8}_[0-9a-f]{64}$/)
            expect((yield* request(server, "GET", "/me", { key: second })).body).toStrictEqual({ user })
            const listed = yield* request(server, "GET", "/api-keys", { key: second })
            expect(listed.status).toBe(200)
            expect((listed.body as unknown as Array<{ name: string }>).map((key) => key.name)).toStrictEqual([
              "default",
              "ci"
            ])
            expect(listed.text).not.toContain(second.slice(12))
            expect(listed.text).not.toContain(first.slice(12))
          })
        )
        it.effect("lets the instance admin create, list and revoke another user's keys, and no one else", () =>
          Effect.gen(function* () {
            const server = yield* Running
            const user = unique("lee")
            const other = unique("max")
            yield* userInOwnOrganization(server, user)
            yield* userInOwnOrganization(server, other)
            const otherKey = yield* keyFor(server, other)
            const keys = `/users/${user}/api-keys`
            // Another user, even an organization admin of theirs, is refused on each of the three; nothing is made.
            for (const [method, path] of [
              ["POST", keys],
              ["GET", keys],
              ["DELETE", `${keys}/0a1b2c3d`]
            ] as const) {
              const refused = yield* request(server, method, path, {
                key: otherKey,
                ...(method === "POST" ? { body: { name: "x" } } : {})
              })
              expect(refused.status, `${method} ${path}`).toBe(403)
              expect(refused.body.code).toBe("ApiKeyOwnerRequired")
            }
            // The instance admin makes a key for the user: it authenticates as the user, not as the admin.
            const created = yield* request(server, "POST", keys, { key: server.adminKey, body: { name: "onboarding" } })
            expect(created.status, created.text).toBe(201)
            expect(created.body.user).toBe(user)
            const key = String(created.body.key)
            expect((yield* request(server, "GET", "/me", { key })).body).toStrictEqual({ user })
            const listed = yield* request(server, "GET", keys, { key: server.adminKey })
            expect((listed.body as unknown as Array<{ name: string }>).map((entry) => entry.name)).toStrictEqual([
              "onboarding"
            ])
            expect(listed.text).not.toContain(key.slice(12))
            // The user's own endpoint sees the same key; the admin revokes it, and it authenticates no more.
            const own = yield* request(server, "GET", "/api-keys", { key })
            expect((own.body as unknown as Array<{ prefix: string }>)[0]?.prefix).toBe(key.slice(3, 11))
            const revoked = yield* request(server, "DELETE", `${keys}/${key.slice(3, 11)}`, { key: server.adminKey })
            expect(revoked.body).toStrictEqual({ user, prefix: key.slice(3, 11), changed: true })
            expect((yield* request(server, "GET", "/me", { key })).status).toBe(401)
            // A key for a user who does not exist is refused.
            const nobody = yield* request(server, "POST", `/users/${unique("ghost")}/api-keys`, {
              key: server.adminKey,
              body: {}
            })
            expect(nobody.status, nobody.text).toBe(404)
            expect((yield* request(server, "GET", `/users/${user}/api-keys`, { key: otherKey })).status).toBe(403)
            // Anyone else is refused before the user is looked up: the answer never says whether a user exists.
            const probe = yield* request(server, "POST", `/users/${unique("ghost")}/api-keys`, {
              key: otherKey,
              body: {}
            })
            expect(probe.status, probe.text).toBe(403)
          })
        )
        it.effect("records the key's user as the actor, whatever the body says", () =>
          Effect.gen(function* () {
            const server = yield* Running
            const w = yield* world(server)
            const registry = unique("Spoof")
            const created = yield* request(
              server,
              "POST",
              `${registryPath(w.org, registry)}`.replace(`/${registry}`, ""),
              {
                key: w.keys.member,
                body: { registry, actor: "admin", user: "admin" }
              }
            )
            expect(created.status).toBe(201)
            const shown = yield* request(server, "GET", registryPath(w.org, registry), { key: w.keys.member })
            expect(shown.body.registry).toMatchObject({ createdBy: w.member })
            const history = yield* request(server, "GET", `/history?organization=${w.org}&registry=${registry}`, {
              key: w.keys.member
            })
            const events = history.body.items as Array<{ type: string; actor: string }>
            expect(events.find((event) => event.type === "RegistryCreated")?.actor).toBe(w.member)
          })
        )
        it.effect("never logs a key, and logs one line per request with method, path, status and actor", () =>
          Effect.gen(function* () {
            const server = yield* Running
            yield* request(server, "GET", "/me?probe=1", { key: server.adminKey })
            const line = server.logs.find((entry) => entry.includes("path=/me ") && entry.includes("actor=admin"))
            expect(line).toBeDefined()
            expect(line).toContain("method=GET")
            expect(line).toContain("status=200")
            expect(line).toMatch(/ms=[0-9.]+/)
            expect(server.logs.join("\n")).not.toContain(server.adminKey)
          })
        )
      })

      describe("registries, collections and links", () => {
        it.effect("creates, configures, shows, pages and deletes registries", () =>
          Effect.gen(function* () {
            const server = yield* Running
            const w = yield* world(server)
            const base = `/organizations/${w.org}/registries`
            for (const registry of ["A", "B", "C"]) {
              const created = yield* request(server, "POST", base, {
                key: w.keys.admin,
                body: { registry, acceptedTypes: ["dataset"] }
              })
              expect(created.status, created.text).toBe(201)
              expect(created.body.path).toBe(`wandb-registry-${registry}`)
            }
            const first = yield* request(server, "GET", `${base}?limit=2`, { key: w.keys.admin })
            expect((first.body.items as Array<{ registry: string }>).map((r) => r.registry)).toStrictEqual(["A", "B"])
            expect(typeof first.body.nextCursor).toBe("string")
            const second = yield* request(server, "GET", `${base}?limit=2&cursor=${first.body.nextCursor}`, {
              key: w.keys.admin
            })
            expect((second.body.items as Array<{ registry: string }>).map((r) => r.registry)).toStrictEqual(["C"])
            expect(second.body.nextCursor).toBeNull()
            const bad = yield* request(server, "GET", `${base}?cursor=bm9wZQ`, { key: w.keys.admin })
            expect(bad.status).toBe(400)
            expect(bad.body.code).toBe("InvalidCursor")

            const path = registryPath(w.org, "A")
            expect(
              (yield* request(server, "PUT", `${path}/visibility`, {
                key: w.keys.admin,
                body: { visibility: "restricted" }
              })).body
            ).toStrictEqual({ changed: true })
            expect(
              (yield* request(server, "POST", `${path}/accepted-types`, {
                key: w.keys.admin,
                body: { artifactTypes: ["model"] }
              })).body
            ).toStrictEqual({ changed: true })
            expect(
              (yield* request(server, "PUT", `${path}/protected-aliases`, {
                key: w.keys.admin,
                body: { aliases: ["production"] }
              })).body
            ).toStrictEqual({ changed: true })
            expect(
              (yield* request(server, "PUT", `${path}/grants`, {
                key: w.keys.admin,
                body: { principal: { kind: "user", name: w.viewer }, role: "viewer" }
              })).body
            ).toStrictEqual({ changed: true })
            const shown = yield* request(server, "GET", path, { key: w.keys.viewer })
            expect(shown.status).toBe(200)
            expect(shown.body.registry).toMatchObject({
              visibility: "restricted",
              acceptedTypes: ["dataset", "model"],
              protectedAliases: ["production"],
              grants: expect.arrayContaining([{ principal: { kind: "user", name: w.viewer }, role: "viewer" }])
            })
            const back = yield* request(server, "PUT", `${path}/visibility`, {
              key: w.keys.admin,
              body: { visibility: "organization" }
            })
            expect(back.status).toBe(409)
            expect(back.body.code).toBe("VisibilityChangeRefused")
            expect(
              (yield* request(server, "DELETE", `${path}/grants/user/${w.viewer}`, { key: w.keys.admin })).body
            ).toStrictEqual({ changed: true })
            expect((yield* request(server, "DELETE", path, { key: w.keys.admin })).body).toStrictEqual({
              changed: true
            })
            expect((yield* request(server, "GET", path, { key: w.keys.admin })).status).toBe(404)
          })
        )
        it.effect("creates, shows, renames, updates and deletes collections", () =>
          Effect.gen(function* () {
            const server = yield* Running
            const w = yield* world(server)
            const path = registryPath(w.org, "Golden Datasets")
            yield* memberRegistry(server, w, "Golden Datasets")
            const created = yield* request(server, "POST", `${path}/collections`, {
              key: w.keys.member,
              body: { collection: "raw images", type: "dataset", tags: ["vision"] }
            })
            expect(created.status, created.text).toBe(201)
            expect(created.body.path).toBe("wandb-registry-Golden Datasets/raw images")
            const listed = yield* request(server, "GET", `${path}/collections`, { key: w.keys.member })
            expect((listed.body.items as Array<{ name: string }>).map((c) => c.name)).toStrictEqual(["raw images"])
            const updated = yield* request(server, "PATCH", `${path}/collections/raw%20images`, {
              key: w.keys.member,
              body: { name: "raw_images", description: "camera frames" }
            })
            expect(updated.body).toMatchObject({ collection: "raw_images", changed: true })
            const shown = yield* request(server, "GET", `${path}/collections/raw_images`, { key: w.keys.member })
            expect(shown.body).toMatchObject({
              name: "raw_images",
              description: "camera frames",
              tags: ["vision"],
              versionCount: 0
            })
            expect(
              (yield* request(server, "DELETE", `${path}/collections/raw_images`, { key: w.keys.member })).status
            ).toBe(200)
            expect(
              (yield* request(server, "GET", `${path}/collections/raw_images`, { key: w.keys.member })).status
            ).toBe(404)
          })
        )
        it.effect("links, aliases, resolves, lists as of a past position, and unlinks", () =>
          Effect.gen(function* () {
            const server = yield* Running
            const w = yield* world(server)
            const path = registryPath(w.org, "Models")
            yield* memberRegistry(server, w, "Models")
            const links = `${path}/collections/raw/links`
            const first = yield* request(server, "POST", links, {
              key: w.keys.member,
              body: { source: w.source, aliases: ["best"] }
            })
            expect(first.status, first.text).toBe(200)
            expect(first.body).toMatchObject({
              fullName: "wandb-registry-Models/raw:v0",
              created: true,
              aliases: ["latest", "best"]
            })
            const history = yield* request(server, "GET", `/history?organization=${w.org}`, { key: w.keys.member })
            const items = history.body.items as Array<{ globalPosition: number }>
            const position = Math.max(...items.map((item) => item.globalPosition))
            const next = yield* request(
              server,
              "POST",
              `/entities/${w.team}/projects/images/artifacts/raw_images/versions`,
              {
                key: w.keys.member,
                body: { type: "dataset", files: [yield* uploadedFile(server, w.keys.member, "b.txt", "bb")] }
              }
            )
            const second = yield* request(server, "POST", links, {
              key: w.keys.member,
              body: { source: next.body.reference }
            })
            expect(second.body.version).toBe(1)
            const now = yield* request(server, "GET", `${path}/collections/raw/versions`, { key: w.keys.member })
            expect((now.body.items as Array<{ index: number }>).map((v) => v.index)).toStrictEqual([0, 1])
            expect(now.body.latest).toBe(1)
            const then = yield* request(server, "GET", `${path}/collections/raw/versions?asOf=${position}`, {
              key: w.keys.member
            })
            expect((then.body.items as Array<{ index: number }>).map((v) => v.index)).toStrictEqual([0])
            // Newest first, one per page: the cursor walks down; it belongs to its order (and its asOf).
            const versionsOf = (query: string) =>
              request(server, "GET", `${path}/collections/raw/versions?${query}`, { key: w.keys.member })
            const indexes = (page: { body: Record<string, unknown> }) =>
              (page.body.items as Array<{ index: number }>).map((v) => v.index)
            const down = yield* versionsOf("order=desc&limit=1")
            expect(indexes(down)).toStrictEqual([1])
            expect(down.body.latest).toBe(1)
            const downNext = yield* versionsOf(`order=desc&limit=1&cursor=${down.body.nextCursor}`)
            expect(indexes(downNext)).toStrictEqual([0])
            expect(downNext.body.nextCursor).toBeNull()
            const up = yield* versionsOf("order=asc&limit=1")
            expect(indexes(up)).toStrictEqual([0])
            expect(indexes(yield* versionsOf(`order=asc&limit=1&cursor=${up.body.nextCursor}`))).toStrictEqual([1])
            const crossed = yield* versionsOf(`order=desc&limit=1&cursor=${up.body.nextCursor}`)
            expect(crossed.status, crossed.text).toBe(400)
            expect(indexes(yield* versionsOf(`order=desc&asOf=${position}`))).toStrictEqual([0])
            const sideways = yield* versionsOf("order=sideways")
            expect(sideways.status).toBe(400)
            expect(sideways.contentType).toContain("application/problem+json")
            const aliased = yield* request(server, "PUT", `${path}/collections/raw/versions/v1/aliases/best`, {
              key: w.keys.member
            })
            expect(aliased.body).toMatchObject({ fullName: "wandb-registry-Models/raw:v1", changed: true })
            const resolved = yield* request(
              server,
              "GET",
              `/resolve?name=${encodeURIComponent(`${w.org}/wandb-registry-Models/raw:best`)}`,
              { key: w.keys.viewer }
            )
            expect(resolved.status, resolved.text).toBe(200)
            expect(resolved.body).toMatchObject({ version: 1, source: next.body.reference })
            const unlinked = yield* request(server, "DELETE", `${path}/collections/raw/versions/v1`, {
              key: w.keys.member
            })
            expect(unlinked.body).toMatchObject({ changed: true })
            const after = yield* request(server, "GET", `${path}/collections/raw/versions`, { key: w.keys.member })
            expect(after.body.latest).toBe(0)
          })
        )
        it.effect(
          "refuses a viewer's link (403) and hides a restricted registry from a user without a role (404)",
          () =>
            Effect.gen(function* () {
              const server = yield* Running
              const w = yield* world(server)
              const base = `/organizations/${w.org}/registries`
              yield* request(server, "POST", base, { key: w.keys.admin, body: { registry: "Open" } })
              yield* request(server, "POST", base, {
                key: w.keys.admin,
                body: { registry: "Secret", visibility: "restricted" }
              })
              const grant = yield* request(server, "PUT", `${registryPath(w.org, "Open")}/grants`, {
                key: w.keys.admin,
                body: { principal: { kind: "user", name: w.member }, role: "viewer" }
              })
              expect(grant.status).toBe(200)
              const asViewer = yield* request(server, "POST", `${registryPath(w.org, "Open")}/collections/raw/links`, {
                key: w.keys.member,
                body: { source: w.source }
              })
              expect(asViewer.status, asViewer.text).toBe(403)
              expect(asViewer.body.code).toBe("InsufficientRole")
              expect(asViewer.contentType).toContain(PROBLEM)
              const hidden = yield* request(server, "GET", registryPath(w.org, "Secret"), { key: w.keys.outsider })
              const missing = yield* request(server, "GET", registryPath(w.org, "Nonexistent"), {
                key: w.keys.outsider
              })
              expect(hidden.status).toBe(404)
              expect(missing.status).toBe(404)
              expect(hidden.body.code).toBe("RegistryNotFound")
              expect(missing.body.code).toBe("RegistryNotFound")
              expect(String(hidden.body.detail).replace("Secret", "X")).toBe(
                String(missing.body.detail).replace("Nonexistent", "X")
              )
              const listed = yield* request(server, "GET", base, { key: w.keys.outsider })
              expect((listed.body.items as Array<{ registry: string }>).map((r) => r.registry)).toStrictEqual(["Open"])
            })
        )
        it.effect("returns the first result for a retried POST with the same Idempotency-Key", () =>
          Effect.gen(function* () {
            const server = yield* Running
            const w = yield* world(server)
            const base = `/organizations/${w.org}/registries`
            const headers = { "idempotency-key": unique("retry") }
            const first = yield* request(server, "POST", base, {
              key: w.keys.admin,
              body: { registry: "Once" },
              headers
            })
            const retry = yield* request(server, "POST", base, {
              key: w.keys.admin,
              body: { registry: "Once" },
              headers
            })
            expect(first.status).toBe(201)
            expect(retry.status).toBe(201)
            expect(retry.body).toStrictEqual(first.body)
            const without = yield* request(server, "POST", base, { key: w.keys.admin, body: { registry: "Once" } })
            expect(without.status).toBe(409)
            expect(without.body.code).toBe("RegistryAlreadyExists")
            yield* request(server, "PUT", `${registryPath(w.org, "Once")}/grants`, {
              key: w.keys.admin,
              body: { principal: { kind: "team", name: w.team }, role: "member" }
            })
            const links = `${registryPath(w.org, "Once")}/collections/raw/links`
            const linkHeaders = { "idempotency-key": unique("link") }
            const linked = yield* request(server, "POST", links, {
              key: w.keys.member,
              body: { source: w.source },
              headers: linkHeaders
            })
            const again = yield* request(server, "POST", links, {
              key: w.keys.member,
              body: { source: w.source },
              headers: linkHeaders
            })
            expect(again.body).toStrictEqual(linked.body)
            expect(linked.body.created).toBe(true)
          })
        )
      })

      describe("bad input", () => {
        it.effect("answers an oversized body with 413 and malformed JSON with 400, as problems", () =>
          Effect.gen(function* () {
            const server = yield* Running
            const base = `/organizations/x/registries`
            const large = yield* request(server, "POST", base, {
              key: server.adminKey,
              raw: JSON.stringify({ registry: "x".repeat(TEST_BODY_LIMIT + 1) })
            })
            expect(large.status).toBe(413)
            expect(large.contentType).toContain(PROBLEM)
            expect(large.body.code).toBe("PayloadTooLarge")
            for (const raw of ["{", "not json", '{"registry": }']) {
              const malformed = yield* request(server, "POST", base, { key: server.adminKey, raw })
              expect(malformed.status, raw).toBe(400)
              expect(malformed.contentType).toContain(PROBLEM)
              expect(malformed.body.code).toBe("InvalidRequest")
            }
            const wrongShape = yield* request(server, "POST", base, { key: server.adminKey, body: { registry: 42 } })
            expect(wrongShape.status).toBe(400)
            expect(wrongShape.body.code).toBe("InvalidRequest")
          })
        )
        it.effect("answers hostile strings with 400 problems, never 500", () =>
          Effect.gen(function* () {
            const server = yield* Running
            const w = yield* world(server)
            // Names the domain refuses: each must be a 400 problem. (Control characters are the names helper's.)
            const hostile = ["", "a/b", "../../etc/passwd", "%", "#", "?", "a:b", "é".repeat(200), "\\", "a\nb"]
            for (const registry of hostile) {
              const result = yield* request(server, "POST", `/organizations/${w.org}/registries`, {
                key: w.keys.admin,
                body: { registry }
              })
              expect(result.status, JSON.stringify(registry) + result.text).toBe(400)
              expect(result.contentType).toContain(PROBLEM)
              expect(result.body.code).toBe("InvalidName")
            }
            for (const name of ["", "::", "a/b/c/d/e", "wandb-registry-X/c:v99999999999999999999", "\u0000"]) {
              const result = yield* request(server, "GET", `/resolve?name=${encodeURIComponent(name)}`, {
                key: w.keys.admin
              })
              expect(result.status, JSON.stringify(name) + result.text).toBeGreaterThanOrEqual(400)
              expect(result.status, JSON.stringify(name)).toBeLessThan(500)
            }
            const asOf = yield* request(server, "GET", `/organizations/${w.org}/registries?asOf=yesterday`, {
              key: w.keys.admin
            })
            expect(asOf.status).toBe(400)
            const limit = yield* request(server, "GET", `/organizations/${w.org}/registries?limit=0`, {
              key: w.keys.admin
            })
            expect(limit.status).toBe(400)
          })
        )
      })

      describe("the derived client", () => {
        it.effect("calls endpoints and decodes typed failures", () =>
          Effect.gen(function* () {
            const server = yield* Running
            const w = yield* world(server)
            const client = yield* HttpApiClient.make(RegistrarApi, {
              baseUrl: server.url,
              transformClient: HttpClient.mapRequest(HttpClientRequest.bearerToken(w.keys.admin))
            })
            const created = yield* client.registries.createRegistry({
              path: { organization: w.org },
              payload: { registry: "Typed" },
              headers: {}
            })
            expect(created).toStrictEqual({ organization: w.org, registry: "Typed", path: "wandb-registry-Typed" })
            const me = yield* client.keys.me()
            expect(me).toStrictEqual({ user: "admin" })
            const failure = yield* Effect.flip(
              client.registries.showRegistry({ path: { organization: w.org, registry: "Missing" }, urlParams: {} })
            )
            expect(failure).toBeInstanceOf(RegistryNotFound)
            expect((failure as RegistryNotFound).registry).toBe("Missing")
          }).pipe(Effect.provide(FetchHttpClient.layer))
        )
      })
    }
  )
