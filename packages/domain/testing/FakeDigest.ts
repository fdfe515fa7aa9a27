/**
 * A stand-in sha256 for a test's file content: 64 lowercase hex digits, the same for the same content and different
 * for different content (eight FNV-1a hashes with different seeds), without hashing real bytes. Scenarios name files
 * by content they never store; a manifest must still carry a well-formed digest.
 */
export const fakeSha256 = (content: string): string => {
  let digest = ""
  for (let seed = 0; seed < 8; seed++) {
    let hash = (0x811c9dc5 ^ seed) >>> 0
    for (let index = 0; index < content.length; index++) {
      hash ^= content.charCodeAt(index)
      hash = Math.imul(hash, 0x01000193) >>> 0
    }
    digest += hash.toString(16).padStart(8, "0")
  }
  return digest
}
