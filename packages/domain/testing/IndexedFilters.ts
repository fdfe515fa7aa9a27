/**
 * A check that the read models are only filtered on the fields `Projections.indexedFields` lists for their tables:
 * a database store indexes only those, and a filter on another field would read every row of the table.
 */
import { Effect, Stream } from "effect"
import {
  type Change,
  type ChangeBatch,
  type IndexedFields,
  Projections,
  type ReadModelStoreShape,
  type Where
} from "../src/index.js"

const unindexed = (indexed: IndexedFields, table: string, fields: ReadonlyArray<string>): Effect.Effect<void> => {
  if (!Object.hasOwn(indexed, table)) return Effect.void
  const missing = fields.filter((field) => !indexed[table]!.includes(field))
  return missing.length === 0
    ? Effect.void
    : Effect.dieMessage(
        `table ${table} filtered on ${missing.join(", ")}, which Projections.indexedFields does not list`
      )
}

const fieldsOf = (where: Where | undefined): ReadonlyArray<string> => (where === undefined ? [] : Object.keys(where))

const checkChanges = (indexed: IndexedFields, changes: ReadonlyArray<Change>): Effect.Effect<void> =>
  Effect.forEach(
    changes,
    (change) => (change._tag === "DeleteWhere" ? unindexed(indexed, change.table, [change.field]) : Effect.void),
    { discard: true }
  )

/** `store`, dying when a table of `indexed` is filtered (by a query or a DeleteWhere) on a field it does not list. */
export const filteringOnlyOnIndexedFields = (
  store: ReadModelStoreShape,
  indexed: IndexedFields = Projections.indexedFields
): ReadModelStoreShape => ({
  ...store,
  apply: (batch) => Effect.zipRight(checkChanges(indexed, batch.changes), store.apply(batch)),
  list: (table, where, options) =>
    Effect.zipRight(unindexed(indexed, table, fieldsOf(where)), store.list(table, where, options)),
  count: (table, where, prefix) =>
    Effect.zipRight(unindexed(indexed, table, fieldsOf(where)), store.count(table, where, prefix)),
  replaceAll: (batches) =>
    store.replaceAll(Stream.tap(batches, (batch: ChangeBatch) => checkChanges(indexed, batch.changes)))
})
