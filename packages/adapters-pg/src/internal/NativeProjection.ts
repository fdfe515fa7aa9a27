/**
 * The projections a rebuild runs in SQL, next to the events, instead of reading the events out (docs/read-models.md,
 * "Rebuilding"): `VersionAssigned` and `ArtifactLinked` at their current schema versions, which are the bulk of any
 * history (a version logged, a version linked). Each gives the rows `Projections.project` gives it, column for
 * column: the artifact version and its `produced` lineage edge, and the linked version (their audit rows are read
 * from the events table itself: AuditFromLog). Every other event goes through `Projections.project` in feed order,
 * after these rows are in.
 *
 * That order is only the feed's when no later SQL-projected event writes a row an earlier TypeScript-projected
 * change touched (a version linked again at an index that was unlinked, a version assigned after it was patched).
 * Histories the deciders write never do; {@link touchOf} names what each change could collide with, so that the
 * rebuild can check and fall back to the plain one when a history does.
 */
import { type Change, Events, Projections } from "@registrar/domain"
import { ident, type TableSpecs } from "./ReadModelTables.js"

const { Table } = Projections

/** The event types projected in SQL, each at the schema version it is projected at. */
export const nativeEvents: ReadonlyArray<{ readonly type: string; readonly schemaVersion: number }> = [
  "VersionAssigned",
  "ArtifactLinked"
].map((type) => ({ type, schemaVersion: Events.currentSchemaVersion[type] ?? 1 }))

/** The read-model tables the SQL projections write. */
export const nativeTables: ReadonlyArray<string> = [Table.artifactVersions, Table.lineageEdges, Table.linkedVersions]

/** An SQL condition on events `e`: the event is projected in SQL. */
export const isNative = (alias = "e"): string =>
  `(${nativeEvents.map(({ type, schemaVersion }) => `(${alias}.type = '${type}' AND ${alias}.schema_version = ${schemaVersion})`).join(" OR ")})`

/** `Projections.pad` in SQL: at least 12 digits, never cut. */
export const pad = (text: string): string =>
  `CASE WHEN length(${text}) >= 12 THEN ${text} ELSE lpad(${text}, 12, '0') END`

/**
 * The events of one chunk, positions in (`$2`, `$3`], as `e`. The range is read by the primary key alone: `OFFSET 0`
 * keeps the other conditions out of the subquery, where the planner would otherwise combine the feed index or a
 * partial index of one type with it and read all of that index for every chunk (measured: 1.6 s a chunk of 50,000
 * against 0.9 s).
 */
const chunkEvents = (s: string): string =>
  `(SELECT * FROM ${s}.events WHERE global_position > $2::bigint AND global_position <= $3::bigint OFFSET 0) AS e`

/** The events of type `type` in a chunk: below the rebuild's horizon (`$1`, an xid8 as text). */
const chunk = (type: string): string => {
  const { schemaVersion } = nativeEvents.find((event) => event.type === type)!
  return `e.transaction_id < $1::text::xid8 AND e.type = '${type}' AND e.schema_version = ${schemaVersion}`
}

const assignedRecord = `jsonb_to_record(e.data) AS d(entity text, project text, name text, index bigint,
    "artifactType" text, digest text, files jsonb, metadata jsonb, description text, "loggedBy" jsonb)`
const linkedRecord = `jsonb_to_record(e.data) AS d(organization text, registry text, "collectionId" text, collection text,
    index bigint, source jsonb, "artifactType" text, digest text)`
/**
 * The keys the projections write (an artifact's `entity/project/name`, `Projections.runKey`, a source version's name)
 * in SQL, given how to read a text field of the event's data and a JSON one: from a `jsonb_to_record` row here, from
 * `e.data` by the audit beside the log (AuditFromLog).
 */
export const keysOf = (text: (field: string) => string, json: (field: string) => string) => ({
  artifactKey: `${text("entity")} || '/' || ${text("project")} || '/' || ${text("name")}`,
  runKey: `CASE WHEN jsonb_typeof(${json("loggedBy")}) = 'object' THEN (${json("loggedBy")} ->> 'entity') || '/' ||
    (${json("loggedBy")} ->> 'project') || '/' || (${json("loggedBy")} ->> 'runId') END`,
  sourceKey: `(${json("source")} ->> 'entity') || '/' || (${json("source")} ->> 'project') || '/' ||
    (${json("source")} ->> 'name') || ':v' || (${json("source")} ->> 'index')`
})

const recordField = (field: string) => `d."${field}"`
const { artifactKey, runKey, sourceKey } = keysOf(recordField, recordField)
/**
 * The statement that projects one chunk of events into the tables `target` names (fresh tables, without keys):
 * parameters `$1` the horizon, `$2` and `$3` the positions. Each event is read and its data unpacked once, then
 * written to every table it has rows in; the statement answers how many events it projected.
 */
