import { blobStoreConformance } from "@registrar/domain/testing"
import { Effect } from "effect"
import * as PgBlobStore from "../src/PgBlobStore.js"
import { corruptBlob } from "./support/Blobs.js"
import { freshPgliteDatabase } from "./support/Pglite.js"

blobStoreConformance(
  "PGlite",
  Effect.map(freshPgliteDatabase(), (database) => ({
    store: PgBlobStore.make(database.driver, database.schemaName),
    corrupt: corruptBlob(database)
  }))
)
