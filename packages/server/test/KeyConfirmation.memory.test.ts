import * as MemoryStores from "@registrar/adapters-memory"
import { Effect, Layer } from "effect"
import { keyConfirmationScenarios } from "./support/KeyConfirmation.js"
import { startServer } from "./support/TestServer.js"

keyConfirmationScenarios(
  "two servers on one memory store",
  Effect.gen(function* () {
    const stores = Layer.succeedContext(yield* Layer.build(MemoryStores.layer))
    const primary = yield* startServer(stores)
    const other = yield* startServer(stores)
    return { primary, other }
  })
)