export const chunkStatement = (s: string, specs: TableSpecs, target: (table: string) => string): string => {
  const into = (table: string) => {
    const spec = specs.get(table)!
    return `INSERT INTO ${s}.${ident(target(table))} (row_key, ${spec.columns.map((column) => ident(column.name)).join(", ")})`
  }
  const envelope = `e.metadata ->> 'actor' AS actor, (e.metadata ->> 'recordedAt')::timestamptz AS recorded_at`
  return `WITH assigned AS (
    SELECT ${envelope}, ${artifactKey} AS artifact_key, ${runKey} AS run_key, d.*
    FROM ${chunkEvents(s)}, ${assignedRecord} WHERE ${chunk("VersionAssigned")}
  ), linked AS (
    SELECT ${envelope}, ${sourceKey} AS source_key, d.*
    FROM ${chunkEvents(s)}, ${linkedRecord} WHERE ${chunk("ArtifactLinked")}
  ), versions AS (
    ${into(Table.artifactVersions)}
    SELECT artifact_key || ':v' || ${pad("index::text")}, entity, project, name, artifact_key, index, "artifactType",
      digest, files, metadata, description, run_key, recorded_at, actor, false, '{}'
    FROM assigned
  ), edges AS (
    ${into(Table.lineageEdges)}
    SELECT run_key || '|produced|' || artifact_key || ':v' || index, 'produced', run_key, artifact_key || ':v' || index
    FROM assigned WHERE run_key IS NOT NULL
  ), links AS (
    ${into(Table.linkedVersions)}
    SELECT "collectionId" || '/' || ${pad("index::text")}, organization, registry, "collectionId", index,
      jsonb_build_object('entity', source -> 'entity', 'project', source -> 'project', 'name', source -> 'name',
        'index', source -> 'index'),
      source_key, "artifactType", digest, recorded_at, actor
    FROM linked
  )
  SELECT ((SELECT count(*) FROM assigned) + (SELECT count(*) FROM linked))::int AS n`
}

/**
 * What an SQL-projected event could overwrite of a change made in TypeScript: the version `index` of an artifact
 * stream (a `VersionAssigned`), or of a collection stream (an `ArtifactLinked`; every index when `index` is null).
 */
export interface Touch {
  readonly streamId: string
  readonly type: "VersionAssigned" | "ArtifactLinked"
  readonly index: number | null
}

const paddedIndex = (text: string): number | undefined => (/^\d{12,}$/.test(text) ? Number(text) : undefined)

/**
 * What a change to an SQL-projected table could collide with; `undefined` for a change to another table, `"unknown"`
 * for one this cannot tell (the rebuild then falls back to the plain one).
 */
export const touchOf = (change: Change): Touch | "unknown" | undefined => {
  if (!nativeTables.includes(change.table)) return undefined
  if (change.table === Table.lineageEdges) {
    // A lineage edge's key holds its kind; a TypeScript-projected `produced` edge comes with its version's row, which
    // the artifact check below covers.
    return change._tag === "Put" ? undefined : "unknown"
  }
  if (change._tag === "DeleteWhere") {
    return change.table === Table.linkedVersions && change.field === "collectionId"
      ? { streamId: `Collection-${change.value}`, type: "ArtifactLinked", index: null }
      : "unknown"
  }
  if (change.table === Table.linkedVersions) {
    const slash = change.key.lastIndexOf("/")
    const index = paddedIndex(change.key.slice(slash + 1))
    return slash < 0 || index === undefined
      ? "unknown"
      : { streamId: `Collection-${change.key.slice(0, slash)}`, type: "ArtifactLinked", index }
  }
  const at = change.key.lastIndexOf(":v")
  const index = paddedIndex(change.key.slice(at + 2))
  return at < 0 || index === undefined
    ? "unknown"
    : { streamId: `Artifact-${change.key.slice(0, at)}`, type: "VersionAssigned", index }
}

/**
 * Whether any SQL-projected event comes after a touch of its row in the feed: `$1` the horizon, then per touch its
 * stream, event type, index (null for any) and the feed position of the change (transaction id as text, position).
 */
export const collisionSql = (s: string): string => `SELECT EXISTS (
  SELECT 1 FROM unnest($2::text[], $3::text[], $4::bigint[], $5::text[], $6::bigint[])
      AS t(stream_id, type, index, transaction_id, global_position)
    JOIN ${s}.events AS e ON e.stream_id = t.stream_id AND e.type = t.type
      AND (t.index IS NULL OR (e.data ->> 'index')::bigint = t.index)
      AND (e.transaction_id, e.global_position) > (t.transaction_id::xid8, t.global_position)
      AND e.transaction_id < $1::text::xid8
) AS collides`
