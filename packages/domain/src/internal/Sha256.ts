/**
 * SHA-256 and HMAC-SHA256 over UTF-8 text. Where the runtime has Node's `crypto` module (a server, the CLI) the
 * exported functions hash with it, found through `process.getBuiltinModule` so the domain still imports nothing but
 * `effect`; elsewhere (a browser) they run the plain TypeScript implementation below. Both give the same digests
 * (checked by a property test), and the native one costs a small fraction of the CPU: every delivery of an
 * automation hashes its id and signs its body.
 */

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
])

/** UTF-8 bytes of a string (the domain has no TextEncoder: it imports nothing but `effect`). */
export const utf8 = (text: string): Uint8Array => {
  const bytes: Array<number> = []
  for (const char of text) {
    const point = char.codePointAt(0)!
    // A lone surrogate is not a character: encoded as U+FFFD, as Node's Buffer and TextEncoder do.
    const code = point >= 0xd800 && point <= 0xdfff ? 0xfffd : point
    if (code < 0x80) bytes.push(code)
    else if (code < 0x800) bytes.push(0xc0 | (code >> 6), 0x80 | (code & 0x3f))
    else if (code < 0x10000) bytes.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f))
    else
      bytes.push(0xf0 | (code >> 18), 0x80 | ((code >> 12) & 0x3f), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f))
  }
  return Uint8Array.from(bytes)
}
const W = new Uint32Array(64)

const rotr = (x: number, n: number): number => (x >>> n) | (x << (32 - n))

/** The part of Node's `crypto` module used here. */
interface NodeHash {
  update(data: string | Uint8Array, encoding?: "utf8"): NodeHash
  digest(): Uint8Array
  digest(encoding: "hex"): string
}
interface NodeCrypto {
  readonly createHash: (algorithm: "sha256") => NodeHash
}

/** Node's `crypto` module when this runtime has one (Node 20.16 and later), else undefined. */
const nodeCrypto: NodeCrypto | undefined = (() => {
  const process = (globalThis as { readonly process?: { readonly getBuiltinModule?: (id: string) => unknown } }).process
  try {
    const module = process?.getBuiltinModule?.("node:crypto") as NodeCrypto | undefined
    return typeof module?.createHash === "function" ? module : undefined
  } catch {
    return undefined
  }
})()

/** {@link sha256Hex} in plain TypeScript, whatever the runtime. */
export const portableSha256Hex = (text: string): string => toHex(sha256(utf8(text)))

/** The SHA-256 digest of the UTF-8 encoding of `text`, as 64 lowercase hex characters. */
export const sha256Hex: (text: string) => string =
  nodeCrypto === undefined
    ? portableSha256Hex
    : (text) => nodeCrypto.createHash("sha256").update(text, "utf8").digest("hex")

/** Lowercase hex of bytes. */
export const toHex = (bytes: Uint8Array): string => {
  let hex = ""
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0")
  return hex
}

/** The 64-byte inner and outer HMAC-SHA256 key blocks of `key` (RFC 2104), concatenated: 128 bytes. */
export const hmacPads = (key: Uint8Array): Uint8Array => {
  const block = new Uint8Array(64)
  block.set(key.length > 64 ? sha256(key) : key)
  const pads = new Uint8Array(128)
  for (let i = 0; i < 64; i++) {
    pads[i] = block[i]! ^ 0x36
    pads[64 + i] = block[i]! ^ 0x5c
  }
  return pads
}

/** {@link hmacSha256Hex} in plain TypeScript, whatever the runtime. */
export const portableHmacSha256Hex = (pads: Uint8Array, text: string): string => {
  const message = utf8(text)
  const inner = new Uint8Array(64 + message.length)
  inner.set(pads.subarray(0, 64))
  inner.set(message, 64)
  const outer = new Uint8Array(64 + 32)
  outer.set(pads.subarray(64, 128))
  outer.set(sha256(inner), 64)
  return toHex(sha256(outer))
}

/**
 * HMAC-SHA256 of the UTF-8 encoding of `text`, given the key's {@link hmacPads}, as 64 lowercase hex characters:
 * `H(outer pad ‖ H(inner pad ‖ text))`, two hashes over the pads (natively where the runtime can).
 */
export const hmacSha256Hex: (pads: Uint8Array, text: string) => string =
  nodeCrypto === undefined
    ? portableHmacSha256Hex
    : (pads, text) => {
        const inner = nodeCrypto.createHash("sha256").update(pads.subarray(0, 64)).update(text, "utf8").digest()
        return nodeCrypto.createHash("sha256").update(pads.subarray(64, 128)).update(inner).digest("hex")
      }

/** The SHA-256 digest of bytes (32 bytes). */
export const sha256 = (message: Uint8Array): Uint8Array => {
  const bitLength = message.length * 8
  const paddedLength = (((message.length + 9 + 63) >> 6) << 6) >>> 0
  const bytes = new Uint8Array(paddedLength)
  bytes.set(message)
  bytes[message.length] = 0x80
  const view = new DataView(bytes.buffer)
  view.setUint32(paddedLength - 8, Math.floor(bitLength / 0x100000000))
  view.setUint32(paddedLength - 4, bitLength >>> 0)

  let h0 = 0x6a09e667
  let h1 = 0xbb67ae85
  let h2 = 0x3c6ef372
  let h3 = 0xa54ff53a
  let h4 = 0x510e527f
  let h5 = 0x9b05688c
  let h6 = 0x1f83d9ab
  let h7 = 0x5be0cd19

  for (let offset = 0; offset < paddedLength; offset += 64) {
    for (let i = 0; i < 16; i++) W[i] = view.getUint32(offset + i * 4)
    for (let i = 16; i < 64; i++) {
      const w15 = W[i - 15]!
      const w2 = W[i - 2]!
      const s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >>> 3)
      const s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >>> 10)
      W[i] = (W[i - 16]! + s0 + W[i - 7]! + s1) >>> 0
    }
    let a = h0
    let b = h1
    let c = h2
    let d = h3
    let e = h4
    let f = h5
    let g = h6
    let h = h7
    for (let i = 0; i < 64; i++) {
      const S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
      const ch = (e & f) ^ (~e & g)
      const t1 = (h + S1 + ch + K[i]! + W[i]!) >>> 0
      const S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
      const maj = (a & b) ^ (a & c) ^ (b & c)
      const t2 = (S0 + maj) >>> 0
      h = g
      g = f
      f = e
      e = (d + t1) >>> 0
      d = c
      c = b
      b = a
      a = (t1 + t2) >>> 0
    }
    h0 = (h0 + a) >>> 0
    h1 = (h1 + b) >>> 0
    h2 = (h2 + c) >>> 0
    h3 = (h3 + d) >>> 0
    h4 = (h4 + e) >>> 0
    h5 = (h5 + f) >>> 0
    h6 = (h6 + g) >>> 0
    h7 = (h7 + h) >>> 0
  }
  const digest = new Uint8Array(32)
  const out = new DataView(digest.buffer)
  for (const [index, word] of [h0, h1, h2, h3, h4, h5, h6, h7].entries()) out.setUint32(index * 4, word)
  return digest
}
