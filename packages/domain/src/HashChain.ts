/**
 * The per-stream hash chain that makes stored history tamper-evident. Each event's hash covers its content and the
 * hash of the previous event of its stream, so editing or deleting any stored event breaks every later link.
 *
 * The definition is plain text so that SQL can compute it too:
 *   contentDigest = sha256hex(canonicalJson({ eventId, type, schemaVersion, data, metadata }))
 *   hash          = sha256hex(previousHash + "\n" + streamId + "\n" + streamPosition + "\n" + contentDigest)
 * with `previousHash` = {@link GenesisHash} for the first event of a stream. A keyed chain (see `ChainKey`) uses
 * HMAC-SHA256 under the key instead of `sha256hex` for `hash`; the content digest stays unkeyed.
 */
import { Effect, Either, Schema } from "effect"
import {
  type Anchor,
  type AnchorComparison,
  type AnchorDocument,
  anchorDocument,
  compareWithAnchor,
  type WalkedHead
} from "./ChainAnchor.js"
import { type ChainKey, type ChainKeyMismatch, type ChainKeyMissing, hmacHex, verificationKey } from "./ChainKey.js"
import type { Checkpoint, EventStoreShape, NewEvent, RecordedEvent, StoreUnavailable } from "./EventStore.js"
import { compareCheckpoints, Origin } from "./EventStore.js"
import { canonicalJson } from "./internal/CanonicalJson.js"
import { sha256Hex } from "./internal/Sha256.js"

/** The previous hash of a stream's first event. */
export const GenesisHash = "0".repeat(64)

/**
 * The content digest of events with a given SHA-256 implementation (text → lowercase hex), for adapters that hash
 * natively: every implementation gives the same digest.
 */
export const contentDigestWith =
  (sha256: (text: string) => string) =>
  (event: NewEvent): string =>
    sha256(
      canonicalJson({
        eventId: event.eventId,
        type: event.type,
        schemaVersion: event.schemaVersion,
        data: event.data,
        metadata: event.metadata
      })
    )

/** The digest of an event's content, independent of where it is stored. */
export const contentDigest: (event: NewEvent) => string = contentDigestWith(sha256Hex)

/** The text a chain hash is computed over. */
export const chainText = (previousHash: string, streamId: string, streamPosition: number, digest: string): string =>
  `${previousHash}\n${streamId}\n${streamPosition}\n${digest}`

/** The chained hash of the event at `streamPosition`, given the previous event's hash (unkeyed chain). */
export const chainHash = (previousHash: string, streamId: string, streamPosition: number, digest: string): string =>
  sha256Hex(chainText(previousHash, streamId, streamPosition, digest))

/** The chain hash function of a chain keyed with `key` (HMAC-SHA256), or of an unkeyed chain when `key` is null. */
export const chainHashWith =
  (key: ChainKey | null) =>
  (previousHash: string, streamId: string, streamPosition: number, digest: string): string =>
    key === null
      ? chainHash(previousHash, streamId, streamPosition, digest)
      : hmacHex(key, chainText(previousHash, streamId, streamPosition, digest))

/** Whether two events have the same id and content (a retried append). */
export const sameContent = (a: NewEvent, b: NewEvent): boolean =>
  a.eventId === b.eventId && contentDigest(a) === contentDigest(b)

/** Stored history does not match its hash chain. */
export class ChainBroken extends Schema.TaggedError<ChainBroken>()("ChainBroken", {
  streamId: Schema.String,
  streamPosition: Schema.Number,
  eventId: Schema.NullOr(Schema.String),
  reason: Schema.String
}) {
  override get message(): string {
    const which = this.eventId === null ? "" : ` (event ${this.eventId})`
    return `Tampered history in stream "${this.streamId}" at position ${this.streamPosition}${which}: ${this.reason}. Restore the store from a backup taken before this event.`
  }
}

/** The result of verifying the whole store. */
export interface VerificationReport {
  readonly events: number
  readonly streams: number
  readonly firstBroken: ChainBroken | null
  /** Whether the chain is keyed (HMAC under the configured key). */
  readonly keyed: boolean
  /** What comparing with the given anchor found; null without an anchor, or when a chain is broken. */
  readonly anchor: AnchorComparison | null
}

/** Options of {@link verifyStore}. */
export interface VerifyOptions {
  readonly batchSize?: number
  readonly onProgress?: (events: number) => Effect.Effect<void>
  /** Also check that the store still holds everything this anchor covers. */
  readonly anchor?: Anchor
}

/** Why a store's chain cannot be verified or anchored. */
export type ChainUnverifiable = StoreUnavailable | ChainKeyMissing | ChainKeyMismatch

interface Walk {
  readonly events: number
  readonly heads: Map<string, WalkedHead>
  readonly firstBroken: ChainBroken | null
  readonly keyed: boolean
  /** The checkpoint and hash of the last event walked. */
  readonly last: { readonly checkpoint: Checkpoint; readonly hash: string }
  /** The heads as of `snapshotAt` (all of them when the feed ends before it); null without `snapshotAt`. */
  readonly atSnapshot: ReadonlyMap<string, WalkedHead> | null
}

