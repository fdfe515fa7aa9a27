/**
 * A source version's description, metadata and aliases over HTTP (memory stores), both by the entity path
 * (`PATCH …/versions/vN`, `PUT|DELETE …/versions/vN/aliases/A`) and by reference (the `paths` group the remote CLI
 * calls): its team changes them; a user outside the team gets `EntityNotWritable` (403) and changes nothing.
 */
import { randomBytes } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { ApiKey } from "@registrar/domain"
import { Effect } from "effect"
import * as Stores from "./support/Stores.js"
import { request, startServer } from "./support/TestServer.js"

const sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

describe("source versions over HTTP (memory stores)", () => {
  it.scoped("their team changes description, metadata and aliases; anyone else is refused with 403", () =>
    Effect.gen(function* () {
      const server = yield* startServer(Stores.memory)
      const registrar = server.registrar
      yield* registrar.createOrganization({ actor: "admin", organization: "acme", displayName: "Acme" })
      for (const user of ["mia", "leo"]) {
        yield* registrar.createUser({ actor: "admin", user, organization: "acme", organizationRole: "member" })
      }
      yield* registrar.createTeam({ actor: "admin", team: "vision", organization: "acme" })
      yield* registrar.addTeamMember({ actor: "admin", team: "vision", user: "mia" })
      yield* registrar.logArtifact({
        actor: "mia",
        entity: "vision",
        project: "p",
        name: "a",
        type: "model",
        files: [{ path: "w.bin", sha256: sha, size: 1 }]
      })
      const keyOf = (user: string) =>
        Effect.map(
          registrar.createApiKey({ actor: user, user, random: randomBytes(ApiKey.RANDOM_BYTES) }),
          (created) => created.key
        )
      const mia = yield* keyOf("mia")
      const leo = yield* keyOf("leo")
      const version = "/entities/vision/projects/p/artifacts/a/versions/v0"

      const refused = [
        yield* request(server, "PATCH", version, { key: leo, body: { description: "mine now" } }),
        yield* request(server, "PUT", `${version}/aliases/best`, { key: leo }),
        yield* request(server, "POST", "/artifact-versions/update", {
          key: leo,
          body: { reference: "vision/p/a:v0", metadata: { taken: true } }
        }),
        yield* request(server, "POST", "/artifact-versions/aliases/add", {
          key: leo,
          body: { reference: "vision/p/a:v0", alias: "best" }
        })
      ]
      for (const answer of refused) {
        expect(answer.status, answer.text).toBe(403)
        expect(answer.body.code).toBe("EntityNotWritable")
      }

      const updated = yield* request(server, "PATCH", version, {
        key: mia,
        body: { description: "weights", metadata: { accuracy: 0.9 } }
      })
      expect(updated.status, updated.text).toBe(200)
      expect(updated.body).toEqual({ reference: "vision/p/a:v0" })
      const aliased = yield* request(server, "PUT", `${version}/aliases/best`, { key: mia })
      expect(aliased.body).toEqual({ reference: "vision/p/a:v0", alias: "best" })
      const byReference = yield* request(server, "POST", "/artifact-versions/aliases/add", {
        key: mia,
        body: { reference: "vision/p/a:v0", alias: "candidate" }
      })
      expect(byReference.status, byReference.text).toBe(200)
      const removed = yield* request(server, "DELETE", `${version}/aliases/best`, { key: mia })
      expect(removed.status, removed.text).toBe(200)

      const listed = yield* request(server, "GET", "/entities/vision/projects/p/artifacts/a/versions", { key: mia })
      const v0 = (listed.body.items as Array<Record<string, unknown>>)[0]
      expect(v0).toMatchObject({ description: "weights", metadata: { accuracy: 0.9 } })
      expect(v0?.aliases).toEqual(expect.arrayContaining(["candidate"]))
      expect(v0?.aliases).not.toContain("best")
    })
  )
})
