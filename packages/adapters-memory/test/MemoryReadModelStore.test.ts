import { readModelStoreConformance, snapshotStoreConformance } from "@registrar/domain/testing"
import { MemoryReadModelStore, MemorySnapshotStore } from "../src/index.js"

readModelStoreConformance("memory", MemoryReadModelStore.make)
snapshotStoreConformance("memory", MemorySnapshotStore.make)
