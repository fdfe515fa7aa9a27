/**
 * Application handlers for API keys: create (the key is returned once; only its digest is stored), list, revoke,
 * authenticate a key to its user, and bootstrap the instance's first admin. Keys are infrastructure events (see
 * `ApiKey.ts`), so these handlers load and append them here rather than through the domain-event loader.
 */
import { Clock, Context, Duration, Effect, Either, Option, Schema } from "effect"
import * as ApiKey from "../ApiKey.js"
import * as Entity from "../Entity.js"
import {
  type EventMetadataJson,
  EventStore,
  type NewEvent,
  type StoreUnavailable,
  VersionConflict
} from "../EventStore.js"
import * as Events from "../Events.js"
import { UndecodableEvent } from "../Events.js"
import { ConflictRetriesExhausted } from "../Errors.js"
import { type SharedQuery, sharedAfterAsking } from "../internal/FreshReads.js"
import { conflictRetries, expectedAfter } from "../internal/Loader.js"
import { sha256Hex } from "../internal/Sha256.js"
import { randomUuid } from "../internal/Uuid.js"
import { validateEntityName } from "../Names.js"
import { envelope, loadEntity, type Request, requireUser } from "./Context.js"

const decodeEvent = Schema.decodeUnknownEither(ApiKey.Event)

const load = (streamId: string) =>
  Effect.gen(function* () {
    const store = yield* EventStore
    const recorded = yield* store.readStream(streamId)
    let state = ApiKey.initialState
    for (const stored of recorded) {
      const decoded = decodeEvent({ ...stored.data, _tag: stored.type })
      if (Either.isLeft(decoded)) {
        return yield* Effect.fail(
          new UndecodableEvent({
            eventType: stored.type,
            schemaVersion: stored.schemaVersion,
            detail: "not an API-key event"
          })
        )
      }
      state = ApiKey.evolve(state, decoded.right)
    }
    return { state, version: recorded[recorded.length - 1]?.streamPosition ?? 0 }
  })

/** One stream's part of an API-key decision: the events to append at the version they were decided from. */
interface KeyChange {
  readonly streamId: string
  readonly version: number
  readonly events: ReadonlyArray<NewEvent>
}

/** What an API-key handler decided: every stream's change, appended together, and its answer. */
interface KeyDecision<A> {
  readonly changes: ReadonlyArray<KeyChange>
  readonly result: A
}

/** Loads a key stream and decides a command on it; the change carries the encoded events and the decided ones. */
const decideOn = (streamId: string, metadata: EventMetadataJson, command: (state: ApiKey.State) => ApiKey.Command) =>
  Effect.gen(function* () {
    const loaded = yield* load(streamId)
    const decided = yield* ApiKey.decide(command(loaded.state), loaded.state)
    const events = yield* Effect.forEach(decided, (event) =>
      Effect.map(randomUuid, (eventId): NewEvent => {
        return { eventId, ...ApiKey.encode(event), metadata }
      })
    )
    return { change: { streamId, version: loaded.version, events } satisfies KeyChange, decided }
  })

/**
 * Decides with `decide` (given the events' metadata) and appends every change in one `appendMany`: all commit or
 * none does. On a conflict on any stream, nothing was written: loads and decides again (the service's schedule).
 */
const commit = <A, E, R>(
  request: Request,
  decide: (metadata: EventMetadataJson) => Effect.Effect<KeyDecision<A>, E, R>
) =>
  Effect.gen(function* () {
    const { metadata } = yield* envelope(request)
    const decision = yield* decide(metadata)
    const writes = decision.changes
      .filter((change) => change.events.length > 0)
      .map(({ streamId, version, events }) => ({ streamId, events, expected: expectedAfter(version) }))
    if (writes.length > 0) {
      const store = yield* EventStore
      yield* store
        .appendMany(writes)
        .pipe(Effect.catchTag("StreamRepeatedInAppend", (repeated) => Effect.die(repeated)))
    }
    return decision.result
  }).pipe(
    Effect.retry({ schedule: conflictRetries, while: (error) => error instanceof VersionConflict }),
    Effect.catchIf(
      (error): error is VersionConflict => error instanceof VersionConflict,
      (conflict) => Effect.fail(new ConflictRetriesExhausted({ streamId: conflict.streamId, attempts: 101 }))
    )
  )

