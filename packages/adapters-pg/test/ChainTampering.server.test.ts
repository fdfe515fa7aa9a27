import { chainTamperingSuite } from "@registrar/domain/testing"
import { Effect } from "effect"
import { describeServer, freshServerDatabase } from "./support/Server.js"
import { tamperSubject } from "./support/Subjects.js"

describeServer("Chain tampering", () =>
  chainTamperingSuite("PostgreSQL", (options) =>
    Effect.map(freshServerDatabase(), ({ database }) => tamperSubject(database, options))
  )
)
