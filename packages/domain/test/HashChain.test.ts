import { createHash, createHmac } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { FastCheck } from "effect"
import { canonicalJson } from "../src/internal/CanonicalJson.js"
import {
  hmacPads,
  hmacSha256Hex,
  portableHmacSha256Hex,
  portableSha256Hex,
  sha256Hex,
  utf8
} from "../src/internal/Sha256.js"

/** Text with every kind of UTF-16: ASCII, two-, three- and four-byte characters, and lone surrogates. */
const anyText = FastCheck.oneof(
  FastCheck.fullUnicodeString({ maxLength: 300 }),
  FastCheck.string({ unit: "binary", maxLength: 300 }),
  FastCheck.array(FastCheck.integer({ min: 0xd7f0, max: 0xe010 }), { maxLength: 20 }).map((codes) =>
    String.fromCharCode(...codes)
  )
)

describe("sha256Hex", () => {
  it("matches node:crypto for known and random text, natively and in plain TypeScript (a browser's)", () => {
    expect(sha256Hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    expect(portableSha256Hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    FastCheck.assert(
      FastCheck.property(anyText, (text) => {
        const expected = createHash("sha256").update(text, "utf8").digest("hex")
        expect(sha256Hex(text)).toBe(expected)
        expect(portableSha256Hex(text)).toBe(expected)
      })
    )
  })
})

describe("hmacSha256Hex", () => {
  it("matches node:crypto's HMAC for random keys (longer than a block too) and text, in both implementations", () => {
    FastCheck.assert(
      FastCheck.property(FastCheck.string({ unit: "binary", maxLength: 100 }), anyText, (key, text) => {
        const expected = createHmac("sha256", Buffer.from(key, "utf8")).update(text, "utf8").digest("hex")
        const pads = hmacPads(utf8(key))
        expect(hmacSha256Hex(pads, text)).toBe(expected)
        expect(portableHmacSha256Hex(pads, text)).toBe(expected)
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
