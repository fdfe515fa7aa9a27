/**
 * The PostgreSQL EventStore (server or PGlite, same SQL). An append is one statement (see `append_events`), or
 * shares one with the appends that wait for it under load (see `AppendGroups`); a multi-stream append is one
 * statement of its own (see `AppendMany`); the global feed is read in `(transaction_id, global_position)` order and only below the oldest transaction
 * still running, so an event that commits late is never skipped and never delivered twice.
 *
 * That horizon is the oldest writing transaction of the whole cluster, so any writer (of any schema or database)
 * can hold committed events back for as long as it runs. When a poll comes back empty while committed events wait
 * behind the horizon, it re-polls a few times over ~200 ms, and `waitForAppends` polls every 100 ms until they
 * pass: the blocking transaction may send no notification when it ends.
 */
import { type ChainKey, type EventStoreShape, Origin } from "@registrar/domain"
import { Effect, Either } from "effect"
import { prepare } from "./internal/Append.js"
import { appendManyOn } from "./internal/AppendMany.js"
import * as AppendGroups from "./internal/AppendGroups.js"
import { chainKeyParameter } from "./internal/ChainKeySql.js"
import type { Database } from "./internal/Database.js"
import { toUnavailable } from "./internal/Driver.js"
import { eventColumns, toRecorded } from "./internal/EventRows.js"

/** The SQL of the feed poll for schema `s` (quoted); `$1` transaction id, `$2` global position, `$3` limit. */
export const readAllStatement = (s: string): string => `SELECT ${eventColumns} FROM ${s}.events AS e
  WHERE (e.transaction_id, e.global_position) > ($1::text::xid8, $2::bigint)
    AND e.transaction_id < (SELECT pg_snapshot_xmin(pg_current_snapshot()))
  ORDER BY e.transaction_id, e.global_position
  LIMIT $3`

/** Re-polls of an empty page while committed events wait behind the horizon (milliseconds before each). */
const settleDelays = [10, 20, 40, 60, 80]

/** How long `waitForAppends` waits at most while committed events wait behind the horizon. */
const heldBackPollMillis = 100

/** Options of the PostgreSQL EventStore. */
export interface EventStoreOptions {
  /**
   * Append statements in flight at once (default 4 on a server, 1 on PGlite). Appends that arrive while all are
   * busy wait and then go together in one statement and one commit, so this bounds the connections appends hold,
   * not the appends: a few suffice to keep a server busy, and fewer make larger groups.
   */
  readonly appendConcurrency?: number
  /** Key the chain hashes (HMAC-SHA256) with this key; see `ChainKey` in the domain and the README's "Keyed chains". */
  readonly chainKey?: ChainKey
}

/** The EventStore over one schema's database. */
export const make = (database: Database, options: EventStoreOptions = {}): EventStoreShape => {
  const { driver, schema: s } = database
  const groups = AppendGroups.make(driver, s, {
    concurrency: options.appendConcurrency ?? (driver.kind === "pglite" ? 1 : 4)
  })
  const readStreamSql = `SELECT ${eventColumns} FROM ${s}.events WHERE stream_id = $1 AND stream_position > $2
    ORDER BY stream_position`
  const streamVersionSql = `SELECT version FROM ${s}.streams WHERE stream_id = $1`
  const readAllSql = readAllStatement(s)
  // A plain ordered LIMIT 1, not EXISTS: PostgreSQL plans EXISTS over this row comparison as a sequential scan.
  const pendingSql = `SELECT 1 AS pending FROM ${s}.events AS e
    WHERE (e.transaction_id, e.global_position) > ($1::text::xid8, $2::bigint)
    ORDER BY e.transaction_id, e.global_position LIMIT 1`
  const chainKey = options.chainKey ?? null
  const chainKeyParam = chainKeyParameter(chainKey)
  const chainSettingsSql = `SELECT key_fingerprint FROM ${s}.chain_settings`
  // Qualified names: an unqualified ORDER BY transaction_id would sort by the text alias ("999" after "1000").
  const headSql = `SELECT e.transaction_id::text AS transaction_id, e.global_position FROM ${s}.events AS e
    ORDER BY e.transaction_id DESC, e.global_position DESC LIMIT 1`
  let heldBack = false

  const readAll: EventStoreShape["readAll"] = ({ after, limit }) =>
    Effect.gen(function* () {
      if (limit <= 0) return []
      const params = [String(after.transactionId), after.globalPosition]
      for (let attempt = 0; ; attempt++) {
        const rows = yield* driver.query(readAllSql, [...params, limit])
        if (rows.length > 0) {
          heldBack = false
          return rows.map(toRecorded)
        }
        // Empty, yet events exist after the checkpoint: they committed but wait behind the horizon.
        heldBack = (yield* driver.query(pendingSql, params)).length > 0
        const delay = settleDelays[attempt]
        if (!heldBack || delay === undefined) return []
        yield* Effect.sleep(delay)
      }
    }).pipe(Effect.mapError(toUnavailable("readAll")))

  return {
    append: (streamId, events, expected) =>
      Effect.suspend(() =>
        Either.match(prepare(streamId, events, expected, chainKeyParam), {
          onLeft: Effect.fail,
          onRight: groups.append
        })
      ).pipe(
        Effect.catchTag("SqlFailure", (failure) => Effect.fail(toUnavailable("append")(failure))),
        Effect.tap(({ wrote }) => (wrote ? database.announceAppend : Effect.void)),
        Effect.map(({ result }) => result)
      ),
    appendMany: (writes) =>
      appendManyOn(driver, s, writes, chainKeyParam).pipe(
        Effect.catchTag("SqlFailure", (failure) => Effect.fail(toUnavailable("appendMany")(failure))),
        Effect.tap(({ wrote }) => (wrote ? database.announceAppend : Effect.void)),
        Effect.map(({ results }) => results)
      ),
    readStream: (streamId, options) =>
      driver.query(readStreamSql, [streamId, options?.after ?? 0]).pipe(
        Effect.map((rows) => rows.map(toRecorded)),
        Effect.mapError(toUnavailable("readStream"))
      ),
    streamVersion: (streamId) =>
      driver.query(streamVersionSql, [streamId]).pipe(
        Effect.map((rows) => Number(rows[0]?.version ?? 0)),
        Effect.mapError(toUnavailable("streamVersion"))
      ),
    readAll,
    head: driver.query(headSql, []).pipe(
      Effect.map(([row]) =>
        row === undefined
          ? Origin
          : { transactionId: Number(row.transaction_id), globalPosition: Number(row.global_position) }
      ),
      Effect.mapError(toUnavailable("head"))
    ),
    waitForAppends: (timeoutMillis) =>
      Effect.suspend(() =>
        database.awaitAppend(heldBack ? Math.min(timeoutMillis, heldBackPollMillis) : timeoutMillis)
      ),
    chainKeying: driver.query(chainSettingsSql).pipe(
      Effect.map(([row]) => ({
        configured: chainKey,
        recorded: row === undefined ? null : String(row.key_fingerprint)
      })),
      Effect.mapError(toUnavailable("chainKeying"))
    )
  }
}
