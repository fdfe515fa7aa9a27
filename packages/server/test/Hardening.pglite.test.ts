import { hardeningScenarios } from "./support/Hardening.js"
import * as Stores from "./support/Stores.js"

hardeningScenarios("PGlite", Stores.pglite)
