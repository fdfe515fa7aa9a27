/**
 * Keying an existing store's hash chain: `rekey` checks every stream's unkeyed chain, re-computes it under the key
 * (HMAC-SHA256) and records the key's fingerprint and the global position it was keyed at, in one transaction that
 * holds appends off: interrupted, it leaves the store as it was. Every event is re-chained, the old unkeyed prefix
 * included, so that afterwards no stream can be re-chained without the key (an unkeyed prefix would stay open to
 * re-chaining in every stream not written since). A store whose chain does not verify is refused, not re-keyed.
 */
import {
  ChainBroken,
  type ChainKey,
  ChainKeyedWithAnotherKey,
  chainHashWith,
  contentDigest,
  type EventMetadataJson,
  GenesisHash,
  type JsonObject,
  keyFingerprint,
  type StoreUnavailable
} from "@registrar/domain"
import { Effect } from "effect"
import { openPglite, openPool, schemaName } from "./internal/Connect.js"
import { quote } from "./internal/Database.js"
import { type Connection, type SqlFailure, toUnavailable } from "./internal/Driver.js"
import { runMigrations } from "./internal/MigrationRunner.js"
import * as PgliteDriver from "./internal/PgliteDriver.js"
import * as ServerDriver from "./internal/ServerDriver.js"
import type { MigrateTarget } from "./Migrations.js"

/** What `rekey` did. */
export interface RekeyResult {
  /** False when the chain was keyed with this key already (nothing was written). */
  readonly rekeyed: boolean
  readonly events: number
  readonly streams: number
  /** The newest global position when the chain was keyed (0 when keyed from the start). */
  readonly keyedAtPosition: number
}

/** Options of {@link rekey}. */
export interface RekeyOptions {
  /** Events read and re-written per statement (default 2,000). */
  readonly batchSize?: number
  /** Called after each batch with the number of events re-keyed so far. */
  readonly onProgress?: (events: number) => Effect.Effect<void>
}

interface StreamEnd {
  readonly streamId: string
  readonly version: number
  readonly oldHash: string
  readonly newHash: string
}

/** Re-keys the chain of the store at `target` with `key` (see the module's description). */
export const rekey = (
  target: MigrateTarget & { readonly key: ChainKey },
  options: RekeyOptions = {}
): Effect.Effect<RekeyResult, StoreUnavailable | ChainBroken | ChainKeyedWithAnotherKey> =>
  Effect.scoped(
    Effect.gen(function* () {
      const name = yield* schemaName(target.schema)
      const driver =
        "url" in target
          ? ServerDriver.make(yield* openPool({ url: target.url, poolSize: 1 }))
          : "pool" in target
            ? ServerDriver.make(target.pool)
            : yield* PgliteDriver.make("client" in target ? target.client : yield* openPglite(target.dataDir))
      yield* Effect.mapError(runMigrations(driver, name), toUnavailable("migrate"))
      return yield* driver
        .transaction((connection) => rekeyOn(connection, quote(name), target.key, options))
        .pipe(Effect.catchTag("SqlFailure", (failure) => Effect.fail(toUnavailable("rekey")(failure))))
    })
  )

