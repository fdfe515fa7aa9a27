import { eventStoreConformance } from "@registrar/domain/testing"
import { Effect } from "effect"
import { MemoryEventStore } from "../src/index.js"

eventStoreConformance(
  "memory",
  Effect.map(MemoryEventStore.make, ({ store, backdoor }) => ({ store, ...backdoor }))
)
