/**
 * The SQL of the typed read-model tables (ReadModelTables): folded changes written in bulk through
 * `jsonb_to_recordset` (one statement per table and kind of change, of at most `statementChars` of JSON, on both
 * drivers), filters on the columns, and rows read back as the projections wrote them.
 */
import type { Row, Where } from "@registrar/domain"
import { Effect } from "effect"
import type { Segment, Written } from "./ChangeFold.js"
import { type Connection, SqlFailure } from "./Driver.js"
import { type Column, ident, type TableSpec, type TableSpecs } from "./ReadModelTables.js"

/**
 * The most JSON text one statement parses. With generic JSON rows, large documents made the server page-fault on
 * every statement (32 KB was best); into typed columns, the server's CPU for 200,000 rows was the same at 32 KB and
 * 256 KB (2.8–3.6 s), and fewer round trips wait less on a loaded machine.
 */
const statementChars = 256 * 1024

/** The JSON key that carries a row's key next to its fields (no field name starts with `@`). */
const keyField = "@key"

/** The failure of a write to a table or field that has no PostgreSQL table or column. */
export const unknownTable = (table: string): SqlFailure =>
  new SqlFailure({
    code: undefined,
    message: `read-model table ${table} has no PostgreSQL table: add it to ReadModelTables and a migration`
  })

const unknownField = (table: string, field: string): SqlFailure =>
  new SqlFailure({
    code: undefined,
    message: `read-model table ${table} has no column for field ${field}: add it to ReadModelTables and a migration`
  })

/** `{"@key": key, ...row}` as JSON text, after checking that every field of the row has a column. */
const documentOf = (spec: TableSpec, written: Written): string => {
  for (const field in written.v) {
    if (!spec.byField.has(field)) throw unknownField(spec.table, field)
  }
  const row = JSON.stringify(written.v)
  const key = `{${JSON.stringify(keyField)}:${JSON.stringify(written.k)}`
  return row === "{}" ? `${key}}` : `${key},${row.slice(1)}`
}

/** Rows as JSON arrays of at most `statementChars` each (a longer row alone). */
const documentsOf = (spec: TableSpec, rows: ReadonlyArray<Written>): Effect.Effect<ReadonlyArray<string>, SqlFailure> =>
  Effect.try({
    try: () => {
      const documents: Array<string> = []
      let parts: Array<string> = []
      let size = 0
      for (const row of rows) {
        const json = documentOf(spec, row)
        if (size > 0 && size + json.length > statementChars) {
          documents.push(`[${parts.join(",")}]`)
          parts = []
          size = 0
        }
        parts.push(json)
        size += json.length + 1
      }
      if (parts.length > 0) documents.push(`[${parts.join(",")}]`)
      return documents
    },
    catch: (cause) =>
      cause instanceof SqlFailure
        ? cause
        : new SqlFailure({ code: undefined, message: `value is not JSON: ${String(cause)}` })
  })

/** The record definition of `jsonb_to_recordset` for `columns`: JSON keys are the row's field names. */
const recordOf = (columns: ReadonlyArray<Column>): string =>
  [`${ident(keyField)} text`, ...columns.map((column) => `${ident(column.field)} ${column.type}`)].join(", ")

/** Where a table's rows go: the live table, or the fresh one a rebuild fills. */
export type Target = (spec: TableSpec) => string

/** `INSERT … ON CONFLICT DO UPDATE` of whole rows: a Put replaces every column (absent fields become NULL). */
export const upsertSql = (s: string, spec: TableSpec, table: string): string => {
  const names = spec.columns.map((column) => ident(column.name))
  return `INSERT INTO ${s}.${ident(table)} (row_key, ${names.join(", ")})
SELECT x.${ident(keyField)}, ${spec.columns.map((column) => `x.${ident(column.field)}`).join(", ")}
FROM jsonb_to_recordset($1::jsonb) AS x(${recordOf(spec.columns)})
ON CONFLICT (row_key) DO UPDATE SET ${names.map((name) => `${name} = EXCLUDED.${name}`).join(", ")}`
}

const patchSql = (s: string, table: string, columns: ReadonlyArray<Column>): string =>
  `UPDATE ${s}.${ident(table)} AS r SET ${columns
    .map((column) => `${ident(column.name)} = x.${ident(column.field)}`)
    .join(", ")}
FROM jsonb_to_recordset($1::jsonb) AS x(${recordOf(columns)})
WHERE r.row_key = x.${ident(keyField)}`

const run = (connection: Connection, sql: string, spec: TableSpec, rows: ReadonlyArray<Written>) =>
  Effect.flatMap(documentsOf(spec, rows), (documents) =>
    Effect.forEach(documents, (document) => connection.query(sql, [document], { prepared: true }), {
      discard: true
    })
  )

