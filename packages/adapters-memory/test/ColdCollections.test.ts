import { coldCollectionScenarios } from "@registrar/domain/testing"
import { layer } from "../src/index.js"

coldCollectionScenarios("memory", () => layer, { indexed: false })
