import { Effect } from "effect"
import { chainKeySuite } from "./support/ChainKeys.js"
import { freshPgliteDatabase, sharedPglite } from "./support/Pglite.js"

chainKeySuite(
  "PGlite",
  Effect.gen(function* () {
    const database = yield* freshPgliteDatabase()
    return { database, target: { client: yield* sharedPglite(), schema: database.schemaName } }
  })
)