const now = Effect.map(Clock.currentTimeMillis, (millis) => new Date(millis).toISOString())

/** Input of {@link createApiKey}. */
export interface CreateApiKey extends Request {
  /** Whose key it is (that user, or the instance admin, creates it). */
  readonly user: string
  /** Says where the key is used, e.g. `ci` (default `default`). */
  readonly name?: string
  /** {@link ApiKey.RANDOM_BYTES} bytes from a cryptographic random source (e.g. `crypto.randomBytes`). */
  readonly random: Uint8Array
  /** How long the key authenticates, from its creation (absent: until revoked). */
  readonly lifetime?: Duration.DurationInput
}

/** A key just created: the only time its full text is returned. */
export interface CreatedApiKey {
  readonly user: string
  readonly name: string
  readonly prefix: string
  /** The whole key, `rk_<prefix>_<secret>`; show it once, never store or log it. */
  readonly key: string
  readonly createdAt: string
  /** When the key stops authenticating; `null`: never. */
  readonly expiresAt: string | null
}

/**
 * Whether `actor` manages `user`'s keys as the instance admin (the user the store's bootstrap created): `false` for
 * their own keys. Anyone else is refused here, before anything about `user` is read, so the answer never says
 * whether such a user exists.
 */
const managing = (
  actor: string,
  user: string
): Effect.Effect<boolean, ApiKey.ApiKeyOwnerRequired | StoreUnavailable | UndecodableEvent, EventStore> =>
  actor === user
    ? Effect.succeed(false)
    : Effect.flatMap(load(ApiKey.instanceStreamId), ({ state }) =>
        state._tag === "Bootstrapped" && state.admin === actor
          ? Effect.succeed(true)
          : Effect.fail(new ApiKey.ApiKeyOwnerRequired({ actor, user }))
      )

/** The changes creating a key makes: its prefix reserved once, and the key in the user's stream. */
const issue = (
  metadata: EventMetadataJson,
  actor: string,
  user: string,
  name: string,
  parts: ApiKey.KeyParts,
  admin: boolean,
  lifetime?: Duration.DurationInput
) =>
  Effect.gen(function* () {
    const millis = yield* Clock.currentTimeMillis
    const createdAt = new Date(millis).toISOString()
    const expiresAt =
      lifetime === undefined ? null : new Date(millis + Duration.toMillis(Duration.decode(lifetime))).toISOString()
    const reserved = yield* decideOn(ApiKey.prefixStreamId(parts.prefix), metadata, () => ({
      _tag: "ReservePrefix",
      prefix: parts.prefix,
      user
    }))
    const created = yield* decideOn(ApiKey.streamId(user), metadata, () => ({
      _tag: "CreateApiKey",
      actor,
      user,
      byInstanceAdmin: admin,
      prefix: parts.prefix,
      name,
      digest: sha256Hex(parts.key),
      createdAt,
      ...(expiresAt === null ? {} : { expiresAt })
    }))
    return {
      changes: [reserved.change, created.change],
      result: { user, name, prefix: parts.prefix, key: parts.key, createdAt, expiresAt } satisfies CreatedApiKey
    }
  })

/** Creates an API key for a user (by the user themselves, or the instance admin); returns the key once. */
export const createApiKey = (input: CreateApiKey) =>
  Effect.gen(function* () {
    const user = yield* validateEntityName(input.user)
    const admin = yield* managing(input.actor, user)
    yield* requireUser(user)
    const parts = yield* ApiKey.keyFromRandom(input.random)
    // The prefix's reservation and the key commit together: a crash between them left a prefix reserved for no key.
    return yield* commit(input, (metadata) =>
      issue(metadata, input.actor, user, input.name ?? "default", parts, admin, input.lifetime)
    )
  })

/** A key as listed: name, prefix and dates, never the secret or its digest. */
export interface ListedApiKey {
  readonly prefix: string
  readonly name: string
  readonly createdAt: string
  /** When the key stops authenticating; `null`: never. */
  readonly expiresAt: string | null
  readonly revokedAt: string | null
}

