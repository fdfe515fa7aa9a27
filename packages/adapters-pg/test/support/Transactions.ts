/**
 * Explicit transactions on the test server, held open across steps: BEGIN; append; …; COMMIT or ROLLBACK. The
 * client is destroyed afterwards, so a terminated or half-finished session never returns to a pool.
 */
import type { AppendResult, EventIdReused, ExpectedVersion, NewEvent, VersionConflict } from "@registrar/domain"
import { Effect, type Scope } from "effect"
import type pg from "pg"
import { appendOn } from "../../src/internal/Append.js"
import type { Database } from "../../src/internal/Database.js"
import { type SqlFailure, type SqlRow, toSqlFailure } from "../../src/internal/Driver.js"
import { clientConnection } from "../../src/internal/ServerDriver.js"

/** A transaction in progress on its own connection. */
export interface OpenTransaction {
  /** The server process of the connection (for pg_terminate_backend). */
  readonly pid: number
  readonly append: (
    streamId: string,
    events: ReadonlyArray<NewEvent>,
    expected: ExpectedVersion
  ) => Effect.Effect<AppendResult, VersionConflict | EventIdReused | SqlFailure>
  readonly query: (sql: string, params?: ReadonlyArray<unknown>) => Effect.Effect<ReadonlyArray<SqlRow>, SqlFailure>
  /** COMMIT, then announce the append to waiting readers, as the store does after its own commits. */
  readonly commit: Effect.Effect<void, SqlFailure>
  readonly rollback: Effect.Effect<void, SqlFailure>
}

/** BEGIN on a fresh client from `pool`; the client is destroyed when the scope closes. */
export const openTransaction = (
  database: Database,
  pool: pg.Pool
): Effect.Effect<OpenTransaction, SqlFailure, Scope.Scope> =>
  Effect.gen(function* () {
    const client = yield* Effect.acquireRelease(
      Effect.tryPromise({ try: () => pool.connect(), catch: toSqlFailure }),
      (client) =>
        Effect.sync(() => {
          client.on("error", () => {})
          client.release(true)
        })
    )
    client.on("error", () => {})
    const connection = clientConnection(client)
    const [row] = yield* connection.query("SELECT pg_backend_pid() AS pid")
    yield* connection.query("BEGIN")
    return {
      pid: Number(row?.pid),
      append: (streamId, events, expected) =>
        Effect.map(appendOn(connection, database.schema, streamId, events, expected), ({ result }) => result),
      query: connection.query,
      commit: Effect.zipRight(connection.query("COMMIT"), database.announceAppend),
      rollback: Effect.asVoid(connection.query("ROLLBACK"))
    }
  })

/** Terminates a server process from another connection. */
export const terminate = (database: Database, pid: number): Effect.Effect<boolean, SqlFailure> =>
  Effect.map(database.driver.query("SELECT pg_terminate_backend($1) AS done", [pid]), (rows) => rows[0]?.done === true)
