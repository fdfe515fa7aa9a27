import { describe } from "@effect/vitest"
import { Effect } from "effect"
import * as PgliteDriver from "../src/internal/PgliteDriver.js"
import { layerPglite } from "../src/PgStore.js"
import { sharedPglite } from "./support/Pglite.js"
import { readModelMigrationSuite } from "./support/ReadModelMigration.js"
import { freshSchemaName } from "./support/Schemas.js"

describe("Migration 13 on PGlite", () => {
  readModelMigrationSuite(
    Effect.gen(function* () {
      const client = yield* sharedPglite()
      const schemaName = freshSchemaName()
      yield* Effect.addFinalizer(() =>
        Effect.promise(() => client.exec(`DROP SCHEMA IF EXISTS "${schemaName}" CASCADE`))
      )
      return { driver: yield* PgliteDriver.make(client), schemaName, open: layerPglite({ client, schema: schemaName }) }
    })
  )
})
