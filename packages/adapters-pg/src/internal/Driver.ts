/**
 * The small driver interface that lets the same SQL run on a PostgreSQL server (through `pg`) and on embedded
 * PGlite: one statement with parameters, a script of statements, and a transaction on one connection.
 */
import { StoreUnavailable } from "@registrar/domain"
import { Data, Effect, Exit } from "effect"

/** A failure reported by the database or by the connection to it. */
export class SqlFailure extends Data.TaggedError("SqlFailure")<{
  /** The SQLSTATE code, when the database answered; undefined for connection failures. */
  readonly code: string | undefined
  readonly message: string
}> {}

/** Turns whatever a driver threw into a {@link SqlFailure}. */
export const toSqlFailure = (cause: unknown): SqlFailure => {
  if (cause instanceof SqlFailure) return cause
  if (typeof cause === "object" && cause !== null) {
    const record = cause as { code?: unknown; message?: unknown; detail?: unknown }
    const code = typeof record.code === "string" && /^[0-9A-Z]{5}$/.test(record.code) ? record.code : undefined
    const base = typeof record.message === "string" && record.message !== "" ? record.message : String(cause)
    const detail = typeof record.detail === "string" && record.detail !== "" ? ` (${record.detail})` : ""
    const system = code === undefined && typeof record.code === "string" ? ` [${record.code}]` : ""
    return new SqlFailure({ code, message: `${base}${detail}${system}` })
  }
  return new SqlFailure({ code: undefined, message: String(cause) })
}

/** Whether a failure means the connection itself is gone (it must not go back to a pool). */
export const isConnectionFailure = (failure: SqlFailure): boolean =>
  failure.code === undefined || failure.code.startsWith("08") || failure.code.startsWith("57P")

/** Maps a driver failure to the domain's typed error, naming the operation that failed. */
export const toUnavailable =
  (operation: string) =>
  (failure: SqlFailure): StoreUnavailable =>
    new StoreUnavailable({
      operation,
      detail: failure.code === undefined ? failure.message : `${failure.message} (SQLSTATE ${failure.code})`
    })

/** The failure of a value JSON cannot hold (a cycle, a bigint). */
export const notJson = (cause: unknown): SqlFailure =>
  new SqlFailure({ code: undefined, message: `value is not JSON: ${String(cause)}` })

/** Encodes a parameter as JSON text; a value JSON cannot hold fails instead of throwing. */
export const toJson = (value: unknown): Effect.Effect<string, SqlFailure> =>
  Effect.try({ try: () => JSON.stringify(value), catch: notJson })

/** A row as the driver returns it; adapters decode the columns they selected. */
export type SqlRow = Readonly<Record<string, unknown>>

/** How one statement is sent. */
export interface QueryOptions {
  /**
   * Send it as a named prepared statement, parsed and planned once per server connection and then only bound and
   * executed. For the few hot statements whose text never changes (the appends); PGlite ignores it.
   */
  readonly prepared?: boolean
}

/** One database session. */
export interface Connection {
  /** Runs one statement with positional parameters (`$1`, `$2`, …) and returns its rows. */
  readonly query: (
    sql: string,
    params?: ReadonlyArray<unknown>,
    options?: QueryOptions
  ) => Effect.Effect<ReadonlyArray<SqlRow>, SqlFailure>
  /** Runs a script of statements without parameters. */
  readonly execute: (script: string) => Effect.Effect<void, SqlFailure>
  /**
   * Runs `COPY … FROM STDIN` (`sql`) with `data` in COPY's text format, in pieces of whole lines; only server
   * connections can (PGlite's COPY reads files, not the client).
   */
  readonly copyFrom?: (sql: string, data: ReadonlyArray<string>) => Effect.Effect<void, SqlFailure>
}

/** A database reached through a pool (server) or one serialized connection (PGlite). */
export interface Driver extends Connection {
  readonly kind: "server" | "pglite"
  /** Runs `body` on one connection between BEGIN and COMMIT; rolls back when `body` fails or is interrupted. */
  readonly transaction: <A, E, R>(
    body: (connection: Connection) => Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E | SqlFailure, R>
  /** Runs `body` with one connection held for it, outside any transaction unless `body` opens one. */
  readonly withConnection: <A, E, R>(
    body: (connection: Connection) => Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E | SqlFailure, R>
}

/** BEGIN, `body`, then COMMIT, or ROLLBACK when `body` fails or is interrupted; shared by both drivers. */
export const inTransaction = <A, E, R>(
  connection: Connection,
  body: (connection: Connection) => Effect.Effect<A, E, R>
): Effect.Effect<A, E | SqlFailure, R> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.gen(function* () {
      yield* connection.query("BEGIN")
      const exit = yield* Effect.exit(restore(body(connection)))
      if (Exit.isSuccess(exit)) {
        yield* connection.query("COMMIT")
        return exit.value
      }
      yield* Effect.ignore(connection.query("ROLLBACK"))
      return yield* exit
    })
  )
