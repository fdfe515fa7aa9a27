/**
 * The BlobStore conformance suite, written once and run by every adapter with a one-line test file. Each test stores
 * its own random content, so tests may share one store and run concurrently.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, type Scope, Stream } from "effect"
import type { BlobStoreShape } from "../src/index.js"

/** A store under test, and a way to damage stored content as a failing disk or an attacker would. */
export interface BlobStoreSubject {
  readonly store: BlobStoreShape
  /** Replaces the stored bytes of `sha256` with other bytes of the same length, leaving its address as it was. */
  readonly corrupt: (sha256: string) => Effect.Effect<void, unknown>
}

/** `size` random bytes, and a stream of them in chunks of at most `chunkSize`. */
export const randomBytes = (size: number): Uint8Array => {
  const bytes = new Uint8Array(size)
  for (let offset = 0; offset < size; offset += 65536) {
    crypto.getRandomValues(bytes.subarray(offset, Math.min(size, offset + 65536)))
  }
  return bytes
}

const chunked = (bytes: Uint8Array, chunkSize: number): Stream.Stream<Uint8Array> =>
  Stream.fromIterable(
    Array.from({ length: Math.ceil(bytes.length / chunkSize) }, (_, index) =>
      bytes.subarray(index * chunkSize, (index + 1) * chunkSize)
    )
  )

const sha256Of = (bytes: Uint8Array): Effect.Effect<string> =>
  Effect.promise(async () =>
    Buffer.from(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>)).toString("hex")
  )

const collect = <E>(stream: Stream.Stream<Uint8Array, E>): Effect.Effect<Uint8Array, E> =>
  Effect.map(Stream.runCollect(stream), (chunks) => Buffer.concat(Chunk.toArray(chunks)))

/** Runs the BlobStore conformance suite against the adapter behind `makeSubject`. */
export const blobStoreConformance = (
  name: string,
  makeSubject: Effect.Effect<BlobStoreSubject, unknown, Scope.Scope>
): void => {
  describe(`${name} BlobStore conformance`, () => {
    it.scopedLive("a round trip gives back the same bytes, under their sha256 and size", () =>
      Effect.gen(function* () {
        const { store } = yield* makeSubject
        const bytes = randomBytes(3 * 1024 * 1024 + 17)
        const stored = yield* store.put(chunked(bytes, 100_000))
        expect(stored).toEqual({ sha256: yield* sha256Of(bytes), size: bytes.length })
        const read = yield* collect(store.get(stored.sha256))
        expect(Buffer.compare(read, bytes)).toBe(0)
      })
    )

    it.scopedLive("empty content round-trips", () =>
      Effect.gen(function* () {
        const { store } = yield* makeSubject
        const stored = yield* store.put(Stream.empty)
        expect(stored).toEqual({ sha256: yield* sha256Of(new Uint8Array()), size: 0 })
        expect((yield* collect(store.get(stored.sha256))).length).toBe(0)
      })
    )

    it.scopedLive("putting the same content again answers the same digest and keeps it readable", () =>
      Effect.gen(function* () {
        const { store } = yield* makeSubject
        const bytes = randomBytes(200_000)
        const first = yield* store.put(chunked(bytes, 4096))
        const second = yield* store.put(chunked(bytes, 65536))
        expect(second).toEqual(first)
        expect(Buffer.compare(yield* collect(store.get(first.sha256)), bytes)).toBe(0)
      })
    )

    it.scopedLive("exists tells stored content from content never stored", () =>
      Effect.gen(function* () {
        const { store } = yield* makeSubject
        const bytes = randomBytes(1000)
        const missing = yield* sha256Of(randomBytes(1000))
        expect(yield* store.exists(yield* sha256Of(bytes))).toBe(false)
        const stored = yield* store.put(chunked(bytes, 1000))
        expect(yield* store.exists(stored.sha256)).toBe(true)
        expect(yield* store.exists(missing)).toBe(false)
      })
    )

    it.scopedLive("reading a digest never stored fails with BlobNotFound naming it", () =>
      Effect.gen(function* () {
        const { store } = yield* makeSubject
        const missing = yield* sha256Of(randomBytes(64))
        const error = Either.flip(yield* Effect.either(collect(store.get(missing)))).pipe(Either.getOrThrow)
        expect(error._tag).toBe("BlobNotFound")
        expect(error.message).toContain(missing)
      })
    )

    it.scopedLive("corrupted content fails the read with BlobDigestMismatch, before its last bytes", () =>
      Effect.gen(function* () {
        const { store, corrupt } = yield* makeSubject
        const bytes = randomBytes(2 * 1024 * 1024 + 5)
        const stored = yield* store.put(chunked(bytes, 65536))
        yield* corrupt(stored.sha256)
        let received = 0
        const result = yield* Effect.either(
          Stream.runForEach(store.get(stored.sha256), (chunk) => Effect.sync(() => (received += chunk.length)))
        )
        const error = Either.flip(result).pipe(Either.getOrThrow)
        expect(error._tag).toBe("BlobDigestMismatch")
        expect(error.message).toContain(stored.sha256)
        expect(received).toBeLessThan(bytes.length)
      })
    )

    it.scopedLive("concurrent puts of the same content all answer its digest and store it once, intact", () =>
      Effect.gen(function* () {
        const { store } = yield* makeSubject
        const bytes = randomBytes(1024 * 1024 + 3)
        const results = yield* Effect.all(
          Array.from({ length: 6 }, (_, index) => store.put(chunked(bytes, 10_000 + index * 7919))),
          { concurrency: "unbounded" }
        )
        const expected = yield* sha256Of(bytes)
        for (const result of results) expect(result).toEqual({ sha256: expected, size: bytes.length })
        expect(Buffer.compare(yield* collect(store.get(expected)), bytes)).toBe(0)
      })
    )

    it.scopedLive("a body that fails stores nothing and passes its error on", () =>
      Effect.gen(function* () {
        const { store } = yield* makeSubject
        const bytes = randomBytes(300_000)
        const failing = Stream.concat(chunked(bytes, 100_000), Stream.fail("client went away" as const))
        const result = yield* Effect.either(store.put(failing))
        expect(Either.flip(result).pipe(Either.getOrThrow)).toBe("client went away")
        expect(yield* store.exists(yield* sha256Of(bytes))).toBe(false)
      })
    )
  })
}
