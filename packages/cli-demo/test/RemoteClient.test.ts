import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { FileBlobStore } from "@registrar/adapters-blob"
/**
 * The remote client in-process against a real server on a free port (memory stores): lists are read page by page to
 * the end, `history --limit` keeps the most recent events, problem documents come back as the domain's own error
 * classes, and what the server cannot do or reach is a typed error of the CLI.
 */
import { describe, expect, it } from "@effect/vitest"
import * as MemoryStores from "@registrar/adapters-memory"
import { FilesNotUploaded, Registrar, RegistryNotFound } from "@registrar/domain"
import { Server } from "@registrar/server"
import { Effect, Layer, Option } from "effect"
import * as Remote from "../src/Remote.js"

const startServer = Effect.gen(function* () {
  const context = yield* Layer.build(
    Server.layer({ port: 0, host: "127.0.0.1", log: () => Effect.void }).pipe(
      Layer.provideMerge(Registrar.layer()),
      Layer.provideMerge(MemoryStores.layer),
      Layer.provide(FileBlobStore.layer(mkdtempSync(join(tmpdir(), "registrar-remote-client-"))))
    )
  )
  const port = yield* Effect.provide(Server.boundPort, context)
  const created = yield* Effect.provide(Server.bootstrap({ admin: "admin" }), context)
  return { url: `http://127.0.0.1:${port}`, key: Option.getOrThrow(created).key }
})

describe("the remote client", () => {
  it.scoped("reads every page, keeps the most recent history, and decodes the domain's errors", () =>
    Effect.gen(function* () {
      const server = yield* startServer
      const client = yield* Remote.make(server.url, server.key, { pageSize: 2 })
      const actor = (yield* Remote.whoAmI(server.url, server.key)).user
      expect(actor).toBe("admin")
      yield* client.createOrganization({ actor, organization: "paged", displayName: "Paged" })
      const names = ["r1", "r2", "r3", "r4", "r5"]
      for (const registry of names) {
        yield* client.createRegistry({ actor, organization: "paged", registry, acceptedTypes: ["dataset"] })
      }
      for (const collection of ["c1", "c2", "c3"]) {
        yield* client.createCollection({ actor, collection: `paged/wandb-registry-r1/${collection}`, type: "dataset" })
      }

      const listed = yield* client.listRegistries({ actor })
      expect(listed.organization).toBe("paged")
      expect(listed.registries.map((registry) => registry.registry).sort()).toStrictEqual(names)
      const collections = yield* client.listCollections({ actor, organization: "paged", registry: "r1" })
      expect(collections.map((collection) => collection.name).sort()).toStrictEqual(["c1", "c2", "c3"])
      const shown = yield* client.showCollection({ actor, collection: "paged/wandb-registry-r1/c2" })
      expect(shown).toMatchObject({
        organization: "paged",
        registry: "r1",
        collection: { name: "c2", versionCount: 0 }
      })
      const found = yield* client.search({ actor, organization: "paged", text: "" })
      expect(found).toHaveLength(names.length + 3)

      const everything = yield* client.history({ actor, organization: "paged" })
      expect(everything.length).toBeGreaterThan(8)
      const recent = yield* client.history({ actor, organization: "paged", limit: 3 })
      expect(recent).toStrictEqual(everything.slice(-3))

      const missing = yield* Effect.flip(client.resolve({ actor, name: "paged/wandb-registry-nope/c1:v0" }))
      expect(missing).toBeInstanceOf(RegistryNotFound)
      expect(missing.message).toBe(new RegistryNotFound({ organization: "paged", registry: "nope" }).message)

      // The client logs a manifest as the library does; the server refuses contents it never received (the CLI
      // uploads the files first, see RemoteFiles.test.ts), naming the digest, and logs nothing.
      const withFiles = yield* Effect.flip(
        client.logArtifact({
          actor,
          entity: "admin",
          project: "p",
          name: "a",
          type: "dataset",
          files: [{ path: "a.txt", sha256: "a".repeat(64), size: 1 }]
        })
      )
      expect(withFiles).toBeInstanceOf(FilesNotUploaded)
      expect(withFiles.message).toBe(new FilesNotUploaded({ sha256s: ["a".repeat(64)] }).message)
      expect(withFiles.message).toContain("Upload each file first")
      const none = yield* Effect.either(
        client.listArtifactVersions({ actor, entity: "admin", project: "p", name: "a" })
      )
      expect(none._tag === "Left" ? [] : none.right.versions).toStrictEqual([])
    })
  )

  it.effect("says when the server cannot be reached or the key is wrong", () =>
    Effect.gen(function* () {
      const down = yield* Effect.flip(Remote.whoAmI("http://127.0.0.1:9", `rk_00000000_${"0".repeat(64)}`))
      expect(down._tag).toBe("ServerUnreachable")
      expect(down.message).toContain("Cannot reach the Registrar server at http://127.0.0.1:9")
    })
  )

  it.scoped("refuses a wrong key with the server's Unauthorized, which never contains the key", () =>
    Effect.gen(function* () {
      const server = yield* startServer
      const wrong = `rk_00000000_${"2".repeat(64)}`
      const refused = yield* Effect.flip(Remote.whoAmI(server.url, wrong))
      expect(refused._tag).toBe("Unauthorized")
      expect(refused.message).not.toContain(wrong)
    })
  )
})
