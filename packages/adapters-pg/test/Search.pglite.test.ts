import { searchScenarios } from "@registrar/domain/testing"
import { Effect, Layer } from "effect"
import { PgStore } from "../src/index.js"
import { sharedPglite } from "./support/Pglite.js"
import { freshSchemaName } from "./support/Schemas.js"

// The property compares the SQL compiler's pages with the evaluator's on the same history (folded in memory).
searchScenarios(
  "PGlite",
  () =>
    Layer.unwrapEffect(
      Effect.map(sharedPglite(), (client) => PgStore.layerPglite({ client, schema: freshSchemaName() }))
    ),
  { numRuns: 6, timeout: 600_000 }
)
