/**
 * The PostgreSQL table of each read-model table (docs/read-models.md): logical table `T` is `rm_T`, keyed by
 * `row_key text COLLATE "C"` (byte order), with one column per top-level row field named by its snake_case. The
 * columns are typed from the domain's row types: a field added to a row type without a column here fails to compile,
 * and a test checks these specs against the tables migration 13 creates.
 */
import { Projections } from "@registrar/domain"

/** The SQL type of a column. */
export type ColumnType = "text" | "bigint" | "boolean" | "text[]" | "jsonb" | "timestamptz"

/**
 * How a column's NULL reads: `required` and `optional` fields are absent from the row when NULL (a required field is
 * never written as NULL by the projections), `nullable` ones are present as `null`.
 */
export type Presence = "required" | "optional" | "nullable"

/** One column: the row field it holds, its SQL name and type, and how NULL reads. */
export interface Column {
  readonly field: string
  readonly name: string
  readonly type: ColumnType
  readonly presence: Presence
}

/**
 * One index: its name suffix (`rm_T_<suffix>`), the column expressions it covers, btree or GIN, and the column it
 * leaves out the rows of when that is NULL (`partialOn`: a partial index `WHERE column IS NOT NULL`).
 */
export interface Index {
  readonly suffix: string
  readonly columns: ReadonlyArray<string>
  readonly using: "btree" | "gin"
  readonly partialOn?: string
}

/** A read-model table in PostgreSQL. */
export interface TableSpec {
  /** The logical table, as the projections name it. */
  readonly table: string
  /** The PostgreSQL table name, unquoted (`rm_<table>`). */
  readonly name: string
  readonly columns: ReadonlyArray<Column>
  readonly byField: ReadonlyMap<string, Column>
  readonly indexes: ReadonlyArray<Index>
}

/** The read-model tables a store holds, by logical table name. */
export type TableSpecs = ReadonlyMap<string, TableSpec>

/** A column declaration: its type, and its presence when not required. */
export type ColumnDeclaration = ColumnType | { readonly type: ColumnType; readonly presence: Presence }

type ColumnTypeOf<V> = [V] extends [string]
  ? "text" | "timestamptz"
  : [V] extends [number]
    ? "bigint"
    : [V] extends [boolean]
      ? "boolean"
      : [V] extends [ReadonlyArray<string>]
        ? "text[]" | "jsonb"
        : "jsonb"

type DeclarationOf<R, K extends keyof R> =
  {} extends Pick<R, K>
    ? { readonly type: ColumnTypeOf<Exclude<R[K], undefined>>; readonly presence: "optional" }
    : null extends R[K]
      ? { readonly type: ColumnTypeOf<Exclude<R[K], null>>; readonly presence: "nullable" }
      : ColumnTypeOf<R[K]>

/** The columns of row type `R`: one per field, typed as the field is (a missing or extra field does not compile). */
export type ColumnsOf<R> = { readonly [K in keyof R]-?: DeclarationOf<R, K> }

/** `collectionId` → `collection_id`. */
export const snakeCase = (field: string): string => field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)

/** A table spec from column declarations and the extra indexes its queries need (beyond one per filtered field). */
export const tableSpec = (
  table: string,
  declarations: Readonly<Record<string, ColumnDeclaration>>,
  filtered: ReadonlyArray<string> = [],
  extraIndexes: ReadonlyArray<Index> = []
): TableSpec => {
  const columns = Object.entries(declarations).map(
    ([field, declaration]): Column =>
      typeof declaration === "string"
        ? { field, name: snakeCase(field), type: declaration, presence: "required" }
        : { field, name: snakeCase(field), type: declaration.type, presence: declaration.presence }
  )
  const byField = new Map(columns.map((column) => [column.field, column]))
  const indexes: Array<Index> = filtered.map((field) => {
    const column = byField.get(field)
    if (column === undefined) throw new Error(`read-model table ${table}: filtered field ${field} has no column`)
    // With the key after it, a filtered listing reads in key order from the index. Filters are equalities, never
    // "is absent", so a field rows may lack is indexed only where present (the audit's organization, registry and
    // collection: most events have none): smaller, cheaper to build, and nothing to write for the rows without it.
    const index: Index = { suffix: `${column.name}_idx`, columns: [column.name, "row_key"], using: "btree" }
    return column.presence === "required" ? index : { ...index, partialOn: column.name }
  })
  return { table, name: `rm_${table}`, columns, byField, indexes: [...indexes, ...extraIndexes] }
}

/** A btree index on `columns`. */
export const btree = (suffix: string, ...columns: ReadonlyArray<string>): Index => ({
  suffix,
  columns,
  using: "btree"
})

/** Specs by logical table name. */
export const specsOf = (specs: ReadonlyArray<TableSpec>): TableSpecs => new Map(specs.map((spec) => [spec.table, spec]))

const { Table, indexedFields: filtered } = Projections
const typed =
  <R>() =>
  (table: string, columns: ColumnsOf<R>, extraIndexes: ReadonlyArray<Index> = []): TableSpec =>
    tableSpec(
      table,
      columns as unknown as Readonly<Record<string, ColumnDeclaration>>,
      filtered[table] ?? [],
      extraIndexes
    )

