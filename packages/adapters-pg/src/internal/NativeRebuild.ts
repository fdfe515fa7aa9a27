/**
 * A rebuild beside the log (`ReadModelStoreShape.rebuildBesideLog`): the events it covers are fixed first (every
 * event below the oldest transaction running now, so none can still commit among them), the bulk of them is
 * projected in SQL into fresh unkeyed tables (NativeProjection), the keys are added, and the other events are read
 * in feed order and projected by the domain into the same tables, as a plain rebuild would. Then every change the
 * domain made to an SQL-projected table is checked against the SQL-projected events after it in the feed; should
 * one collide (never in a history the deciders wrote), or a key be written twice, the fresh tables are dropped and
 * the answer is `None`, for the plain rebuild to run instead.
 */
import type { Change, Checkpoint, RebuildBesideLog, StoreUnavailable } from "@registrar/domain"
import { Effect, Option, type Scope } from "effect"
import type { Database } from "./Database.js"
import { type SqlFailure, toUnavailable } from "./Driver.js"
import { eventColumns, toRecorded } from "./EventRows.js"
import { chunkStatement, collisionSql, isNative, nativeTables, type Touch, touchOf } from "./NativeProjection.js"
import { ident, type TableSpecs } from "./ReadModelTables.js"

/** The parts of the store's plain rebuild this one shares (PgReadModelStore). */
export interface FreshTables {
  readonly createFresh: (unkeyed: ReadonlySet<string>) => Effect.Effect<void, StoreUnavailable>
  readonly freshWriter: () => {
    readonly add: (changes: ReadonlyArray<Change>) => Effect.Effect<void, StoreUnavailable, Scope.Scope>
    readonly done: Effect.Effect<void, StoreUnavailable, Scope.Scope>
  }
  readonly indexFresh: Effect.Effect<void, StoreUnavailable>
  readonly swapFresh: (checkpoint: Checkpoint) => Effect.Effect<void, StoreUnavailable>
  readonly dropFresh: Effect.Effect<void, StoreUnavailable>
}

/** Positions per SQL statement: each chunk is one short transaction (a long one would hold back every feed reader). */
export const defaultChunkPositions = 50_000

/** Touches checked per query. */
const touchesPerQuery = 10_000

/** The fresh table of a logical table (as PgReadModelStore names it). */
const freshName = (specs: TableSpecs, table: string): string => `${specs.get(table)!.name}__rebuild`

