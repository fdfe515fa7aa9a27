import { governanceScenarios } from "@registrar/domain/testing"
import * as MemoryStores from "../src/index.js"

governanceScenarios("memory", () => MemoryStores.layer)
