/**
 * The BlobStore in PostgreSQL (server or PGlite), for a server on PostgreSQL: every process that reaches the database
 * reads every file, with no other service to run. A put writes its body in chunks of 1 MiB inside one transaction,
 * then records the blob under its digest; a put that finds the digest taken (the same content, stored meanwhile)
 * drops its chunks. A crash mid-put rolls back and leaves nothing. A get reads one chunk per query.
 */
import { randomUUID } from "node:crypto"
import { createHash } from "node:crypto"
import {
  BlobNotFound,
  BlobStore,
  type BlobStoreShape,
  BlobStoreUnavailable,
  checkDigest,
  type Hasher,
  isSha256Digest,
  type StoreUnavailable
} from "@registrar/domain"
import { Effect, Layer, Stream } from "effect"
import type pg from "pg"
import type { PGlite } from "@electric-sql/pglite"
import { openPglite, openPool, schemaName } from "./internal/Connect.js"
import { quote } from "./internal/Database.js"
import { type Driver, type SqlFailure, toUnavailable } from "./internal/Driver.js"
import { runMigrations } from "./internal/MigrationRunner.js"
import * as PgliteDriver from "./internal/PgliteDriver.js"
import * as ServerDriver from "./internal/ServerDriver.js"

/** The size of one stored chunk. */
export const CHUNK_BYTES = 1024 * 1024

const sha256Hasher = (): Hasher => {
  const hash = createHash("sha256")
  return { update: (bytes) => hash.update(bytes), hex: () => hash.digest("hex") }
}

const unavailable =
  (operation: string) =>
  (failure: SqlFailure): BlobStoreUnavailable =>
    new BlobStoreUnavailable({ operation, detail: failure.message })

/** The BlobStore on the tables of one (migrated) schema. */
export const make = (driver: Driver, schema: string): BlobStoreShape => {
  const s = quote(schema)
  const exists = (sha256: string) =>
    isSha256Digest(sha256)
      ? driver.query(`SELECT 1 FROM ${s}.blobs WHERE sha256 = $1`, [sha256]).pipe(
          Effect.map((rows) => rows.length > 0),
          Effect.mapError(unavailable("look up a blob"))
        )
      : Effect.succeed(false)
  return {
    exists,
    put: (body) =>
      driver
        .transaction((connection) =>
          Effect.gen(function* () {
            const uploadId = randomUUID()
            const hasher = sha256Hasher()
            let size = 0
            let chunks = 0
            let pending: Array<Uint8Array> = []
            let pendingBytes = 0
            const write = (data: Uint8Array) =>
              Effect.suspend(() => {
                const n = chunks++
                return connection.query(`INSERT INTO ${s}.blob_chunks (upload_id, n, data) VALUES ($1, $2, $3)`, [
                  uploadId,
                  n,
                  data
                ])
              })
            const flush = (all: boolean) =>
              Effect.suspend(() => {
                if (pendingBytes === 0 || (!all && pendingBytes < CHUNK_BYTES)) return Effect.void
                const joined = Buffer.concat(pending)
                const whole = all ? joined.length : joined.length - (joined.length % CHUNK_BYTES)
                const pieces: Array<Uint8Array> = []
                for (let offset = 0; offset < whole; offset += CHUNK_BYTES) {
                  pieces.push(joined.subarray(offset, Math.min(whole, offset + CHUNK_BYTES)))
                }
                pending = whole < joined.length ? [joined.subarray(whole)] : []
                pendingBytes = joined.length - whole
                return Effect.forEach(pieces, write, { discard: true })
              })
            yield* Stream.runForEach(body, (chunk) => {
              hasher.update(chunk)
              size += chunk.length
              pending.push(chunk)
              pendingBytes += chunk.length
              return flush(false)
            })
            yield* flush(true)
            const sha256 = hasher.hex()
            const inserted = yield* connection.query(
              `INSERT INTO ${s}.blobs (sha256, upload_id, size, chunks) VALUES ($1, $2, $3, $4)
               ON CONFLICT (sha256) DO NOTHING RETURNING sha256`,
              [sha256, uploadId, size, chunks]
            )
            if (inserted.length === 0) {
              yield* connection.query(`DELETE FROM ${s}.blob_chunks WHERE upload_id = $1`, [uploadId])
            }
            return { sha256, size }
          })
        )
        .pipe(
          Effect.catchIf(
            (error): error is SqlFailure => (error as { _tag?: string })?._tag === "SqlFailure",
            (failure) => Effect.fail(unavailable("store a blob")(failure))
          )
        ),
    get: (sha256) =>
      Stream.unwrap(
        Effect.gen(function* () {
          if (!isSha256Digest(sha256)) return yield* Effect.fail(new BlobNotFound({ sha256 }))
          const rows = yield* driver
            .query(`SELECT upload_id, chunks FROM ${s}.blobs WHERE sha256 = $1`, [sha256])
            .pipe(Effect.mapError(unavailable("read a blob")))
          const row = rows[0]
          if (row === undefined) return yield* Effect.fail(new BlobNotFound({ sha256 }))
          const count = Number(row.chunks)
          const chunk = (n: number) =>
            driver.query(`SELECT data FROM ${s}.blob_chunks WHERE upload_id = $1 AND n = $2`, [row.upload_id, n]).pipe(
              Effect.mapError(unavailable("read a blob")),
              Effect.flatMap((found) =>
                found[0] === undefined
                  ? Effect.fail(
                      new BlobStoreUnavailable({
                        operation: "read a blob",
                        detail: `chunk ${n} of ${sha256} is missing`
                      })
                    )
                  : Effect.succeed(found[0].data as Uint8Array)
              )
            )
          const bytes = count === 0 ? Stream.empty : Stream.mapEffect(Stream.range(0, count - 1), chunk)
          return checkDigest(sha256, sha256Hasher)(bytes)
        })
      )
  }
}

/** Where the blob tables are: a server by URL (own small pool) or pool, or PGlite by instance or data directory. */
export type BlobTarget = (
  | { readonly url: string; readonly poolSize?: number }
  | { readonly pool: pg.Pool }
  | { readonly client: PGlite }
  | { readonly dataDir?: string }
) & {
  /** The schema (default `registrar`); migrated on start. */
  readonly schema?: string
}

/** The BlobStore service on PostgreSQL; a pool or PGlite it opened closes with the layer. */
export const layer = (target: BlobTarget): Layer.Layer<BlobStore, StoreUnavailable> =>
  Layer.scoped(
    BlobStore,
    Effect.gen(function* () {
      const name = yield* schemaName(target.schema)
      const driver =
        "url" in target
          ? ServerDriver.make(yield* openPool({ url: target.url, poolSize: target.poolSize ?? 4 }))
          : "pool" in target
            ? ServerDriver.make(target.pool)
            : yield* PgliteDriver.make("client" in target ? target.client : yield* openPglite(target.dataDir))
      yield* Effect.mapError(runMigrations(driver, name), toUnavailable("migrate"))
      return make(driver, name)
    })
  )
