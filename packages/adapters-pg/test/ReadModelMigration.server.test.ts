import { Effect } from "effect"
import * as ServerDriver from "../src/internal/ServerDriver.js"
import { layerPool } from "../src/PgStore.js"
import { readModelMigrationSuite } from "./support/ReadModelMigration.js"
import { freshSchemaName } from "./support/Schemas.js"
import { describeServer, dropSchema, testPool } from "./support/Server.js"

describeServer("Migration 13", () => {
  readModelMigrationSuite(
    Effect.gen(function* () {
      const schemaName = freshSchemaName()
      yield* Effect.addFinalizer(() => dropSchema(schemaName))
      const pool = yield* testPool(4)
      return { driver: ServerDriver.make(pool), schemaName, open: layerPool({ pool, schema: schemaName }) }
    })
  )
})
