import { searchScenarios } from "@registrar/domain/testing"
import * as MemoryStores from "../src/index.js"

searchScenarios("memory", () => MemoryStores.layer, { numRuns: 30, timeout: 240_000 })
