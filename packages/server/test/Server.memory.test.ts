import { serverScenarios } from "./support/Scenarios.js"
import * as Stores from "./support/Stores.js"

serverScenarios("memory stores", Stores.memory)
