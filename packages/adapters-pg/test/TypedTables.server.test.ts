import { Effect } from "effect"
import { describeServer, freshServerDatabase } from "./support/Server.js"
import { typedTablesSuite } from "./support/TypedTables.js"

describeServer("Typed read-model tables", () => {
  typedTablesSuite(Effect.map(freshServerDatabase(4), ({ database }) => database))
})
