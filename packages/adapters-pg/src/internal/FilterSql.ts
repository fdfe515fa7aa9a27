/**
 * The filter language compiled to SQL (docs/search.md): a `SearchQuery` becomes one SELECT over the typed
 * read-model tables with every operand a bound parameter — field names come only from the fixed table of columns
 * below, never from the filter. Its meaning is the domain's evaluator's (`Filter.matches`), which a property test
 * checks page for page: type-bracketed metadata comparisons, lists matched by any item, `$ne`/`$nin`/`$not` as
 * complements (every condition is coalesced to false before it is negated).
 */
import type { Filter, Row, SearchHit, SearchQuery } from "@registrar/domain"
import { ident, type TableSpec, type TableSpecs } from "./ReadModelTables.js"
import { rowOf } from "./TableSql.js"

type Ast = Filter.Filter
type Operation = Filter.Operation
type Kind = Filter.FieldKind

/** A SQL expression and the kind of value it holds. */
export interface Expression {
  readonly sql: string
  readonly kind: Kind
  /**
   * For a list: "holds any of these values" as an indexable condition, used for `$eq`, `$ne`, `$in` and `$nin`
   * instead of building the list for every row (the aliases of a version are rows of their own).
   */
  readonly holdsAny?: (values: string) => string
}

/**
 * Where each filter field of a level lives in SQL: the expression of (alias, field). The one place that knows the
 * tables' columns; the typed tables of ReadModelTables (`rm_T`, snake_case columns).
 */
export interface Columns {
  /** A table's FROM item under an alias: `schema."rm_T" AS alias`. */
  readonly from: (table: string, alias: string) => string
  /** A row field's column under an alias. */
  readonly column: (alias: string, field: string) => string
}

/** Columns of the typed tables of schema `s`. */
export const typedColumns = (s: string, specs: TableSpecs): Columns => ({
  from: (table, alias) => {
    const spec = specs.get(table)
    if (spec === undefined) throw new Error(`no PostgreSQL table for read-model table ${table}`)
    return `${s}.${ident(spec.name)} AS ${alias}`
  },
  column: (alias, field) => `${alias}.${ident(field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`))}`
})

/** Collects bound parameters: each value becomes `$n`. */
class Parameters {
  readonly values: Array<unknown> = []
  add(value: unknown, cast = ""): string {
    this.values.push(value)
    return `$${this.values.length}${cast}`
  }
}

const castOf: Readonly<Record<Kind, string>> = {
  text: "",
  number: "::bigint",
  time: "::timestamptz",
  texts: "",
  json: "::jsonb"
}

const comparison: Readonly<Record<string, string>> = { $eq: "=", $lt: "<", $gt: ">", $lte: "<=", $gte: ">=" }

const bool = (sql: string): string => `coalesce((${sql}), false)`

/** A condition on a JSON value `value` (metadata at a path). */
const jsonCondition = (value: string, operation: Operation, p: Parameters): string => {
  const typed = (type: string, then: string) =>
    `CASE WHEN jsonb_typeof(${value}) = '${type}' THEN ${then} ELSE false END`
  switch (operation._tag) {
    case "Exists":
      return operation.exists ? `${value} IS NOT NULL` : `${value} IS NULL`
    case "Compare": {
      if (operation.operator === "$eq" || operation.operator === "$ne") {
        const equal = bool(`${value} = ${p.add(JSON.stringify(operation.value), "::jsonb")}`)
        return operation.operator === "$eq" ? equal : `NOT ${equal}`
      }
      const operator = comparison[operation.operator]
      return typeof operation.value === "number"
        ? typed("number", `(${value} #>> '{}')::numeric ${operator} ${p.add(String(operation.value), "::numeric")}`)
        : typed("string", `(${value} #>> '{}') COLLATE "C" ${operator} ${p.add(operation.value)}`)
    }
    case "Membership": {
      const list = p.add(JSON.stringify(operation.values), "::jsonb")
      if (operation.operator === "$all") {
        return typed(
          "array",
          `NOT EXISTS (SELECT 1 FROM jsonb_array_elements(${list}) AS wanted(item) WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(${value}) AS held(item) WHERE held.item = wanted.item))`
        )
      }
      const found = bool(
        `EXISTS (SELECT 1 FROM jsonb_array_elements(${list}) AS listed(item) WHERE listed.item = ${value})`
      )
      return operation.operator === "$in" ? found : `NOT ${found}`
    }
    case "Regex":
      return typed("string", `(${value} #>> '{}') ~ ${p.add(operation.pattern)}`)
    case "Contains":
      return typed("string", `strpos(${value} #>> '{}', ${p.add(operation.text)}) > 0`)
    case "Size":
      return typed("array", `jsonb_array_length(${value}) = ${p.add(operation.size)}::int`)
  }
}