/**
 * Walks the global feed up to its head, recomputing every stream's chain (with the store's key when its chain is
 * keyed), and stops at the first event whose hash, position or content does not match. Then checks each stream's
 * recorded version, so a deleted last event is found too.
 */
const walk = (
  store: EventStoreShape,
  options: VerifyOptions,
  snapshotAt: Checkpoint | null
): Effect.Effect<Walk, ChainUnverifiable> =>
  Effect.gen(function* () {
    const key = yield* Effect.flatMap(store.chainKeying, (keying) =>
      Either.match(verificationKey(keying), { onLeft: Effect.fail, onRight: Effect.succeed })
    )
    const hashOf = chainHashWith(key)
    const batchSize = options.batchSize ?? 5_000
    const heads = new Map<string, WalkedHead>()
    const head = yield* store.head
    let checkpoint = Origin
    let lastHash = ""
    let atSnapshot: ReadonlyMap<string, WalkedHead> | null = null
    let events = 0
    let firstBroken: ChainBroken | null = null
    while (firstBroken === null && compareCheckpoints(checkpoint, head) < 0) {
      const batch = yield* store.readAll({ after: checkpoint, limit: batchSize })
      if (batch.length === 0) {
        // Committed events can be held back briefly behind older open transactions; the feed never skips them.
        yield* store.waitForAppends(50)
        continue
      }
      for (const event of batch) {
        if (snapshotAt !== null && atSnapshot === null && compareCheckpoints(event, snapshotAt) > 0) {
          atSnapshot = new Map(heads)
        }
        firstBroken = checkEvent(hashOf, heads, event)
        if (firstBroken !== null) break
        lastHash = event.hash
      }
      events += batch.length
      const last = batch[batch.length - 1]!
      checkpoint = { transactionId: last.transactionId, globalPosition: last.globalPosition }
      if (options.onProgress) yield* options.onProgress(events)
    }
    if (firstBroken === null) {
      for (const [streamId, head] of heads) {
        const recorded = yield* store.streamVersion(streamId)
        if (recorded !== head.position) {
          firstBroken = new ChainBroken({
            streamId,
            streamPosition: head.position + 1,
            eventId: null,
            reason: `the stream records version ${recorded} but its last stored event is at position ${head.position}; events were deleted`
          })
          break
        }
      }
    }
    return {
      events,
      heads,
      firstBroken,
      keyed: key !== null,
      last: { checkpoint, hash: lastHash },
      atSnapshot: snapshotAt === null ? null : (atSnapshot ?? heads)
    }
  })

/**
 * Walks the global feed, recomputing every stream's chain, and names the first event whose hash, position or
 * content does not match. Also checks each stream's recorded version, so a deleted last event is found too; and,
 * given an anchor, whether every stream it covers still ends, as of its checkpoint, where it did.
 */
export const verifyStore = (
  store: EventStoreShape,
  options: VerifyOptions = {}
): Effect.Effect<VerificationReport, ChainUnverifiable> =>
  Effect.map(walk(store, options, options.anchor?.checkpoint ?? null), (walked) => ({
    events: walked.events,
    streams: walked.heads.size,
    firstBroken: walked.firstBroken,
    keyed: walked.keyed,
    anchor:
      options.anchor === undefined || walked.firstBroken !== null || walked.atSnapshot === null
        ? null
        : compareWithAnchor(options.anchor, walked.atSnapshot)
  }))

/**
 * The anchor of a store's whole history (see `ChainAnchor`), after verifying it: a store whose chain is broken
 * fails with the first broken event instead of being anchored as it is.
 */
export const anchorStore = (
  store: EventStoreShape,
  options: Omit<VerifyOptions, "anchor"> = {}
): Effect.Effect<AnchorDocument, ChainBroken | ChainUnverifiable> =>
  Effect.flatMap(walk(store, options, null), (walked) =>
    walked.firstBroken !== null
      ? Effect.fail(walked.firstBroken)
      : Effect.succeed(
          anchorDocument(
            walked.last.checkpoint,
            walked.last.hash,
            walked.events,
            [...walked.heads].map(([streamId, head]) => ({ streamId, version: head.position, hash: head.hash }))
          )
        )
  )

const checkEvent = (hashOf: ReturnType<typeof chainHashWith>, heads: Map<string, WalkedHead>, event: RecordedEvent) => {
  const head = heads.get(event.streamId) ?? { position: 0, hash: GenesisHash }
  if (event.streamPosition !== head.position + 1) {
    return new ChainBroken({
      streamId: event.streamId,
      streamPosition: head.position + 1,
      eventId: event.eventId,
      reason: `expected position ${head.position + 1} but found ${event.streamPosition}; an event before it was deleted`
    })
  }
  const expected = hashOf(head.hash, event.streamId, event.streamPosition, contentDigest(event))
  if (expected !== event.hash) {
    return new ChainBroken({
      streamId: event.streamId,
      streamPosition: event.streamPosition,
      eventId: event.eventId,
      reason: "its content or hash was edited after it was stored"
    })
  }
  heads.set(event.streamId, { position: event.streamPosition, hash: event.hash })
  return null
}
