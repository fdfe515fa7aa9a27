import { Effect, Layer } from "effect"
import { PgStore } from "../src/index.js"
import { sharedPglite } from "./support/Pglite.js"
import { freshSchemaName } from "./support/Schemas.js"
import { unsafeNameScenario } from "./support/UnsafeNames.js"

unsafeNameScenario("PGlite", () =>
  Layer.unwrapEffect(Effect.map(sharedPglite(), (client) => PgStore.layerPglite({ client, schema: freshSchemaName() })))
)
