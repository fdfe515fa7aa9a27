import { eventStoreConformance } from "@registrar/domain/testing"
import { Effect } from "effect"
import { describeServer, freshServerDatabase } from "./support/Server.js"
import { eventStoreSubject } from "./support/Subjects.js"

describeServer("EventStore", () =>
  eventStoreConformance(
    "PostgreSQL",
    Effect.map(freshServerDatabase(), ({ database }) => eventStoreSubject(database))
  )
)
