import { readModelStoreConformance, snapshotStoreConformance } from "@registrar/domain/testing"
import { Effect } from "effect"
import { describeServer, freshServerDatabase } from "./support/Server.js"
import { readModelStoreOf, snapshotStoreOf } from "./support/Subjects.js"

const database = Effect.map(freshServerDatabase(4), ({ database }) => database)

describeServer("ReadModelStore and SnapshotStore", () => {
  readModelStoreConformance("PostgreSQL", readModelStoreOf(database))
  snapshotStoreConformance("PostgreSQL", snapshotStoreOf(database))
})
