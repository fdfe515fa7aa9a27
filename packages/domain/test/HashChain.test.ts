import { createHash } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { FastCheck } from "effect"
import { canonicalJson } from "../src/internal/CanonicalJson.js"
import { sha256Hex } from "../src/internal/Sha256.js"

describe("sha256Hex", () => {
  it("matches node:crypto for known and random text, including non-ASCII", () => {
    expect(sha256Hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    FastCheck.assert(
      FastCheck.property(FastCheck.fullUnicodeString({ maxLength: 300 }), (text) => {
        expect(sha256Hex(text)).toBe(createHash("sha256").update(text, "utf8").digest("hex"))
      })
    )
  })
})

describe("canonicalJson", () => {
  it("prints equal JSON values identically, whatever their key order", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}'
    )
    FastCheck.assert(
      FastCheck.property(FastCheck.jsonValue(), (value) => {
        expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)))
      })
    )
  })
})
