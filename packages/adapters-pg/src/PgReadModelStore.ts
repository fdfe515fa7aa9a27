/**
 * Read models in PostgreSQL (server or PGlite): the rows of every read-model table in one table keyed by
 * `(table_name, row_key)` in byte order, with a GIN index for `list(table, where)`. A batch's changes are folded
 * in memory and written in bulk together with the checkpoint in one transaction. A rebuild fills a fresh table in
 * short transactions (a long one would hold back every feed reader) and swaps it in with the checkpoint at once.
 */
import {
  type ChangeBatch,
  type Checkpoint,
  compareCheckpoints,
  Origin,
  type ReadModelStoreShape,
  type Row,
  type StoreUnavailable,
  type Where
} from "@registrar/domain"
import { Effect, Option, Stream } from "effect"
import { foldChanges, makeFolder, type Segment } from "./internal/ChangeFold.js"
import type { Database } from "./internal/Database.js"
import { type Connection, type SqlFailure, toJson, toUnavailable } from "./internal/Driver.js"

/**
 * The WHERE clause of a listing: the table, `row_value @> where` (GIN index) and a key range for a prefix (the
 * primary key's range scan: keys in byte order start with `prefix` exactly when they fall in [prefix, next)).
 */
const filterOf = (table: string, where: Where | undefined, prefix: string | undefined) => {
  const parts = ["table_name = $1"]
  const values: Array<Effect.Effect<unknown, SqlFailure>> = [Effect.succeed(table)]
  if (where !== undefined && Object.keys(where).length > 0) {
    values.push(toJson(where))
    parts.push(`row_value @> $${values.length}::jsonb`)
  }
  if (prefix !== undefined && prefix.length > 0) {
    const last = prefix.charCodeAt(prefix.length - 1)
    values.push(Effect.succeed(prefix))
    parts.push(`row_key >= $${values.length}`)
    values.push(Effect.succeed(prefix.slice(0, -1) + String.fromCharCode(last + 1)))
    parts.push(`row_key < $${values.length}`)
  }
  return { clause: parts.join(" AND "), parameters: Effect.all(values) }
}

/** Changes buffered by a rebuild before they are written. */
const rebuildFlushSize = 5_000

/** Test hooks; production code passes none. */
export interface ReadModelStoreHooks {
  /** Runs inside `apply`'s transaction after the rows are written and before the checkpoint moves. */
  readonly beforeCheckpoint?: (connection: Connection) => Effect.Effect<void, SqlFailure>
}

const writeSegments = (
  connection: Connection,
  table: string,
  segments: ReadonlyArray<Segment>
): Effect.Effect<void, SqlFailure> =>
  Effect.forEach(
    segments,
    (segment) =>
      Effect.gen(function* () {
        if (segment.puts.length > 0) {
          yield* connection.query(
            `INSERT INTO ${table} (table_name, row_key, row_value)
             SELECT x.t, x.k, x.v FROM jsonb_to_recordset($1::jsonb) AS x(t text, k text, v jsonb)
             ON CONFLICT (table_name, row_key) DO UPDATE SET row_value = EXCLUDED.row_value`,
            [yield* toJson(segment.puts)]
          )
        }
        if (segment.patches.length > 0) {
          yield* connection.query(
            `UPDATE ${table} AS r SET row_value = r.row_value || x.v
             FROM jsonb_to_recordset($1::jsonb) AS x(t text, k text, v jsonb)
             WHERE r.table_name = x.t AND r.row_key = x.k`,
            [yield* toJson(segment.patches)]
          )
        }
        if (segment.deletes.length > 0) {
          yield* connection.query(
            `DELETE FROM ${table} AS r USING jsonb_to_recordset($1::jsonb) AS x(t text, k text)
             WHERE r.table_name = x.t AND r.row_key = x.k`,
            [yield* toJson(segment.deletes)]
          )
        }
        if (segment.deleteWhere !== undefined) {
          const { table: name, field, value } = segment.deleteWhere
          yield* connection.query(
            `DELETE FROM ${table} WHERE table_name = $1 AND row_value @> jsonb_build_object($2::text, $3::text)`,
            [name, field, value]
          )
        }
      }),
    { discard: true }
  )

