/**
 * API keys: how a server knows who calls it. A key reads `rk_<prefix>_<secret>`: the prefix (8 hex digits) names it
 * and is kept; the secret is shown once and only its SHA-256 digest is stored. A user's keys live in one stream per
 * user; each prefix is reserved in its own stream (so prefixes are unique and a key is found from its prefix), and
 * the instance stream records the one-time bootstrap of the first admin.
 *
 * These events are infrastructure, not registry events: they are not part of `Events.DomainEvent`, so projections
 * and the audit summaries ignore them, while the hash chains cover them like every other stored event.
 */
import { Either, Schema } from "effect"
import type { Decider } from "./Decider.js"
import type { JsonObject } from "./EventStore.js"

// ---- streams -----------------------------------------------------------------------------------------------------

/** The stream of a user's API keys. */
export const streamId = (user: string): string => `ApiKeys-${user}`

/** The stream that reserves a key prefix for its user. */
export const prefixStreamId = (prefix: string): string => `ApiKeyPrefix-${prefix}`

/** The stream that records the instance's one-time bootstrap. */
export const instanceStreamId = "Instance"

// ---- key format --------------------------------------------------------------------------------------------------

/** Every key starts with this. */
export const KEY_PREFIX = "rk_"

/** How many hex digits name a key (its prefix). */
export const PREFIX_LENGTH = 8

/** How many hex digits of secret follow the prefix (256 bits). */
export const SECRET_LENGTH = 64

/** How many random bytes a new key needs: 4 for the prefix and 32 for the secret. */
export const RANDOM_BYTES = (PREFIX_LENGTH + SECRET_LENGTH) / 2

const hex = (bytes: Uint8Array): string => Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("")

/** A key's parts: its prefix (kept) and the full key text (shown once). */
export interface KeyParts {
  readonly prefix: string
  readonly key: string
}

/** Builds a key from {@link RANDOM_BYTES} bytes of a cryptographic random source (fails on fewer bytes). */
export const keyFromRandom = (random: Uint8Array): Either.Either<KeyParts, ApiKeyRandomTooShort> => {
  if (random.length < RANDOM_BYTES) {
    return Either.left(new ApiKeyRandomTooShort({ required: RANDOM_BYTES, given: random.length }))
  }
  const text = hex(random.subarray(0, RANDOM_BYTES))
  const prefix = text.slice(0, PREFIX_LENGTH)
  return Either.right({ prefix, key: `${KEY_PREFIX}${prefix}_${text.slice(PREFIX_LENGTH)}` })
}

const keyPattern = new RegExp(`^${KEY_PREFIX}([0-9a-f]{${PREFIX_LENGTH}})_[0-9a-f]{${SECRET_LENGTH}}$`)

/** The prefix of a well-formed key; a MalformedApiKey for anything else (which never repeats the text). */
export const prefixOf = (key: string): Either.Either<string, MalformedApiKey> => {
  const match = keyPattern.exec(key)
  return match === null ? Either.left(new MalformedApiKey()) : Either.right(match[1]!)
}

/**
 * Compares two digests without stopping at the first difference, so the time taken says nothing about how much of
 * a guess was right. Digests of different lengths are unequal.
 */
export const digestsEqual = (a: string, b: string): boolean => {
  if (a.length !== b.length) return false
  let difference = 0
  for (let index = 0; index < a.length; index++) difference |= a.charCodeAt(index) ^ b.charCodeAt(index)
  return difference === 0
}

// ---- events (stored formats: change only by adding a new schema version and an upcast) ---------------------------

/** A key prefix was reserved for a user's new key. */
export class ApiKeyPrefixReserved extends Schema.TaggedClass<ApiKeyPrefixReserved>()("ApiKeyPrefixReserved", {
  prefix: Schema.String,
  user: Schema.String
}) {}

/**
 * A user got a new API key; only the SHA-256 digest of the key is kept. `expiresAt` (added later) is when the key
 * stops authenticating; events written before it decode with `null`: no expiry.
 */
export class ApiKeyCreated extends Schema.TaggedClass<ApiKeyCreated>()("ApiKeyCreated", {
  user: Schema.String,
  prefix: Schema.String,
  name: Schema.String,
  digest: Schema.String,
  createdAt: Schema.String,
  expiresAt: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null })
}) {}

/** An API key was revoked: it authenticates no more. */
export class ApiKeyRevoked extends Schema.TaggedClass<ApiKeyRevoked>()("ApiKeyRevoked", {
  user: Schema.String,
  prefix: Schema.String,
  revokedAt: Schema.String
}) {}

/** The instance was bootstrapped: its first admin got the first key. */
export class InstanceBootstrapped extends Schema.TaggedClass<InstanceBootstrapped>()("InstanceBootstrapped", {
  admin: Schema.String
}) {}

