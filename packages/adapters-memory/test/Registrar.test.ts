import { registrarScenarios } from "@registrar/domain/testing"
import * as MemoryStores from "../src/index.js"

registrarScenarios("memory", () => MemoryStores.layer)
