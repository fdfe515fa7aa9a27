/**
 * How a chain key reaches `append_events` (migration 10): every append statement first sets the transaction-local
 * setting `registrar.chain_key` to the key's HMAC blocks in hex (empty for an unkeyed store), and `append_events`
 * reads it. The setting ends with the statement's transaction; the key is never written to a table. It does travel
 * as a bind parameter, which a server logs only when told to log statements with their parameters.
 */
import { type ChainKey, ChainKeyMismatch, ChainKeyMissing } from "@registrar/domain"
import { Redacted } from "effect"

/** `select`, run after setting the chain key from the parameter `param` (e.g. `$4`) for its transaction. */
export const withChainKey = (select: string, param: string): string =>
  `${select} FROM (SELECT set_config('registrar.chain_key', ${param}, true)) AS chain_key`

/** The parameter that carries `key` to `append_events`: its HMAC blocks in hex, or empty without a key. */
export const chainKeyParameter = (key: ChainKey | null): string =>
  key === null ? "" : Buffer.from(Redacted.value(key.pads)).toString("hex")

/** Why `append_events` refused to append under the key it was given. */
export type ChainKeyRefusal = "key_missing" | "wrong_key" | "not_keyed"

/** What a person reads when `append_events` refused an append because of its key. */
export const chainKeyRefusal = (refusal: ChainKeyRefusal): string => {
  switch (refusal) {
    case "key_missing":
      return new ChainKeyMissing().message
    case "wrong_key":
      return new ChainKeyMismatch().message
    case "not_keyed":
      return "a chain key was given but this store's hash chain is not keyed yet: key it with `registrar chain rekey` (PgChain.rekey), or append without a key"
  }
}
