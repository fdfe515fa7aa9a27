/**
 * In-memory read-model tables behind the ReadModelStore port, with the same semantics as the PostgreSQL ones:
 * changes and checkpoint move together, batches at or before the checkpoint are ignored, and a rebuild swaps fresh
 * tables in at the end. Built synchronously, so the domain can fold events into a throwaway read model (as-of
 * queries) and the memory adapter can wrap it.
 */
import { Effect, Option, Stream } from "effect"
import { type Checkpoint, compareCheckpoints, Origin } from "../EventStore.js"
import type { Change, ChangeBatch, ListOptions, ReadModelStoreShape, Row, Where } from "../ReadModelStore.js"

/** Rows by key. */
export type Table = Map<string, Row>

/** Tables by name. */
export type Tables = Map<string, Table>

const tableOf = (tables: Tables, name: string): Table => {
  let table = tables.get(name)
  if (table === undefined) {
    table = new Map()
    tables.set(name, table)
  }
  return table
}

/** Applies one change to `tables`, in place. */
export const applyChange = (tables: Tables, change: Change): void => {
  const table = tableOf(tables, change.table)
  switch (change._tag) {
    case "Put":
      table.set(change.key, change.row)
      return
    case "Patch": {
      const row = table.get(change.key)
      if (row !== undefined) table.set(change.key, { ...row, ...change.patch })
      return
    }
    case "Delete":
      table.delete(change.key)
      return
    case "DeleteWhere":
      for (const [key, row] of table) if (row[change.field] === change.value) table.delete(key)
      return
  }
}

/** Applies changes to `tables` in order, in place. */
export const applyChanges = (tables: Tables, changes: Iterable<Change>): void => {
  for (const change of changes) applyChange(tables, change)
}

/** Whether every field listed in `where` has the given value in `row`. */
export const matches = (row: Row, where: Where | undefined): boolean => {
  if (where === undefined) return true
  for (const field in where) if (row[field] !== where[field]) return false
  return true
}

const byKey = ([a]: readonly [string, Row], [b]: readonly [string, Row]): number => (a < b ? -1 : a > b ? 1 : 0)

/** The rows of `table` that match `where`, ordered by key (code-unit order, as PostgreSQL's `COLLATE "C"`). */
export const listRows = (
  tables: Tables,
  table: string,
  where?: Where,
  options: ListOptions = {}
): ReadonlyArray<Row> => {
  const rows = tables.get(table)
  if (rows === undefined) return []
  const { prefix, after, descending } = options
  const sorted = [...rows.entries()]
    .filter(
      ([key, row]) =>
        (prefix === undefined || key.startsWith(prefix)) &&
        (after === undefined || (descending ? key < after : key > after)) &&
        matches(row, where)
    )
    .sort(byKey)
  if (options.descending) sorted.reverse()
  return (options.limit === undefined ? sorted : sorted.slice(0, options.limit)).map(([, row]) => row)
}

/** How many rows of `table` match `where` and `prefix`. */
export const countRows = (tables: Tables, table: string, where?: Where, prefix?: string): number => {
  const rows = tables.get(table)
  if (rows === undefined) return 0
  let count = 0
  for (const [key, row] of rows) if ((prefix === undefined || key.startsWith(prefix)) && matches(row, where)) count++
  return count
}

/** Creates empty in-memory read-model tables. */
export const make = (): ReadModelStoreShape => {
  let tables: Tables = new Map()
  let checkpoint: Checkpoint = Origin
  return {
    checkpoint: Effect.sync(() => checkpoint),
    apply: (batch) =>
      Effect.sync(() => {
        if (compareCheckpoints(batch.checkpoint, checkpoint) <= 0) return
        applyChanges(tables, batch.changes)
        checkpoint = batch.checkpoint
      }),
    get: (table, key) => Effect.sync(() => Option.fromNullable(tables.get(table)?.get(key))),
    list: (table, where, options) => Effect.sync(() => listRows(tables, table, where, options)),
    count: (table, where, prefix) => Effect.sync(() => countRows(tables, table, where, prefix)),
    replaceAll: (batches) =>
      Effect.suspend(() => {
        const fresh: Tables = new Map()
        let last: Checkpoint = Origin
        return Stream.runForEach(batches, (batch: ChangeBatch) =>
          Effect.sync(() => {
            applyChanges(fresh, batch.changes)
            last = batch.checkpoint
          })
        ).pipe(
          Effect.tap(() =>
            Effect.sync(() => {
              tables = fresh
              checkpoint = last
            })
          )
        )
      })
  }
}