const byTable = <A extends { readonly t: string }>(rows: ReadonlyArray<A>): Map<string, Array<A>> => {
  const tables = new Map<string, Array<A>>()
  for (const row of rows) {
    const list = tables.get(row.t)
    if (list === undefined) tables.set(row.t, [row])
    else list.push(row)
  }
  return tables
}

const specOf = (specs: TableSpecs, table: string): Effect.Effect<TableSpec, SqlFailure> => {
  const spec = specs.get(table)
  return spec === undefined ? Effect.fail(unknownTable(table)) : Effect.succeed(spec)
}

/** A filter on the columns: `clause` with `$n` parameters numbered after `offset`. */
export interface Filter {
  readonly clause: string
  readonly parameters: ReadonlyArray<unknown>
}

/**
 * The WHERE clause of a listing: each field of `where` equal to its value (FALSE for a field without a column or a
 * value of another type, as no row holds it), and a key range for a prefix (keys in byte order start with `prefix`
 * exactly when they fall in [prefix, next)).
 */
export const filterOf = (spec: TableSpec, where: Where | undefined, prefix: string | undefined): Filter => {
  const parts: Array<string> = []
  const parameters: Array<unknown> = []
  const parameter = (value: unknown, cast: string) => {
    parameters.push(value)
    return `$${parameters.length}::${cast}`
  }
  for (const [field, value] of Object.entries(where ?? {})) {
    const column = spec.byField.get(field)
    const name = column === undefined ? "" : ident(column.name)
    if (column === undefined) parts.push("FALSE")
    else if (column.type === "jsonb") parts.push(`${name} = ${parameter(JSON.stringify(value), "jsonb")}`)
    else if ((column.type === "text" || column.type === "timestamptz") && typeof value === "string")
      parts.push(`${name} = ${parameter(value, column.type)}`)
    else if (column.type === "bigint" && typeof value === "number" && Number.isSafeInteger(value))
      parts.push(`${name} = ${parameter(value, "bigint")}`)
    else if (column.type === "boolean" && typeof value === "boolean")
      parts.push(`${name} = ${parameter(value, "boolean")}`)
    else parts.push("FALSE")
  }
  if (prefix !== undefined && prefix.length > 0) {
    const last = prefix.charCodeAt(prefix.length - 1)
    parts.push(`row_key >= ${parameter(prefix, "text")}`)
    parts.push(`row_key < ${parameter(prefix.slice(0, -1) + String.fromCharCode(last + 1), "text")}`)
  }
  return { clause: parts.length === 0 ? "TRUE" : parts.join(" AND "), parameters }
}

const copyEscaped = /[\\\t\n\r]/

/** A value in COPY's text format (backslash escapes; `\\N` is NULL); most values need none, and are kept as they are. */
const copyText = (text: string): string =>
  !copyEscaped.test(text)
    ? text
    : text.replace(/[\\\t\n\r]/g, (char) =>
        char === "\\" ? "\\\\" : char === "\t" ? "\\t" : char === "\n" ? "\\n" : "\\r"
      )

const arrayLiteral = (values: ReadonlyArray<unknown>): string =>
  `{${values.map((value) => (value === null ? "NULL" : `"${String(value).replace(/["\\]/g, (char) => `\\${char}`)}"`)).join(",")}}`

const copyValue = (column: Column, value: unknown): string => {
  if (value === null || value === undefined) return "\\N"
  switch (column.type) {
    case "jsonb":
      return copyText(JSON.stringify(value))
    case "boolean":
      return value === true ? "t" : value === false ? "f" : copyText(String(value))
    case "text[]":
      return copyText(Array.isArray(value) ? arrayLiteral(value) : String(value))
    default:
      return copyText(typeof value === "string" ? value : String(value))
  }
}

/** The size of one piece of COPY text: one huge string cost about 10× the CPU per row to build and encode. */
const copyChunkChars = 64 * 1024

/** The rows as COPY text in pieces of about `copyChunkChars`, after checking that every field has a column. */
const copyDataOf = (spec: TableSpec, rows: ReadonlyArray<Written>): ReadonlyArray<string> => {
  const chunks: Array<string> = []
  let chunk = ""
  for (const written of rows) {
    for (const field in written.v) {
      if (!spec.byField.has(field)) throw unknownField(spec.table, field)
    }
    const values = [copyText(written.k)]
    for (const column of spec.columns) values.push(copyValue(column, written.v[column.field]))
    chunk += `${values.join("\t")}\n`
    if (chunk.length >= copyChunkChars) {
      chunks.push(chunk)
      chunk = ""
    }
  }
  if (chunk.length > 0) chunks.push(chunk)
  return chunks
}

