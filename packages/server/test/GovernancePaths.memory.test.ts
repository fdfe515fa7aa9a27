/**
 * Governance by the paths people type (the `paths` group: what the remote CLI calls), through a real server on
 * 127.0.0.1 (memory stores): full-path promotions with a compare-and-set, alias and version history, diff, revert,
 * tags by a linked version; the organization optional; failures are problem documents with their error's status, and
 * a restricted registry is a 404 to a user without a role on every one of these endpoints.
 */
import { randomBytes } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { ApiKey } from "@registrar/domain"
import { Effect } from "effect"
import * as Stores from "./support/Stores.js"
import { request, startServer } from "./support/TestServer.js"

const sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

const query = (params: Record<string, string>) => new URLSearchParams(params).toString()

describe("governance by path over HTTP (memory stores)", () => {
  it.scoped("promote, histories, diff, revert and tags by full paths; restricted registries stay hidden (404)", () =>
    Effect.gen(function* () {
      const server = yield* startServer(Stores.memory)
      const registrar = server.registrar
      yield* registrar.createOrganization({ actor: "admin", organization: "acme", displayName: "Acme" })
      for (const user of ["mia", "leo"]) {
        yield* registrar.createUser({ actor: "admin", user, organization: "acme", organizationRole: "member" })
      }
      yield* registrar.createTeam({ actor: "admin", team: "vision", organization: "acme" })
      yield* registrar.addTeamMember({ actor: "admin", team: "vision", user: "mia" })
      yield* registrar.createRegistry({
        actor: "admin",
        organization: "acme",
        registry: "Models",
        visibility: "restricted"
      })
      yield* registrar.grantRole({
        actor: "admin",
        organization: "acme",
        registry: "Models",
        principal: { kind: "user", name: "mia" },
        role: "member"
      })
      for (const content of ["1", "2"]) {
        const logged = yield* registrar.logArtifact({
          actor: "mia",
          entity: "vision",
          project: "p",
          name: "a",
          type: "model",
          files: [{ path: "w.bin", sha256: sha.replace("9", content), size: 1 }]
        })
        yield* registrar.link({ actor: "mia", source: logged.reference, target: "acme/wandb-registry-Models/A" })
      }
      const start = (yield* registrar.history({ actor: "admin" })).at(-1)!.globalPosition
      const keyOf = (user: string) =>
        Effect.map(
          registrar.createApiKey({ actor: user, user, random: randomBytes(ApiKey.RANDOM_BYTES) }),
          (created) => created.key
        )
      const mia = yield* keyOf("mia")
      const leo = yield* keyOf("leo")

      // Full paths, the organization of the first entry named, of the second left to the caller's only one.
      const promoted = yield* request(server, "POST", "/promotions", {
        key: mia,
        body: {
          set: ["acme/wandb-registry-Models/A:staging=v1", "wandb-registry-Models/A:candidate=v0"],
          expect: ["wandb-registry-Models/A:staging=none"]
        }
      })
      expect(promoted.status, promoted.text).toBe(200)
      expect(promoted.body).toMatchObject({
        organization: "acme",
        registry: "Models",
        changed: true,
        moves: [
          { collection: "A", alias: "staging", from: null, to: 1, fullName: "wandb-registry-Models/A:v1" },
          { collection: "A", alias: "candidate", from: null, to: 0 }
        ]
      })
      const stale = yield* request(server, "POST", "/promotions", {
        key: mia,
        body: { set: ["wandb-registry-Models/A:staging=v0"], expect: ["wandb-registry-Models/A:staging=v0"] }
      })
      expect(stale.status).toBe(409)
      expect(stale.contentType).toContain("application/problem+json")
      expect(stale.text).toContain("points at v1 now, not v0 as expected")
      const malformed = yield* request(server, "POST", "/promotions", { key: mia, body: { set: ["A:staging"] } })
      expect(malformed.status).toBe(400)
      expect(malformed.text).not.toContain("    at ")

      const aliasHistory = yield* request(
        server,
        "GET",
        `/aliases/history?${query({ registry: "wandb-registry-Models", alias: "staging", collection: "A" })}`,
        { key: mia }
      )
      expect(aliasHistory.status, aliasHistory.text).toBe(200)
      expect(aliasHistory.body).toMatchObject({ organization: "acme", moves: [{ from: null, to: 1, actor: "mia" }] })
      const versionHistory = yield* request(
        server,
        "GET",
        `/versions/history?${query({ name: "wandb-registry-Models/A:staging" })}`,
        { key: mia }
      )
      expect(versionHistory.status, versionHistory.text).toBe(200)
      expect(versionHistory.body).toMatchObject({
        fullName: "wandb-registry-Models/A:v1",
        version: 1,
        entries: [{ change: "linked" }, { change: "alias gained", detail: "staging" }]
      })

      const tagged = yield* request(server, "POST", "/tags/add", {
        key: mia,
        body: { reference: "wandb-registry-Models/A:v1", tag: "reviewed" }
      })
      expect(tagged.status, tagged.text).toBe(200)
      expect(tagged.body).toStrictEqual({ reference: "vision/p/a:v1", tag: "reviewed" })
      const untagMissing = yield* request(server, "POST", "/tags/remove", {
        key: mia,
        body: { reference: "vision/p/a:v1", tag: "gold" }
      })
      expect(untagMissing.status).toBe(404)
      const untagged = yield* request(server, "POST", "/tags/remove", {
        key: mia,
        body: { reference: "vision/p/a:v1", tag: "reviewed" }
      })
      expect(untagged.status, untagged.text).toBe(200)

      const diff = yield* request(server, "GET", `/diff?${query({ registry: "Models", from: String(start) })}`, {
        key: mia
      })
      expect(diff.status, diff.text).toBe(200)
      expect((diff.body as { changes: Array<{ subject: string }> }).changes.map((c) => c.subject).sort()).toEqual([
        "A:candidate",
        "A:staging"
      ])

      const revertBody = { registry: "Models", organization: "acme", to: String(start) }
      const refused = yield* request(server, "POST", "/reverts", { key: mia, body: revertBody })
      expect(refused.status).toBe(403)
      const plan = yield* request(server, "POST", "/reverts", {
        key: server.adminKey,
        body: { ...revertBody, dryRun: true }
      })
      expect(plan.status, plan.text).toBe(200)
      expect(plan.body).toMatchObject({ applied: false })
      expect((plan.body as { steps: Array<unknown> }).steps).toHaveLength(2)
      const reverted = yield* request(server, "POST", "/reverts", { key: server.adminKey, body: revertBody })
      expect(reverted.status, reverted.text).toBe(200)
      expect(reverted.body).toMatchObject({ applied: true, unrevertible: [] })
      const after = yield* request(server, "GET", `/diff?${query({ registry: "Models", from: String(start) })}`, {
        key: mia
      })
      expect((after.body as { changes: Array<unknown> }).changes).toEqual([])

      // leo has no role in the restricted registry: every endpoint answers as if it did not exist.
      const hidden = [
        request(server, "POST", "/promotions", { key: leo, body: { set: ["wandb-registry-Models/A:staging=v0"] } }),
        request(server, "GET", `/aliases/history?${query({ registry: "Models", alias: "staging" })}`, { key: leo }),
        request(server, "GET", `/versions/history?${query({ name: "wandb-registry-Models/A:v0" })}`, { key: leo }),
        request(server, "GET", `/diff?${query({ registry: "Models", from: "0" })}`, { key: leo }),
        request(server, "POST", "/reverts", { key: leo, body: { registry: "Models", to: "0", dryRun: true } }),
        request(server, "POST", "/tags/add", { key: leo, body: { reference: "wandb-registry-Models/A:v0", tag: "x" } })
      ]
      const missing = yield* request(server, "GET", `/diff?${query({ registry: "Nowhere", from: "0" })}`, { key: leo })
      for (const answer of yield* Effect.all(hidden)) {
        expect(answer.status, answer.text).toBe(404)
        expect(answer.contentType).toContain("application/problem+json")
        expect((answer.body as { title?: string }).title).toBe((missing.body as { title?: string }).title)
      }
    })
  )
})
