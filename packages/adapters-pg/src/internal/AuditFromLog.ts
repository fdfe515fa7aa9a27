/**
 * The audit history beside the log (docs/read-models.md, "The audit history beside the log"): an audit row holds the
 * event's envelope, its organization, registry, collection or entity, and a summary line, all of which the event row
 * holds or implies. For the events that are the bulk of any history (`VersionAssigned` and `ArtifactLinked` at their
 * current schema versions, as NativeProjection names them) the store keeps no copy: their rows are read from the
 * events table, up to the read models' checkpoint, through partial indexes of the events table by collection,
 * registry and actor (migration 16, whose predicates a test holds to `nativeEvents`). Every other event's row is kept
 * in `rm_audit` as before. A listing merges the two in key order (the key is the feed position, so the events' feed
 * index gives that order).
 *
 * This keeps the rebuild from writing and indexing a second copy of the log (about a third of its time at a million
 * events), at the cost of three partial indexes that each append of those events maintains.
 */
import { type Change, Projections, type Where } from "@registrar/domain"
import { keysOf, nativeEvents, pad } from "./NativeProjection.js"
import { ident, type TableSpec } from "./ReadModelTables.js"
import type { Filter } from "./TableSql.js"

const { Table } = Projections

/** Whether a change is an audit row the events table serves, which the store therefore does not keep. */
export const servedFromLog = (change: Change): boolean =>
  change._tag === "Put" &&
  change.table === Table.audit &&
  nativeEvents.some((event) => event.type === change.row.type && event.schemaVersion === change.row.schemaVersion)

/** Text in byte order, as the read-model tables hold it (their text columns are `COLLATE "C"`). */
const text = (expression: string): string => `(${expression}) COLLATE "C"`
const none = `NULL::text COLLATE "C"`
const field = (name: string): string => `(e.data ->> '${name}')`

/** The audit columns every event row gives the same way. */
const envelope: Readonly<Record<string, string>> = {
  row_key: text(`${pad("e.transaction_id::text")} || '/' || ${pad("e.global_position::text")}`),
  global_position: "e.global_position",
  transaction_id: "e.transaction_id::text::bigint",
  stream_id: text("e.stream_id"),
  stream_position: "e.stream_position",
  event_id: text("e.event_id"),
  type: text("e.type"),
  schema_version: "e.schema_version::bigint",
  actor: text("e.metadata ->> 'actor'"),
  recorded_at: "(e.metadata ->> 'recordedAt')::timestamptz",
  hash: text("e.hash")
}

const { artifactKey, runKey, sourceKey } = keysOf(field, (name) => `(e.data -> '${name}')`)

/** The rest of each served event type's row: what `Projections.auditRow` gives it, column for column. */
const served: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  VersionAssigned: {
    organization: none,
    registry: none,
    collection_id: none,
    entity: text(field("entity")),
    summary: text(
      `'logged ' || ${artifactKey} || ':v' || ${field("index")} || ' (' || ${field("artifactType")} || ')' ||
        COALESCE(' from run ' || ${runKey}, '')`
    )
  },
  ArtifactLinked: {
    organization: text(field("organization")),
    registry: text(field("registry")),
    collection_id: text(field("collectionId")),
    entity: none,
    summary: text(
      `'linked ' || ${sourceKey} || ' as wandb-registry-' || ${field("registry")} || '/' || ${field("collection")} ||
        ':v' || ${field("index")}`
    )
  }
}

/**
 * The audit rows of one served event type, as a subquery `a` with the audit table's columns and `feed_tx` (the
 * event's transaction, by which the feed index orders): the events up to the read models' checkpoint, so that the
 * history never shows an event the other read models do not reflect yet.
 */
const servedRows = (s: string, spec: TableSpec, type: string, schemaVersion: number): string => {
  const columns = { ...envelope, ...served[type] }
  const list = ["row_key", ...spec.columns.map((column) => column.name)].map((name) => {
    const expression = columns[name]
    if (expression === undefined) throw new Error(`the audit beside the log has no column ${name}`)
    return `${expression} AS ${ident(name)}`
  })
  return `(SELECT ${list.join(", ")}, e.transaction_id AS feed_tx FROM ${s}.events AS e
    WHERE e.type = '${type}' AND e.schema_version = ${schemaVersion}
      AND (e.transaction_id, e.global_position) <=
        (SELECT c.transaction_id::text::xid8, c.global_position FROM ${s}.read_model_checkpoint AS c)) AS a`
}