/** Every API-key event. */
export const Event = Schema.Union(ApiKeyPrefixReserved, ApiKeyCreated, ApiKeyRevoked, InstanceBootstrapped)
/** Every API-key event. */
export type Event = typeof Event.Type

/** The stored form of an API-key event: type, schema version and JSON data (as `Events.encode` for the rest). */
export const encode = (event: Event): { type: string; schemaVersion: number; data: JsonObject } => {
  // Encoding writes every field (an optional field's default included), so the data is plain JSON.
  const { _tag, ...data } = Schema.encodeSync(Event)(event) as { _tag: string } & JsonObject
  return { type: _tag, schemaVersion: 1, data }
}

// ---- state -------------------------------------------------------------------------------------------------------

/** One key of a user, as listed: never its secret. */
export interface KeyInfo {
  readonly prefix: string
  readonly name: string
  readonly digest: string
  readonly createdAt: string
  /** When the key stops authenticating (ISO time); `null`: never. */
  readonly expiresAt: string | null
  readonly revokedAt: string | null
}

/** Whether a key authenticates at `nowMillis`: not revoked and not past its expiry. */
export const isUsable = (key: KeyInfo, nowMillis: number): boolean =>
  key.revokedAt === null && (key.expiresAt === null || nowMillis < Date.parse(key.expiresAt))

/** What a stream holds. */
export type State =
  | { readonly _tag: "Empty" }
  | { readonly _tag: "Keys"; readonly user: string; readonly keys: ReadonlyMap<string, KeyInfo> }
  | { readonly _tag: "Prefix"; readonly prefix: string; readonly user: string }
  | { readonly _tag: "Bootstrapped"; readonly admin: string }

/** A stream with no events. */
export const initialState: State = { _tag: "Empty" }

/** Folds one event into the state. */
export const evolve = (state: State, event: Event): State => {
  switch (event._tag) {
    case "ApiKeyPrefixReserved":
      return { _tag: "Prefix", prefix: event.prefix, user: event.user }
    case "ApiKeyCreated": {
      const keys = new Map(state._tag === "Keys" ? state.keys : [])
      keys.set(event.prefix, {
        prefix: event.prefix,
        name: event.name,
        digest: event.digest,
        createdAt: event.createdAt,
        expiresAt: event.expiresAt,
        revokedAt: null
      })
      return { _tag: "Keys", user: event.user, keys }
    }
    case "ApiKeyRevoked": {
      if (state._tag !== "Keys") return state
      const key = state.keys.get(event.prefix)
      if (key === undefined) return state
      return { ...state, keys: new Map(state.keys).set(event.prefix, { ...key, revokedAt: event.revokedAt }) }
    }
    case "InstanceBootstrapped":
      return { _tag: "Bootstrapped", admin: event.admin }
  }
}

// ---- errors ------------------------------------------------------------------------------------------------------

/** The text given as an API key is not one (the text itself is never repeated: it may be a secret). */
export class MalformedApiKey extends Schema.TaggedError<MalformedApiKey>()("MalformedApiKey", {}) {
  override get message() {
    return `That is not a Registrar API key: keys read ${KEY_PREFIX}<8 hex digits>_<64 hex digits>. Copy the whole key printed when it was created, or create a new one.`
  }
}

/** The API key is unknown, revoked, expired, or does not match. */
export class InvalidApiKey extends Schema.TaggedError<InvalidApiKey>()("InvalidApiKey", {}) {
  override get message() {
    return "The API key is not valid (unknown, revoked, expired, or mistyped). Create a new key with `registrar api-key create`."
  }
}

/** No key of the user has that prefix. */
export class ApiKeyNotFound extends Schema.TaggedError<ApiKeyNotFound>()("ApiKeyNotFound", {
  user: Schema.String,
  prefix: Schema.String
}) {
  override get message() {
    return `User "${this.user}" has no API key with prefix "${this.prefix}". List the keys and use one of their prefixes.`
  }
}

/** Keys are managed by their own user. */
export class ApiKeyOwnerRequired extends Schema.TaggedError<ApiKeyOwnerRequired>()("ApiKeyOwnerRequired", {
  actor: Schema.String,
  user: Schema.String
}) {
  override get message() {
    return `User "${this.actor}" cannot manage the API keys of "${this.user}": users create, list and revoke their own keys, and the instance admin anyone's. Ask "${this.user}" or the instance admin, or create the key on the store with \`registrar api-key create --user ${this.user}\`.`
  }
}