const rekeyOn = (
  connection: Connection,
  s: string,
  key: ChainKey,
  options: RekeyOptions
): Effect.Effect<RekeyResult, SqlFailure | ChainBroken | ChainKeyedWithAnotherKey> =>
  Effect.gen(function* () {
    // Appends wait until the commit (reads go on); the order is the one append_events locks them in.
    yield* connection.query(`LOCK TABLE ${s}.chain_settings, ${s}.streams, ${s}.events IN EXCLUSIVE MODE`)
    const fingerprint = keyFingerprint(key)
    const [settings] = yield* connection.query(`SELECT key_fingerprint FROM ${s}.chain_settings`)
    if (settings !== undefined) {
      if (String(settings.key_fingerprint) !== fingerprint) return yield* Effect.fail(new ChainKeyedWithAnotherKey())
      return { rekeyed: false, events: 0, streams: 0, keyedAtPosition: 0 }
    }
    const batchSize = options.batchSize ?? 2_000
    const unkeyed = chainHashWith(null)
    const keyed = chainHashWith(key)
    const page = `SELECT global_position, stream_id, stream_position, event_id, type, schema_version, data, metadata, hash
      FROM ${s}.events WHERE (stream_id, stream_position) > ($1, $2) ORDER BY stream_id, stream_position LIMIT $3`
    const writeEvents = `UPDATE ${s}.events AS e SET hash = v.hash
      FROM unnest($1::bigint[], $2::text[]) AS v(global_position, hash) WHERE e.global_position = v.global_position`
    const writeStreams = `UPDATE ${s}.streams AS t SET last_hash = v.new_hash
      FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[]) AS v(stream_id, version, old_hash, new_hash)
      WHERE t.stream_id = v.stream_id AND t.version = v.version AND t.last_hash = v.old_hash
      RETURNING t.stream_id`

    let after: [string, number] = ["", 0]
    let current: { streamId: string; position: number; oldHash: string; newHash: string } | null = null
    let events = 0
    let streams = 0
    let keyedAtPosition = 0
    for (;;) {
      const rows = yield* connection.query(page, [after[0], after[1], batchSize])
      const positions: Array<number> = []
      const hashes: Array<string> = []
      const ended: Array<StreamEnd> = []
      for (const row of rows) {
        const streamId = String(row.stream_id)
        const streamPosition = Number(row.stream_position)
        const eventId = String(row.event_id)
        if (current === null || current.streamId !== streamId) {
          if (current !== null) ended.push(endOf(current))
          current = { streamId, position: 0, oldHash: GenesisHash, newHash: GenesisHash }
        }
        if (streamPosition !== current.position + 1) {
          return yield* Effect.fail(
            new ChainBroken({
              streamId,
              streamPosition: current.position + 1,
              eventId,
              reason: `expected position ${current.position + 1} but found ${streamPosition}; an event before it was deleted`
            })
          )
        }
        const digest = contentDigest({
          eventId,
          type: String(row.type),
          schemaVersion: Number(row.schema_version),
          data: row.data as JsonObject,
          metadata: row.metadata as EventMetadataJson
        })
        const stored = String(row.hash)
        if (unkeyed(current.oldHash, streamId, streamPosition, digest) !== stored) {
          return yield* Effect.fail(
            new ChainBroken({
              streamId,
              streamPosition,
              eventId,
              reason: "its content or hash was edited after it was stored"
            })
          )
        }
        const newHash = keyed(current.newHash, streamId, streamPosition, digest)
        current = { streamId, position: streamPosition, oldHash: stored, newHash }
        const globalPosition = Number(row.global_position)
        positions.push(globalPosition)
        hashes.push(newHash)
        keyedAtPosition = Math.max(keyedAtPosition, globalPosition)
      }
      if (rows.length < batchSize && current !== null) {
        ended.push(endOf(current))
        current = null
      }
      if (positions.length > 0) yield* connection.query(writeEvents, [positions, hashes])
      if (ended.length > 0) {
        const written = yield* connection.query(writeStreams, [
          ended.map((end) => end.streamId),
          ended.map((end) => end.version),
          ended.map((end) => end.oldHash),
          ended.map((end) => end.newHash)
        ])
        if (written.length !== ended.length) {
          const matched = new Set(written.map((row) => String(row.stream_id)))
          const unmatched = ended.find((end) => !matched.has(end.streamId))!
          return yield* Effect.fail(
            new ChainBroken({
              streamId: unmatched.streamId,
              streamPosition: unmatched.version + 1,
              eventId: null,
              reason: `the stream row does not record its last stored event (version ${unmatched.version}); events were deleted or the row was edited`
            })
          )
        }
        streams += ended.length
      }
      events += rows.length
      if (options.onProgress) yield* options.onProgress(events)
      const last = rows[rows.length - 1]
      if (last === undefined || rows.length < batchSize) break
      after = [String(last.stream_id), Number(last.stream_position)]
    }
    const [orphan] = yield* connection.query(
      `SELECT t.stream_id, t.version FROM ${s}.streams AS t
        WHERE NOT EXISTS (SELECT 1 FROM ${s}.events AS e WHERE e.stream_id = t.stream_id) LIMIT 1`
    )
    if (orphan !== undefined) {
      return yield* Effect.fail(
        new ChainBroken({
          streamId: String(orphan.stream_id),
          streamPosition: 1,
          eventId: null,
          reason: `the stream records version ${Number(orphan.version)} but has no stored events; they were deleted`
        })
      )
    }
    yield* connection.query(`INSERT INTO ${s}.chain_settings (key_fingerprint, keyed_at_position) VALUES ($1, $2)`, [
      fingerprint,
      keyedAtPosition
    ])
    return { rekeyed: true, events, streams, keyedAtPosition }
  })

const endOf = (stream: { streamId: string; position: number; oldHash: string; newHash: string }): StreamEnd => ({
  streamId: stream.streamId,
  version: stream.position,
  oldHash: stream.oldHash,
  newHash: stream.newHash
})
