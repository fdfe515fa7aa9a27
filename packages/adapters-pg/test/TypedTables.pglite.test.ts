import { describe } from "@effect/vitest"
import { freshPgliteDatabase } from "./support/Pglite.js"
import { typedTablesSuite } from "./support/TypedTables.js"

describe("Typed read-model tables on PGlite", () => {
  typedTablesSuite(freshPgliteDatabase())
})
