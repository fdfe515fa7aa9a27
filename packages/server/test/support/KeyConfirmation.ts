/**
 * A key whose record a server keeps is confirmed against the log beside the request, not before it: these scenarios
 * hold that to the guarantee it must keep. Two servers share one store; a key revoked through one is refused by the
 * other's very next request, a write of that request commits nothing (its append waits for the confirmation), and a
 * failure the request would have answered gives way to the 401. A key of the same user created elsewhere moves the
 * same stream without refusing anything.
 */
import { describe, expect, layer } from "@effect/vitest"
import { ApiKey } from "@registrar/domain"
import { Context, Effect, Either, Layer, type Scope } from "effect"
import { keyFor, memberRegistry, PROBLEM, registryPath, world } from "./Scenarios.js"
import { request, type TestServer, uploadedFile } from "./TestServer.js"

/** Two servers on one store: `primary` was bootstrapped (its admin key works on both). */
export interface TwoServers {
  readonly primary: TestServer
  readonly other: TestServer
}

class Servers extends Context.Tag("test/KeyConfirmationServers")<Servers, TwoServers>() {}

/** Runs the scenarios on the two servers `start` makes. */
export const keyConfirmationScenarios = (name: string, start: Effect.Effect<TwoServers, unknown, Scope.Scope>) =>
  layer(Layer.scoped(Servers, start), { timeout: 120_000, excludeTestServices: true })(
    `Key confirmation on ${name}`,
    (it) => {
      /** A world with a registry the member may link into, and a way to log one more source version. */
      const setUp = (primary: TestServer, registry: string) =>
        Effect.gen(function* () {
          const w = yield* world(primary)
          yield* memberRegistry(primary, w, registry)
          let files = 0
          const logSource = Effect.gen(function* () {
            files += 1
            const file = yield* uploadedFile(primary, w.keys.member, `f${files}.txt`, `content ${files}`)
            const logged = yield* request(
              primary,
              "POST",
              `/entities/${w.team}/projects/images/artifacts/raw_images/versions`,
              { key: w.keys.member, body: { type: "dataset", files: [file] } }
            )
            expect(logged.status, logged.text).toBeLessThan(300)
            return String(logged.body.reference)
          })
          const collection = `${registryPath(w.org, registry)}/collections/raw`
          const versionCount = Effect.map(
            request(primary, "GET", `${collection}/versions`, { key: w.keys.admin }),
            (listed) => (listed.body.items as ReadonlyArray<unknown>).length
          )
          return { w, logSource, links: `${collection}/links`, versionCount }
        })

      const prefixOf = (key: string) => {
        const prefix = ApiKey.prefixOf(key)
        if (Either.isLeft(prefix)) throw new Error("a key made by the store has a prefix")
        return prefix.right
      }

      const expectUnauthorized = (
        result: { status: number; contentType: string; text: string; body: Record<string, unknown> },
        key: string
      ) => {
        expect(result.status, result.text).toBe(401)
        expect(result.contentType).toContain(PROBLEM)
        expect(result.body.code).toBe("Unauthorized")
        expect(result.text).not.toContain(key)
      }

      describe("a key revoked through another server", () => {
        it.effect("is refused by this server's next write, which commits nothing", () =>
          Effect.gen(function* () {
            const { primary, other } = yield* Servers
            const { w, logSource, links, versionCount } = yield* setUp(primary, "Gated")
            const key = yield* keyFor(primary, w.member)
            // The other server reads the key's record on this first request and keeps it.
            const first = yield* request(other, "POST", links, { key, body: { source: w.source } })
            expect(first.status, first.text).toBe(200)
            expect(first.body.fullName).toBe("wandb-registry-Gated/raw:v0")
            const revoked = yield* request(primary, "DELETE", `/api-keys/${prefixOf(key)}`, { key })
            expect(revoked.body.changed).toBe(true)

            const source = yield* logSource
            expectUnauthorized(yield* request(other, "POST", links, { key, body: { source } }), key)
            expect(yield* versionCount).toBe(1)
            // The same source through a valid key links as v1: nothing of the refused attempt stayed behind.
            const valid = yield* request(other, "POST", links, { key: w.keys.member, body: { source } })
            expect(valid.body).toMatchObject({ fullName: "wandb-registry-Gated/raw:v1", created: true })
          })
        )

        it.effect("is refused by this server's next read, and by a request that would have failed otherwise", () =>
          Effect.gen(function* () {
            const { primary, other } = yield* Servers
            const { w, links } = yield* setUp(primary, "Read")
            const key = yield* keyFor(primary, w.member)
            expect((yield* request(other, "GET", "/me", { key })).body).toStrictEqual({ user: w.member })
            expect((yield* request(other, "POST", links, { key, body: { source: w.source } })).status).toBe(200)
            yield* request(primary, "DELETE", `/api-keys/${prefixOf(key)}`, { key })

            expectUnauthorized(yield* request(other, "GET", "/me", { key }), key)
            expectUnauthorized(
              yield* request(
                other,
                "GET",
                `/resolve?name=${encodeURIComponent(`${w.org}/wandb-registry-Read/raw:v0`)}`,
                {
                  key
                }
              ),
              key
            )
            // A link of a source that does not exist would be a 404; for a revoked key it is the 401.
            expectUnauthorized(
              yield* request(other, "POST", links, { key, body: { source: `${w.team}/images/raw_images:v99` } }),
              key
            )
          })
        )
      })

      it.effect("a key created for the same user elsewhere moves the key stream and refuses nothing", () =>
        Effect.gen(function* () {
          const { primary, other } = yield* Servers
          const { w, logSource, links, versionCount } = yield* setUp(primary, "Moved")
          const key = yield* keyFor(primary, w.member)
          expect((yield* request(other, "POST", links, { key, body: { source: w.source } })).status).toBe(200)
          yield* keyFor(primary, w.member)
          const source = yield* logSource
          const second = yield* request(other, "POST", links, { key, body: { source } })
          expect(second.body).toMatchObject({ fullName: "wandb-registry-Moved/raw:v1", created: true })
          expect(yield* versionCount).toBe(2)
        })
      )
    }
  )
