import { chainTamperingSuite } from "@registrar/domain/testing"
import { Effect } from "effect"
import { freshPgliteDatabase } from "./support/Pglite.js"
import { tamperSubject } from "./support/Subjects.js"

chainTamperingSuite("PGlite", (options) =>
  Effect.map(freshPgliteDatabase(), (database) => tamperSubject(database, options))
)
