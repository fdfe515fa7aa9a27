/**
 * UUIDs without `node:crypto`: random ones (version 4) from the platform's cryptographic generator, and stable ones
 * (version 8, SHA-256 of the text) derived from text.
 *
 * Random ids do not come from Effect's `Random` service: its default generator is seeded with 32 bits per process,
 * so ids made by many processes would repeat, and a repeated collection id would merge two collections' streams.
 */
import { Effect } from "effect"
import { sha256Hex } from "./Sha256.js"

/** The part of the Web Crypto API the domain uses; Node 20 and browsers provide it as `globalThis.crypto`. */
interface WebCrypto {
  readonly randomUUID: () => string
}

const webCrypto = (): WebCrypto => (globalThis as unknown as { readonly crypto: WebCrypto }).crypto

/** A random (version 4) UUID, 122 random bits from `globalThis.crypto`. */
export const randomUuid: Effect.Effect<string> = Effect.sync(() => webCrypto().randomUUID())

/** Formats 32 hex digits as a UUID of `version` with the RFC 9562 variant bits (`10xx`). */
const format = (hex: string, version: number): string =>
  `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${version.toString(16)}${hex.slice(13, 16)}-${((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`

/**
 * A UUID determined by `text`: the same text always gives the same id (used for idempotent retries). Version 8
 * (custom): the first 128 bits of SHA-256 of the UTF-8 text, with the version and variant bits set.
 */
export const uuidFromText = (text: string): string => format(sha256Hex(text), 8)
