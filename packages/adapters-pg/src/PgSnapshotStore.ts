/** Snapshots in PostgreSQL (server or PGlite): the newest snapshot of each stream; an older one never replaces it. */
import type { Json, SnapshotStoreShape } from "@registrar/domain"
import { Effect, Option } from "effect"
import type { Database } from "./internal/Database.js"
import { toJson, toUnavailable } from "./internal/Driver.js"

/** The SnapshotStore over one schema's database. */
export const make = (database: Database): SnapshotStoreShape => {
  const { driver, schema: s } = database
  return {
    load: (streamId) =>
      driver.query(`SELECT version, schema_version, state FROM ${s}.snapshots WHERE stream_id = $1`, [streamId]).pipe(
        Effect.map((rows) =>
          Option.map(Option.fromNullable(rows[0]), (row) => ({
            streamId,
            version: Number(row.version),
            schemaVersion: Number(row.schema_version),
            state: row.state as Json
          }))
        ),
        Effect.mapError(toUnavailable("load snapshot"))
      ),
    save: (snapshot) =>
      Effect.flatMap(toJson(snapshot.state), (state) =>
        driver.query(
          `INSERT INTO ${s}.snapshots (stream_id, version, schema_version, state) VALUES ($1, $2, $3, $4::jsonb)
           ON CONFLICT (stream_id) DO UPDATE
             SET version = EXCLUDED.version, schema_version = EXCLUDED.schema_version, state = EXCLUDED.state
             WHERE snapshots.version <= EXCLUDED.version`,
          [snapshot.streamId, snapshot.version, snapshot.schemaVersion, state]
        )
      ).pipe(Effect.asVoid, Effect.mapError(toUnavailable("save snapshot")))
  }
}
