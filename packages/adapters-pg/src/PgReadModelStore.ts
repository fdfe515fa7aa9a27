/**
 * Read models in PostgreSQL (server or PGlite): one typed table per read-model table (ReadModelTables: `rm_<table>`,
 * keyed by `row_key` in byte order, a column per field, indexes on the filtered fields). A batch's changes are folded
 * in memory and written in bulk together with the checkpoint in one transaction. A rebuild fills fresh tables in
 * short transactions (a long one would hold back every feed reader), indexes them, and swaps them in with the
 * checkpoint at once.
 */
import {
  type Change,
  type ChangeBatch,
  Projections,
  type Checkpoint,
  compareCheckpoints,
  type ListOptions,
  Origin,
  type ReadModelStoreShape,
  type RebuildBesideLog,
  type StoreUnavailable
} from "@registrar/domain"
import { Effect, Fiber, Option, Stream } from "effect"
import * as AuditFromLog from "./internal/AuditFromLog.js"
import { makeFolder, type Segment } from "./internal/ChangeFold.js"
import type { Database } from "./internal/Database.js"
import { type Connection, type SqlFailure, toUnavailable } from "./internal/Driver.js"
import {
  createIndexesSql,
  createTableSql,
  ident,
  registrarTables,
  type TableSpec,
  type TableSpecs
} from "./internal/ReadModelTables.js"
import * as NativeRebuild from "./internal/NativeRebuild.js"
import { type Filter, filterOf, rowOf, selectListOf, writeSegments } from "./internal/TableSql.js"
import { compileSearch, hitsOf, typedColumns } from "./internal/FilterSql.js"

const { Table } = Projections

/** Changes buffered by a rebuild before they are written. */
const rebuildFlushSize = 5_000

/** Options of {@link make}. */
export interface ReadModelStoreOptions {
  /**
   * The tables (default: Registrar's, which migration 13 creates). Tables given here are created when missing;
   * a write to a table not listed fails, a read of one finds no rows.
   */
  readonly tables?: TableSpecs
  /**
   * The events table of the same schema is the log the read models are projected from (as `PgStore` sets up), so a
   * rebuild may project the bulk of it in SQL (`rebuildBesideLog`). Only with Registrar's tables.
   */
  readonly besideLog?: boolean
  /** Test hook: feed positions per SQL statement of a rebuild beside the log (default 50,000). */
  readonly besideLogChunk?: number
  /** Test hook: runs inside `apply`'s transaction after the rows are written and before the checkpoint moves. */
  readonly beforeCheckpoint?: (connection: Connection) => Effect.Effect<void, SqlFailure>
}

/** The name of the fresh table a rebuild fills for `spec`. */
export const rebuildName = (spec: TableSpec): string => `${spec.name}__rebuild`

