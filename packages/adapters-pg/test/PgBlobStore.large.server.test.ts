import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { expect, it } from "@effect/vitest"
import { HEAP_LIMIT_MIB, LARGE_SIZE, streamLargeBlob } from "@registrar/domain/testing"
import { Effect } from "effect"
import { databaseUrl, describeServer, dropSchema } from "./support/Server.js"
import { freshSchemaName } from "./support/Schemas.js"

const packageDir = fileURLToPath(new URL("..", import.meta.url))

describeServer("BlobStore, a large file", () => {
  it.scopedLive(
    `a 200 MiB file streams through PostgreSQL in a ${HEAP_LIMIT_MIB} MiB heap`,
    () =>
      Effect.gen(function* () {
        const schema = freshSchemaName()
        yield* Effect.addFinalizer(() => dropSchema(schema))
        const report = yield* streamLargeBlob(
          path.join(packageDir, "dist/src/index.js"),
          packageDir,
          "pg",
          databaseUrl ?? "",
          { BLOB_SCHEMA: schema }
        )
        expect(report.heapLimitMiB * 1024 * 1024).toBeLessThan(LARGE_SIZE)
        expect(report.stored).toEqual({ sha256: report.expected, size: LARGE_SIZE })
        expect(report.read).toEqual({ sha256: report.expected, size: LARGE_SIZE })
      }),
    300_000
  )
})
