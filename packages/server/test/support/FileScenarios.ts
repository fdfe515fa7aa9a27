/**
 * Artifact files end to end, on a real server: upload the bytes (POST /blobs), log a version naming their digest,
 * link it into a restricted registry, then list, download (streamed, digest and length checked) and verify; a user
 * without a role gets the same 404 as for a missing registry; an upload over its limit gets 413.
 */
import { createHash, randomBytes } from "node:crypto"
import { ApiKey } from "@registrar/domain"
import { expect, layer } from "@effect/vitest"
import { Context, Effect, Layer, type Scope } from "effect"
import { request, TEST_UPLOAD_LIMIT, type TestServer, upload } from "./TestServer.js"

let sequence = 0
const unique = (stem: string) => `${stem}-${process.pid.toString(36)}-${(++sequence).toString(36)}`

const keyFor = (server: TestServer, user: string) =>
  Effect.map(
    server.registrar.createApiKey({ actor: user, user, random: randomBytes(ApiKey.RANDOM_BYTES) }),
    (created) => created.key
  )

/** Uploads `bytes` as a raw body. */
/** Downloads one file of a linked version. */
const download = (server: TestServer, key: string, versionPath: string, file: string) =>
  Effect.promise(async () => {
    const response = await fetch(`${server.url}${versionPath}/file?path=${encodeURIComponent(file)}`, {
      headers: { authorization: `Bearer ${key}` }
    })
    const bytes = Buffer.from(await response.arrayBuffer())
    return { status: response.status, headers: response.headers, bytes }
  })

