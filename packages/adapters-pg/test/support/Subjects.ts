/** Conformance subjects built on a test database: the stores, and tampering by raw SQL as an attacker would. */
import type { ReadModelStoreShape, SnapshotStoreShape, StoreUnavailable } from "@registrar/domain"
import type { ConformanceSubject, TamperSubject, TamperSubjectOptions } from "@registrar/domain/testing"
import { Effect, type Scope } from "effect"
import type { Database } from "../../src/internal/Database.js"
import * as PgEventStore from "../../src/PgEventStore.js"
import * as PgReadModelStore from "../../src/PgReadModelStore.js"
import * as PgSnapshotStore from "../../src/PgSnapshotStore.js"
import { allTestTables } from "./TestTables.js"

/** The EventStore of `database`, with `editEvent` (UPDATE the row's data) and `deleteEvent` (DELETE the row). */
export const eventStoreSubject = (database: Database): ConformanceSubject => ({
  store: PgEventStore.make(database),
  editEvent: (eventId, data) =>
    database.driver.query(`UPDATE ${database.schema}.events SET data = $2::jsonb WHERE event_id = $1`, [
      eventId,
      JSON.stringify(data)
    ]),
  deleteEvent: (eventId) =>
    database.driver.query(`DELETE FROM ${database.schema}.events WHERE event_id = $1`, [eventId])
})

/** The ReadModelStore of a fresh database, with Registrar's tables and the generic tests' tables. */
export const readModelStoreOf = <E>(
  database: Effect.Effect<Database, E, Scope.Scope>
): Effect.Effect<ReadModelStoreShape, E | StoreUnavailable, Scope.Scope> =>
  Effect.flatMap(database, (db) => PgReadModelStore.make(db, { tables: allTestTables }))

/** The SnapshotStore of a fresh database. */
export const snapshotStoreOf = <E>(
  database: Effect.Effect<Database, E, Scope.Scope>
): Effect.Effect<SnapshotStoreShape, E, Scope.Scope> => Effect.map(database, PgSnapshotStore.make)

/** The EventStore of `database` (keyed as `options` say), with `rewriteStream` done by raw SQL in a transaction. */
export const tamperSubject = (database: Database, options: TamperSubjectOptions = {}): TamperSubject => ({
  store: PgEventStore.make(database, options),
  rewriteStream: (streamId, keep) =>
    database.driver.transaction((connection) =>
      Effect.gen(function* () {
        const s = database.schema
        yield* connection.query(`DELETE FROM ${s}.events WHERE stream_id = $1 AND NOT (event_id = ANY ($2::text[]))`, [
          streamId,
          keep.map((event) => event.eventId)
        ])
        for (const event of keep) {
          yield* connection.query(`UPDATE ${s}.events SET data = $2::jsonb, hash = $3 WHERE event_id = $1`, [
            event.eventId,
            JSON.stringify(event.data),
            event.hash
          ])
        }
        const last = keep[keep.length - 1]
        if (last === undefined) yield* connection.query(`DELETE FROM ${s}.streams WHERE stream_id = $1`, [streamId])
        else
          yield* connection.query(`UPDATE ${s}.streams SET version = $2, last_hash = $3 WHERE stream_id = $1`, [
            streamId,
            keep.length,
            last.hash
          ])
      })
    )
})
