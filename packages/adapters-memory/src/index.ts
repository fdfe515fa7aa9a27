/**
 * In-memory adapters for Registrar: EventStore, read-model and snapshot stores with the semantics of the
 * PostgreSQL adapter, for tests and for services that embed a throwaway registry.
 */
import { Layer } from "effect"
import * as MemoryEventStore from "./MemoryEventStore.js"
import * as MemoryReadModelStore from "./MemoryReadModelStore.js"
import * as MemorySnapshotStore from "./MemorySnapshotStore.js"

export { MemoryEventStore, MemoryReadModelStore, MemorySnapshotStore }

/** All of Registrar's stores, in memory: EventStore, ReadModelStore and SnapshotStore. */
export const layer = Layer.mergeAll(MemoryEventStore.layer, MemoryReadModelStore.layer, MemorySnapshotStore.layer)

/** All of Registrar's stores, in memory, with options of the EventStore (a chain key). */
export const layerWith = (options: MemoryEventStore.MemoryEventStoreOptions) =>
  Layer.mergeAll(MemoryEventStore.layerWith(options), MemoryReadModelStore.layer, MemorySnapshotStore.layer)
