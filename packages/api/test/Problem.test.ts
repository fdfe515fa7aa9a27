/** Errors travel as problem documents and come back as the same typed errors; asOf reads positions and times. */
import { describe, expect, it } from "@effect/vitest"
import { InsufficientRole, RegistryNotFound } from "@registrar/domain"
import { Either, Schema } from "effect"
import { Errors, Models, Problem } from "../src/index.js"

describe("problem documents", () => {
  const schema = Problem.problem(RegistryNotFound, 404)
  const error = new RegistryNotFound({ organization: "acme", registry: "Models" })

  it("encode a typed error with its tag, message, status and fields", () => {
    const document = Schema.encodeSync(schema)(error)
    expect(document).toMatchObject({
      type: "urn:registrar:problem:RegistryNotFound",
      title: "RegistryNotFound",
      code: "RegistryNotFound",
      status: 404,
      detail: error.message,
      organization: "acme",
      registry: "Models"
    })
  })

  it("decode back into the same typed error", () => {
    const decoded = Schema.decodeUnknownSync(schema)(Schema.encodeSync(schema)(error))
    expect(decoded).toBeInstanceOf(RegistryNotFound)
    expect(decoded.message).toBe(error.message)
  })

  it("refuse a document of another error", () => {
    const other = Problem.problem(InsufficientRole, 403)
    expect(Either.isLeft(Schema.decodeUnknownEither(other)(Schema.encodeSync(schema)(error)))).toBe(true)
  })

  it("give every error of the table the status the issue asks for", () => {
    expect(Errors.statusOf("InvalidName")).toBe(400)
    expect(Errors.statusOf("Unauthorized")).toBe(401)
    expect(Errors.statusOf("InsufficientRole")).toBe(403)
    expect(Errors.statusOf("RegistryNotFound")).toBe(404)
    expect(Errors.statusOf("CollectionTypeMismatch")).toBe(409)
    expect(Errors.statusOf("PayloadTooLarge")).toBe(413)
    expect(Errors.statusOf("SomethingElse")).toBe(500)
  })
})

describe("asOf", () => {
  const decode = Schema.decodeUnknownEither(Models.AsOf)
  it("reads digits as a position and ISO dates as times", () => {
    expect(decode("42")).toStrictEqual(Either.right({ position: 42 }))
    expect(decode("2025-01-31T12:00:00Z")).toStrictEqual(Either.right({ time: "2025-01-31T12:00:00Z" }))
  })
  it("refuses anything else", () => {
    for (const text of ["yesterday", "", "-1", "2025-13-45", "1e3"])
      expect(Either.isLeft(decode(text)), text).toBe(true)
  })
})
