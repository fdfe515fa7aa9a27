/**
 * The {@link Driver} for embedded PGlite: one connection, so every statement and every transaction takes a
 * one-permit semaphore, and a transaction keeps it from BEGIN to COMMIT.
 */
import type { PGlite } from "@electric-sql/pglite"
import { Effect } from "effect"
import { type Connection, type Driver, inTransaction, type SqlRow, toSqlFailure } from "./Driver.js"

/** A driver over an open PGlite instance; the instance stays owned by the caller. */
export const make = (database: PGlite): Effect.Effect<Driver> =>
  Effect.map(Effect.makeSemaphore(1), (semaphore): Driver => {
    const raw: Connection = {
      query: (sql, params) =>
        Effect.tryPromise({
          try: () => database.query<SqlRow>(sql, params === undefined ? undefined : [...params]),
          catch: toSqlFailure
        }).pipe(Effect.map((result): ReadonlyArray<SqlRow> => result.rows)),
      execute: (script) =>
        Effect.tryPromise({ try: () => database.exec(script), catch: toSqlFailure }).pipe(Effect.asVoid)
    }
    const exclusive = semaphore.withPermits(1)
    return {
      kind: "pglite",
      query: (sql, params) => exclusive(raw.query(sql, params)),
      execute: (script) => exclusive(raw.execute(script)),
      transaction: (body) => exclusive(inTransaction(raw, body)),
      withConnection: (body) => exclusive(body(raw))
    }
  })
