import { PgBlobStore, PgStore } from "@registrar/adapters-pg"
import { Effect } from "effect"
import pg from "pg"
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
      const corrupt = (sha256: string) =>
        Effect.promise(async () => {
          const client = new pg.Client({ connectionString: url })
          await client.connect()
          try {
            await client.query(
              `UPDATE "${schema}".blob_chunks SET data = set_byte(data, 0, get_byte(data, 0) # 255)
               WHERE n = 0 AND upload_id = (SELECT upload_id FROM "${schema}".blobs WHERE sha256 = $1)`,
              [sha256]
            )
          } finally {
            await client.end()
          }
        })
      return { primary, other, corrupt }
    }),
    { twoServers: true }
  )
)
