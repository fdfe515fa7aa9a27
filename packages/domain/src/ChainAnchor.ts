/**
 * Anchors: a digest of a whole store's chains, small enough to keep outside the store (a ticket, a commit, a log),
 * that catches what the chains alone cannot: a stream re-chained from an edited event onward, a stream whose last
 * events were deleted and whose stream row was wound back, a stream deleted whole.
 *
 * An anchor covers the global feed up to a checkpoint. Its digest is
 *   sha256hex(canonicalJson({ checkpoint: { globalPosition, transactionId }, heads: [[streamId, version, hash], …] }))
 * over every stream's head as of that checkpoint, sorted by stream id. The compact form is one line,
 * `registrar-anchor:v1:<global position>:<transaction id>:<digest>`, which tells that something changed; the full
 * form (JSON) also lists every stream head, so a comparison can name what changed. Events appended after the
 * checkpoint are not covered, and change nothing.
 */
import { Either, Schema } from "effect"
import { type Checkpoint, compareCheckpoints } from "./EventStore.js"
import { canonicalJson } from "./internal/CanonicalJson.js"
import { sha256Hex } from "./internal/Sha256.js"

/** The last event of a stream: its version (position) and chain hash. */
export interface StreamHead {
  readonly streamId: string
  readonly version: number
  readonly hash: string
}

/** The full form of an anchor, as `registrar anchor --json` prints it. */
export const AnchorDocument = Schema.Struct({
  /** The compact form. */
  anchor: Schema.String,
  /** The last event of the feed the anchor covers. */
  checkpoint: Schema.Struct({ transactionId: Schema.Number, globalPosition: Schema.Number }),
  /** The chain hash of that event (empty for an empty store). */
  headHash: Schema.String,
  events: Schema.Number,
  streams: Schema.Number,
  heads: Schema.Array(Schema.Struct({ streamId: Schema.String, version: Schema.Number, hash: Schema.String }))
})

/** The full form of an anchor. */
export type AnchorDocument = typeof AnchorDocument.Type

/** An anchor to compare a store with: the compact form, with the stream heads when the full form was given. */
export interface Anchor {
  readonly checkpoint: Checkpoint
  readonly digest: string
  readonly heads: ReadonlyArray<StreamHead> | null
}

const prefix = "registrar-anchor:v1:"
const compactPattern = /^registrar-anchor:v1:(\d{1,15}):(\d{1,15}):([0-9a-f]{64})$/

const byStreamId = (a: StreamHead, b: StreamHead): number =>
  a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0

/** The digest of every stream's head as of `checkpoint`. */
export const anchorDigest = (checkpoint: Checkpoint, heads: ReadonlyArray<StreamHead>): string =>
  sha256Hex(
    canonicalJson({
      checkpoint: { globalPosition: checkpoint.globalPosition, transactionId: checkpoint.transactionId },
      heads: [...heads].sort(byStreamId).map((head) => [head.streamId, head.version, head.hash])
    })
  )

/** The compact, one-line form of an anchor. */
export const printAnchor = (anchor: { readonly checkpoint: Checkpoint; readonly digest: string }): string =>
  `${prefix}${anchor.checkpoint.globalPosition}:${anchor.checkpoint.transactionId}:${anchor.digest}`

/** The full form of the anchor of `heads` as of `checkpoint`, whose last event hashed to `headHash`. */
export const anchorDocument = (
  checkpoint: Checkpoint,
  headHash: string,
  events: number,
  heads: ReadonlyArray<StreamHead>
): AnchorDocument => {
  const sorted = [...heads].sort(byStreamId)
  return {
    anchor: printAnchor({ checkpoint, digest: anchorDigest(checkpoint, sorted) }),
    checkpoint: { transactionId: checkpoint.transactionId, globalPosition: checkpoint.globalPosition },
    headHash,
    events,
    streams: sorted.length,
    heads: sorted
  }
}

/** An anchor could not be read. */
export class InvalidAnchor extends Schema.TaggedError<InvalidAnchor>()("InvalidAnchor", {
  reason: Schema.String
}) {
  override get message(): string {
    return `The anchor cannot be used: ${this.reason}. Give the \`registrar-anchor:v1:…\` line or the JSON file that \`registrar anchor\` printed.`
  }
}

const parseCompact = (text: string): Either.Either<Anchor, InvalidAnchor> => {
  const match = compactPattern.exec(text)
  if (match === null) {
    return Either.left(
      new InvalidAnchor({
        reason: `"${text.slice(0, 120)}" is not of the form registrar-anchor:v1:<global position>:<transaction id>:<sha256>`
      })
    )
  }
  return Either.right({
    checkpoint: { globalPosition: Number(match[1]), transactionId: Number(match[2]) },
    digest: match[3]!,
    heads: null
  })
}

const parseDocument = (text: string): Either.Either<Anchor, InvalidAnchor> => {
  const parsed = Either.try({
    try: (): unknown => JSON.parse(text),
    catch: () => new InvalidAnchor({ reason: "its JSON does not parse" })
  })
  return Either.flatMap(parsed, (json) =>
    Either.flatMap(
      Either.mapLeft(
        Schema.decodeUnknownEither(AnchorDocument)(json),
        () => new InvalidAnchor({ reason: "its JSON is not an anchor document (anchor, checkpoint, heads, …)" })
      ),
      (document) =>
        Either.flatMap(parseCompact(document.anchor), (compact) => {
          const consistent =
            compareCheckpoints(compact.checkpoint, document.checkpoint) === 0 &&
            anchorDigest(compact.checkpoint, document.heads) === compact.digest
          return consistent
            ? Either.right({ ...compact, heads: document.heads })
            : Either.left(
                new InvalidAnchor({
                  reason: "its stream heads do not match its own digest; the file was edited after it was made"
                })
              )
        })
    )
  )
}

