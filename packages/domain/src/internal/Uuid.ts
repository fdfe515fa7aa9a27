/** UUIDs without `node:crypto`: random ones from Effect's Random service, and stable ones derived from text. */
import { Effect, Random } from "effect"
import { sha256Hex } from "./Sha256.js"

const format = (hex: string): string =>
  `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`

const word = Effect.map(Random.nextIntBetween(0, 0x10000), (n) => n.toString(16).padStart(4, "0"))

/** A random (version 4) UUID. */
export const randomUuid: Effect.Effect<string> = Effect.map(
  Effect.all([word, word, word, word, word, word, word, word]),
  (words) => format(words.join(""))
)

/** A UUID determined by `text`: the same text always gives the same id (used for idempotent retries). */
export const uuidFromText = (text: string): string => format(sha256Hex(text))
