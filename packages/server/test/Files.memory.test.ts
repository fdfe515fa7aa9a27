import * as fs from "node:fs/promises"
import { FileBlobStore } from "@registrar/adapters-blob"
import { Effect } from "effect"
import { fileScenarios } from "./support/FileScenarios.js"
import * as Stores from "./support/Stores.js"
import { startServer, temporaryDirectory } from "./support/TestServer.js"

fileScenarios(
  "the memory store with the filesystem BlobStore",
  Effect.gen(function* () {
    const directory = yield* temporaryDirectory
    const primary = yield* startServer(Stores.memory, FileBlobStore.layer(directory))
    const corrupt = (sha256: string) =>
      Effect.promise(async () => {
        const file = FileBlobStore.blobPath(directory, sha256)
        const bytes = await fs.readFile(file)
        bytes[0] = (bytes[0] ?? 0) ^ 0xff
        await fs.writeFile(file, bytes)
      })
    return { primary, corrupt }
  })
)
