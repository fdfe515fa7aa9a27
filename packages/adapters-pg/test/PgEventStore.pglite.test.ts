import { eventStoreConformance } from "@registrar/domain/testing"
import { Effect } from "effect"
import { freshPgliteDatabase } from "./support/Pglite.js"
import { eventStoreSubject } from "./support/Subjects.js"

eventStoreConformance("PGlite", Effect.map(freshPgliteDatabase(), eventStoreSubject))
