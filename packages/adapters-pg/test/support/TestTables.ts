/** The tables the generic read-model tests write (conformance, rebuilds, projector faults), every column optional. */
import {
  type ColumnType,
  registrarTables,
  specsOf,
  type TableSpecs,
  tableSpec
} from "../../src/internal/ReadModelTables.js"

const optional = (columns: Readonly<Record<string, ColumnType>>) =>
  Object.fromEntries(Object.entries(columns).map(([field, type]) => [field, { type, presence: "optional" as const }]))

const thingColumns = optional({
  key: "text",
  name: "text",
  group: "text",
  size: "bigint",
  extra: "boolean",
  nested: "jsonb",
  emoji: "text",
  n: "bigint",
  label: "text",
  patched: "boolean"
})

/** The test tables; `things` has its `group` indexed, as a filtered field. */
export const testTables: TableSpecs = specsOf([
  tableSpec("things", thingColumns, ["group"]),
  tableSpec("others", thingColumns),
  tableSpec("links", optional({ n: "bigint", kind: "text" })),
  tableSpec("pages", optional({ n: "bigint", kind: "text" })),
  tableSpec("counters", optional({ value: "bigint", count: "bigint" })),
  tableSpec("seen", optional({ streamId: "text", position: "bigint" })),
  tableSpec("bulk", optional({ group: "text", index: "bigint", patched: "boolean" }), ["group"])
])

/** Registrar's tables and the test tables together. */
export const allTestTables: TableSpecs = new Map([...registrarTables, ...testTables])
