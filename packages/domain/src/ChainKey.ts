/**
 * Keyed hash chains. With a key configured outside the database, a store's chain hashes are HMAC-SHA256 under the
 * key instead of plain SHA-256 (see `HashChain`), so someone who can edit the database but does not hold the key
 * cannot re-chain edited history: `verify` names the first event whose keyed hash does not match.
 *
 * The store records a fingerprint of the key it was keyed with (an HMAC of a fixed text, which reveals nothing
 * that a stored chain hash does not), never the key, so a missing or wrong key is named as such rather than
 * reported as tampering.
 */
import { Either, Redacted, Schema } from "effect"
import { hmacPads, hmacSha256Hex, utf8 } from "./internal/Sha256.js"

/** The fewest characters a chain key may have. */
export const minimumKeyLength = 16

/** A secret that keys a store's chain hashes; printing it shows `<redacted>`. */
export interface ChainKey {
  readonly _tag: "ChainKey"
  readonly secret: Redacted.Redacted<string>
  /** The key's HMAC key blocks (inner, then outer; 128 bytes), as the adapters pass them to SQL. */
  readonly pads: Redacted.Redacted<Uint8Array>
}

/** A configured chain key cannot be used. */
export class InvalidChainKey extends Schema.TaggedError<InvalidChainKey>()("InvalidChainKey", {
  length: Schema.Number
}) {
  override get message(): string {
    return `The chain key has ${this.length} characters; use at least ${minimumKeyLength} random ones, e.g. the output of \`openssl rand -hex 32\`.`
  }
}

/** Makes a chain key from a secret (e.g. `$REGISTRAR_CHAIN_KEY`). */
export const makeChainKey = (secret: string): Either.Either<ChainKey, InvalidChainKey> =>
  secret.length < minimumKeyLength
    ? Either.left(new InvalidChainKey({ length: secret.length }))
    : Either.right({
        _tag: "ChainKey",
        secret: Redacted.make(secret),
        pads: Redacted.make(hmacPads(utf8(secret)))
      })

/** HMAC-SHA256 of `text` under `key`, as 64 lowercase hex characters. */
export const hmacHex = (key: ChainKey, text: string): string => hmacSha256Hex(Redacted.value(key.pads), text)

/** The text whose HMAC identifies a key: {@link keyFingerprint}. */
export const fingerprintText = "registrar chain key fingerprint"

/** What a store records of the key its chain is keyed with: an HMAC of a fixed text. */
export const keyFingerprint = (key: ChainKey): string => hmacHex(key, fingerprintText)

/** How a store's chain is keyed: the key the store was configured with, and the fingerprint its data records. */
export interface ChainKeying {
  /** The key given to the store (its layer option or `$REGISTRAR_CHAIN_KEY`); null when none was. */
  readonly configured: ChainKey | null
  /** The fingerprint of the key the stored chain is keyed with; null when the chain is not keyed. */
  readonly recorded: string | null
}

/** The chain is keyed, but no key was configured. */
export class ChainKeyMissing extends Schema.TaggedError<ChainKeyMissing>()("ChainKeyMissing", {}) {
  override get message(): string {
    return "This store's hash chain is keyed, but no key was given: set REGISTRAR_CHAIN_KEY (or the store's chainKey option) to the key it was keyed with."
  }
}

/** The configured key is not the one the chain is keyed with. */
export class ChainKeyMismatch extends Schema.TaggedError<ChainKeyMismatch>()("ChainKeyMismatch", {}) {
  override get message(): string {
    return "The chain key given (REGISTRAR_CHAIN_KEY or the store's chainKey option) is not the key this store's hash chain is keyed with; give the key it was keyed with."
  }
}

/** The key the stored chain must be verified with: null for an unkeyed chain (even when a key is configured). */
export const verificationKey = (
  keying: ChainKeying
): Either.Either<ChainKey | null, ChainKeyMissing | ChainKeyMismatch> => {
  if (keying.recorded === null) return Either.right(null)
  if (keying.configured === null) return Either.left(new ChainKeyMissing())
  return keyFingerprint(keying.configured) === keying.recorded
    ? Either.right(keying.configured)
    : Either.left(new ChainKeyMismatch())
}

/** The chain is keyed already, with another key than the one given. */
export class ChainKeyedWithAnotherKey extends Schema.TaggedError<ChainKeyedWithAnotherKey>()(
  "ChainKeyedWithAnotherKey",
  {}
) {
  override get message(): string {
    return "This store's hash chain is keyed already, with another key than REGISTRAR_CHAIN_KEY; keep using the key it was keyed with (changing keys is not supported)."
  }
}
