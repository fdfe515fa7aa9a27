/**
 * The BlobStore port: the contents of artifact files, content-addressed by sha256 (lowercase hex). `put` streams a
 * body in and answers its digest and size; `get` streams it out and checks the digest as it goes; `exists` asks.
 * Bodies are Effect `Stream`s of bytes: no adapter holds a whole file in memory.
 */
import { Context, Effect, Schema, Stream } from "effect"

/** A sha256 digest as a blob's address: 64 lowercase hex digits. */
export const Sha256Digest = Schema.String.pipe(Schema.pattern(/^[0-9a-f]{64}$/))

/** Whether a string is a blob address (64 lowercase hex digits). */
export const isSha256Digest = (value: string): boolean => /^[0-9a-f]{64}$/.test(value)

/** What `put` answers: the address and size of the stored content. */
export interface StoredBlob {
  readonly sha256: string
  readonly size: number
}

/** No content with this digest is stored. */
export class BlobNotFound extends Schema.TaggedError<BlobNotFound>()("BlobNotFound", { sha256: Schema.String }) {
  override get message(): string {
    return `No file content with sha256 ${this.sha256} is stored. Upload the file (or log it again), then retry.`
  }
}

/** The stored content no longer hashes to its address: it was damaged after it was stored. */
export class BlobDigestMismatch extends Schema.TaggedError<BlobDigestMismatch>()("BlobDigestMismatch", {
  sha256: Schema.String,
  actual: Schema.String
}) {
  override get message(): string {
    return `The stored content of sha256 ${this.sha256} is corrupt: it hashes to ${this.actual}. Nothing should trust it; restore it from a backup or upload the original file again.`
  }
}

/** The blob storage could not be reached or refused an operation. */
export class BlobStoreUnavailable extends Schema.TaggedError<BlobStoreUnavailable>()("BlobStoreUnavailable", {
  operation: Schema.String,
  detail: Schema.String
}) {
  override get message(): string {
    return `The file storage failed to ${this.operation}: ${this.detail}. Check that it is reachable and writable, then retry.`
  }
}

/** A version's manifest names files whose content was never uploaded: logging it would name bytes no one can read. */
export class FilesNotUploaded extends Schema.TaggedError<FilesNotUploaded>()("FilesNotUploaded", {
  sha256s: Schema.Array(Schema.String)
}) {
  override get message(): string {
    const count = this.sha256s.length
    return `The manifest names ${count} file content${count === 1 ? "" : "s"} never uploaded (sha256 ${this.sha256s.join(", ")}). Upload each file first (POST /blobs with its bytes; \`registrar artifact log --file\` does it for you), then log the version again.`
  }
}

/** Every failure of reading a blob. */
export type BlobReadError = BlobNotFound | BlobDigestMismatch | BlobStoreUnavailable

/** The BlobStore port. */
export interface BlobStoreShape {
  /**
   * Stores the bytes of `body` under their sha256 and answers it with their size. Storing content that is already
   * stored changes nothing; concurrent puts of the same content store it once.
   */
  readonly put: <E>(body: Stream.Stream<Uint8Array, E>) => Effect.Effect<StoredBlob, E | BlobStoreUnavailable>
  /**
   * The bytes stored under `sha256`. They are hashed as they stream; the last chunk is held back until the digest
   * matches, so a reader never receives the whole of a corrupt blob: it gets `BlobDigestMismatch` instead.
   */
  readonly get: (sha256: string) => Stream.Stream<Uint8Array, BlobReadError>
  /** Whether content with this digest is stored. */
  readonly exists: (sha256: string) => Effect.Effect<boolean, BlobStoreUnavailable>
}

/**
 * Requires every file of a manifest to be stored, before a version naming them is logged: fails with
 * {@link FilesNotUploaded} naming each missing digest once, in the manifest's order.
 */
export const requireStored = (
  store: BlobStoreShape,
  files: ReadonlyArray<{ readonly sha256: string }>
): Effect.Effect<void, FilesNotUploaded | BlobStoreUnavailable> => {
  const digests = [...new Set(files.map((file) => file.sha256))]
  return Effect.flatMap(
    Effect.forEach(digests, (sha256) => store.exists(sha256), { concurrency: 8 }),
    (present) => {
      const missing = digests.filter((_, index) => !present[index])
      return missing.length === 0 ? Effect.void : Effect.fail(new FilesNotUploaded({ sha256s: missing }))
    }
  )
}

/** The BlobStore service. */
export class BlobStore extends Context.Tag("@registrar/domain/BlobStore")<BlobStore, BlobStoreShape>() {}

/** An incremental hash, e.g. node's `createHash("sha256")`; adapters bring their own (the domain imports no IO). */
export interface Hasher {
  readonly update: (bytes: Uint8Array) => unknown
  /** The hex digest of everything given to `update`. */
  readonly hex: () => string
}

/**
 * Checks `body` against `sha256` as it streams: every chunk but the last passes at once, the last only once the
 * digest of the whole matches; otherwise the stream fails with {@link BlobDigestMismatch}.
 */
export const checkDigest =
  (sha256: string, makeHasher: () => Hasher) =>
  <E, R>(body: Stream.Stream<Uint8Array, E, R>): Stream.Stream<Uint8Array, E | BlobDigestMismatch, R> =>
    Stream.suspend(() => {
      const hasher = makeHasher()
      let held: Uint8Array | undefined
      const passed = Stream.mapConcat(body, (chunk) => {
        hasher.update(chunk)
        const out = held === undefined ? [] : [held]
        held = chunk
        return out
      })
      const last = Stream.suspend(() => {
        const actual = hasher.hex()
        if (actual !== sha256) return Stream.fail(new BlobDigestMismatch({ sha256, actual }))
        return held === undefined ? Stream.empty : Stream.make(held)
      })
      return Stream.concat(passed, last)
    })
