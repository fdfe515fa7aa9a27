/**
 * The BlobStore on a directory of the filesystem, the embedded default: `DIR/ab/abcdef…` holds the bytes whose
 * sha256 is `abcdef…`. A put streams into a temporary file while hashing, then renames it into place (atomic on one
 * filesystem), so a reader never sees a partial blob and concurrent puts of the same content leave one file.
 */
import { randomUUID } from "node:crypto"
import { createReadStream, createWriteStream } from "node:fs"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import {
  BlobNotFound,
  BlobStore,
  type BlobStoreShape,
  BlobStoreUnavailable,
  checkDigest,
  isSha256Digest
} from "@registrar/domain"
import { Effect, Layer, Stream } from "effect"
import { reason, sha256Hasher } from "./internal/Hashing.js"

/** Where the blob with digest `sha256` lives under `directory`. */
export const blobPath = (directory: string, sha256: string): string => path.join(directory, sha256.slice(0, 2), sha256)

const unavailable = (operation: string) => (error: unknown) =>
  new BlobStoreUnavailable({ operation, detail: reason(error) })

const writeTo = (file: string, chunk: Uint8Array, handle: ReturnType<typeof createWriteStream>) =>
  Effect.async<void, BlobStoreUnavailable>((resume) => {
    handle.write(chunk, (error) => resume(error ? Effect.fail(unavailable(`write ${file}`)(error)) : Effect.void))
  })

const close = (handle: ReturnType<typeof createWriteStream>) =>
  Effect.async<void, BlobStoreUnavailable>((resume) => {
    handle.end((error?: Error | null) => resume(error ? Effect.fail(unavailable("close a blob")(error)) : Effect.void))
  })

/** The BlobStore on `directory` (created on first put). */
export const make = (directory: string): BlobStoreShape => ({
  put: (body) =>
    Effect.gen(function* () {
      const temporary = path.join(directory, `.incoming-${process.pid}-${randomUUID()}`)
      yield* Effect.tryPromise({
        try: () => fs.mkdir(directory, { recursive: true }),
        catch: unavailable(`create ${directory}`)
      })
      const removeTemporary = Effect.promise(() => fs.rm(temporary, { force: true }))
      return yield* Effect.acquireUseRelease(
        Effect.sync(() => createWriteStream(temporary)),
        (handle) =>
          Effect.gen(function* () {
            const hasher = sha256Hasher()
            let size = 0
            yield* Stream.runForEach(body, (chunk) => {
              hasher.update(chunk)
              size += chunk.length
              return writeTo(temporary, chunk, handle)
            })
            yield* close(handle)
            const sha256 = hasher.hex()
            const target = blobPath(directory, sha256)
            yield* Effect.tryPromise({
              try: async () => {
                await fs.mkdir(path.dirname(target), { recursive: true })
                await fs.rename(temporary, target)
              },
              catch: unavailable(`store ${target}`)
            })
            return { sha256, size }
          }),
        (handle) =>
          Effect.zipRight(
            Effect.sync(() => handle.destroy()),
            removeTemporary
          )
      )
    }),
  get: (sha256) =>
    Stream.unwrap(
      Effect.gen(function* () {
        if (!isSha256Digest(sha256)) return yield* Effect.fail(new BlobNotFound({ sha256 }))
        const file = blobPath(directory, sha256)
        const found = yield* Effect.tryPromise({
          try: () => fs.stat(file).then(() => true),
          catch: (error) => error
        }).pipe(
          Effect.catchAll((error) =>
            (error as NodeJS.ErrnoException).code === "ENOENT"
              ? Effect.succeed(false)
              : Effect.fail(unavailable(`read ${file}`)(error))
          )
        )
        if (!found) return yield* Effect.fail(new BlobNotFound({ sha256 }))
        const bytes = Stream.fromAsyncIterable(
          createReadStream(file, { highWaterMark: 256 * 1024 }) as AsyncIterable<Uint8Array>,
          unavailable(`read ${file}`)
        )
        return checkDigest(sha256, sha256Hasher)(bytes)
      })
    ),
  exists: (sha256) =>
    isSha256Digest(sha256)
      ? Effect.tryPromise({ try: () => fs.stat(blobPath(directory, sha256)), catch: (error) => error }).pipe(
          Effect.as(true),
          Effect.catchAll((error) =>
            (error as NodeJS.ErrnoException).code === "ENOENT"
              ? Effect.succeed(false)
              : Effect.fail(unavailable("look up a blob")(error))
          )
        )
      : Effect.succeed(false)
})

/** The BlobStore service on `directory`. */
export const layer = (directory: string): Layer.Layer<BlobStore> => Layer.succeed(BlobStore, make(directory))
