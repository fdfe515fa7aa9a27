import { serverScenarios } from "./support/Scenarios.js"
import * as Stores from "./support/Stores.js"

serverScenarios("PGlite", Stores.pglite)
