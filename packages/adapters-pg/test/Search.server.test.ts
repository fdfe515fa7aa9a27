import { searchScenarios } from "@registrar/domain/testing"
import { Effect, Layer } from "effect"
import { PgStore } from "../src/index.js"
import { databaseUrl, describeServer, dropSchema } from "./support/Server.js"
import { freshSchemaName } from "./support/Schemas.js"

// The property compares the SQL compiler's pages with the evaluator's on the same history (folded in memory).
describeServer("Search", () =>
  searchScenarios(
    "PostgreSQL",
    () =>
      Layer.unwrapScoped(
        Effect.gen(function* () {
          const schema = freshSchemaName()
          yield* Effect.addFinalizer(() => dropSchema(schema))
          return PgStore.layer({ url: databaseUrl!, schema, poolSize: 4 })
        })
      ),
    { numRuns: 6, timeout: 600_000 }
  )
)
