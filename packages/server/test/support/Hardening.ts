/**
 * The security sweep and the pagination scenarios, run on every store: every endpoint of the API definition (read
 * from it, so a new endpoint is swept too) refuses missing, wrong and revoked keys with 401, a malformed or
 * oversized body with 400 or 413; a user without a role meets a restricted registry as a missing one in every
 * endpoint that can name it, lists and history included; and lists page by keyset without repeats or skips while
 * rows are added, refusing cursors they did not hand out.
 */
import { randomBytes } from "node:crypto"
import * as http from "node:http"
import { describe, expect, layer } from "@effect/vitest"
import { RegistrarApi } from "@registrar/api"
import { ApiKey, type EventStore, type ReadModelStore, type SnapshotStore } from "@registrar/domain"
import { Context, Effect, Encoding, Layer } from "effect"
import { keyFor, memberRegistry, PROBLEM, registryPath, world } from "./Scenarios.js"
import { request, startServer, TEST_BODY_LIMIT, type TestServer, uploadedFile } from "./TestServer.js"

class Running extends Context.Tag("test/HardeningServer")<Running, TestServer>() {}

interface Endpoint {
  readonly group: string
  readonly name: string
  readonly method: string
  readonly path: string
  readonly hasPayload: boolean
}

/** Every endpoint of the definition. */
const endpoints: ReadonlyArray<Endpoint> = Object.values(RegistrarApi.groups).flatMap((group) =>
  Object.values(group.endpoints).map((endpoint) => ({
    group: group.identifier,
    name: endpoint.name,
    method: endpoint.method,
    path: endpoint.path,
    hasPayload: endpoint.payloadSchema._tag === "Some"
  }))
)

/** A path with its parameters filled in (`kind` must be user or team; the rest take `values` or "x"). */
const fill = (path: string, values: Readonly<Record<string, string>> = {}) =>
  path.replace(/:([a-zA-Z]+)/g, (_, name: string) =>
    encodeURIComponent(values[name] ?? (name === "kind" ? "user" : "x"))
  )

/** POSTs `bytes` bytes of a JSON body in chunks (Transfer-Encoding: chunked, no Content-Length) with the admin key. */
const sendChunked = (server: TestServer, path: string, bytes: number) =>
  new Promise<{ status: number; text: string }>((resolve, reject) => {
    const url = new URL(path, server.url)
    const outgoing = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        headers: { authorization: `Bearer ${server.adminKey}`, "content-type": "application/json" }
      },
      (response) => {
        const chunks: Array<Buffer> = []
        response.on("data", (chunk: Buffer) => chunks.push(chunk))
        response.on("end", () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString() }))
      }
    )
    outgoing.on("error", reject)
    outgoing.write('{"padding": "')
    const piece = "x".repeat(16 * 1024)
    let sent = 0
    // Written as the socket drains, so an answer that comes before the whole body is read still arrives.
    const pump = () => {
      while (sent < bytes) {
        sent += piece.length
        if (!outgoing.write(piece)) {
          outgoing.once("drain", pump)
          return
        }
      }
      outgoing.end('"}')
    }
    pump()
  })