/** The ReadModelStore over one schema's database. */
export const make = (
  database: Database,
  options: ReadModelStoreOptions = {}
): Effect.Effect<ReadModelStoreShape, StoreUnavailable> =>
  Effect.gen(function* () {
    const rebuilding = yield* Effect.makeSemaphore(1)
    const { driver, schema: s } = database
    const specs = options.tables ?? registrarTables
    if (options.tables !== undefined) yield* ensureTables(database, specs)
    const live = (spec: TableSpec) => spec.name
    /**
     * Registrar's tables sit beside the log (migration 16): the audit rows of the events the log serves
     * (AuditFromLog) are read from it, never kept.
     */
    const auditFromLog = specs === registrarTables
    const kept = (changes: ReadonlyArray<Change>): ReadonlyArray<Change> =>
      auditFromLog ? changes.filter((change) => !AuditFromLog.servedFromLog(change)) : changes
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
        const folder = makeFolder()
        folder.add(kept(batch.changes))
        const segments = folder.take()
        return driver.transaction((connection) =>
          Effect.gen(function* () {
            const stored = toCheckpoint(yield* connection.query(`${checkpointSql} FOR UPDATE`))
            if (compareCheckpoints(batch.checkpoint, stored) <= 0) return
            yield* writeSegments(connection, s, specs, segments, live)
            if (options.beforeCheckpoint) yield* options.beforeCheckpoint(connection)
            yield* setCheckpoint(connection, batch.checkpoint)
          })
        )
      }).pipe(Effect.mapError(toUnavailable("apply")))

    const sql = (operation: string) => Effect.mapError(toUnavailable(operation))
    const all = [...specs.values()]
    const dropFresh = all.map((spec) => `DROP TABLE IF EXISTS ${s}.${ident(rebuildName(spec))};`).join("\n")
    /** Drops any fresh tables and creates them empty; those of `unkeyed` without their primary key. */
    const createFresh = (unkeyed: ReadonlySet<string> = new Set()) =>
      driver
        .execute(
          `${dropFresh}\n${all.map((spec) => createTableSql(s, spec, rebuildName(spec), !unkeyed.has(spec.table))).join("\n")}`
        )
        .pipe(sql("replaceAll"))
    /**
     * Writes folded changes into the fresh tables: a flush is written while the next one is read, projected and
     * folded; one at a time, in order, so a change never lands before an earlier one, and at most two flushes'
     * changes are held. Run in a scope.
     */
    const freshWriter = () => {
      const folder = makeFolder()
      let writing: Fiber.RuntimeFiber<void, StoreUnavailable> | undefined
      const write = (segments: ReadonlyArray<Segment>) =>
        driver
          .transaction((connection) => writeSegments(connection, s, specs, segments, rebuildName, "copy"))
          .pipe(sql("replaceAll"))
      const written = Effect.suspend(() => (writing === undefined ? Effect.void : Fiber.join(writing)))
      const flush = Effect.suspend(() => {
        const segments = folder.take()
        if (segments.length === 0) return Effect.void
        return Effect.zipRight(
          written,
          Effect.flatMap(Effect.forkScoped(write(segments)), (fiber) =>
            Effect.sync(() => {
              writing = fiber
            })
          )
        )
      })
      const add = (changes: ReadonlyArray<Change>) =>
        Effect.suspend(() => {
          folder.add(kept(changes))
          return folder.size() >= rebuildFlushSize ? flush : Effect.void
        })
      return { add, done: Effect.zipRight(flush, written) }
    }
    /**
     * Builds the fresh tables' secondary indexes once over the loaded rows, not row by row: two at a time (two
     * connections keep two cores busy), one index per statement, those of the largest tables first (the audit table
     * alone has six: built table by table, they were the last ones working).
     */
    const indexFresh = Effect.gen(function* () {
      const sizes = yield* driver
        .query(
          `SELECT c.relname, pg_relation_size(c.oid) AS bytes FROM pg_class AS c
            JOIN pg_namespace AS n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'`,
          [database.schemaName]
        )
        .pipe(sql("replaceAll"))
      const bytes = new Map(sizes.map((row) => [String(row.relname), Number(row.bytes)]))
      const statements = all
        .flatMap((spec) =>
          createIndexesSql(s, spec, rebuildName(spec)).map((statement) => ({
            statement,
            bytes: bytes.get(rebuildName(spec)) ?? 0
          }))
        )
        .sort((a, b) => b.bytes - a.bytes)
      yield* Effect.forEach(statements, ({ statement }) => driver.execute(statement).pipe(sql("replaceAll")), {
        concurrency: 2,
        discard: true
      })
    })
    const swapFresh = (checkpoint: Checkpoint) =>
      driver
        .transaction((connection) =>
          Effect.zipRight(connection.execute(swapSql(s, all)), setCheckpoint(connection, checkpoint))
        )
        .pipe(sql("replaceAll"))
    /** Runs a rebuild alone, dropping its fresh tables should it fail. */
    const exclusive = <A, E, R>(rebuild: Effect.Effect<A, E, R>) =>
      rebuilding.withPermits(1)(
        rebuild.pipe(
          Effect.scoped,
          Effect.onError(() => Effect.ignore(driver.execute(dropFresh)))
        )
      )

    const replaceAll = <E, R>(
      batches: Stream.Stream<ChangeBatch, E, R>
    ): Effect.Effect<void, E | StoreUnavailable, R> =>
      exclusive(
        Effect.gen(function* () {
          let last: Checkpoint = Origin
          yield* createFresh()
          const writer = freshWriter()
          yield* Stream.runForEach(batches, (batch) =>
            Effect.suspend(() => {
              last = batch.checkpoint
              return writer.add(batch.changes)
            })
          )
          yield* writer.done
          yield* indexFresh
          yield* swapFresh(last)
        })
      )

    const rebuildBesideLog =
      options.besideLog === true && specs === registrarTables
        ? <E>(rebuild: RebuildBesideLog<E>): Effect.Effect<Option.Option<number>, E | StoreUnavailable> =>
            exclusive(
              NativeRebuild.run(
                database,
                specs,
                rebuild,
                {
                  createFresh,
                  freshWriter,
                  indexFresh,
                  swapFresh,
                  dropFresh: driver.execute(dropFresh).pipe(sql("replaceAll"))
                },
                options.besideLogChunk
              )
            )
        : undefined

    const columns = typedColumns(s, specs)
    const select = (spec: TableSpec) => `SELECT ${selectListOf(spec)} FROM ${s}.${ident(spec.name)}`
    /** A listing of a table's own rows, in key order; `after` a keyset page (the primary key's range scan starts there). */
    const keyedListSql = (spec: TableSpec, filter: Filter, listing: ListOptions) => {
      const order = listing.descending ? "DESC" : "ASC"
      const limit = listing.limit === undefined ? "" : ` LIMIT ${Math.max(0, Math.floor(listing.limit))}`
      const { after } = listing
      const range =
        after === undefined ? "" : ` AND row_key ${listing.descending ? "<" : ">"} $${filter.parameters.length + 1}`
      return {
        sql: `${select(spec)} WHERE ${filter.clause}${range} ORDER BY row_key ${order}${limit}`,
        parameters: after === undefined ? filter.parameters : [...filter.parameters, after]
      }
    }

    return {
      checkpoint: driver
        .query(checkpointSql)
        .pipe(Effect.map(toCheckpoint), Effect.mapError(toUnavailable("checkpoint"))),
      apply,
      get: (table, key) => {
        const spec = specs.get(table)
        if (spec === undefined) return Effect.succeed(Option.none())
        const read =
          auditFromLog && table === Table.audit
            ? AuditFromLog.listSql(s, spec, { where: undefined, filter: { clause: "TRUE", parameters: [] }, key })
            : { sql: `${select(spec)} WHERE row_key = $1`, parameters: [key] }
        return driver.query(read.sql, read.parameters).pipe(
          Effect.map((rows) => Option.map(Option.fromNullable(rows[0]), (row) => rowOf(spec, row))),
          Effect.mapError(toUnavailable("get"))
        )
      },
      list: (table, where, listing = {}) => {
        const spec = specs.get(table)
        if (spec === undefined) return Effect.succeed([])
        const filter = filterOf(spec, where, listing.prefix)
        const read =
          auditFromLog && table === Table.audit
            ? AuditFromLog.listSql(s, spec, { where, filter, ...listing })
            : keyedListSql(spec, filter, listing)
        return driver.query(read.sql, read.parameters).pipe(
          Effect.map((rows) => rows.map((row) => rowOf(spec, row))),
          Effect.mapError(toUnavailable("list"))
        )
      },
      count: (table, where, prefix) => {
        const spec = specs.get(table)
        if (spec === undefined) return Effect.succeed(0)
        const filter = filterOf(spec, where, prefix)
        const statement =
          auditFromLog && table === Table.audit
            ? AuditFromLog.countSql(s, spec, where, filter)
            : `SELECT count(*)::int AS n FROM ${s}.${ident(spec.name)} WHERE ${filter.clause}`
        return driver.query(statement, filter.parameters).pipe(
          Effect.map((rows) => Number(rows[0]?.n ?? 0)),
          Effect.mapError(toUnavailable("count"))
        )
      },
      replaceAll,
      ...(rebuildBesideLog === undefined ? {} : { rebuildBesideLog }),
      search: (query) =>
        Effect.suspend(() => {
          const compiled = compileSearch(query, columns)
          return driver.query(compiled.sql, compiled.parameters)
        }).pipe(
          Effect.map((rows) => hitsOf(query, specs, rows)),
          Effect.mapError(toUnavailable("search"))
        )
    }
  })

