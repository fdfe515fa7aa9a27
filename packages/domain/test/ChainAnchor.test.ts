import { createHmac } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck } from "effect"
import {
  anchorDocument,
  chainHashWith,
  chainText,
  hmacHex,
  keyFingerprint,
  makeChainKey,
  parseAnchor,
  verificationKey
} from "../src/index.js"

const key = (secret: string) => Either.getOrThrow(makeChainKey(secret))

describe("chain keys", () => {
  it("HMAC-SHA256 matches node:crypto for keys shorter and longer than a block", () => {
    FastCheck.assert(
      FastCheck.property(
        FastCheck.string({ minLength: 16, maxLength: 100 }),
        FastCheck.fullUnicodeString({ maxLength: 200 }),
        (secret, text) => {
          expect(hmacHex(key(secret), text)).toBe(createHmac("sha256", secret).update(text, "utf8").digest("hex"))
        }
      )
    )
  })

  it("keys the chain hash only when a key is given", () => {
    const text = chainText("0".repeat(64), "stream", 1, "digest")
    const secret = "a secret of sixteen+"
    expect(chainHashWith(key(secret))("0".repeat(64), "stream", 1, "digest")).toBe(
      createHmac("sha256", secret).update(text).digest("hex")
    )
    expect(chainHashWith(null)("0".repeat(64), "stream", 1, "digest")).not.toBe(
      chainHashWith(key(secret))("0".repeat(64), "stream", 1, "digest")
    )
  })

  it("refuses short keys, and never prints the secret", () => {
    expect(Either.getLeft(makeChainKey("short")).pipe((left) => left._tag === "Some" && left.value.message)).toContain(
      "at least 16"
    )
    const made = key("do-not-print-this-secret")
    expect(String(made.secret)).not.toContain("do-not-print")
    expect(JSON.stringify(made)).not.toContain("do-not-print")
  })

  it("verifies an unkeyed chain without a key, and a keyed one only with its key", () => {
    const mine = key("the key the chain was keyed with")
    const recorded = keyFingerprint(mine)
    expect(verificationKey({ configured: null, recorded: null })).toEqual(Either.right(null))
    expect(verificationKey({ configured: mine, recorded: null })).toEqual(Either.right(null))
    expect(verificationKey({ configured: mine, recorded })).toEqual(Either.right(mine))
    expect(
      Either.getLeft(verificationKey({ configured: null, recorded })).pipe((e) => e._tag === "Some" && e.value._tag)
    ).toBe("ChainKeyMissing")
    const other = verificationKey({ configured: key("some other key entirely"), recorded })
    expect(Either.getLeft(other).pipe((e) => e._tag === "Some" && e.value._tag)).toBe("ChainKeyMismatch")
  })
})

describe("anchors", () => {
  const heads = [
    { streamId: "b", version: 2, hash: "2".repeat(64) },
    { streamId: "a", version: 1, hash: "1".repeat(64) }
  ]
  const document = anchorDocument({ transactionId: 7, globalPosition: 3 }, "2".repeat(64), 3, heads)

  it("prints a compact line and a full form that both read back", () => {
    expect(document.anchor).toMatch(/^registrar-anchor:v1:3:7:[0-9a-f]{64}$/)
    expect(document.heads.map((head) => head.streamId)).toEqual(["a", "b"])
    const compact = Either.getOrThrow(parseAnchor(`${document.anchor}\n`))
    expect(compact).toMatchObject({ checkpoint: { transactionId: 7, globalPosition: 3 }, heads: null })
    const full = Either.getOrThrow(parseAnchor(JSON.stringify(document)))
    expect(full.digest).toBe(compact.digest)
    expect(full.heads).toHaveLength(2)
  })

  it("does not depend on the order the heads were listed in", () => {
    expect(anchorDocument({ transactionId: 7, globalPosition: 3 }, "", 3, [...heads].reverse()).anchor).toBe(
      document.anchor
    )
  })

  it("refuses an edited full form and text that is no anchor, saying what to give instead", () => {
    const edited = { ...document, heads: [{ ...document.heads[0]!, version: 5 }, document.heads[1]!] }
    const refused = parseAnchor(JSON.stringify(edited))
    expect(Either.isLeft(refused) && refused.left.message).toContain("edited after it was made")
    for (const text of ["registrar-anchor:v1:3:abc", "{not json", '{"anchor": 1}', "hello"]) {
      const result = parseAnchor(text)
      expect(Either.isLeft(result) && result.left.message).toContain("registrar anchor")
    }
  })
})
