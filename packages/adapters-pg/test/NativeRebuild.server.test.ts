/** The rebuild beside the log on a server, with two connections projecting at once (see support/NativeRebuild.ts). */
import { Effect } from "effect"
import { horizonTest, nativeRebuildSuite } from "./support/NativeRebuild.js"
import { describeServer, freshServerDatabase } from "./support/Server.js"

describeServer("A rebuild beside the log on a server", () => {
  nativeRebuildSuite(Effect.map(freshServerDatabase(4), ({ database }) => database))
  horizonTest(freshServerDatabase(4))
})