/** The ReadModelStore over one schema's database. */
export const make = (database: Database, hooks: ReadModelStoreHooks = {}): Effect.Effect<ReadModelStoreShape> =>
  Effect.map(Effect.makeSemaphore(1), (rebuilding) => {
    const { driver, schema: s } = database
    const live = `${s}.read_model_rows`
    const fresh = `${s}.read_model_rows_rebuild`
    const checkpointSql = `SELECT transaction_id, global_position FROM ${s}.read_model_checkpoint`
    const toCheckpoint = (rows: ReadonlyArray<Readonly<Record<string, unknown>>>): Checkpoint =>
      rows[0] === undefined
        ? Origin
        : { transactionId: Number(rows[0].transaction_id), globalPosition: Number(rows[0].global_position) }
    const setCheckpoint = (connection: Connection, checkpoint: Checkpoint) =>
      connection.query(`UPDATE ${s}.read_model_checkpoint SET transaction_id = $1, global_position = $2`, [
        checkpoint.transactionId,
        checkpoint.globalPosition
      ])

    const apply = (batch: ChangeBatch): Effect.Effect<void, StoreUnavailable> =>
      Effect.suspend(() => {
        const segments = foldChanges(batch.changes)
        return driver.transaction((connection) =>
          Effect.gen(function* () {
            const stored = toCheckpoint(yield* connection.query(`${checkpointSql} FOR UPDATE`))
            if (compareCheckpoints(batch.checkpoint, stored) <= 0) return
            yield* writeSegments(connection, live, segments)
            if (hooks.beforeCheckpoint) yield* hooks.beforeCheckpoint(connection)
            yield* setCheckpoint(connection, batch.checkpoint)
          })
        )
      }).pipe(Effect.mapError(toUnavailable("apply")))

    const replaceAll = <E, R>(
      batches: Stream.Stream<ChangeBatch, E, R>
    ): Effect.Effect<void, E | StoreUnavailable, R> => {
      const sql = (operation: string) => Effect.mapError(toUnavailable(operation))
      const rebuild = Effect.gen(function* () {
        const folder = makeFolder()
        let last: Checkpoint = Origin
        const flush = Effect.suspend(() => {
          const segments = folder.take()
          return segments.length === 0
            ? Effect.void
            : driver.transaction((connection) => writeSegments(connection, fresh, segments))
        }).pipe(sql("replaceAll"))
        yield* driver
          .execute(
            `DROP TABLE IF EXISTS ${fresh};
             CREATE TABLE ${fresh} (LIKE ${live} INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
             ALTER TABLE ${fresh} ADD CONSTRAINT read_model_rows_rebuild_pkey PRIMARY KEY (table_name, row_key);`
          )
          .pipe(sql("replaceAll"))
        yield* Stream.runForEach(batches, (batch) =>
          Effect.suspend(() => {
            folder.add(batch.changes)
            last = batch.checkpoint
            return folder.size() >= rebuildFlushSize ? flush : Effect.void
          })
        )
        yield* flush
        yield* driver
          .execute(`CREATE INDEX read_model_rows_rebuild_value_idx ON ${fresh} USING gin (row_value jsonb_path_ops)`)
          .pipe(sql("replaceAll"))
        yield* driver
          .transaction((connection) =>
            Effect.zipRight(
              connection.execute(
                `LOCK TABLE ${live} IN ACCESS EXCLUSIVE MODE;
                 DROP TABLE ${live};
                 ALTER TABLE ${fresh} RENAME TO read_model_rows;
                 ALTER TABLE ${live} RENAME CONSTRAINT read_model_rows_rebuild_pkey TO read_model_rows_pkey;
                 ALTER INDEX ${s}.read_model_rows_rebuild_value_idx RENAME TO read_model_rows_value_idx;`
              ),
              setCheckpoint(connection, last)
            )
          )
          .pipe(sql("replaceAll"))
      })
      return rebuilding.withPermits(1)(
        rebuild.pipe(Effect.onError(() => Effect.ignore(driver.execute(`DROP TABLE IF EXISTS ${fresh}`))))
      )
    }

    return {
      checkpoint: driver
        .query(checkpointSql)
        .pipe(Effect.map(toCheckpoint), Effect.mapError(toUnavailable("checkpoint"))),
      apply,
      get: (table, key) =>
        driver.query(`SELECT row_value FROM ${live} WHERE table_name = $1 AND row_key = $2`, [table, key]).pipe(
          Effect.map((rows) => Option.map(Option.fromNullable(rows[0]), (row) => row.row_value as Row)),
          Effect.mapError(toUnavailable("get"))
        ),
      list: (table, where, options = {}) => {
        const { clause, parameters } = filterOf(table, where, options.prefix)
        const order = options.descending ? "DESC" : "ASC"
        const limit = options.limit === undefined ? "" : ` LIMIT ${Math.max(0, Math.floor(options.limit))}`
        return Effect.flatMap(parameters, (values) =>
          driver.query(`SELECT row_value FROM ${live} WHERE ${clause} ORDER BY row_key ${order}${limit}`, values)
        ).pipe(
          Effect.map((rows) => rows.map((row) => row.row_value as Row)),
          Effect.mapError(toUnavailable("list"))
        )
      },
      count: (table, where, prefix) => {
        const { clause, parameters } = filterOf(table, where, prefix)
        return Effect.flatMap(parameters, (values) =>
          driver.query(`SELECT count(*)::int AS n FROM ${live} WHERE ${clause}`, values)
        ).pipe(
          Effect.map((rows) => Number(rows[0]?.n ?? 0)),
          Effect.mapError(toUnavailable("count"))
        )
      },
      replaceAll
    }
  })
