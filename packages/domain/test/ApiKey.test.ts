/**
 * The API-key decider and key format: prefixes are reserved once, users manage their own keys, a revoked key stays
 * revoked, the instance is bootstrapped once; keys have one format and digests compare without early exit.
 */
import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import * as ApiKey from "../src/ApiKey.js"
import { spec } from "../testing/DeciderSpec.js"

const apiKey = spec(ApiKey.decider)

const AT = "2026-01-01T00:00:00.000Z"
const create = (overrides: Partial<Extract<ApiKey.Command, { _tag: "CreateApiKey" }>> = {}): ApiKey.Command => ({
  _tag: "CreateApiKey",
  actor: "ada",
  user: "ada",
  prefix: "0a1b2c3d",
  name: "ci",
  digest: "d".repeat(64),
  createdAt: AT,
  ...overrides
})
const created = new ApiKey.ApiKeyCreated({
  user: "ada",
  prefix: "0a1b2c3d",
  name: "ci",
  digest: "d".repeat(64),
  createdAt: AT
})
const revoke = (actor = "ada", prefix = "0a1b2c3d"): ApiKey.Command => ({
  _tag: "RevokeApiKey",
  actor,
  user: "ada",
  prefix,
  revokedAt: AT
})

describe("a new prefix stream", () => {
  it("reserves the prefix for its user", () => {
    apiKey
      .given()
      .when({ _tag: "ReservePrefix", prefix: "0a1b2c3d", user: "ada" })
      .then(new ApiKey.ApiKeyPrefixReserved({ prefix: "0a1b2c3d", user: "ada" }))
  })
})

describe("a reserved prefix", () => {
  const reserved = new ApiKey.ApiKeyPrefixReserved({ prefix: "0a1b2c3d", user: "ada" })
  it("is reserved again for the same user as a no-op (a retry)", () => {
    apiKey.given(reserved).when({ _tag: "ReservePrefix", prefix: "0a1b2c3d", user: "ada" }).thenNothing()
  })
  it("is refused to another user", () => {
    apiKey
      .given(reserved)
      .when({ _tag: "ReservePrefix", prefix: "0a1b2c3d", user: "bob" })
      .thenFails("ApiKeyPrefixTaken", "0a1b2c3d", "again")
  })
})

describe("a user without keys", () => {
  it("creates a key for themselves, storing the digest", () => {
    const state = apiKey.given().when(create()).then(created)
    expect(state._tag === "Keys" && state.keys.get("0a1b2c3d")?.digest).toBe("d".repeat(64))
  })
  it("cannot have a key created by someone else", () => {
    apiKey
      .given()
      .when(create({ actor: "mallory" }))
      .thenFails("ApiKeyOwnerRequired", "mallory", "ada")
    apiKey
      .given()
      .when(create({ actor: "mallory", byInstanceAdmin: false }))
      .thenFails("ApiKeyOwnerRequired", "mallory", "ada")
  })
  it("can have a key created by the instance admin", () => {
    apiKey
      .given()
      .when(create({ actor: "root", byInstanceAdmin: true }))
      .then(created)
  })
  it("cannot name a key with control characters, unpaired surrogates or nothing", () => {
    apiKey
      .given()
      .when(create({ name: "ci\u001b[31m" }))
      .thenFails("InvalidApiKeyName", "1 to 128")
    for (const name of ["ci\ud800", "\udfffci"]) {
      apiKey.given().when(create({ name })).thenFails("InvalidApiKeyName", "unpaired surrogates")
    }
    // A surrogate pair is one character, not an unpaired half.
    apiKey
      .given()
      .when(create({ name: "ci 🔑" }))
      .then(new ApiKey.ApiKeyCreated({ ...created, name: "ci 🔑" }))
    apiKey
      .given()
      .when(create({ name: "  " }))
      .thenFails("InvalidApiKeyName")
  })
  it("cannot revoke a key they do not have", () => {
    apiKey.given().when(revoke()).thenFails("ApiKeyNotFound", "ada", "0a1b2c3d")
  })
})

