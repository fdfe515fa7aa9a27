import { hardeningScenarios } from "./support/Hardening.js"
import * as Stores from "./support/Stores.js"

Stores.describeServer("Security and paging", () => hardeningScenarios("PostgreSQL", Stores.postgres))
