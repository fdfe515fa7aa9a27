import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { HEAP_LIMIT_MIB, LARGE_SIZE, streamLargeBlob } from "@registrar/domain/testing"

const packageDir = fileURLToPath(new URL("..", import.meta.url))

it.scopedLive(`a 200 MiB file streams through the filesystem BlobStore in a ${HEAP_LIMIT_MIB} MiB heap`, () =>
  Effect.gen(function* () {
    const directory = yield* Effect.acquireRelease(
      Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "registrar-largeblob-"))),
      (made) => Effect.promise(() => fs.rm(made, { recursive: true, force: true }))
    )
    const report = yield* streamLargeBlob(path.join(packageDir, "dist/src/index.js"), packageDir, "file", directory)
    expect(report.heapLimitMiB * 1024 * 1024).toBeLessThan(LARGE_SIZE)
    expect(report.stored).toEqual({ sha256: report.expected, size: LARGE_SIZE })
    expect(report.read).toEqual({ sha256: report.expected, size: LARGE_SIZE })
  })
)