describe("a user with a key", () => {
  it("creating the same key again is a no-op (a retry)", () => {
    apiKey.given(created).when(create()).thenNothing()
  })
  it("a different key under the same prefix is refused", () => {
    apiKey
      .given(created)
      .when(create({ digest: "e".repeat(64) }))
      .thenFails("ApiKeyPrefixTaken")
  })
  it("revokes it", () => {
    const state = apiKey
      .given(created)
      .when(revoke())
      .then(new ApiKey.ApiKeyRevoked({ user: "ada", prefix: "0a1b2c3d", revokedAt: AT }))
    expect(state._tag === "Keys" && state.keys.get("0a1b2c3d")?.revokedAt).toBe(AT)
  })
  it("another user cannot revoke it", () => {
    apiKey.given(created).when(revoke("mallory")).thenFails("ApiKeyOwnerRequired", "mallory")
  })
  it("the instance admin can revoke it", () => {
    apiKey
      .given(created)
      .when({ ...revoke("root"), byInstanceAdmin: true } as ApiKey.Command)
      .then(new ApiKey.ApiKeyRevoked({ user: "ada", prefix: "0a1b2c3d", revokedAt: AT }))
  })
  it("revoking twice changes nothing", () => {
    apiKey
      .given(created, new ApiKey.ApiKeyRevoked({ user: "ada", prefix: "0a1b2c3d", revokedAt: AT }))
      .when(revoke())
      .thenNothing()
  })
})

describe("the instance stream", () => {
  it("is bootstrapped once", () => {
    apiKey
      .given()
      .when({ _tag: "Bootstrap", admin: "admin" })
      .then(new ApiKey.InstanceBootstrapped({ admin: "admin" }))
    apiKey
      .given(new ApiKey.InstanceBootstrapped({ admin: "admin" }))
      .when({ _tag: "Bootstrap", admin: "other" })
      .thenNothing()
  })
})

describe("the key format", () => {
  const random = Uint8Array.from({ length: ApiKey.RANDOM_BYTES }, (_, index) => index)
  it("builds rk_<8 hex>_<64 hex> from 36 random bytes, and finds the prefix again", () => {
    const parts = Either.getOrThrow(ApiKey.keyFromRandom(random))
    expect(parts.key).toMatch(/^rk_[0-9a-f]{8}_[0-9a-f]{64}$/)
    expect(parts.prefix).toBe("00010203")
    expect(ApiKey.prefixOf(parts.key)).toStrictEqual(Either.right("00010203"))
  })
  it("refuses too few random bytes", () => {
    const result = ApiKey.keyFromRandom(random.subarray(0, 10))
    expect(Either.isLeft(result) && result.left._tag).toBe("ApiKeyRandomTooShort")
  })
  it("rejects malformed keys without repeating them", () => {
    for (const text of ["", "rk_", "rk_0a1b2c3d_short", `Bearer rk_0a1b2c3d_${"f".repeat(64)}`, "rk_ZZZZZZZZ_x"]) {
      const result = ApiKey.prefixOf(text)
      expect(Either.isLeft(result) && result.left._tag).toBe("MalformedApiKey")
      if (text.length > 3 && Either.isLeft(result)) expect(result.left.message).not.toContain(text)
    }
  })
  it("compares digests by value and length", () => {
    expect(ApiKey.digestsEqual("abcd", "abcd")).toBe(true)
    expect(ApiKey.digestsEqual("abcd", "abce")).toBe(false)
    expect(ApiKey.digestsEqual("abcd", "abc")).toBe(false)
  })
})

describe("key expiry", () => {
  it("an ApiKeyCreated stored before expiries existed decodes with no expiry", () => {
    const decoded = Schema.decodeUnknownSync(ApiKey.Event)({
      _tag: "ApiKeyCreated",
      user: "ada",
      prefix: "0a1b2c3d",
      name: "ci",
      digest: "d".repeat(64),
      createdAt: AT
    })
    expect(decoded).toStrictEqual(created)
    expect(decoded._tag === "ApiKeyCreated" && decoded.expiresAt).toBeNull()
  })

  it("a key created with an expiry records it, and is usable only before it", () => {
    const expiresAt = "2026-01-01T12:00:00.000Z"
    const events = Either.getOrThrow(ApiKey.decide(create({ expiresAt }), ApiKey.initialState))
    expect(events).toStrictEqual([new ApiKey.ApiKeyCreated({ ...created, expiresAt })])
    const state = events.reduce(ApiKey.evolve, ApiKey.initialState)
    const key = state._tag === "Keys" ? state.keys.get("0a1b2c3d") : undefined
    if (key === undefined) throw new Error("the key was not folded")
    expect(ApiKey.isUsable(key, Date.parse(expiresAt) - 1)).toBe(true)
    expect(ApiKey.isUsable(key, Date.parse(expiresAt))).toBe(false)
    expect(ApiKey.isUsable({ ...key, expiresAt: null }, Date.parse("2099-01-01T00:00:00Z"))).toBe(true)
    expect(ApiKey.isUsable({ ...key, expiresAt: null, revokedAt: AT }, Date.parse(AT))).toBe(false)
  })
})
