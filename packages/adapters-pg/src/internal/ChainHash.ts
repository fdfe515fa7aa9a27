/**
 * The chain hash of the domain's `HashChain`, computed with node's native SHA-256: re-keying a store re-hashes every
 * event twice (the unkeyed chain it checks, the keyed chain it writes). The HMAC uses the key's HMAC blocks, as the
 * SQL function `chain_hash` does, so all three implementations agree.
 */
import { createHash } from "node:crypto"
import { type ChainKey, chainText } from "@registrar/domain"
import { Redacted } from "effect"

/** The chain hash function of a chain keyed with `key`, or of an unkeyed chain when `key` is null. */
export const nativeChainHash = (key: ChainKey | null) => {
  const pads = key === null ? null : Buffer.from(Redacted.value(key.pads))
  const inner = pads?.subarray(0, 64)
  const outer = pads?.subarray(64, 128)
  return (previousHash: string, streamId: string, streamPosition: number, digest: string): string => {
    const text = chainText(previousHash, streamId, streamPosition, digest)
    if (inner === undefined || outer === undefined) return createHash("sha256").update(text, "utf8").digest("hex")
    const innerDigest = createHash("sha256").update(inner).update(text, "utf8").digest()
    return createHash("sha256").update(outer).update(innerDigest).digest("hex")
  }
}
