import { Effect } from "effect"
import { fileScenarios } from "./support/FileScenarios.js"
import * as Stores from "./support/Stores.js"
import { startServer } from "./support/TestServer.js"

fileScenarios(
  "embedded PGlite with the filesystem BlobStore",
  Effect.map(startServer(Stores.pglite), (primary) => ({ primary }))
)
