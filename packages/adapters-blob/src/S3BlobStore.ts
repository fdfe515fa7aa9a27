/**
 * The BlobStore on S3-compatible object storage (AWS S3, MinIO, Ceph, R2…): object `PREFIX/ab/abcdef…` holds the
 * bytes whose sha256 is `abcdef…`. A put streams the body to a temporary file while hashing it (the address is known
 * only at the end, and S3 wants the length up front), then uploads that file unless the object already exists.
 * Credentials come from the AWS SDK's usual chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profiles, roles).
 */
import { randomUUID } from "node:crypto"
import { createReadStream, createWriteStream } from "node:fs"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import type { Readable } from "node:stream"
import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig
} from "@aws-sdk/client-s3"
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

/** Where the blobs live. */
export interface S3Options {
  readonly bucket: string
  /** A key prefix, e.g. `registrar/blobs` (default: none). */
  readonly prefix?: string
  /** The endpoint of an S3-compatible service, e.g. `http://127.0.0.1:9000` (default: AWS for the region). */
  readonly endpoint?: string
  /** The region (default `$AWS_REGION`, else `us-east-1`). */
  readonly region?: string
  /** Address buckets by path (`endpoint/bucket/key`), as most S3-compatible services want (default: with endpoint). */
  readonly forcePathStyle?: boolean
  /** Where puts spool their body while hashing it (default: the system's temporary directory). */
  readonly spoolDirectory?: string
  /** Extra client settings (credentials, retries); the fields above win. */
  readonly client?: S3ClientConfig
}

const unavailable = (operation: string) => (error: unknown) =>
  new BlobStoreUnavailable({ operation, detail: reason(error) })

const notFound = (error: unknown): boolean => {
  const record = error as { name?: string; $metadata?: { httpStatusCode?: number } }
  return record?.name === "NoSuchKey" || record?.name === "NotFound" || record?.$metadata?.httpStatusCode === 404
}

/** The BlobStore on a bucket, with a client that `close` (or the layer's scope) destroys. */
export const make = (options: S3Options): BlobStoreShape & { readonly close: () => void } => {
  const client = new S3Client({
    // Many S3-compatible services store the SDK's default streamed-checksum framing (aws-chunked) as if it were the
    // content; the blob's own sha256 is checked on every read instead.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    ...options.client,
    region: options.region ?? process.env.AWS_REGION ?? "us-east-1",
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    forcePathStyle: options.forcePathStyle ?? options.endpoint !== undefined
  })
  const prefix = options.prefix === undefined || options.prefix === "" ? "" : `${options.prefix.replace(/\/+$/, "")}/`
  const keyOf = (sha256: string) => `${prefix}${sha256.slice(0, 2)}/${sha256}`
  const spool = options.spoolDirectory ?? os.tmpdir()

  const exists = (sha256: string) =>
    isSha256Digest(sha256)
      ? Effect.tryPromise({
          try: () => client.send(new HeadObjectCommand({ Bucket: options.bucket, Key: keyOf(sha256) })),
          catch: (error) => error
        }).pipe(
          Effect.as(true),
          Effect.catchAll((error) =>
            notFound(error) ? Effect.succeed(false) : Effect.fail(unavailable("look up a blob")(error))
          )
        )
      : Effect.succeed(false)

  return {
    close: () => client.destroy(),
    exists,
    put: (body) =>
      Effect.acquireUseRelease(
        Effect.sync(() => path.join(spool, `registrar-upload-${process.pid}-${randomUUID()}`)),
        (temporary) =>
          Effect.gen(function* () {
            const handle = createWriteStream(temporary)
            const hasher = sha256Hasher()
            let size = 0
            yield* Stream.runForEach(body, (chunk) => {
              hasher.update(chunk)
              size += chunk.length
              return Effect.async<void, BlobStoreUnavailable>((resume) => {
                handle.write(chunk, (error) =>
                  resume(error ? Effect.fail(unavailable("spool an upload")(error)) : Effect.void)
                )
              })
            }).pipe(Effect.onError(() => Effect.sync(() => handle.destroy())))
            yield* Effect.async<void, BlobStoreUnavailable>((resume) => {
              handle.end((error?: Error | null) =>
                resume(error ? Effect.fail(unavailable("spool an upload")(error)) : Effect.void)
              )
            })
            const sha256 = hasher.hex()
            if (!(yield* exists(sha256))) {
              yield* Effect.tryPromise({
                try: () =>
                  client.send(
                    new PutObjectCommand({
                      Bucket: options.bucket,
                      Key: keyOf(sha256),
                      Body: createReadStream(temporary),
                      ContentLength: size,
                      ContentType: "application/octet-stream"
                    })
                  ),
                catch: unavailable(`upload to bucket ${options.bucket}`)
              })
            }
            return { sha256, size }
          }),
        (temporary) => Effect.promise(() => fs.rm(temporary, { force: true }))
      ),
    get: (sha256) =>
      Stream.unwrapScoped(
        Effect.gen(function* () {
          if (!isSha256Digest(sha256)) return yield* Effect.fail(new BlobNotFound({ sha256 }))
          const response = yield* Effect.acquireRelease(
            Effect.tryPromise({
              try: () => client.send(new GetObjectCommand({ Bucket: options.bucket, Key: keyOf(sha256) })),
              catch: (error) => (notFound(error) ? new BlobNotFound({ sha256 }) : unavailable("read a blob")(error))
            }),
            (response) => Effect.sync(() => (response.Body as Readable | undefined)?.destroy?.())
          )
          const body = response.Body as Readable | undefined
          if (body === undefined) return yield* Effect.fail(new BlobNotFound({ sha256 }))
          return checkDigest(
            sha256,
            sha256Hasher
          )(Stream.fromAsyncIterable(body as AsyncIterable<Uint8Array>, unavailable("read a blob")))
        })
      )
  }
}

/** The BlobStore service on a bucket; its client is destroyed when the layer's scope closes. */
export const layer = (options: S3Options): Layer.Layer<BlobStore> =>
  Layer.scoped(
    BlobStore,
    Effect.map(
      Effect.acquireRelease(
        Effect.sync(() => make(options)),
        (store) => Effect.sync(store.close)
      ),
      ({ close: _close, ...store }) => store
    )
  )