/** A condition on a list of texts (tag, alias): any item matching. */
const listCondition = (expression: Expression, operation: Operation, p: Parameters): string => {
  const list = expression.sql
  const { holdsAny } = expression
  if (holdsAny !== undefined) {
    if (operation._tag === "Compare" && (operation.operator === "$eq" || operation.operator === "$ne")) {
      // Never NULL, and left bare so that the planner can use it as an index condition.
      const found = holdsAny(p.add([operation.value], "::text[]"))
      return operation.operator === "$eq" ? found : `NOT ${found}`
    }
    if (operation._tag === "Membership" && operation.operator !== "$all") {
      const found = holdsAny(p.add(operation.values, "::text[]"))
      return operation.operator === "$in" ? found : `NOT ${found}`
    }
  }
  switch (operation._tag) {
    case "Exists":
      return operation.exists ? "true" : "false"
    case "Compare": {
      const found = bool(`${p.add(operation.value)}::text = ANY(${list})`)
      return operation.operator === "$eq" ? found : operation.operator === "$ne" ? `NOT ${found}` : "false"
    }
    case "Membership": {
      const values = p.add(operation.values, "::text[]")
      if (operation.operator === "$all") return bool(`${list} @> ${values}`)
      const found = bool(`${list} && ${values}`)
      return operation.operator === "$in" ? found : `NOT ${found}`
    }
    case "Regex":
      return `EXISTS (SELECT 1 FROM unnest(${list}) AS item(text) WHERE item.text ~ ${p.add(operation.pattern)})`
    case "Contains":
      return `EXISTS (SELECT 1 FROM unnest(${list}) AS item(text) WHERE strpos(item.text, ${p.add(operation.text)}) > 0)`
    case "Size":
      return bool(`cardinality(${list}) = ${p.add(operation.size)}::int`)
  }
}

/** A condition on one value: text, number or time. */
const scalarCondition = (expression: Expression, operation: Operation, p: Parameters): string => {
  const { sql } = expression
  const cast = castOf[expression.kind]
  switch (operation._tag) {
    case "Exists":
      return operation.exists ? `${sql} IS NOT NULL` : `${sql} IS NULL`
    case "Compare": {
      if (operation.operator === "$ne") return `NOT ${bool(`${sql} = ${p.add(operation.value, cast)}`)}`
      return bool(`${sql} ${comparison[operation.operator]} ${p.add(operation.value, cast)}`)
    }
    case "Membership": {
      const found = bool(`${sql} = ANY(${p.add(operation.values, `${cast === "" ? "::text" : cast}[]`)})`)
      return operation.operator === "$nin" ? `NOT ${found}` : found
    }
    case "Regex":
      return bool(`${sql} ~ ${p.add(operation.pattern)}`)
    case "Contains":
      return bool(`strpos(${sql}, ${p.add(operation.text)}) > 0`)
    case "Size":
      return "false"
  }
}

/** Compiles a filter over the fields `fields` gives (by filter field name) into a boolean SQL expression. */
export const compileFilter = (filter: Ast, fields: Readonly<Record<string, Expression>>, p: Parameters): string => {
  switch (filter._tag) {
    case "And":
      return filter.filters.length === 0
        ? "true"
        : `(${filter.filters.map((part) => compileFilter(part, fields, p)).join(" AND ")})`
    case "Or":
      return `(${filter.filters.map((part) => compileFilter(part, fields, p)).join(" OR ")})`
    case "Nor":
      return `NOT (${filter.filters.map((part) => compileFilter(part, fields, p)).join(" OR ")})`
    case "Not":
      return `NOT ${compileFilter(filter.filter, fields, p)}`
    case "Condition": {
      const expression = fields[filter.field.field]
      // Parsing admits only the level's fields; anything else would be a bug, and matches nothing.
      if (expression === undefined) return "false"
      if (expression.kind === "json") {
        const value =
          filter.field.path.length === 0
            ? expression.sql
            : `(${expression.sql} #> ${p.add([...filter.field.path], "::text[]")})`
        return `(${jsonCondition(value, filter.operation, p)})`
      }
      if (expression.kind === "texts") return `(${listCondition(expression, filter.operation, p)})`
      return `(${scalarCondition(expression, filter.operation, p)})`
    }
  }
}

