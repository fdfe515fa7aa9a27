import { serverScenarios } from "./support/Scenarios.js"
import * as Stores from "./support/Stores.js"

Stores.describeServer("Server", () => serverScenarios("PostgreSQL", Stores.postgres))
