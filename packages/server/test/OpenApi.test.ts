/** The OpenAPI document the server serves is a valid OpenAPI 3.1 document, with problem+json for every error. */
import { describe, expect, it } from "@effect/vitest"
import { Validator } from "@seriousme/openapi-schema-validator"
import { Server } from "../src/index.js"

describe("the OpenAPI document", () => {
  const document = Server.openApiDocument()

  it("validates against the OpenAPI 3.1 schema", async () => {
    const validator = new Validator()
    const result = await validator.validate(JSON.parse(JSON.stringify(document)))
    expect(result.errors ?? []).toStrictEqual([])
    expect(result.valid).toBe(true)
    expect(validator.version).toBe("3.1")
  })

  it("declares every error response as application/problem+json and every group but health and session as key-protected", () => {
    let errors = 0
    for (const [path, item] of Object.entries(document.paths)) {
      for (const operation of Object.values(item) as Array<{
        responses?: Record<string, { content?: object }>
        security?: unknown
      }>) {
        if (typeof operation !== "object" || operation === null || operation.responses === undefined) continue
        for (const [status, response] of Object.entries(operation.responses)) {
          if (Number(status) < 400 || response.content === undefined) continue
          errors++
          expect(Object.keys(response.content), `${path} ${status}`).toStrictEqual(["application/problem+json"])
        }
        if (path === "/session") expect(operation.security, path).toStrictEqual([])
        else if (path !== "/healthz" && path !== "/readyz")
          expect(operation.security, path).toStrictEqual([{ bearer: [] }, { cookie: [] }])
      }
    }
    expect(errors).toBeGreaterThan(50)
  })

  it("documents the endpoints of every group", () => {
    const operations = Object.values(document.paths).flatMap((item) =>
      Object.values(item as Record<string, { operationId?: string }>).map((operation) => operation.operationId)
    )
    for (const id of [
      "registries.createRegistry",
      "collections.updateCollection",
      "versions.link",
      "versions.resolve",
      "artifacts.logArtifact",
      "keys.createApiKey",
      "entities.createUser",
      "history.history",
      "health.readyz",
      "session.signIn",
      "session.signOut",
      "paths.promoteAt",
      "paths.aliasHistoryAt",
      "paths.versionHistoryAt",
      "paths.diffAt",
      "paths.revertAt",
      "paths.tagAt",
      "paths.untagAt"
    ]) {
      expect(operations).toContain(id)
    }
  })
})