/** A linked version with one uploaded file, in a restricted registry; keys for its member and for an outsider. */
const versionWithAFile = (server: TestServer) =>
  Effect.gen(function* () {
    const org = unique("org")
    const team = unique("team")
    const [member, outsider] = [unique("mia"), unique("oscar")]
    const admin = server.adminKey
    const ok = (result: { status: number; text: string }, what: string) =>
      expect(result.status, `${what}: ${result.text}`).toBeLessThan(300)
    ok(
      yield* request(server, "POST", "/organizations", { key: admin, body: { organization: org, displayName: org } }),
      "org"
    )
    for (const user of [member, outsider]) {
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
    const keys = { member: yield* keyFor(server, member), outsider: yield* keyFor(server, outsider) }
    const bytes = randomBytes(300_000)
    const sha256 = createHash("sha256").update(bytes).digest("hex")
    const uploaded = yield* upload(server, keys.member, bytes)
    expect(uploaded.status).toBe(201)
    expect(uploaded.body).toStrictEqual({ sha256, size: bytes.length })
    const file = { path: "weights/model.bin", sha256, size: bytes.length }
    const logged = yield* request(server, "POST", `/entities/${team}/projects/train/artifacts/model/versions`, {
      key: keys.member,
      body: { type: "model", files: [file] }
    })
    ok(logged, "log")
    const registry = `/organizations/${org}/registries/Models`
    ok(
      yield* request(server, "POST", `/organizations/${org}/registries`, {
        key: admin,
        body: { registry: "Models", visibility: "restricted" }
      }),
      "registry"
    )
    ok(
      yield* request(server, "PUT", `${registry}/grants`, {
        key: admin,
        body: { principal: { kind: "team", name: team }, role: "member" }
      }),
      "grant"
    )
    ok(
      yield* request(server, "POST", `${registry}/collections/classifier/links`, {
        key: keys.member,
        body: { source: String(logged.body.reference) }
      }),
      "link"
    )
    return {
      team,
      keys,
      users: { member, outsider },
      bytes,
      file,
      versionPath: `${registry}/collections/classifier/versions/v0`,
      registry
    }
  })

/** The servers under test: one, and maybe another process's view of the same stores. */
export interface FileServers {
  readonly primary: TestServer
  /** A second server on the same database (PostgreSQL): it must serve what the first stored. */
  readonly other?: TestServer
  /** Damages stored content in place, as a failing disk would. */
  readonly corrupt?: (sha256: string) => Effect.Effect<void, unknown>
}

class Servers extends Context.Tag("test/FileServers")<Servers, FileServers>() {}
const running = Effect.map(Servers, (servers) => servers.primary)

/** Runs the file scenarios on the servers `start` makes. */
export const fileScenarios = (
  name: string,
  start: Effect.Effect<FileServers, unknown, Scope.Scope>,
  options: { readonly twoServers?: boolean } = {}
) =>
  layer(Layer.scoped(Servers, start), { timeout: 120_000, excludeTestServices: true })(`Files on ${name}`, (it) => {
    it.effect("uploads a file, logs and links it, lists it, downloads it with its digest, and verifies it", () =>
      Effect.gen(function* () {
        const server = yield* running
        const v = yield* versionWithAFile(server)
        const listed = yield* request(server, "GET", `${v.versionPath}/files`, { key: v.keys.member })
        expect(listed.status, listed.text).toBe(200)
        expect(listed.body.files).toStrictEqual([v.file])
        const got = yield* download(server, v.keys.member, v.versionPath, v.file.path)
        expect(got.status).toBe(200)
        expect(got.headers.get("content-type")).toBe("application/octet-stream")
        expect(got.headers.get("content-length")).toBe(String(v.file.size))
        expect(got.headers.get("x-content-sha256")).toBe(v.file.sha256)
        expect(createHash("sha256").update(got.bytes).digest("hex")).toBe(v.file.sha256)
        expect(Buffer.compare(got.bytes, v.bytes)).toBe(0)
        const verified = yield* request(server, "GET", `${v.versionPath}/verify`, { key: v.keys.member })
        expect(verified.body).toMatchObject({ ok: true, files: [{ ...v.file, ok: true }] })
      })
    )

    it.effect("hides a restricted registry's files from a user without a role: the 404 of a missing registry", () =>
      Effect.gen(function* () {
        const server = yield* running
        const v = yield* versionWithAFile(server)
        const missingPath = v.versionPath.replace("/registries/Models/", "/registries/Nonexistent/")
        for (const path of [`${v.versionPath}/files`, `${v.versionPath}/verify`]) {
          const hidden = yield* request(server, "GET", path, { key: v.keys.outsider })
          const missing = yield* request(server, "GET", path.replace(v.versionPath, missingPath), {
            key: v.keys.outsider
          })
          expect(hidden.status).toBe(404)
          expect(hidden.body.code).toBe("RegistryNotFound")
          expect(missing.body.code).toBe("RegistryNotFound")
        }
        const download_ = yield* download(server, v.keys.outsider, v.versionPath, v.file.path)
        expect(download_.status).toBe(404)
        expect(download_.bytes.includes(v.bytes.subarray(0, 64))).toBe(false)
        const anonymous = yield* request(server, "GET", `${v.versionPath}/files`)
        expect(anonymous.status).toBe(401)
      })
    )

    it.effect("lets a restricted viewer list a version's files but not read them: download and verify are 403", () =>
      Effect.gen(function* () {
        const server = yield* running
        const v = yield* versionWithAFile(server)
        const granted = yield* request(server, "PUT", `${v.registry}/grants`, {
          key: server.adminKey,
          body: { principal: { kind: "user", name: v.users.outsider }, role: "restricted_viewer" }
        })
        expect(granted.status, granted.text).toBe(200)
        const listed = yield* request(server, "GET", `${v.versionPath}/files`, { key: v.keys.outsider })
        expect(listed.status, listed.text).toBe(200)
        expect(listed.body.files).toStrictEqual([v.file])
        const got = yield* download(server, v.keys.outsider, v.versionPath, v.file.path)
        expect(got.status).toBe(403)
        expect(got.bytes.includes(v.bytes.subarray(0, 64))).toBe(false)
        const verified = yield* request(server, "GET", `${v.versionPath}/verify`, { key: v.keys.outsider })
        expect(verified.status).toBe(403)
        expect(verified.body.code).toBe("InsufficientRole")
      })
    )

    it.effect("refuses to log a version whose files were never uploaded, naming each missing digest (409)", () =>
      Effect.gen(function* () {
        const server = yield* running
        const v = yield* versionWithAFile(server)
        const missing = createHash("sha256").update(randomBytes(16)).digest("hex")
        const versions = `/entities/${v.team}/projects/train/artifacts/unuploaded/versions`
        const refused = yield* request(server, "POST", versions, {
          key: v.keys.member,
          body: { type: "model", files: [v.file, { path: "other.bin", sha256: missing, size: 3 }] }
        })
        expect(refused.status, refused.text).toBe(409)
        expect(refused.contentType).toContain("application/problem+json")
        expect(refused.body.code).toBe("FilesNotUploaded")
        // Only the digest never uploaded is named, and the message says what to do.
        expect(refused.body.detail).toContain(missing)
        expect(refused.body.detail).not.toContain(v.file.sha256)
        expect(refused.body.detail).toContain("Upload each file first")
        const listed = yield* request(server, "GET", versions, { key: v.keys.member })
        expect(listed.text).not.toContain(missing)
        expect((listed.body.items as Array<unknown> | undefined) ?? []).toStrictEqual([])
        // Uploaded first, the same manifest logs.
        const other = randomBytes(3)
        const uploaded = yield* upload(server, v.keys.member, other)
        const logged = yield* request(server, "POST", versions, {
          key: v.keys.member,
          body: { type: "model", files: [v.file, { path: "other.bin", sha256: uploaded.body.sha256, size: 3 }] }
        })
        expect(logged.status, logged.text).toBe(201)
      })
    )

    it.effect(
      "refuses a manifest whose paths could leave a directory, or that is not a manifest, before any upload check (400)",
      () =>
        Effect.gen(function* () {
          const server = yield* running
          const v = yield* versionWithAFile(server)
          const versions = `/entities/${v.team}/projects/train/artifacts/crafted/versions`
          const entries: ReadonlyArray<[object, string]> = [
            [{ ...v.file, path: "../../etc/cron.d/job" }, ". or .. segment"],
            [{ ...v.file, path: "/etc/passwd" }, "starts with /"],
            [{ ...v.file, size: -1 }, "not a whole number of bytes"],
            // Malformed, so never uploaded either: the manifest's fault is the one reported.
            [{ ...v.file, sha256: "not-a-digest" }, "not 64 lowercase hex digits"]
          ]
          for (const [entry, rule] of entries) {
            const refused = yield* request(server, "POST", versions, {
              key: v.keys.member,
              body: { type: "model", files: [entry] }
            })
            expect(refused.status, refused.text).toBe(400)
            expect(refused.body.code).toBe("InvalidName")
            expect(refused.body.detail).toContain(rule)
          }
          const twice = yield* request(server, "POST", versions, {
            key: v.keys.member,
            body: { type: "model", files: [v.file, v.file] }
          })
          expect(twice.status, twice.text).toBe(400)
          expect(twice.body.detail).toContain("named twice")
          const listed = yield* request(server, "GET", versions, { key: v.keys.member })
          expect((listed.body.items as Array<unknown> | undefined) ?? []).toStrictEqual([])
        })
    )

    it.effect("serves a source version's files to its team, digest checked, and refuses anyone else with 403", () =>
      Effect.gen(function* () {
        const server = yield* running
        const v = yield* versionWithAFile(server)
        const source = `/entities/${v.team}/projects/train/artifacts/model/versions/v0`
        const listed = yield* request(server, "GET", `${source}/files`, { key: v.keys.member })
        expect(listed.status, listed.text).toBe(200)
        expect(listed.body).toStrictEqual({ reference: `${v.team}/train/model:v0`, files: [v.file] })
        for (const at of [source, source.replace("/v0", "/latest")]) {
          const got = yield* download(server, v.keys.member, at, v.file.path)
          expect(got.status).toBe(200)
          expect(got.headers.get("x-content-sha256")).toBe(v.file.sha256)
          expect(Buffer.compare(got.bytes, v.bytes)).toBe(0)
        }
        const verified = yield* request(server, "GET", `${source}/verify`, { key: v.keys.member })
        expect(verified.body).toMatchObject({ reference: `${v.team}/train/model:v0`, ok: true })
        // The outsider is an authenticated user of the same server, not in the team: no list, no bytes, no verify.
        for (const path of [`${source}/files`, `${source}/verify`]) {
          const refused = yield* request(server, "GET", path, { key: v.keys.outsider })
          expect(refused.status, refused.text).toBe(403)
          expect(refused.body.code).toBe("SourceFilesNotReadable")
          expect(refused.body.detail).toContain("download it by its registry path")
        }
        const refusedBytes = yield* download(server, v.keys.outsider, source, v.file.path)
        expect(refusedBytes.status).toBe(403)
        expect(refusedBytes.bytes.includes(v.bytes.subarray(0, 64))).toBe(false)
        const never = yield* request(server, "GET", `${source.replace("/v0", "/v7")}/files`, { key: v.keys.member })
        expect(never.status).toBe(404)
        expect(never.body.code).toBe("ArtifactVersionNotFound")
        const noFile = yield* download(server, v.keys.member, source, "nope.bin")
        expect(noFile.status).toBe(400)
      })
    )

    it.effect("refuses an upload over its own limit with 413, while that size is no JSON body's business", () =>
      Effect.gen(function* () {
        const server = yield* running
        const v = yield* versionWithAFile(server)
        const tooBig = yield* upload(server, v.keys.member, randomBytes(TEST_UPLOAD_LIMIT + 1))
        expect(tooBig.status).toBe(413)
        expect(tooBig.body.code).toBe("PayloadTooLarge")
        const underLimit = yield* upload(server, v.keys.member, randomBytes(TEST_UPLOAD_LIMIT - 1))
        expect(underLimit.status).toBe(201)
        const noKey = yield* Effect.promise(() => fetch(`${server.url}/blobs`, { method: "POST", body: "x" }))
        expect(noKey.status).toBe(401)
      })
    )

    it.effect("never hands out the whole of a corrupt file, and verify names it", () =>
      Effect.gen(function* () {
        const servers = yield* Servers
        expect(servers.corrupt).toBeDefined()
        const v = yield* versionWithAFile(servers.primary)
        yield* servers.corrupt!(v.file.sha256)
        const received = yield* Effect.promise(async () => {
          const response = await fetch(
            `${servers.primary.url}${v.versionPath}/file?path=${encodeURIComponent(v.file.path)}`,
            { headers: { authorization: `Bearer ${v.keys.member}` } }
          )
          try {
            return { status: response.status, bytes: (await response.arrayBuffer()).byteLength }
          } catch {
            return { status: response.status, bytes: -1 }
          }
        })
        expect(received.status === 200 ? received.bytes : 0).toBeLessThan(v.file.size)
        const verified = yield* request(servers.primary, "GET", `${v.versionPath}/verify`, { key: v.keys.member })
        expect(verified.body.ok).toBe(false)
        const [file] = verified.body.files as Array<{ ok: boolean; problem?: string }>
        expect(file?.ok).toBe(false)
        expect(file?.problem).toContain(v.file.sha256)
      })
    )

    if (options.twoServers === true) {
      it.effect("a second server on the same database downloads a file the first one stored", () =>
        Effect.gen(function* () {
          const servers = yield* Servers
          expect(servers.other).toBeDefined()
          const other = servers.other!
          const v = yield* versionWithAFile(servers.primary)
          const got = yield* download(other, v.keys.member, v.versionPath, v.file.path)
          expect(got.status).toBe(200)
          expect(createHash("sha256").update(got.bytes).digest("hex")).toBe(v.file.sha256)
          expect(Buffer.compare(got.bytes, v.bytes)).toBe(0)
        })
      )
    }
  })
