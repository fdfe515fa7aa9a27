import { ReadModelStore } from "@registrar/domain"
import { filteringOnlyOnIndexedFields, registrarScenarios } from "@registrar/domain/testing"
import { Effect, Layer } from "effect"
import * as MemoryStores from "../src/index.js"

registrarScenarios("memory", () => MemoryStores.layer)

// The same scenarios, failing if a query filters on a field a database store does not index.
registrarScenarios("memory, filtering only on indexed fields", () =>
  Layer.mergeAll(
    MemoryStores.MemoryEventStore.layer,
    MemoryStores.MemorySnapshotStore.layer,
    Layer.effect(ReadModelStore, Effect.map(MemoryStores.MemoryReadModelStore.make, filteringOnlyOnIndexedFields))
  )
)
