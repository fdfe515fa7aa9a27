/**
 * The governance endpoints through a real server on 127.0.0.1 (memory stores): promote with a compare-and-set, an
 * alias's history, diff and revert; failures are problem documents with the status of their error.
 */
import { randomBytes } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { ApiKey } from "@registrar/domain"
import { Effect } from "effect"
import * as Stores from "./support/Stores.js"
import { request, startServer } from "./support/TestServer.js"

const sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

describe("governance over HTTP (memory stores)", () => {
  it.scoped("promote, a stale expectation (409), alias history, diff and revert; a member may not revert (403)", () =>
    Effect.gen(function* () {
      const server = yield* startServer(Stores.memory)
      const registrar = server.registrar
      yield* registrar.createOrganization({ actor: "admin", organization: "acme", displayName: "Acme" })
      yield* registrar.createUser({ actor: "admin", user: "mia", organization: "acme", organizationRole: "member" })
      yield* registrar.createTeam({ actor: "admin", team: "vision", organization: "acme" })
      yield* registrar.addTeamMember({ actor: "admin", team: "vision", user: "mia" })
      yield* registrar.createRegistry({ actor: "admin", organization: "acme", registry: "Models" })
      yield* registrar.grantRole({
        actor: "admin",
        organization: "acme",
        registry: "Models",
        principal: { kind: "user", name: "mia" },
        role: "member"
      })
      for (const collection of ["A", "B"]) {
        for (const content of ["x", "y"]) {
          const logged = yield* registrar.logArtifact({
            actor: "mia",
            entity: "vision",
            project: "p",
            name: collection.toLowerCase(),
            type: "model",
            files: [{ path: "w.bin", sha256: sha.replace("9", content === "x" ? "1" : "2"), size: 1 }]
          })
          yield* registrar.link({
            actor: "mia",
            source: logged.reference,
            target: `acme/wandb-registry-Models/${collection}`
          })
        }
      }
      const start = (yield* registrar.history({ actor: "admin" })).at(-1)!.globalPosition
      const key = (yield* registrar.createApiKey({
        actor: "mia",
        user: "mia",
        random: randomBytes(ApiKey.RANDOM_BYTES)
      })).key
      const base = "/organizations/acme/registries/Models"

      const promoted = yield* request(server, "POST", `${base}/promotions`, {
        key,
        body: { set: ["A:production=v1", "B:production=v0"], expect: ["A:production=none"] }
      })
      expect(promoted.status, promoted.text).toBe(200)
      expect(promoted.body).toMatchObject({
        changed: true,
        moves: [
          { collection: "A", alias: "production", from: null, to: 1 },
          { collection: "B", alias: "production", from: null, to: 0 }
        ]
      })
      const stale = yield* request(server, "POST", `${base}/promotions`, {
        key,
        body: { set: ["A:production=v0"], expect: ["A:production=none"] }
      })
      expect(stale.status).toBe(409)
      expect(stale.contentType).toContain("application/problem+json")
      expect(stale.text).toContain("points at v1 now, not no version as expected")

      const history = yield* request(server, "GET", `${base}/aliases/production/history?collection=A`, { key })
      expect(history.status, history.text).toBe(200)
      expect(history.body).toMatchObject({ moves: [{ collection: "A", from: null, to: 1, actor: "mia" }] })

      const diff = yield* request(server, "GET", `${base}/diff?from=${start}`, { key })
      expect(diff.status, diff.text).toBe(200)
      expect((diff.body as { changes: Array<{ subject: string }> }).changes.map((c) => c.subject).sort()).toEqual([
        "A:production",
        "B:production"
      ])

      const tagged = yield* request(
        server,
        "PUT",
        "/entities/vision/projects/p/artifacts/a/versions/v1/tags/reviewed",
        {
          key
        }
      )
      expect(tagged.status, tagged.text).toBe(200)
      const versions = yield* request(server, "GET", `${base}/collections/A/versions`, { key })
      expect((versions.body as { items: Array<{ tags: Array<string> }> }).items.map((v) => v.tags)).toEqual([
        [],
        ["reviewed"]
      ])
      const untagMissing = yield* request(
        server,
        "DELETE",
        "/entities/vision/projects/p/artifacts/a/versions/v1/tags/gold",
        {
          key
        }
      )
      expect(untagMissing.status).toBe(404)
      expect(untagMissing.text).toContain('has no tag \\"gold\\"')

      const refused = yield* request(server, "POST", `${base}/reverts`, { key, body: { to: String(start) } })
      expect(refused.status).toBe(403)
      const reverted = yield* request(server, "POST", `${base}/reverts`, {
        key: server.adminKey,
        body: { to: String(start) }
      })
      expect(reverted.status, reverted.text).toBe(200)
      expect(reverted.body).toMatchObject({ applied: true, unrevertible: [] })
      const after = yield* request(server, "GET", `${base}/diff?from=${start}`, { key })
      expect((after.body as { changes: Array<unknown> }).changes).toEqual([])
    })
  )
})
