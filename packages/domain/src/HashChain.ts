/**
 * The per-stream hash chain that makes stored history tamper-evident. Each event's hash covers its content and the
 * hash of the previous event of its stream, so editing or deleting any stored event breaks every later link.
 *
 * The definition is plain text so that SQL can compute it too:
 *   contentDigest = sha256hex(canonicalJson({ eventId, type, schemaVersion, data, metadata }))
 *   hash          = sha256hex(previousHash + "\n" + streamId + "\n" + streamPosition + "\n" + contentDigest)
 * with `previousHash` = {@link GenesisHash} for the first event of a stream.
 */
import { Effect, Schema } from "effect"
import type { EventStoreShape, NewEvent, RecordedEvent, StoreUnavailable } from "./EventStore.js"
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

/** The chained hash of the event at `streamPosition`, given the previous event's hash. */
export const chainHash = (previousHash: string, streamId: string, streamPosition: number, digest: string): string =>
  sha256Hex(`${previousHash}\n${streamId}\n${streamPosition}\n${digest}`)

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
}

/**
 * Walks the global feed, recomputing every stream's chain, and names the first event whose hash, position or
 * content does not match. Also checks each stream's recorded version, so a deleted last event is found too.
 */
export const verifyStore = (
  store: EventStoreShape,
  options: { readonly batchSize?: number; readonly onProgress?: (events: number) => Effect.Effect<void> } = {}
): Effect.Effect<VerificationReport, StoreUnavailable> =>
  Effect.gen(function* () {
    const batchSize = options.batchSize ?? 5_000
    const heads = new Map<string, { position: number; hash: string }>()
    const head = yield* store.head
    let checkpoint = Origin
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
        firstBroken = checkEvent(heads, event)
        if (firstBroken !== null) break
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
    return { events, streams: heads.size, firstBroken }
  })

const checkEvent = (heads: Map<string, { position: number; hash: string }>, event: RecordedEvent) => {
  const head = heads.get(event.streamId) ?? { position: 0, hash: GenesisHash }
  if (event.streamPosition !== head.position + 1) {
    return new ChainBroken({
      streamId: event.streamId,
      streamPosition: head.position + 1,
      eventId: event.eventId,
      reason: `expected position ${head.position + 1} but found ${event.streamPosition}; an event before it was deleted`
    })
  }
  const expected = chainHash(head.hash, event.streamId, event.streamPosition, contentDigest(event))
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
