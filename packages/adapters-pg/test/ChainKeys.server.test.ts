import { Effect } from "effect"
import { chainKeySuite } from "./support/ChainKeys.js"
import { describeServer, freshServerDatabase } from "./support/Server.js"

describeServer("Keyed chains", () =>
  chainKeySuite(
    "PostgreSQL",
    Effect.map(freshServerDatabase(), ({ database, pool }) => ({
      database,
      target: { pool, schema: database.schemaName }
    }))
  )
)