/** Input of {@link listApiKeys}. */
export interface ListApiKeys extends Request {
  readonly user: string
}

/** The user's keys (for the user themselves, or the instance admin), oldest first, revoked ones included. */
export const listApiKeys = (input: ListApiKeys) =>
  Effect.gen(function* () {
    const user = yield* validateEntityName(input.user)
    yield* managing(input.actor, user)
    const { state } = yield* load(ApiKey.streamId(user))
    if (state._tag !== "Keys") return []
    return [...state.keys.values()].map(
      ({ prefix, name, createdAt, expiresAt, revokedAt }): ListedApiKey => ({
        prefix,
        name,
        createdAt,
        expiresAt,
        revokedAt
      })
    )
  })

/** Input of {@link revokeApiKey}. */
export interface RevokeApiKey extends Request {
  readonly user: string
  readonly prefix: string
}

/**
 * Revokes one of the user's keys (by the user themselves, or the instance admin); it authenticates no more. Revoking
 * twice changes nothing.
 */
export const revokeApiKey = (input: RevokeApiKey) =>
  Effect.gen(function* () {
    const revokedAt = yield* now
    const user = yield* validateEntityName(input.user)
    const admin = yield* managing(input.actor, user)
    return yield* commit(input, (metadata) =>
      Effect.map(
        decideOn(ApiKey.streamId(user), metadata, () => ({
          _tag: "RevokeApiKey",
          actor: input.actor,
          user,
          byInstanceAdmin: admin,
          prefix: input.prefix,
          revokedAt
        })),
        ({ change, decided }) => ({
          changes: [change],
          result: { user, prefix: input.prefix, changed: decided.length > 0 }
        })
      )
    )
  })

/**
 * Who each key prefix seen by this process belongs to. A prefix is reserved once, for one user, and never released
 * or given to another, so an entry never goes stale and saves a read per request; the key itself (its digest, its
 * revocation) is still read from the store on every authentication, so a key revoked through any process is refused
 * at once by all of them.
 */
export class PrefixOwners extends Context.Tag("@registrar/domain/PrefixOwners")<PrefixOwners, Map<string, string>>() {
  /** The most prefixes kept; past it the map starts over. */
  static readonly capacity = 100_000
}

const ownerOf = (prefix: string) =>
  Effect.gen(function* () {
    const owners = yield* Effect.serviceOption(PrefixOwners)
    const known = Option.flatMapNullable(owners, (map) => map.get(prefix))
    if (Option.isSome(known)) return known
    const reserved = yield* load(ApiKey.prefixStreamId(prefix))
    if (reserved.state._tag !== "Prefix") return Option.none<string>()
    const { user } = reserved.state
    Option.map(owners, (map) => {
      if (map.size >= PrefixOwners.capacity) map.clear()
      map.set(prefix, user)
    })
    return Option.some(user)
  })

/**
 * The user a key belongs to, when the key is well-formed, known, not revoked, not past its expiry (by the `Clock`)
 * and its digest matches (compared in constant time). Every failure is the same InvalidApiKey (or MalformedApiKey), which never contains the key.
 */
export const authenticate = (
  key: string
): Effect.Effect<
  { readonly user: string; readonly prefix: string },
  ApiKey.MalformedApiKey | ApiKey.InvalidApiKey | StoreUnavailable | UndecodableEvent,
  EventStore
> => Effect.flatMap(keyOf(key), (found) => usable(found))

/** What the log says of a key: whose it is and its record, or `undefined` (unknown, or another key's prefix). */
export interface FoundKey {
  readonly user: string
  readonly prefix: string
  readonly info: ApiKey.KeyInfo | undefined
}

/**
 * The log's record of `key` (the log only: it depends on no clock, so it may be kept while the log does not move).
 * Its digest is compared in constant time here; {@link usable} then checks revocation and expiry.
 */
export const keyOf = (
  key: string
): Effect.Effect<
  FoundKey,
  ApiKey.MalformedApiKey | ApiKey.InvalidApiKey | StoreUnavailable | UndecodableEvent,
  EventStore
