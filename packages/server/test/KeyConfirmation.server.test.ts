import { PgStore } from "@registrar/adapters-pg"
import { Effect } from "effect"
import { keyConfirmationScenarios } from "./support/KeyConfirmation.js"
import * as Stores from "./support/Stores.js"
import { startServer } from "./support/TestServer.js"

Stores.describeServer("Key confirmation", () =>
  keyConfirmationScenarios(
    "two servers on one PostgreSQL database",
    Effect.gen(function* () {
      const schema = Stores.freshSchemaName()
      yield* Effect.addFinalizer(() => Stores.dropSchema(schema))
      const url = Stores.databaseUrl ?? ""
      const primary = yield* startServer(PgStore.layer({ url, schema, poolSize: 4 }))
      const other = yield* startServer(PgStore.layer({ url, schema, poolSize: 4 }))
      return { primary, other }
    })
  )
)