/** The compiled SELECT of a search, and its parameters. */
export interface CompiledSearch {
  readonly sql: string
  readonly parameters: ReadonlyArray<unknown>
}

/** Compiles a search into one SELECT over the typed tables of schema `s`. */
export const compileSearch = (query: SearchQuery, columns: Columns): CompiledSearch => {
  const p = new Parameters()
  const { column: col, from } = columns
  const registryFields: Record<string, Expression> = {
    id: { sql: "r.row_key", kind: "text" },
    name: { sql: `('wandb-registry-' || ${col("r", "registry")})`, kind: "text" },
    description: { sql: col("r", "description"), kind: "text" },
    created_at: { sql: col("r", "createdAt"), kind: "time" },
    updated_at: { sql: col("r", "createdAt"), kind: "time" }
  }
  const collectionFields: Record<string, Expression> = {
    id: { sql: col("c", "collectionId"), kind: "text" },
    name: { sql: col("c", "name"), kind: "text" },
    tag: { sql: `coalesce(${col("c", "tags")}, '{}'::text[])`, kind: "texts" },
    description: { sql: col("c", "description"), kind: "text" },
    created_at: { sql: col("c", "createdAt"), kind: "time" },
    updated_at: { sql: col("c", "createdAt"), kind: "time" },
    type: { sql: col("c", "artifactType"), kind: "text" }
  }
  const scopeOrganization = p.add(query.organization)
  // `latest` is the highest index of the collection; the other aliases are rows, in key (alias) order.
  const latest = `(SELECT max(${col("x", "index")}) FROM ${from("linked_versions", "x")} WHERE ${col("x", "collectionId")} = ${col("v", "collectionId")})`
  const aliases = `((CASE WHEN ${col("v", "index")} = ${latest} THEN ARRAY['latest']::text[] ELSE ARRAY[]::text[] END) || ARRAY(SELECT ${col("al", "alias")} FROM ${from("collection_aliases", "al")} WHERE ${col("al", "linkedVersion")} = v.row_key ORDER BY al.row_key))`
  const versionFields: Record<string, Expression> = {
    id: { sql: "v.row_key", kind: "text" },
    version: { sql: col("v", "index"), kind: "number" },
    tag: { sql: `coalesce(${col("a", "tags")}, '{}'::text[])`, kind: "texts" },
    alias: {
      sql: aliases,
      kind: "texts",
      // The keys of the versions holding one of the aliases, computed once (an InitPlan) and matched by primary key;
      // `latest` by each collection's highest index, read from the (collection_id, index) index alone, as the key
      // `Key.linkedVersion` makes of it (`COLLECTION/000000000007`).
      holdsAny: (values) =>
        `v.row_key = ANY(ARRAY(SELECT ${col("al", "linkedVersion")} FROM ${from("collection_aliases", "al")} WHERE ${col("al", "alias")} = ANY(${values}) UNION ALL SELECT ${col("lc", "collectionId")} || '/' || lpad(newest.index::text, 12, '0') FROM ${from("collections", "lc")} CROSS JOIN LATERAL (SELECT max(${col("x", "index")}) AS index FROM ${from("linked_versions", "x")} WHERE ${col("x", "collectionId")} = ${col("lc", "collectionId")}) AS newest WHERE newest.index IS NOT NULL AND ${col("lc", "organization")} = ${scopeOrganization} AND 'latest' = ANY(${values})))`
    },
    metadata: { sql: col("a", "metadata"), kind: "json" },
    created_at: { sql: col("v", "linkedAt"), kind: "time" },
    updated_at: { sql: col("v", "linkedAt"), kind: "time" },
    type: { sql: col("v", "artifactType"), kind: "text" },
    source: { sql: col("v", "sourceKey"), kind: "text" }
  }
  const scope = `${col("r", "organization")} = ${scopeOrganization} AND r.row_key = ANY(${p.add([...query.registryIds], "::text[]")})`
  const sortOf = (fields: Record<string, Expression>) => fields[query.order.field] as Expression
  const page = (fields: Record<string, Expression>) => {
    const sort = sortOf(fields)
    const id = fields.id as Expression
    const direction = query.order.descending ? "DESC" : "ASC"
    const after =
      query.after === undefined
        ? "true"
        : `(${sort.sql}, ${id.sql}) ${query.order.descending ? "<" : ">"} (${p.add(query.after.value, castOf[sort.kind])}, ${p.add(query.after.id)})`
    return {
      after,
      orderBy: `ORDER BY ${sort.sql} ${direction}, ${id.sql} ${direction} LIMIT ${p.add(query.limit)}::int`
    }
  }
  if (query.level === "registries") {
    const where = compileFilter(query.filter, registryFields, p)
    const { after, orderBy } = page(registryFields)
    return {
      sql: `SELECT to_jsonb(r) AS row FROM ${from("registries", "r")} WHERE ${scope} AND ${where} AND ${after} ${orderBy}`,
      parameters: p.values
    }
  }
  const joinRegistry = `JOIN ${from("registries", "r")} ON ${col("r", "organization")} = ${col("c", "organization")} AND ${col("r", "registry")} = ${col("c", "registry")}`
  const registries = compileFilter(query.registries, registryFields, p)
  if (query.level === "collections") {
    const where = compileFilter(query.filter, collectionFields, p)
    const { after, orderBy } = page(collectionFields)
    return {
      sql: `SELECT to_jsonb(c) AS row FROM ${from("collections", "c")} ${joinRegistry} WHERE ${scope} AND ${registries} AND ${where} AND ${after} ${orderBy}`,
      parameters: p.values
    }
  }
  const collections = compileFilter(query.collections, collectionFields, p)
  const where = compileFilter(query.filter, versionFields, p)
  const { after, orderBy } = page(versionFields)
  const sourceKey = `(${col("v", "source")}->>'entity') || '/' || (${col("v", "source")}->>'project') || '/' || (${col("v", "source")}->>'name') || ':v' || lpad(${col("v", "source")}->>'index', 12, '0')`
  return {
    sql: `SELECT to_jsonb(v) AS row, to_jsonb(c) AS collection, to_jsonb(a) AS source, to_jsonb(${aliases}) AS aliases
      FROM ${from("linked_versions", "v")}
      JOIN ${from("collections", "c")} ON c.row_key = ${col("v", "collectionId")}
      ${joinRegistry}
      LEFT JOIN ${from("artifact_versions", "a")} ON a.row_key = ${sourceKey}
      WHERE ${scope} AND ${registries} AND ${collections} AND ${where} AND ${after} ${orderBy}`,
    parameters: p.values
  }
}

const parsed = (value: unknown): Readonly<Record<string, unknown>> =>
  (typeof value === "string" ? JSON.parse(value) : value) as Readonly<Record<string, unknown>>

/** A row of `to_jsonb(alias)` as the projections wrote it. */
const rowFrom = (spec: TableSpec | undefined, value: unknown): Row => {
  const record = parsed(value)
  return spec === undefined ? (record as Row) : rowOf(spec, record)
}

/** The hits of a compiled search's result rows. */
export const hitsOf = (
  query: SearchQuery,
  specs: TableSpecs,
  rows: ReadonlyArray<Readonly<Record<string, unknown>>>
): ReadonlyArray<SearchHit> => {
  const table =
    query.level === "registries" ? "registries" : query.level === "collections" ? "collections" : "linked_versions"
  return rows.map((result): SearchHit => {
    const row = rowFrom(specs.get(table), result.row)
    if (query.level !== "versions") return { row }
    const source =
      result.source === null || result.source === undefined
        ? null
        : rowFrom(specs.get("artifact_versions"), result.source)
    return {
      row,
      collection: rowFrom(specs.get("collections"), result.collection),
      aliases: parsed(result.aliases) as unknown as ReadonlyArray<string>,
      source
    }
  })
}