> =>
  Effect.gen(function* () {
    const prefix = yield* ApiKey.prefixOf(key)
    const owner = yield* ownerOf(prefix)
    if (Option.isNone(owner)) return yield* Effect.fail(new ApiKey.InvalidApiKey())
    const keys = yield* load(ApiKey.streamId(owner.value))
    return recordOf(keys.state, owner.value, prefix, sha256Hex(key))
  })

/** What a user's key stream says of the key with `prefix` and `digest` (compared in constant time). */
const recordOf = (state: ApiKey.State, user: string, prefix: string, digest: string): FoundKey => {
  const found = state._tag === "Keys" ? state.keys.get(prefix) : undefined
  const matches = found !== undefined && ApiKey.digestsEqual(digest, found.digest)
  return { user, prefix, info: matches ? found : undefined }
}

/**
 * A key's record as kept ({@link keptKeys}), and what confirms it: `undefined` when the record was just read from the
 * log, else an effect that awaits the version of the user's key stream (read after the check began) and answers the
 * same record if the stream has not moved since the record was read, or the record read again if it has.
 */
export interface KeptKey {
  readonly found: FoundKey
  readonly confirm: Effect.Effect<FoundKey, StoreUnavailable | UndecodableEvent> | undefined
  /**
   * For a kept record: the user's key stream and the version the record was read at. A write that finds the stream
   * still at that version inside its own transaction (a guard) confirms the record as well as `confirm` would.
   */
  readonly guard: { readonly streamId: string; readonly version: number } | undefined
}

/**
 * `keyOf` with its answers kept: a key's record is kept with the version of its user's key stream, and is confirmed
 * by reading only that version (one round trip, shared by the concurrent checks of one user's keys, and sent after
 * each of them began), reading the stream again when it moved. A key created or revoked through any process moves the
 * version, so it is seen by the next confirmation everywhere; writes to other streams do not retire the record, so
 * the requests that follow a write cost no more to authenticate than the others. `later` sends the version read at
 * once and hands back the confirmation rather than awaiting it, so that a caller may do other work meanwhile (see
 * `WriteGate`); `deferred` hands it back unsent, with the guard a write can check in its own transaction instead;
 * `check` awaits it. At most `capacity` keys and users are kept; past that each map starts over. Made
 * over the stores and prefix owners in `context`, so that a check whose record is kept needs nothing from the
 * caller's context and provides it only to what it reads on a miss.
 */
export const keptKeys = (context: Context.Context<EventStore | PrefixOwners>, capacity = 10_000) => {
  const store = Context.get(context, EventStore)
  const owners = Context.get(context, PrefixOwners)
  const kept = new Map<string, { readonly version: number; readonly found: FoundKey }>()
  const versionReads = new Map<string, SharedQuery<number, StoreUnavailable, never>>()
  const versionOf = (streamId: string) => {
    let read = versionReads.get(streamId)
    if (read === undefined) {
      read = sharedAfterAsking(store.streamVersion(streamId))
      if (versionReads.size >= capacity) versionReads.clear()
      versionReads.set(streamId, read)
    }
    return read
  }
  const read = (streamId: string, owner: string, prefix: string, digest: string) =>
    Effect.map(Effect.provide(load(streamId), context), (keys): FoundKey => {
      const answer = recordOf(keys.state, owner, prefix, digest)
      if (kept.size >= capacity) kept.clear()
      kept.set(digest, { version: keys.version, found: answer })
      return answer
    })
  /** The key's record, kept or read, with its confirmation: sent now when `send`, else run by whoever awaits it. */
  const lookUp = (
    key: string,
    send: boolean
  ): Effect.Effect<KeptKey, ApiKey.MalformedApiKey | ApiKey.InvalidApiKey | StoreUnavailable | UndecodableEvent> =>
    Effect.gen(function* () {
      const prefix = yield* ApiKey.prefixOf(key)
      const knownOwner = owners.get(prefix)
      const owner = knownOwner === undefined ? yield* Effect.provide(ownerOf(prefix), context) : Option.some(knownOwner)
      if (Option.isNone(owner)) return yield* Effect.fail(new ApiKey.InvalidApiKey())
      const streamId = ApiKey.streamId(owner.value)
      const digest = sha256Hex(key)
      const hit = kept.get(digest)
      if (hit === undefined || hit.found.user !== owner.value) {
        return { found: yield* read(streamId, owner.value, prefix, digest), confirm: undefined, guard: undefined }
      }
      const versionRead = versionOf(streamId)
      const version = send ? yield* versionRead.sent : versionRead.answer
      const confirm = Effect.flatMap(version, (now) =>
        now === hit.version ? Effect.succeed(hit.found) : read(streamId, owner.value, prefix, digest)
      )
      return { found: hit.found, confirm, guard: { streamId, version: hit.version } }
    })
  return {
    /** The key's record, kept or read, with its confirmation already sent for (one fiber per read, not per key). */
    later: (key: string) => lookUp(key, true),
    /** The key's record, kept or read, with its confirmation not yet sent: for a caller that may guard a write instead. */
    deferred: (key: string) => lookUp(key, false),
    /** The key's record, confirmed against the log now. */
    check: (
      key: string
    ): Effect.Effect<FoundKey, ApiKey.MalformedApiKey | ApiKey.InvalidApiKey | StoreUnavailable | UndecodableEvent> =>
      Effect.flatMap(lookUp(key, false), ({ confirm, found }) => confirm ?? Effect.succeed(found))
  }
}

