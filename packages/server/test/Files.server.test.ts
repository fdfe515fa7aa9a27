import { PgBlobStore, PgStore } from "@registrar/adapters-pg"
import { Effect } from "effect"
import { fileScenarios } from "./support/FileScenarios.js"
import * as Stores from "./support/Stores.js"
import { startServer } from "./support/TestServer.js"

Stores.describeServer("Files", () =>
  fileScenarios(
    "two servers on one PostgreSQL database with the PostgreSQL BlobStore",
    Effect.gen(function* () {
      const schema = Stores.freshSchemaName()
      yield* Effect.addFinalizer(() => Stores.dropSchema(schema))
      const url = Stores.databaseUrl ?? ""
      const primary = yield* startServer(
        PgStore.layer({ url, schema, poolSize: 4 }),
        PgBlobStore.layer({ url, schema })
      )
      const other = yield* startServer(PgStore.layer({ url, schema, poolSize: 4 }), PgBlobStore.layer({ url, schema }))
      return { primary, other }
    }),
    { twoServers: true }
  )
)
