import { readAccessScenarios } from "@registrar/domain/testing"
import { Effect, Layer } from "effect"
import { PgStore } from "../src/index.js"
import { sharedPglite } from "./support/Pglite.js"
import { freshSchemaName } from "./support/Schemas.js"

// A few random histories only: the memory store runs the property at length, PGlite checks the same SQL answers it.
readAccessScenarios(
  "PGlite",
  () =>
    Layer.unwrapEffect(
      Effect.map(sharedPglite(), (client) => PgStore.layerPglite({ client, schema: freshSchemaName() }))
    ),
  { numRuns: 2, timeout: 240_000 }
)
