/**
 * Read models in PostgreSQL (server or PGlite): the rows of every read-model table in one table keyed by
 * `(table_name, row_key)` in byte order, with a GIN index for `list(table, where)` over each row's indexed fields
 * (`row_index`; the whole row when its table lists none). A batch's changes are folded in memory and written in bulk
 * together with the checkpoint in one transaction. A rebuild fills a fresh table in short transactions (a long one
 * would hold back every feed reader) and swaps it in with the checkpoint at once.
 */
import {
  type ChangeBatch,
  type Checkpoint,
  compareCheckpoints,
  type IndexedFields,
  Origin,
  Projections,
  type ReadModelStoreShape,
  type Row,
  type StoreUnavailable,
  type Where
} from "@registrar/domain"
import { Effect, Option, Stream } from "effect"
import { fieldsOf, foldChanges, indexedPart, makeFolder, type Segment } from "./internal/ChangeFold.js"
import type { Database } from "./internal/Database.js"
import { type Connection, SqlFailure, toJson, toUnavailable } from "./internal/Driver.js"

/**
 * The WHERE clause of a listing: the table, a filter on the indexed fields (`coalesce(row_index, row_value) @> …`,
 * the GIN index), the whole filter on the row when the index holds only part of it, and a key range for a prefix
 * (the primary key's range scan: keys in byte order start with `prefix` exactly when they fall in [prefix, next)).
 */