/** Rebuilds from the log in `database`'s schema; `None` when the plain rebuild must do it (nothing changed then). */
export const run = <E>(
  database: Database,
  specs: TableSpecs,
  rebuild: RebuildBesideLog<E>,
  fresh: FreshTables,
  chunkPositions = defaultChunkPositions
): Effect.Effect<Option.Option<number>, E | StoreUnavailable, Scope.Scope> =>
  Effect.gen(function* () {
    const { driver, schema: s } = database
    const sql = (operation: string) => Effect.mapError(toUnavailable(operation))
    const horizon = String(
      (yield* driver.query("SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS horizon").pipe(sql("rebuild")))[0]
        ?.horizon
    )
    const [endRow] = yield* driver
      .query(
        `SELECT e.transaction_id::text AS transaction_id, e.global_position FROM ${s}.events AS e
          WHERE e.transaction_id < $1::text::xid8 ORDER BY e.transaction_id DESC, e.global_position DESC LIMIT 1`,
        [horizon]
      )
      .pipe(sql("rebuild"))
    if (endRow === undefined) return Option.none()
    const end: Checkpoint = {
      transactionId: Number(endRow.transaction_id),
      globalPosition: Number(endRow.global_position)
    }
    const top = Number(
      (yield* driver.query(`SELECT max(global_position) AS top FROM ${s}.events`).pipe(sql("rebuild")))[0]?.top ?? 0
    )
    let replayed = 0
    const progress = (events: number) =>
      Effect.suspend(() => {
        replayed += events
        return rebuild.onProgress(replayed)
      })

    const began = Date.now()
    const lap = (stage: string) => Effect.logDebug(`rebuild beside the log: ${stage} after ${Date.now() - began} ms`)
    yield* fresh.createFresh(new Set(nativeTables))
    // The bulk, in SQL: chunks of positions, two at a time.
    const statement = chunkStatement(s, specs, (table) => freshName(specs, table))
    const chunks = Array.from({ length: Math.ceil(top / chunkPositions) }, (_, n) => [
      n * chunkPositions,
      Math.min(top, (n + 1) * chunkPositions)
    ])
    yield* Effect.forEach(
      chunks,
      ([after, through]) =>
        driver.query(statement, [horizon, after, through]).pipe(
          sql("rebuild"),
          Effect.flatMap((rows) => progress(Number(rows[0]?.n ?? 0)))
        ),
      { concurrency: 2, discard: true }
    )
    yield* lap("SQL projections done")
    const keyed = yield* Effect.forEach(
      nativeTables,
      (table) => {
        const name = freshName(specs, table)
        return driver
          .execute(`ALTER TABLE ${s}.${ident(name)} ADD CONSTRAINT ${ident(`${name}_pkey`)} PRIMARY KEY (row_key)`)
          .pipe(
            Effect.as(true),
            // A key written twice: a history the deciders did not write.
            Effect.catchIf(
              (failure: SqlFailure) => failure.code === "23505",
              () => Effect.succeed(false)
            ),
            sql("rebuild")
          )
      },
      { concurrency: 2 }
    )
    if (keyed.includes(false)) return yield* Effect.as(fresh.dropFresh, Option.none())

    yield* lap("keys added")
    // The rest, through the domain's projections, in feed order.
    const restSql = `SELECT ${eventColumns} FROM ${s}.events AS e
      WHERE (e.transaction_id, e.global_position) > ($1::text::xid8, $2::bigint) AND e.transaction_id < $3::text::xid8
        AND NOT ${isNative()}
      ORDER BY e.transaction_id, e.global_position LIMIT $4`
    const writer = fresh.freshWriter()
    const touches: Array<Touch & { readonly at: Checkpoint }> = []
    let unknown = false
    let after: Checkpoint = { transactionId: 0, globalPosition: 0 }
    while (true) {
      const rows = yield* driver
        .query(restSql, [String(after.transactionId), after.globalPosition, horizon, rebuild.batchSize])
        .pipe(sql("rebuild"))
      for (const row of rows) {
        const event = toRecorded(row)
        const batch = yield* rebuild.project([event])
        for (const change of batch.changes) {
          const touch = touchOf(change)
          if (touch === "unknown") unknown = true
          else if (touch !== undefined) touches.push({ ...touch, at: batch.checkpoint })
        }
        yield* writer.add(batch.changes)
        after = batch.checkpoint
      }
      if (rows.length > 0) yield* progress(rows.length)
      if (rows.length < rebuild.batchSize) break
    }
    yield* writer.done
    if (unknown || (yield* collides(database, horizon, touches)))
      return yield* Effect.as(fresh.dropFresh, Option.none())

    yield* lap("other events projected")
    yield* fresh.indexFresh
    yield* lap("indexes built")
    yield* fresh.swapFresh(end)
    return Option.some(replayed)
  })

/** Whether an SQL-projected event comes after any of `touches` in the feed. */
const collides = (
  database: Database,
  horizon: string,
  touches: ReadonlyArray<Touch & { readonly at: Checkpoint }>
): Effect.Effect<boolean, StoreUnavailable> =>
  Effect.gen(function* () {
    const statement = collisionSql(database.schema)
    for (let start = 0; start < touches.length; start += touchesPerQuery) {
      const part = touches.slice(start, start + touchesPerQuery)
      const rows = yield* database.driver
        .query(statement, [
          horizon,
          part.map((touch) => touch.streamId),
          part.map((touch) => touch.type),
          part.map((touch) => touch.index),
          part.map((touch) => String(touch.at.transactionId)),
          part.map((touch) => touch.at.globalPosition)
        ])
        .pipe(Effect.mapError(toUnavailable("rebuild")))
      if (rows[0]?.collides === true) return true
    }
    return false
  })