/** Registrar's read-model tables (the projections' `Table`), with the indexes of `indexedFields` and the filters'. */
export const registrarTables: TableSpecs = specsOf([
  typed<Projections.OrganizationRow>()(Table.organizations, {
    organization: "text",
    displayName: "text",
    createdAt: "timestamptz"
  }),
  typed<Projections.OrganizationMemberRow>()(Table.organizationMembers, {
    organization: "text",
    user: "text",
    role: "text"
  }),
  typed<Projections.TeamRow>()(Table.teams, { team: "text", organization: "text" }),
  typed<Projections.TeamMemberRow>()(Table.teamMembers, { team: "text", organization: "text", user: "text" }),
  typed<Projections.UserRow>()(Table.users, { user: "text" }),
  typed<Projections.RegistryRow>()(
    Table.registries,
    {
      registryId: { type: "text", presence: "optional" },
      organization: "text",
      registry: "text",
      visibility: "text",
      description: "text",
      protectedAliases: "text[]",
      createdAt: "timestamptz",
      createdBy: "text"
    },
    [btree("registry_idx", "registry"), btree("created_at_idx", "created_at")]
  ),
  typed<Projections.RegistryGrantRow>()(Table.registryGrants, {
    registryKey: "text",
    principal: "jsonb",
    role: "text"
  }),
  typed<Projections.RegistryAcceptedTypeRow>()(Table.registryAcceptedTypes, {
    registryKey: "text",
    artifactType: "text"
  }),
  typed<Projections.CollectionRow>()(
    Table.collections,
    {
      organization: "text",
      registry: "text",
      collectionId: "text",
      name: "text",
      artifactType: "text",
      description: "text",
      tags: "text[]",
      createdAt: "timestamptz",
      createdBy: "text"
    },
    [btree("created_at_idx", "created_at")]
  ),
  typed<Projections.LinkedVersionRow>()(
    Table.linkedVersions,
    {
      organization: "text",
      registry: "text",
      collectionId: "text",
      index: "bigint",
      source: "jsonb",
      sourceKey: "text",
      artifactType: "text",
      digest: "text",
      linkedAt: "timestamptz",
      linkedBy: "text"
    },
    [btree("collection_id_index_idx", "collection_id", "index"), btree("linked_at_idx", "linked_at")]
  ),
  typed<Projections.CollectionAliasRow>()(Table.collectionAliases, {
    collectionId: "text",
    alias: "text",
    index: "bigint",
    linkedVersion: "text"
  }),
  typed<Projections.ArtifactVersionRow>()(
    Table.artifactVersions,
    {
      entity: "text",
      project: "text",
      name: "text",
      artifactKey: "text",
      index: "bigint",
      artifactType: "text",
      digest: "text",
      files: "jsonb",
      metadata: "jsonb",
      description: "text",
      loggedBy: { type: "text", presence: "nullable" },
      loggedAt: "timestamptz",
      loggedByUser: "text",
      deleted: "boolean",
      tags: { type: "text[]", presence: "optional" }
    },
    [
      btree("name_idx", "name"),
      btree("logged_at_idx", "logged_at"),
      { suffix: "metadata_idx", columns: ["metadata jsonb_path_ops"], using: "gin" }
    ]
  ),
  typed<Projections.ArtifactAliasRow>()(Table.artifactAliases, { artifactKey: "text", alias: "text", index: "bigint" }),
  typed<Projections.LineageEdgeRow>()(Table.lineageEdges, { kind: "text", run: "text", version: "text" }),
  typed<Projections.AuditRow>()(Table.audit, {
    globalPosition: "bigint",
    transactionId: "bigint",
    streamId: "text",
    streamPosition: "bigint",
    eventId: "text",
    type: "text",
    schemaVersion: "bigint",
    actor: "text",
    recordedAt: "timestamptz",
    hash: "text",
    organization: { type: "text", presence: "nullable" },
    registry: { type: "text", presence: "nullable" },
    collectionId: { type: "text", presence: "nullable" },
    entity: { type: "text", presence: "nullable" },
    summary: "text"
  })
])

/** Quotes an identifier for SQL text. */
export const ident = (name: string): string => `"${name.replaceAll('"', '""')}"`

const sqlType = (type: ColumnType): string =>
  type === "text" ? `text COLLATE "C"` : type === "text[]" ? `text[] COLLATE "C"` : type

/** `CREATE TABLE` of `spec` under the name `name` (default its own), without its primary key or indexes. */
export const createTableSql = (s: string, spec: TableSpec, name = spec.name, primaryKey = true): string =>
  `CREATE TABLE ${s}.${ident(name)} (
  row_key text COLLATE "C" NOT NULL${primaryKey ? ` CONSTRAINT ${ident(`${name}_pkey`)} PRIMARY KEY` : ""},
${spec.columns.map((column) => `  ${ident(column.name)} ${sqlType(column.type)}`).join(",\n")}
);`

/** The `CREATE INDEX` statements of `spec` on table `name`, each index named `<name>_<suffix>`. */
export const createIndexesSql = (s: string, spec: TableSpec, name = spec.name): ReadonlyArray<string> =>
  spec.indexes.map(
    (index) =>
      `CREATE INDEX ${ident(`${name}_${index.suffix}`)} ON ${s}.${ident(name)} USING ${index.using} (${index.columns
        .map((column) => (column.includes(" ") ? column.replace(/^(\S+)/, (name) => ident(name)) : ident(column)))
        .join(", ")})${index.partialOn === undefined ? "" : ` WHERE ${ident(index.partialOn)} IS NOT NULL`};`
  )