/**
 * Swaps the fresh tables in: the live ones are locked (readers wait, then read the new ones), dropped, and the
 * fresh ones, their primary keys and indexes take their names.
 */
const swapSql = (s: string, all: ReadonlyArray<TableSpec>): string =>
  [
    `LOCK TABLE ${all.map((spec) => `${s}.${ident(spec.name)}`).join(", ")} IN ACCESS EXCLUSIVE MODE;`,
    ...all.flatMap((spec) => {
      const fresh = rebuildName(spec)
      return [
        `DROP TABLE ${s}.${ident(spec.name)};`,
        `ALTER TABLE ${s}.${ident(fresh)} RENAME TO ${ident(spec.name)};`,
        `ALTER TABLE ${s}.${ident(spec.name)} RENAME CONSTRAINT ${ident(`${fresh}_pkey`)} TO ${ident(`${spec.name}_pkey`)};`,
        ...spec.indexes.map(
          (index) =>
            `ALTER INDEX ${s}.${ident(`${fresh}_${index.suffix}`)} RENAME TO ${ident(`${spec.name}_${index.suffix}`)};`
        )
      ]
    })
  ].join("\n")

/** Creates the tables of `specs` that do not exist yet (with their indexes). */
const ensureTables = (database: Database, specs: TableSpecs): Effect.Effect<void, StoreUnavailable> =>
  Effect.forEach(
    specs.values(),
    (spec) =>
      Effect.flatMap(
        database.driver.query("SELECT to_regclass($1) IS NOT NULL AS present", [
          `${database.schema}.${ident(spec.name)}`
        ]),
        (rows) =>
          rows[0]?.present === true
            ? Effect.void
            : database.driver.execute(
                [createTableSql(database.schema, spec), ...createIndexesSql(database.schema, spec)].join("\n")
              )
      ),
    { discard: true }
  ).pipe(Effect.mapError(toUnavailable("create read-model tables")))
