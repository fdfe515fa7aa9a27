import { readModelStoreConformance, snapshotStoreConformance } from "@registrar/domain/testing"
import { freshPgliteDatabase } from "./support/Pglite.js"
import { readModelStoreOf, snapshotStoreOf } from "./support/Subjects.js"

readModelStoreConformance("PGlite", readModelStoreOf(freshPgliteDatabase()))
snapshotStoreConformance("PGlite", snapshotStoreOf(freshPgliteDatabase()))