/** The key's user, if the key is known, unrevoked and unexpired now. */
export const usable = (
  found: FoundKey
): Effect.Effect<{ readonly user: string; readonly prefix: string }, ApiKey.InvalidApiKey> =>
  Effect.flatMap(Clock.currentTimeMillis, (nowMillis) =>
    found.info !== undefined && ApiKey.isUsable(found.info, nowMillis)
      ? Effect.succeed({ user: found.user, prefix: found.prefix })
      : Effect.fail(new ApiKey.InvalidApiKey())
  )

/** Input of {@link bootstrap}. */
export interface Bootstrap {
  /** The instance admin's username (created when missing). */
  readonly admin: string
  /** The admin's first key, when given (e.g. from the environment); otherwise one is made from `random`. */
  readonly key?: string
  readonly random: Uint8Array
}

/**
 * The instance's one-time bootstrap: the first call on a store creates the admin user and their first key and
 * returns the key; every later call (on any server of the store) returns `None` and changes nothing.
 */
export const bootstrap = (input: Bootstrap) =>
  Effect.gen(function* () {
    const admin = yield* validateEntityName(input.admin)
    const parts =
      input.key === undefined
        ? yield* ApiKey.keyFromRandom(input.random)
        : { prefix: yield* ApiKey.prefixOf(input.key), key: input.key }
    const request: Request = { actor: admin }
    // The admin, the bootstrap's record and the admin's first key commit together: a bootstrap is never recorded
    // without its admin or its key (a crash in between left a store that no one could ever sign in to).
    return yield* commit(request, (metadata) =>
      Effect.gen(function* () {
        const instance = yield* decideOn(ApiKey.instanceStreamId, metadata, () => ({ _tag: "Bootstrap", admin }))
        if (instance.decided.length === 0) return { changes: [], result: Option.none<CreatedApiKey>() }
        const adminStream = Entity.streamId(admin)
        const adminLoaded = yield* loadEntity(admin)
        const adminEvents = yield* Entity.decide(
          { _tag: "CreateUser", user: admin, actor: admin, storeEmpty: true, organization: Option.none() },
          adminLoaded.state
        )
        const adminChange: KeyChange = {
          streamId: adminStream,
          version: adminLoaded.version,
          events: yield* Effect.forEach(adminEvents, (event) =>
            Effect.map(randomUuid, (eventId) => Events.toNewEvent(event, eventId, metadata))
          )
        }
        const key = yield* issue(metadata, admin, admin, "bootstrap", parts, false)
        return {
          changes: [adminChange, instance.change, ...key.changes],
          result: Option.some(key.result)
        }
      })
    )
  })
