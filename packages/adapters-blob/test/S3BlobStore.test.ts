import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3"
import { blobStoreConformance } from "@registrar/domain/testing"
import { Chunk, Effect, Stream } from "effect"
import { S3BlobStore } from "../src/index.js"
import { s3rverCredentials, startS3rver } from "./support/S3rver.js"

blobStoreConformance(
  "S3 (s3rver)",
  Effect.gen(function* () {
    const { endpoint, bucket } = yield* startS3rver()
    const options = { endpoint, bucket, prefix: "blobs", client: { credentials: s3rverCredentials } }
    const store = yield* Effect.acquireRelease(
      Effect.sync(() => S3BlobStore.make(options)),
      (made) => Effect.sync(made.close)
    )
    const corrupt = (sha256: string) =>
      Effect.gen(function* () {
        const bytes = Buffer.concat(Chunk.toArray(yield* Stream.runCollect(store.get(sha256))))
        bytes[0] = (bytes[0] ?? 0) ^ 0xff
        const client = new S3Client({
          endpoint,
          forcePathStyle: true,
          region: "us-east-1",
          credentials: s3rverCredentials
        })
        yield* Effect.promise(() =>
          client.send(
            new PutObjectCommand({ Bucket: bucket, Key: `blobs/${sha256.slice(0, 2)}/${sha256}`, Body: bytes })
          )
        )
        client.destroy()
      })
    return { store, corrupt }
  })
)