const filterOf = (
  table: string,
  where: Where | undefined,
  prefix: string | undefined,
  fields: ReadonlyArray<string> | undefined
) => {
  const parts = ["table_name = $1"]
  const values: Array<Effect.Effect<unknown, SqlFailure>> = [Effect.succeed(table)]
  if (where !== undefined && Object.keys(where).length > 0) {
    const indexed = indexedPart(where, fields) ?? where
    if (Object.keys(indexed).length > 0) {
      values.push(toJson(indexed))
      parts.push(`coalesce(row_index, row_value) @> $${values.length}::jsonb`)
    }
    if (fields !== undefined) {
      values.push(toJson(where))
      parts.push(`row_value @> $${values.length}::jsonb`)
    }
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

/** Options of {@link make}. */
export interface ReadModelStoreOptions {
  /** The fields each table is filtered on, which the GIN index holds (default: Registrar's read models). */
  readonly indexedFields?: IndexedFields
  /** Test hook: runs inside `apply`'s transaction after the rows are written and before the checkpoint moves. */
  readonly beforeCheckpoint?: (connection: Connection) => Effect.Effect<void, SqlFailure>
}

/**
 * The most JSON text one statement parses. A larger document makes the server allocate blocks that the C library
 * maps and unmaps on every statement, so their pages fault in again each time: writing the same 200,000 rows took
 * 6.0–7.2 s of server CPU (~210,000 minor page faults) in statements of 128 KB, 4.3–5.7 s (~100,000) in 64 KB and
 * 3.0–3.3 s (~1,000) in 32 KB; the 5,000-row statements (~3 MB) used before took 7–9 s.
 */
const statementChars = 32 * 1024

/** `rows` as JSON arrays of at most `statementChars` each (a longer row alone). */
const documentsOf = (rows: ReadonlyArray<unknown>): Effect.Effect<ReadonlyArray<string>, SqlFailure> =>
  Effect.try({
    try: () => {
      const documents: Array<string> = []
      let parts: Array<string> = []
      let size = 0
      for (const row of rows) {
        const json = JSON.stringify(row)
        if (size > 0 && size + json.length > statementChars) {
          documents.push(`[${parts.join(",")}]`)
          parts = []
          size = 0
        }
        parts.push(json)
        size += json.length + 1
      }
      if (parts.length > 0) documents.push(`[${parts.join(",")}]`)
      return documents
    },
    catch: (cause) => new SqlFailure({ code: undefined, message: `value is not JSON: ${String(cause)}` })
  })

/** Runs `sql` with `$1` = each JSON array of `rows`, in statements of at most `statementChars`. */
const inStatements = (
  connection: Connection,
  sql: string,
  rows: ReadonlyArray<unknown>
): Effect.Effect<void, SqlFailure> =>
  Effect.flatMap(documentsOf(rows), (documents) =>
    Effect.forEach(documents, (document) => connection.query(sql, [document]), { discard: true })
  )

const writeSegments = (
  connection: Connection,
  table: string,
  segments: ReadonlyArray<Segment>,
  indexed: IndexedFields
): Effect.Effect<void, SqlFailure> =>
  Effect.forEach(
    segments,
    (segment) =>
      Effect.gen(function* () {
        yield* inStatements(
          connection,
          `INSERT INTO ${table} (table_name, row_key, row_value, row_index)
           SELECT x.t, x.k, x.v, x.i FROM jsonb_to_recordset($1::jsonb) AS x(t text, k text, v jsonb, i jsonb)
           ON CONFLICT (table_name, row_key) DO UPDATE SET row_value = EXCLUDED.row_value, row_index = EXCLUDED.row_index`,
          segment.puts
        )
        yield* inStatements(
          connection,
          `UPDATE ${table} AS r SET row_value = r.row_value || x.v, row_index = r.row_index || x.i
           FROM jsonb_to_recordset($1::jsonb) AS x(t text, k text, v jsonb, i jsonb)
           WHERE r.table_name = x.t AND r.row_key = x.k`,
          segment.patches
        )
        yield* inStatements(
          connection,
          `DELETE FROM ${table} AS r USING jsonb_to_recordset($1::jsonb) AS x(t text, k text)
           WHERE r.table_name = x.t AND r.row_key = x.k`,
          segment.deletes
        )
        if (segment.deleteWhere !== undefined) {
          const { table: name, field, value } = segment.deleteWhere
          const { clause, parameters } = filterOf(name, { [field]: value }, undefined, fieldsOf(indexed, name))
          yield* Effect.flatMap(parameters, (values) =>
            connection.query(`DELETE FROM ${table} WHERE ${clause}`, values)
          )
        }
      }),
    { discard: true }
  )

/** The ReadModelStore over one schema's database. */
export const make = (database: Database, options: ReadModelStoreOptions = {}): Effect.Effect<ReadModelStoreShape> =>
  Effect.map(Effect.makeSemaphore(1), (rebuilding) => {
    const { driver, schema: s } = database
    const indexed = options.indexedFields ?? Projections.indexedFields
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
        const segments = foldChanges(batch.changes, indexed)
        return driver.transaction((connection) =>
          Effect.gen(function* () {
            const stored = toCheckpoint(yield* connection.query(`${checkpointSql} FOR UPDATE`))
            if (compareCheckpoints(batch.checkpoint, stored) <= 0) return
            yield* writeSegments(connection, live, segments, indexed)
            if (options.beforeCheckpoint) yield* options.beforeCheckpoint(connection)
            yield* setCheckpoint(connection, batch.checkpoint)
          })
        )
      }).pipe(Effect.mapError(toUnavailable("apply")))

    const replaceAll = <E, R>(
      batches: Stream.Stream<ChangeBatch, E, R>
    ): Effect.Effect<void, E | StoreUnavailable, R> => {
      const sql = (operation: string) => Effect.mapError(toUnavailable(operation))
      const write = (segments: ReadonlyArray<Segment>) =>
        driver.transaction((connection) => writeSegments(connection, fresh, segments, indexed)).pipe(sql("replaceAll"))
      const rebuild = Effect.gen(function* () {
        const folder = makeFolder(indexed)
        let last: Checkpoint = Origin
        // Flushes are written in turn: overlapping them with the reading and projecting of the next (one in flight,
        // in a forked fiber) took 11–15% more CPU per event than it hid on the 2-vCPU benchmark machine.
        const flush = Effect.suspend(() => {
          const segments = folder.take()
          return segments.length === 0 ? Effect.void : write(segments)
        })
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
          .execute(
            `CREATE INDEX read_model_rows_rebuild_value_idx ON ${fresh} USING gin ((coalesce(row_index, row_value)) jsonb_path_ops)`
          )
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
      list: (table, where, listing = {}) => {
        const { clause, parameters } = filterOf(table, where, listing.prefix, fieldsOf(indexed, table))
        const order = listing.descending ? "DESC" : "ASC"
        const limit = listing.limit === undefined ? "" : ` LIMIT ${Math.max(0, Math.floor(listing.limit))}`
        // A keyset page: the primary key's range scan starts after the last key of the previous page.
        const { after } = listing
        return Effect.flatMap(parameters, (values) => {
          const range =
            after === undefined ? "" : ` AND row_key ${listing.descending ? "<" : ">"} $${values.length + 1}`
          return driver.query(
            `SELECT row_value FROM ${live} WHERE ${clause}${range} ORDER BY row_key ${order}${limit}`,
            after === undefined ? values : [...values, after]
          )
        }).pipe(
          Effect.map((rows) => rows.map((row) => row.row_value as Row)),
          Effect.mapError(toUnavailable("list"))
        )
      },
      count: (table, where, prefix) => {
        const { clause, parameters } = filterOf(table, where, prefix, fieldsOf(indexed, table))
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
