import { readAccessScenarios } from "@registrar/domain/testing"
import * as MemoryStores from "../src/index.js"

readAccessScenarios("memory", () => MemoryStores.layer, { numRuns: 20, timeout: 240_000 })
