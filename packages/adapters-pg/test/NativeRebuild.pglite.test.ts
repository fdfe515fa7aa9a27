/** The rebuild beside the log on PGlite (see support/NativeRebuild.ts). */
import { describe } from "@effect/vitest"
import { nativeRebuildSuite } from "./support/NativeRebuild.js"
import { freshPgliteDatabase } from "./support/Pglite.js"

describe("A rebuild beside the log on PGlite", () => {
  nativeRebuildSuite(freshPgliteDatabase())
})