/** Reads an anchor: the compact line, or the full JSON form (checked against its own digest). */
export const parseAnchor = (text: string): Either.Either<Anchor, InvalidAnchor> => {
  const trimmed = text.trim()
  return trimmed.startsWith("{") ? parseDocument(trimmed) : parseCompact(trimmed)
}

/** A stream's chain up to the anchored version no longer ends in the anchored hash. */
export class StreamRechained extends Schema.TaggedError<StreamRechained>()("StreamRechained", {
  streamId: Schema.String,
  version: Schema.Number,
  anchoredHash: Schema.String,
  storedHash: Schema.String
}) {
  override get message(): string {
    return `Stream "${this.streamId}" was re-chained since the anchor: its event at version ${this.version} hashes to ${this.storedHash.slice(0, 12)}… but the anchor recorded ${this.anchoredHash.slice(0, 12)}…; events up to that version were rewritten. Restore the stream from a backup taken before the anchor.`
  }
}

/** A stream ends before the anchored version: its last events were deleted. */
export class StreamWoundBack extends Schema.TaggedError<StreamWoundBack>()("StreamWoundBack", {
  streamId: Schema.String,
  anchoredVersion: Schema.Number,
  storedVersion: Schema.Number
}) {
  override get message(): string {
    return `Stream "${this.streamId}" was wound back since the anchor: it ends at version ${this.storedVersion} but the anchor recorded version ${this.anchoredVersion}; its events after version ${this.storedVersion} were deleted. Restore the stream from a backup taken before the anchor.`
  }
}

/** An anchored stream is gone. */
export class StreamDeleted extends Schema.TaggedError<StreamDeleted>()("StreamDeleted", {
  streamId: Schema.String,
  anchoredVersion: Schema.Number
}) {
  override get message(): string {
    return `Stream "${this.streamId}" was deleted since the anchor, which recorded it at version ${this.anchoredVersion}. Restore the stream from a backup taken before the anchor.`
  }
}

/** The history the anchor covers holds events of a stream that the anchor does not account for. */
export class StreamInserted extends Schema.TaggedError<StreamInserted>()("StreamInserted", {
  streamId: Schema.String,
  anchoredVersion: Schema.Number,
  storedVersion: Schema.Number
}) {
  override get message(): string {
    const anchored =
      this.anchoredVersion === 0 ? "the anchor does not list it" : `the anchor recorded version ${this.anchoredVersion}`
    return `Stream "${this.streamId}" has ${this.storedVersion} events in the history the anchor covers but ${anchored}: events were inserted into that history after the anchor was made. Restore the store from a backup taken before the anchor.`
  }
}

/** The store's state as of the anchor's checkpoint does not give the anchor's digest. */
export class AnchorDigestMismatch extends Schema.TaggedError<AnchorDigestMismatch>()("AnchorDigestMismatch", {
  globalPosition: Schema.Number
}) {
  override get message(): string {
    return `The history up to global position ${this.globalPosition} no longer matches the anchor: a stream it covers was re-chained, wound back, deleted or inserted. Verify with the full anchor (the JSON of \`registrar anchor --out FILE\`) to name which.`
  }
}

/** One difference between a store and an anchor. */
export type AnchorChange = StreamRechained | StreamWoundBack | StreamDeleted | StreamInserted | AnchorDigestMismatch

/** What comparing a store with an anchor found. */
export interface AnchorComparison {
  readonly checkpoint: Checkpoint
  /** How many streams the anchor lists; null for a compact anchor. */
  readonly streams: number | null
  /** Empty when the store still holds everything the anchor covers. */
  readonly changes: ReadonlyArray<AnchorChange>
}

/** A stream's head as a verification walk saw it. */
export interface WalkedHead {
  readonly position: number
  readonly hash: string
}

/**
 * Compares an anchor with the stream heads of a store's verified history as of the anchor's checkpoint
 * (`atCheckpoint`).
 */
export const compareWithAnchor = (anchor: Anchor, atCheckpoint: ReadonlyMap<string, WalkedHead>): AnchorComparison => {
  if (anchor.heads === null) {
    const heads = [...atCheckpoint].map(([streamId, head]) => ({ streamId, version: head.position, hash: head.hash }))
    const same = anchorDigest(anchor.checkpoint, heads) === anchor.digest
    return {
      checkpoint: anchor.checkpoint,
      streams: null,
      changes: same ? [] : [new AnchorDigestMismatch({ globalPosition: anchor.checkpoint.globalPosition })]
    }
  }
  const changes: Array<AnchorChange> = []
  const anchored = new Set<string>()
  for (const { streamId, version, hash } of anchor.heads) {
    anchored.add(streamId)
    const stored = atCheckpoint.get(streamId)
    if (stored === undefined) changes.push(new StreamDeleted({ streamId, anchoredVersion: version }))
    else if (stored.position < version)
      changes.push(new StreamWoundBack({ streamId, anchoredVersion: version, storedVersion: stored.position }))
    else if (stored.position > version)
      changes.push(new StreamInserted({ streamId, anchoredVersion: version, storedVersion: stored.position }))
    else if (stored.hash !== hash)
      changes.push(new StreamRechained({ streamId, version, anchoredHash: hash, storedHash: stored.hash }))
  }
  for (const [streamId, stored] of atCheckpoint) {
    if (!anchored.has(streamId)) {
      changes.push(new StreamInserted({ streamId, anchoredVersion: 0, storedVersion: stored.position }))
    }
  }
  return { checkpoint: anchor.checkpoint, streams: anchor.heads.length, changes }
}
