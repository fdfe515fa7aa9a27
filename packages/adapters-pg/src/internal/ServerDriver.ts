/**
 * The {@link Driver} for a PostgreSQL server, over a `pg` pool. Single statements go through `pool.query`;
 * transactions hold one client, which is destroyed rather than returned when its connection failed.
 */
import { createHash } from "node:crypto"
import { Readable } from "node:stream"
import { pipeline } from "node:stream/promises"
import { Effect, Exit } from "effect"
import type pg from "pg"
import { from as copyFrom } from "pg-copy-streams"
import {
  type Connection,
  type Driver,
  inTransaction,
  type QueryOptions,
  isConnectionFailure,
  type SqlFailure,
  type SqlRow,
  toSqlFailure
} from "./Driver.js"

const ignoreError = (): void => {}

const statementNames = new Map<string, string>()

/** The name of a prepared statement: derived from its text, so one text always has one name on every connection. */
const statementName = (sql: string): string => {
  let name = statementNames.get(sql)
  if (name === undefined) {
    name = `registrar_${createHash("sha256").update(sql).digest("hex").slice(0, 24)}`
    statementNames.set(sql, name)
  }
  return name
}

/** The query config `pg` takes: named (prepared once per connection) when asked, else a plain parameterised query. */
const config = (sql: string, params: ReadonlyArray<unknown> | undefined, options: QueryOptions | undefined) => ({
  text: sql,
  ...(params === undefined ? {} : { values: [...params] }),
  ...(options?.prepared === true ? { name: statementName(sql) } : {})
})

const connectionOf = (client: pg.PoolClient, failed: { connection: boolean }): Connection => {
  const track = (failure: SqlFailure) =>
    Effect.sync(() => {
      if (isConnectionFailure(failure)) failed.connection = true
    })
  return {
    query: (sql, params, options) =>
      Effect.tryPromise({
        try: () => client.query(config(sql, params, options)),
        catch: toSqlFailure
      }).pipe(
        Effect.tapError(track),
        Effect.map((result): ReadonlyArray<SqlRow> => result.rows)
      ),
    execute: (script) =>
      Effect.tryPromise({ try: () => client.query(script), catch: toSqlFailure }).pipe(
        Effect.tapError(track),
        Effect.asVoid
      ),
    copyFrom: (sql, data) =>
      Effect.tryPromise({
        try: () => pipeline(Readable.from(data.map((piece) => Buffer.from(piece))), client.query(copyFrom(sql))),
        catch: toSqlFailure
      }).pipe(Effect.tapError(track))
  }
}

/** A {@link Connection} on one checked-out client, for code (and tests) that hold a client themselves. */
export const clientConnection = (client: pg.PoolClient | pg.Client): Connection =>
  connectionOf(client as pg.PoolClient, { connection: false })

/** A driver over `pool`; the pool stays owned by the caller. */
export const make = (pool: pg.Pool): Driver => {
  // An idle client whose server went away emits "error" on the pool; without a listener that would crash the process.
  if (pool.listenerCount("error") === 0) pool.on("error", ignoreError)

  const withConnection: Driver["withConnection"] = (body) =>
    Effect.acquireUseRelease(
      Effect.tryPromise({ try: () => pool.connect(), catch: toSqlFailure }).pipe(
        Effect.tap((client) => Effect.sync(() => client.on("error", ignoreError))),
        Effect.map((client) => ({ client, failed: { connection: false } }))
      ),
      ({ client, failed }) => body(connectionOf(client, failed)),
      ({ client, failed }, exit) =>
        Effect.sync(() => {
          client.removeListener("error", ignoreError)
          client.release(failed.connection || (Exit.isFailure(exit) && Exit.isInterrupted(exit)) ? true : undefined)
        })
    )

  return {
    kind: "server",
    query: (sql, params, options) =>
      Effect.tryPromise({
        try: () => pool.query(config(sql, params, options)),
        catch: toSqlFailure
      }).pipe(Effect.map((result): ReadonlyArray<SqlRow> => result.rows)),
    execute: (script) => Effect.tryPromise({ try: () => pool.query(script), catch: toSqlFailure }).pipe(Effect.asVoid),
    transaction: (body) => withConnection((connection) => inTransaction(connection, body)),
    withConnection
  }
}
