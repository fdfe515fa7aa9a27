import { blobStoreConformance } from "@registrar/domain/testing"
import { Effect } from "effect"
import * as PgBlobStore from "../src/PgBlobStore.js"
import { corruptBlob } from "./support/Blobs.js"
import { describeServer, freshServerDatabase } from "./support/Server.js"

describeServer("BlobStore", () =>
  blobStoreConformance(
    "PostgreSQL",
    Effect.map(freshServerDatabase(8), ({ database }) => ({
      store: PgBlobStore.make(database.driver, database.schemaName),
      corrupt: corruptBlob(database)
    }))
  )
)