/**
 * Puts into a table by `COPY` (server connections only), as a rebuild's fresh tables are mostly filled with keys they
 * do not hold yet: about 4× less server CPU than the upsert. A key the table holds already makes the COPY fail
 * (unique violation); it is then undone to a savepoint and the rows are upserted. Answers false when it cannot copy.
 */
const copyPuts = (
  connection: Connection,
  s: string,
  spec: TableSpec,
  table: string,
  rows: ReadonlyArray<Written>
): Effect.Effect<boolean, SqlFailure> => {
  const copy = connection.copyFrom
  if (copy === undefined) return Effect.succeed(false)
  return Effect.gen(function* () {
    const data = yield* Effect.try({
      try: () => copyDataOf(spec, rows),
      catch: (cause) =>
        cause instanceof SqlFailure ? cause : new SqlFailure({ code: undefined, message: String(cause) })
    })
    yield* connection.query("SAVEPOINT read_model_copy")
    const copied = yield* copy(
      `COPY ${s}.${ident(table)} (row_key, ${spec.columns.map((column) => ident(column.name)).join(", ")}) FROM STDIN`,
      data
    ).pipe(
      Effect.as(true),
      Effect.catchIf(
        (failure) => failure.code === "23505",
        () => Effect.as(connection.query("ROLLBACK TO SAVEPOINT read_model_copy"), false)
      )
    )
    yield* connection.query("RELEASE SAVEPOINT read_model_copy")
    return copied
  })
}

/** How puts are written: upserts, or (into a rebuild's fresh tables, on a server) `COPY` first. */
export type PutMode = "upsert" | "copy"

/** Writes the segments of folded changes into the tables `target` names, in order. */
export const writeSegments = (
  connection: Connection,
  s: string,
  specs: TableSpecs,
  segments: ReadonlyArray<Segment>,
  target: Target,
  puts: PutMode = "upsert"
): Effect.Effect<void, SqlFailure> =>
  Effect.forEach(
    segments,
    (segment) =>
      Effect.gen(function* () {
        for (const [table, rows] of byTable(segment.puts)) {
          const spec = yield* specOf(specs, table)
          if (puts === "copy" && (yield* copyPuts(connection, s, spec, target(spec), rows))) continue
          yield* run(connection, upsertSql(s, spec, target(spec)), spec, rows)
        }
        for (const [table, rows] of byTable(segment.patches)) {
          const spec = yield* specOf(specs, table)
          const groups = new Map<string, Array<Written>>()
          for (const row of rows) {
            const fields = Object.keys(row.v).sort().join(",")
            const group = groups.get(fields)
            if (group === undefined) groups.set(fields, [row])
            else group.push(row)
          }
          for (const [fields, group] of groups) {
            if (fields === "") continue
            const columns: Array<Column> = []
            for (const field of fields.split(",")) {
              const column = spec.byField.get(field)
              if (column === undefined) return yield* Effect.fail(unknownField(table, field))
              columns.push(column)
            }
            yield* run(connection, patchSql(s, target(spec), columns), spec, group)
          }
        }
        for (const [table, rows] of byTable(segment.deletes)) {
          const spec = specs.get(table)
          // A table without a PostgreSQL table holds no row to delete.
          if (spec === undefined) continue
          yield* connection.query(`DELETE FROM ${s}.${ident(target(spec))} WHERE row_key = ANY($1::text[])`, [
            rows.map((row) => row.k)
          ])
        }
        if (segment.deleteWhere !== undefined) {
          const { table, field, value } = segment.deleteWhere
          const spec = specs.get(table)
          if (spec !== undefined) {
            const filter = filterOf(spec, { [field]: value }, undefined)
            yield* connection.query(`DELETE FROM ${s}.${ident(target(spec))} WHERE ${filter.clause}`, filter.parameters)
          }
        }
      }),
    { discard: true }
  )

/** The columns a read selects, in spec order. */
export const selectListOf = (spec: TableSpec): string => spec.columns.map((column) => ident(column.name)).join(", ")

const timestamp = (value: unknown): string => (value instanceof Date ? value : new Date(String(value))).toISOString()

/** A row as the projections wrote it: NULL is absent (or `null` for a nullable field), timestamps ISO with `Z`. */
export const rowOf = (spec: TableSpec, record: Readonly<Record<string, unknown>>): Row => {
  const row: Record<string, unknown> = {}
  for (const column of spec.columns) {
    const value = record[column.name]
    if (value === null || value === undefined) {
      if (column.presence === "nullable") row[column.field] = null
      continue
    }
    row[column.field] =
      column.type === "bigint" ? Number(value) : column.type === "timestamptz" ? timestamp(value) : value
  }
  return row as Row
}