/** A key name must be short, printable text. */
export class InvalidApiKeyName extends Schema.TaggedError<InvalidApiKeyName>()("InvalidApiKeyName", {
  name: Schema.String
}) {
  override get message() {
    return `An API key name must be 1 to 128 printable characters (no control characters or unpaired surrogates), not ${JSON.stringify(this.name.slice(0, 140))}. Choose a name that says where the key is used, e.g. "ci".`
  }
}

/** The key prefix is taken by another user's key (a random collision: create the key again). */
export class ApiKeyPrefixTaken extends Schema.TaggedError<ApiKeyPrefixTaken>()("ApiKeyPrefixTaken", {
  prefix: Schema.String
}) {
  override get message() {
    return `The key prefix "${this.prefix}" is already used by another key. Create the key again (it gets a new random prefix).`
  }
}

/** A key needs enough random bytes. */
export class ApiKeyRandomTooShort extends Schema.TaggedError<ApiKeyRandomTooShort>()("ApiKeyRandomTooShort", {
  required: Schema.Number,
  given: Schema.Number
}) {
  override get message() {
    return `A new API key needs ${this.required} random bytes from a cryptographic source, but ${this.given} were given. Pass crypto.randomBytes(${this.required}).`
  }
}

// ---- commands and decisions --------------------------------------------------------------------------------------

/** Commands on API-key streams. */
export type Command =
  | { readonly _tag: "ReservePrefix"; readonly prefix: string; readonly user: string }
  | {
      readonly _tag: "CreateApiKey"
      readonly actor: string
      readonly user: string
      /** Whether the actor is the instance admin, who manages every user's keys (absent: not). */
      readonly byInstanceAdmin?: boolean
      readonly prefix: string
      readonly name: string
      readonly digest: string
      readonly createdAt: string
      /** When the key stops authenticating (ISO time); absent: never. */
      readonly expiresAt?: string
    }
  | {
      readonly _tag: "RevokeApiKey"
      readonly actor: string
      readonly user: string
      /** Whether the actor is the instance admin, who manages every user's keys (absent: not). */
      readonly byInstanceAdmin?: boolean
      readonly prefix: string
      readonly revokedAt: string
    }
  | { readonly _tag: "Bootstrap"; readonly admin: string }

/** The rejections of API-key commands. */
export type Rejection = ApiKeyOwnerRequired | ApiKeyNotFound | InvalidApiKeyName | ApiKeyPrefixTaken

const none: ReadonlyArray<Event> = []

// No control characters, and no unpaired surrogates (not text: no store can hold them).
const validName = (name: string) =>
  name.length > 0 && name.length <= 128 && name.trim().length > 0 && !/\p{Cc}|\p{Cs}/u.test(name)

/** Decides an API-key command. */
export const decide = (command: Command, state: State): Either.Either<ReadonlyArray<Event>, Rejection> => {
  switch (command._tag) {
    case "ReservePrefix":
      if (state._tag === "Prefix") {
        return state.user === command.user
          ? Either.right(none)
          : Either.left(new ApiKeyPrefixTaken({ prefix: command.prefix }))
      }
      return Either.right([new ApiKeyPrefixReserved({ prefix: command.prefix, user: command.user })])
    case "CreateApiKey": {
      if (command.actor !== command.user && command.byInstanceAdmin !== true) {
        return Either.left(new ApiKeyOwnerRequired({ actor: command.actor, user: command.user }))
      }
      if (!validName(command.name)) return Either.left(new InvalidApiKeyName({ name: command.name }))
      const existing = state._tag === "Keys" ? state.keys.get(command.prefix) : undefined
      if (existing !== undefined) {
        return existing.digest === command.digest
          ? Either.right(none)
          : Either.left(new ApiKeyPrefixTaken({ prefix: command.prefix }))
      }
      return Either.right([
        new ApiKeyCreated({
          user: command.user,
          prefix: command.prefix,
          name: command.name,
          digest: command.digest,
          createdAt: command.createdAt,
          expiresAt: command.expiresAt ?? null
        })
      ])
    }
    case "RevokeApiKey": {
      if (command.actor !== command.user && command.byInstanceAdmin !== true) {
        return Either.left(new ApiKeyOwnerRequired({ actor: command.actor, user: command.user }))
      }
      const key = state._tag === "Keys" ? state.keys.get(command.prefix) : undefined
      if (key === undefined) return Either.left(new ApiKeyNotFound({ user: command.user, prefix: command.prefix }))
      if (key.revokedAt !== null) return Either.right(none)
      return Either.right([
        new ApiKeyRevoked({ user: command.user, prefix: command.prefix, revokedAt: command.revokedAt })
      ])
    }
    case "Bootstrap":
      return Either.right(state._tag === "Bootstrapped" ? none : [new InstanceBootstrapped({ admin: command.admin })])
  }
}

/** The API-key decider. */
export const decider: Decider<Command, Event, State, Rejection> = { initialState, evolve, decide }
