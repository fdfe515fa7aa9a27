import { governanceScenarios } from "@registrar/domain/testing"
import { Effect, Layer } from "effect"
import { PgStore } from "../src/index.js"
import { databaseUrl, describeServer, dropSchema } from "./support/Server.js"
import { freshSchemaName } from "./support/Schemas.js"

describeServer("Governance", () =>
  governanceScenarios("PostgreSQL", () =>
    Layer.unwrapScoped(
      Effect.gen(function* () {
        const schema = freshSchemaName()
        yield* Effect.addFinalizer(() => dropSchema(schema))
        return PgStore.layer({ url: databaseUrl!, schema, poolSize: 4 })
      })
    )
  )
)
