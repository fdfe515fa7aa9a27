import { chainTamperingSuite } from "@registrar/domain/testing"
import { Effect } from "effect"
import { MemoryEventStore } from "../src/index.js"

chainTamperingSuite("memory", (options) =>
  Effect.map(MemoryEventStore.makeWith(options), ({ store, backdoor }) => ({
    store,
    rewriteStream: backdoor.rewriteStream
  }))
)
