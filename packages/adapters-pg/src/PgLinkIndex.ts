/**
 * The LinkIndex over PostgreSQL (server or PGlite): `ArtifactLinked` events found through the partial indexes of
 * migration 12, one indexed row per lookup however long the collection's stream is.
 */
import type { JsonObject, LinkIndexShape, StoredLink } from "@registrar/domain"
import { Effect, Option } from "effect"
import type { Database } from "./internal/Database.js"
import type { SqlRow } from "./internal/Driver.js"
import { toUnavailable } from "./internal/Driver.js"

const toStoredLink = (row: SqlRow): StoredLink => ({
  type: "ArtifactLinked",
  schemaVersion: Number(row.schema_version),
  data: row.data as JsonObject
})

/** The LinkIndex over one schema's events. */
export const make = (database: Database): LinkIndexShape => {
  const { driver, schema: s } = database
  // The expressions match the indexes' (migration 12) so the planner uses them.
  const byIndexSql = `SELECT schema_version, data FROM ${s}.events
    WHERE type = 'ArtifactLinked' AND stream_id = $1 AND (data->>'index')::bigint = $2 LIMIT 1`
  const bySourceSql = `SELECT schema_version, data FROM ${s}.events
    WHERE type = 'ArtifactLinked' AND stream_id = $1 AND data->'source'->>'name' = $2
      AND (data->'source'->>'index')::bigint = $3 AND data->'source'->>'project' = $4
      AND data->'source'->>'entity' = $5 AND (data->>'index')::bigint < $6
    ORDER BY (data->>'index')::bigint DESC LIMIT 1`
  return {
    linkOfIndex: (streamId, index) =>
      driver.query(byIndexSql, [streamId, index]).pipe(
        Effect.map((rows) => Option.map(Option.fromNullable(rows[0]), toStoredLink)),
        Effect.mapError(toUnavailable("find a linked version"))
      ),
    lastLinkOfSource: (streamId, source, below) =>
      driver.query(bySourceSql, [streamId, source.name, source.index, source.project, source.entity, below]).pipe(
        Effect.map((rows) => Option.map(Option.fromNullable(rows[0]), toStoredLink)),
        Effect.mapError(toUnavailable("find the link of a source version"))
      )
  }
}