/** A feed key (`Key.audit`) as its transaction and position, when it is one. */
const feedOf = (key: string): { readonly transactionId: string; readonly position: string } | undefined => {
  const match = /^(\d{12,})\/(\d{12,})$/.exec(key)
  // Without the padding: xid8 reads a leading zero as octal.
  return match === null
    ? undefined
    : { transactionId: BigInt(match[1]!).toString(), position: BigInt(match[2]!).toString() }
}

/**
 * The served event types that can have rows with `where`: an equality on a column a type always leaves NULL (a
 * version logged has no collection) selects none of its rows, so its part is left out of the statement (the planner
 * would otherwise plan a scan it never runs, and compile it).
 */
const possible = (spec: TableSpec, where: Where | undefined) =>
  nativeEvents.filter(({ type }) =>
    Object.keys(where ?? {}).every((field) => served[type]![spec.byField.get(field)?.name ?? ""] !== none)
  )

/**
 * What to read of the audit history: a filter (`filterOf` of `where`), and optionally a keyset range, an order and a
 * limit.
 */
export interface AuditRead {
  readonly where: Where | undefined
  readonly filter: Filter
  readonly after?: string
  readonly descending?: boolean
  readonly limit?: number
  /** Only the row with this key. */
  readonly key?: string
}

/**
 * The statement listing audit rows: each part (the kept rows, and the rows of each served type) read in key order
 * by its own index and cut at the limit, then merged.
 */
export const listSql = (
  s: string,
  spec: TableSpec,
  read: AuditRead
): { readonly sql: string; readonly parameters: ReadonlyArray<unknown> } => {
  const parameters = [...read.filter.parameters]
  const parameter = (value: unknown, cast: string) => {
    parameters.push(value)
    return `$${parameters.length}::${cast}`
  }
  const order = read.descending === true ? "DESC" : "ASC"
  const beyond = read.descending === true ? "<" : ">"
  const limit = read.limit === undefined ? "" : ` LIMIT ${Math.max(0, Math.floor(read.limit))}`
  let kept = read.filter.clause
  let events = read.filter.clause
  if (read.key !== undefined) {
    const key = parameter(read.key, "text")
    kept += ` AND row_key = ${key}`
    events += ` AND row_key = ${key}`
    const feed = feedOf(read.key)
    // The position alone finds the event by the events' primary key.
    events += feed === undefined ? " AND FALSE" : ` AND global_position = ${parameter(feed.position, "bigint")}`
  }
  if (read.after !== undefined) {
    const after = parameter(read.after, "text")
    kept += ` AND row_key ${beyond} ${after}`
    events += ` AND row_key ${beyond} ${after}`
    const feed = feedOf(read.after)
    if (feed !== undefined) {
      // The same range in the feed index's terms, so that a page starts where the previous one ended.
      events += ` AND (feed_tx, global_position) ${beyond} (${parameter(feed.transactionId, "text")}::xid8, ${parameter(feed.position, "bigint")})`
    }
  }
  const columns = ["row_key", ...spec.columns.map((column) => ident(column.name))].join(", ")
  const parts = [
    `(SELECT ${columns} FROM ${s}.${ident(spec.name)} WHERE ${kept} ORDER BY row_key ${order}${limit})`,
    ...possible(spec, read.where).map(
      ({ type, schemaVersion }) =>
        `(SELECT ${columns} FROM ${servedRows(s, spec, type, schemaVersion)} WHERE ${events}
          ORDER BY feed_tx ${order}, global_position ${order}${limit})`
    )
  ]
  return {
    sql: `SELECT ${columns} FROM (${parts.join("\nUNION ALL\n")}) AS audit ORDER BY row_key ${order}${limit}`,
    parameters
  }
}

/** The statement counting the audit rows `where` selects (`filter` is its `filterOf`). */
export const countSql = (s: string, spec: TableSpec, where: Where | undefined, filter: Filter): string =>
  `SELECT count(*)::int AS n FROM (${[
    `SELECT 1 FROM ${s}.${ident(spec.name)} WHERE ${filter.clause}`,
    ...possible(spec, where).map(
      ({ type, schemaVersion }) => `SELECT 1 FROM ${servedRows(s, spec, type, schemaVersion)} WHERE ${filter.clause}`
    )
  ].join(" UNION ALL ")}) AS audit`
