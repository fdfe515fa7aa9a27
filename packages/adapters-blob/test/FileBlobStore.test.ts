import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { blobStoreConformance } from "@registrar/domain/testing"
import { Effect } from "effect"
import { FileBlobStore } from "../src/index.js"

const corruptFile = (file: string) =>
  Effect.promise(async () => {
    const bytes = await fs.readFile(file)
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0xff
    await fs.writeFile(file, bytes)
  })

blobStoreConformance(
  "Filesystem",
  Effect.map(
    Effect.acquireRelease(
      Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "registrar-fileblobs-"))),
      (directory) => Effect.promise(() => fs.rm(directory, { recursive: true, force: true }))
    ),
    (directory) => ({
      store: FileBlobStore.make(directory),
      corrupt: (sha256: string) => corruptFile(FileBlobStore.blobPath(directory, sha256))
    })
  )
)
