/**
 * In-memory read-model tables with the same semantics as the PostgreSQL ones: changes and checkpoint move together,
 * batches at or before the checkpoint are ignored, and a rebuild swaps fresh tables in at the end.
 */
import {
  type Change,
  type ChangeBatch,
  type Checkpoint,
  compareCheckpoints,
  Origin,
  ReadModelStore,
  type ReadModelStoreShape,
  type Row,
  type Where
} from "@registrar/domain"
import { Effect, Layer, Option, Stream } from "effect"

type Tables = Map<string, Map<string, Row>>

const applyChange = (tables: Tables, change: Change): void => {
  let table = tables.get(change.table)
  if (table === undefined) {
    table = new Map()
    tables.set(change.table, table)
  }
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

const matches = (row: Row, where: Where | undefined): boolean => {
  if (where === undefined) return true
  for (const field in where) if (row[field] !== where[field]) return false
  return true
}

/** Creates empty in-memory read-model tables. */
export const make = Effect.sync((): ReadModelStoreShape => {
  let tables: Tables = new Map()
  let checkpoint: Checkpoint = Origin

  const applyBatch = (target: Tables, batch: ChangeBatch) => {
    for (const change of batch.changes) applyChange(target, change)
  }

  return {
    checkpoint: Effect.sync(() => checkpoint),
    apply: (batch) =>
      Effect.sync(() => {
        if (compareCheckpoints(batch.checkpoint, checkpoint) <= 0) return
        applyBatch(tables, batch)
        checkpoint = batch.checkpoint
      }),
    get: (table, key) => Effect.sync(() => Option.fromNullable(tables.get(table)?.get(key))),
    list: (table, where) =>
      Effect.sync(() => {
        const rows = tables.get(table)
        if (rows === undefined) return []
        return [...rows.entries()]
          .filter(([, row]) => matches(row, where))
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([, row]) => row)
      }),
    replaceAll: (batches) =>
      Effect.gen(function* () {
        const fresh: Tables = new Map()
        let last: Checkpoint = Origin
        yield* Stream.runForEach(batches, (batch) =>
          Effect.sync(() => {
            applyBatch(fresh, batch)
            last = batch.checkpoint
          })
        )
        tables = fresh
        checkpoint = last
      })
  }
})

/** Fresh in-memory read-model tables. */
export const layer: Layer.Layer<ReadModelStore> = Layer.effect(ReadModelStore, make)