const problemOf = (result: { status: number; contentType: string; text: string }, what = "") => {
  expect(result.contentType, `${what} ${result.status} ${result.text}`).toContain(PROBLEM)
  expect(result.text).not.toMatch(/\bat [\w.<>]+ \(|node:internal|\.ts:\d+/)
}

/** Runs the sweep against a server on the stores `stores` makes. */
export const hardeningScenarios = (
  name: string,
  stores: Layer.Layer<EventStore | ReadModelStore | SnapshotStore, unknown>
) =>
  layer(Layer.scoped(Running, startServer(stores)), { timeout: 120_000, excludeTestServices: true })(
    `Security and paging on ${name}`,
    (it) => {
      describe("every endpoint", () => {
        it.effect("refuses no key, a wrong key and a revoked key with a 401 problem, before reading the body", () =>
          Effect.gen(function* () {
            const server = yield* Running
            const w = yield* world(server)
            const revoked = yield* keyFor(server, w.viewer)
            const prefix = ApiKey.prefixOf(revoked)
            if (prefix._tag === "Left") throw new Error("a made key has a prefix")
            expect((yield* request(server, "DELETE", `/api-keys/${prefix.right}`, { key: revoked })).status).toBe(200)
            const wrong = `rk_${randomBytes(4).toString("hex")}_${randomBytes(32).toString("hex")}`
            // The session group takes its key in the body; its refusals are checked after the sweep.
            const guarded = endpoints.filter((endpoint) => endpoint.group !== "health" && endpoint.group !== "session")
            expect(guarded.length).toBeGreaterThan(30)
            for (const endpoint of guarded) {
              for (const key of [undefined, wrong, revoked, "Bearer", "rk_"]) {
                const result = yield* request(server, endpoint.method, fill(endpoint.path), {
                  key,
                  ...(endpoint.hasPayload ? { raw: "{}" } : {})
                })
                expect(result.status, `${endpoint.name} with ${String(key)}: ${result.text}`).toBe(401)
                expect(result.body.code).toBe("Unauthorized")
                problemOf(result)
                if (key !== undefined && key.length > 10) expect(result.text).not.toContain(key)
                // The reason is the bearer key's own, though the session cookie is tried after it.
                expect(result.text).toContain(
                  key === undefined
                    ? "The request has no API key."
                    : key === wrong || key === revoked
                      ? "The API key is unknown, revoked, or mistyped."
                      : "The bearer token is not a Registrar API key."
                )
              }
            }
            for (const key of [wrong, revoked, "", "rk_"]) {
              const result = yield* request(server, "POST", "/session", { body: { key } })
              expect(result.status, `signIn with ${key}: ${result.text}`).toBe(401)
              expect(result.body.code).toBe("Unauthorized")
              problemOf(result)
              if (key.length > 10) expect(result.text).not.toContain(key)
            }
          })
        )

        it.effect("answers a malformed body with 400 and an oversized one with 413, as problems", () =>
          Effect.gen(function* () {
            const server = yield* Running
            // An upload's body is bytes, not JSON: any bytes are a valid upload (its own limit is tested in Files).
            const withBody = endpoints.filter((endpoint) => endpoint.hasPayload && endpoint.name !== "uploadBlob")
            expect(withBody.length).toBeGreaterThan(10)
            for (const endpoint of withBody) {
              const path = fill(endpoint.path)
              for (const raw of ["{", "[1,", '{"a":}', "\u0000", "null", '"text"', "1e999999"]) {
                const result = yield* request(server, endpoint.method, path, { key: server.adminKey, raw })
                expect(result.status, `${endpoint.name} ${JSON.stringify(raw)}: ${result.text}`).toBe(400)
                expect(result.body.code).toBe("InvalidRequest")
                problemOf(result)
              }
              const large = yield* request(server, endpoint.method, path, {
                key: server.adminKey,
                raw: JSON.stringify({ padding: "x".repeat(TEST_BODY_LIMIT + 1) })
              })
              expect(large.status, `${endpoint.name}: ${large.text}`).toBe(413)
              expect(large.body.code).toBe("PayloadTooLarge")
              problemOf(large)
            }
            // A JSON body sent in chunks (no Content-Length to refuse it by) is refused before it is read, saying why.
            const chunked = yield* Effect.promise(() =>
              sendChunked(server, `${registryPath("any", "any")}/collections`, TEST_BODY_LIMIT * 4)
            )
            expect(chunked.status, chunked.text).toBe(411)
            expect(JSON.parse(chunked.text).code).toBe("InvalidRequest")
            expect(chunked.text).toContain("Content-Length")
          })
        )

        it.effect(
          "answers hostile strings in paths, queries and bodies below 500, refusals as problems without a stack trace",
          () =>
            Effect.gen(function* () {
              const server = yield* Running
              const w = yield* world(server)
              const hostile = [
                "..",
                "%00",
                "<script>alert(1)</script>",
                "' OR 1=1 --",
                "é".repeat(300),
                "a\u202eb",
                "{}"
              ]
              for (const endpoint of endpoints.filter((candidate) => candidate.group !== "health")) {
                for (const text of hostile) {
                  const path = fill(endpoint.path, {
                    organization: text,
                    registry: text,
                    collection: text,
                    version: text,
                    alias: text,
                    user: text,
                    team: text,
                    name: text,
                    entity: text,
                    project: text,
                    artifact: text,
                    prefix: text,
                    automation: text,
                    delivery: text
                  })
                  const query = `?name=${encodeURIComponent(text)}&reference=${encodeURIComponent(text)}&text=${encodeURIComponent(text)}&organization=${encodeURIComponent(text)}&registry=${encodeURIComponent(text)}&by=${encodeURIComponent(text)}&since=${encodeURIComponent(text)}`
                  const result = yield* request(server, endpoint.method, `${path}${query}`, {
                    key: w.keys.member,
                    ...(endpoint.hasPayload
                      ? { body: { registry: text, collection: text, source: text, user: text } }
                      : {})
                  })
                  const what = `${endpoint.name} ${JSON.stringify(text)}: ${result.text}`
                  expect(result.status, what).toBeLessThan(500)
                  if (result.status >= 400) problemOf(result, what)
                }
              }
            })
        )
      })

      describe("a NUL character, which no store can hold", () => {
        it.effect(
          "in any one parameter of any endpoint, the others naming what exists, is refused below 500 as a problem",
          () =>
            Effect.gen(function* () {
              const server = yield* Running
              const w = yield* world(server)
              const registry = `nul-${randomBytes(3).toString("hex")}`
              yield* memberRegistry(server, w, registry)
              // Real names everywhere but the parameter under test, so that the request gets as far as it can.
              const real: Record<string, string> = {
                organization: w.org,
                registry,
                collection: "c",
                version: "v0",
                alias: "latest",
                user: w.member,
                team: w.team,
                entity: w.team,
                project: "images",
                artifact: "raw_images",
                kind: "user",
                name: w.member
              }
              const queries = ["organization", "registry", "collection", "name", "reference", "by", "text"]
              let sent = 0
              for (const endpoint of endpoints.filter((candidate) => candidate.group !== "health")) {
                const parameters = [...endpoint.path.matchAll(/:([a-zA-Z]+)/g)].map((match) => match[1]!)
                const asked = [
                  ...parameters.map((parameter) => ({ where: parameter, path: { [parameter]: "\u0000" }, query: "" })),
                  ...(endpoint.method === "GET"
                    ? queries.map((query) => ({ where: `?${query}`, path: {}, query: `?${query}=%00` }))
                    : [])
                ]
                for (const { where, path, query } of asked) {
                  const result = yield* request(
                    server,
                    endpoint.method,
                    `${fill(endpoint.path, { ...real, ...path })}${query}`,
                    {
                      key: w.keys.admin,
                      ...(endpoint.hasPayload ? { raw: "{}" } : {})
                    }
                  )
                  sent++
                  const what = `${endpoint.name} with NUL in ${where}: ${result.text}`
                  expect(result.status, what).toBeLessThan(500)
                  if (result.status >= 400) problemOf(result, what)
                }
              }
              expect(sent).toBeGreaterThan(150)
            })
        )
      })

      describe("metadata nested deeper than any store takes", () => {
        it.effect("is refused with a 400 problem, not passed to the store to overflow its stack", () =>
          Effect.gen(function* () {
            const server = yield* Running
            const w = yield* world(server)
            const levels = 32_000
            const raw = `{"type":"dataset","files":[],"metadata":{"a":${"[".repeat(levels)}${"]".repeat(levels)}}}`
            const result = yield* request(
              server,
              "POST",
              `/entities/${w.team}/projects/images/artifacts/deep/versions`,
              {
                key: w.keys.member,
                raw
              }
            )
            expect(result.status, result.text).toBe(400)
            expect(result.body.code).toBe("InvalidName")
            expect(result.text).toContain("more than 100 levels deep")
            problemOf(result)
          })
        )
      })

      describe("the filter-language listings", () => {
        it.effect("refuse hostile filters, orders, cursors and page sizes with a 400 problem naming the fault", () =>
          Effect.gen(function* () {
            const server = yield* Running
            const w = yield* world(server)
            const deep = `${'{"$not":'.repeat(200)}{}${"}".repeat(200)}`
            const many = JSON.stringify({ alias: { $in: Array.from({ length: 101 }, (_, i) => `a${i}`) } })
            const cases: ReadonlyArray<readonly [string, string]> = [
              [`filter=${encodeURIComponent("{name:")}`, "InvalidFilterJson"],
              [`filter=${encodeURIComponent('{"source": {"$like": "x"}}')}`, "UnknownFilterOperator"],
              [`filter=${encodeURIComponent('{"tag": "x"}')}`, "UnknownFilterField"],
              [`filter=${encodeURIComponent('{"alias": "a", "alias": "b"}')}`, "DuplicateFilterField"],
              [`filter=${encodeURIComponent('{"metadata.x\u0027; DROP TABLE t; --": 1}')}`, "InvalidFilterFieldName"],
              [`filter=${encodeURIComponent(deep)}`, "FilterTooComplex"],
              [`filter=${encodeURIComponent(many)}`, "FilterListTooLong"],
              [`filter=${encodeURIComponent('{"source": {"$regex": "(a+)+$"}}')}`, "UnsupportedRegex"],
              ["order=Name", "InvalidOrder"],
              ["cursor=forged", "InvalidSearchCursor"],
              ["pageSize=0", "InvalidPageSize"]
            ]
            for (const [query, code] of cases) {
              const level = code === "UnknownFilterField" ? "registries" : "versions"
              const answer = yield* request(server, "GET", `/find/${level}?organization=${w.org}&${query}`, {
                key: w.keys.member
              })
              expect(answer.status, `${query}: ${answer.text}`).toBe(400)
              problemOf(answer, query)
              expect(answer.body.code, query).toBe(code)
            }
            // Injection attempts in values are data: they match nothing and break nothing.
            for (const hostile of ["'; DROP TABLE events; --", "x' OR '1'='1", "\\", "$1"]) {
              const filter = encodeURIComponent(
                JSON.stringify({ source: hostile, "metadata.k": { $contains: hostile } })
              )
              const answer = yield* request(server, "GET", `/find/versions?organization=${w.org}&filter=${filter}`, {
                key: w.keys.member
              })
              expect(answer.status, answer.text).toBe(200)
              expect(answer.body.items).toEqual([])
            }
          })
        )
      })

      describe("a restricted registry", () => {
        it.effect("is, to a user without a role, the same 404 as a missing one in every endpoint that names it", () =>
          Effect.gen(function* () {
            const server = yield* Running
            const w = yield* world(server)
            const base = `/organizations/${w.org}/registries`
            const created = yield* request(server, "POST", base, {
              key: w.keys.admin,
              body: { registry: "Secret", visibility: "restricted", description: "hidden" }
            })
            expect(created.status, created.text).toBe(201)
            const linked = yield* request(server, "POST", `${registryPath(w.org, "Secret")}/collections/c/links`, {
              key: w.keys.admin,
              body: { source: w.source, aliases: ["best"] }
            })
            expect(linked.status, linked.text).toBe(200)
            const bodies: Record<string, unknown> = {
              changeVisibility: { visibility: "organization" },
              acceptTypes: { artifactTypes: ["model"] },
              setProtectedAliases: { aliases: ["production"] },
              grantRole: { principal: { kind: "user", name: w.outsider }, role: "admin" },
              createCollection: { collection: "d", type: "dataset" },
              updateCollection: { description: "changed" },
              link: { source: w.source },
              renameRegistry: { to: "Renamed" },
              updateRegistry: { description: "changed" },
              promote: { set: ["c:best=v0"] },
              revert: { to: "1" },
              createAutomation: { name: "deploy", eventTypes: ["LINK_ARTIFACT"] },
              updateAutomation: { description: "changed" },
              setAutomationSecret: { value: "a secret value" }
            }
            // Reads that need a query to be well formed, so that what they answer is about the registry.
            const queries: Record<string, string> = { diff: "?from=1", downloadFile: "?path=data.bin" }
            const asOutsider = (registry: string) =>
              Effect.gen(function* () {
                const answers: Array<{ what: string; status: number; code: unknown; text: string }> = []
                const values = {
                  organization: w.org,
                  registry,
                  collection: "c",
                  version: "v0",
                  alias: "best",
                  kind: "user",
                  name: w.viewer,
                  automation: "deploy",
                  delivery: "0189bdfc-3b20-82ee-8413-d1e6956dde84"
                }
                for (const endpoint of endpoints.filter((candidate) => candidate.path.includes(":registry"))) {
                  const body = bodies[endpoint.name]
                  const path = `${fill(endpoint.path, values)}${queries[endpoint.name] ?? ""}`
                  const result = yield* request(server, endpoint.method, path, {
                    key: w.keys.outsider,
                    ...(body === undefined ? {} : { body })
                  })
                  answers.push({
                    what: endpoint.name,
                    status: result.status,
                    code: result.body?.code,
                    text: result.text
                  })
                }
                const linkedName = encodeURIComponent(`${w.org}/wandb-registry-${registry}/c:v0`)
                for (const [what, path] of [
                  ["resolve", `/resolve?name=${linkedName}`],
                  [
                    "resolve by alias",
                    `/resolve?name=${encodeURIComponent(`${w.org}/wandb-registry-${registry}/c:best`)}`
                  ],
                  ["lineage", `/lineage?reference=${linkedName}`],
                  ["history of the registry", `/history?organization=${w.org}&registry=${registry}`],
                  ["history of a collection", `/history?organization=${w.org}&registry=${registry}&collection=c`]
                ] as const) {
                  const result = yield* request(server, "GET", path, { key: w.keys.outsider })
                  answers.push({ what, status: result.status, code: result.body?.code, text: result.text })
                }
                return answers
              })
            const hidden = yield* asOutsider("Secret")
            const missing = yield* asOutsider("Nonexistent")
            expect(hidden.length).toBeGreaterThan(15)
            hidden.forEach((answer, index) => {
              expect(answer.status, `${answer.what}: ${answer.text}`).toBe(404)
              expect(answer.code, answer.what).toBe(missing[index]?.code)
              expect(answer.text.replaceAll("Secret", "R"), answer.what).toBe(
                missing[index]?.text.replaceAll("Nonexistent", "R")
              )
            })
            // Lists, search and the organization's history leave it out.
            const listed = yield* request(server, "GET", base, { key: w.keys.outsider })
            expect(listed.text).not.toContain("Secret")
            const found = yield* request(server, "GET", `/organizations/${w.org}/search?text=`, {
              key: w.keys.outsider
            })
            expect(found.status).toBe(200)
            expect(found.text).not.toContain("Secret")
            const history = yield* request(server, "GET", `/history?organization=${w.org}&limit=1000`, {
              key: w.keys.outsider
            })
            expect(history.status).toBe(200)
            expect(history.text).not.toContain("Secret")
            // So do the filter-language listings, whatever the filter asks for.
            const secretFilter = encodeURIComponent('{"name": "Secret"}')
            for (const path of [
              `/find/registries?organization=${w.org}`,
              `/find/registries?organization=${w.org}&filter=${secretFilter}`,
              `/find/collections?organization=${w.org}&registryFilter=${secretFilter}`,
              `/find/versions?organization=${w.org}&registryFilter=${secretFilter}`,
              `/find/versions?organization=${w.org}&asOf=1000000`
            ]) {
              const answer = yield* request(server, "GET", path, { key: w.keys.member })
              expect(answer.status, `${path}: ${answer.text}`).toBe(200)
              expect(answer.text, path).not.toContain("Secret")
            }
            const admins = yield* request(
              server,
              "GET",
              `/find/collections?organization=${w.org}&registryFilter=${secretFilter}`,
              {
                key: w.keys.admin
              }
            )
            expect(admins.body.items).toMatchObject([{ registry: "Secret", name: "c" }])
            // And nothing the outsider sent changed it.
            const shown = yield* request(server, "GET", registryPath(w.org, "Secret"), { key: w.keys.admin })
            expect(shown.body.registry).toMatchObject({
              visibility: "restricted",
              acceptedTypes: [],
              protectedAliases: []
            })
            expect(JSON.stringify(shown.body)).not.toContain(w.outsider)
            expect((shown.body.collections as Array<{ name: string }>).map((c) => c.name)).toStrictEqual(["c"])
          })
        )
      })

      describe("pagination", () => {
        it.effect("pages versions and history by keyset: no repeats or skips while versions are linked", () =>
          Effect.gen(function* () {
            const server = yield* Running
            const w = yield* world(server)
            yield* memberRegistry(server, w, "Paged")
            const collection = `${registryPath(w.org, "Paged")}/collections/many`
            const logAndLink = (index: number) =>
              Effect.gen(function* () {
                const logged = yield* request(
                  server,
                  "POST",
                  `/entities/${w.team}/projects/p/artifacts/many/versions`,
                  {
                    key: w.keys.member,
                    body: {
                      type: "dataset",
                      files: [yield* uploadedFile(server, w.keys.member, "f", randomBytes(index + 1))]
                    }
                  }
                )
                expect(logged.status, logged.text).toBe(201)
                const linked = yield* request(server, "POST", `${collection}/links`, {
                  key: w.keys.member,
                  body: { source: logged.body.reference }
                })
                expect(linked.status, linked.text).toBe(200)
              })
            for (let index = 0; index < 7; index++) yield* logAndLink(index)
            const seen: Array<number> = []
            let cursor: string | null = null
            let pages = 0
            do {
              const query: string = cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`
              const page = yield* request(server, "GET", `${collection}/versions?limit=3${query}`, {
                key: w.keys.member
              })
              expect(page.status, page.text).toBe(200)
              seen.push(...(page.body.items as Array<{ index: number }>).map((item) => item.index))
              cursor = page.body.nextCursor as string | null
              // Links while paging: the new versions sort after the cursor, so they are met once, at the end.
              if (pages++ === 0) for (let index = 7; index < 9; index++) yield* logAndLink(index)
            } while (cursor !== null)
            expect(seen).toStrictEqual([0, 1, 2, 3, 4, 5, 6, 7, 8])
            expect(pages).toBe(3)

            // The history, a page at a time, is the whole history in order.
            const historyOf = `/history?organization=${w.org}`
            const whole = yield* request(server, "GET", `${historyOf}&limit=1000`, { key: w.keys.member })
            const positions = (items: unknown) =>
              (items as Array<{ globalPosition: number }>).map((i) => i.globalPosition)
            const everything = positions(whole.body.items)
            expect(everything.length).toBeGreaterThan(20)
            const paged: Array<number> = []
            cursor = null
            do {
              const query: string = cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`
              const page = yield* request(server, "GET", `${historyOf}&limit=4${query}`, { key: w.keys.member })
              expect(page.status, page.text).toBe(200)
              paged.push(...positions(page.body.items))
              cursor = page.body.nextCursor as string | null
            } while (cursor !== null)
            expect(paged).toStrictEqual(everything)
          })
        )

        it.effect("refuses a cursor it did not hand out, or one of another list, with a 400 problem", () =>
          Effect.gen(function* () {
            const server = yield* Running
            const w = yield* world(server)
            yield* memberRegistry(server, w, "Cursors")
            for (let index = 0; index < 3; index++) {
              yield* request(server, "POST", `${registryPath(w.org, "Cursors")}/collections`, {
                key: w.keys.admin,
                body: { collection: `c${index}`, type: "dataset" }
              })
            }
            const collections = `${registryPath(w.org, "Cursors")}/collections`
            const first = yield* request(server, "GET", `${collections}?limit=1`, { key: w.keys.member })
            expect(first.status, first.text).toBe(200)
            const cursor = String(first.body.nextCursor)
            const decoded = JSON.parse(
              Encoding.decodeBase64UrlString(cursor).pipe((text) => (text._tag === "Right" ? text.right : "{}"))
            ) as { s: string; a: unknown }
            const forged = (value: unknown) => Encoding.encodeBase64Url(JSON.stringify(value))
            const bad = [
              "bm9wZQ",
              "%%%",
              "x".repeat(5000),
              forged({ offset: 1 }),
              forged({ s: decoded.s, a: { not: "a name" } }),
              forged({ s: "someotherlist", a: decoded.a }),
              forged([decoded.s, decoded.a])
            ]
            for (const candidate of bad) {
              const result = yield* request(server, "GET", `${collections}?cursor=${encodeURIComponent(candidate)}`, {
                key: w.keys.member
              })
              expect(result.status, `${candidate.slice(0, 40)}: ${result.text}`).toBe(400)
              expect(result.body.code).toBe("InvalidCursor")
              problemOf(result)
            }
            // A cursor of this list, on another list (the registries of the organization), is refused too.
            const elsewhere = yield* request(server, "GET", `/organizations/${w.org}/registries?cursor=${cursor}`, {
              key: w.keys.member
            })
            expect(elsewhere.status).toBe(400)
            expect(elsewhere.body.code).toBe("InvalidCursor")
            const next = yield* request(server, "GET", `${collections}?limit=1&cursor=${cursor}`, {
              key: w.keys.member
            })
            expect((next.body.items as Array<{ name: string }>).map((c) => c.name)).toStrictEqual(["c1"])
          })
        )
      })
    }
  )
