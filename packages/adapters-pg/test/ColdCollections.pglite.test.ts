import { coldCollectionScenarios } from "@registrar/domain/testing"
import { Effect, Layer } from "effect"
import { PgStore } from "../src/index.js"
import { sharedPglite } from "./support/Pglite.js"
import { freshSchemaName } from "./support/Schemas.js"

coldCollectionScenarios(
  "PGlite",
  () =>
    Layer.unwrapEffect(
      Effect.map(sharedPglite(), (client) => PgStore.layerPglite({ client, schema: freshSchemaName() }))
    ),
  { indexed: true }
)
