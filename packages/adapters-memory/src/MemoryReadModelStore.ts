/**
 * In-memory read-model tables with the same semantics as the PostgreSQL ones: changes and checkpoint move together,
 * batches at or before the checkpoint are ignored, and a rebuild swaps fresh tables in at the end. The tables
 * themselves live in the domain (`InMemoryTables`), which also folds events into them for as-of queries.
 */
import { InMemoryTables, ReadModelStore, type ReadModelStoreShape } from "@registrar/domain"
import { Effect, Layer } from "effect"

/** Creates empty in-memory read-model tables. */
export const make: Effect.Effect<ReadModelStoreShape> = Effect.sync(InMemoryTables.make)

/** Fresh in-memory read-model tables. */
export const layer: Layer.Layer<ReadModelStore> = Layer.effect(ReadModelStore, make)
