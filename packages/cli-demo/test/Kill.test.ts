/**
 * kill -9 at random moments during first links into new collections, then reopen the store: there is never a
 * collection without its first version, and the hash chains verify. On PGlite through the real binary; on the server
 * through a child process running the library (test/support/LinkLoop.mjs) against a fresh schema.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { PgStore } from "@registrar/adapters-pg"
import { Collection, EventStore, Registrar, Registry } from "@registrar/domain"
import { Effect, Layer } from "effect"
import pg from "pg"
import { describe, expect, it } from "vitest"
import { databaseUrl, describeServer, json, start, unique, withPgliteStore } from "./support/Cli.js"

const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis))

/** Kills `child` with SIGKILL after `millis` (if it still runs) and waits until it is gone. */
const killAfter = async (child: ChildProcess, millis: number): Promise<void> => {
  const gone = new Promise<void>((resolve) => child.on("exit", () => resolve()))
  await sleep(millis)
  child.kill("SIGKILL")
  await gone
}

/** When `child` printed `line`, or rejects when it exits first. */
const printed = (child: ChildProcess, line: string): Promise<void> =>
  new Promise((resolve, reject) => {
    let output = ""
    child.stdout?.on("data", (chunk) => {
      output += chunk.toString()
      if (output.includes(line)) resolve()
    })
    child.stderr?.on("data", (chunk) => {
      output += chunk.toString()
    })
    child.on("exit", (code) => reject(new Error(`exited ${code} before printing "${line}": ${output}`)))
  })

interface CatalogCollection {
  readonly name: string
  readonly versionCount: number
}

const pgliteTrials = () => {
  it(
    "never leaves a collection without its first version",
    () =>
      withPgliteStore(async (s) => {
        const source = "smle-reg-team-1/registry_quickstart/raw_images:v0"
        const registry = "wandb-registry-Golden Datasets"
        // One link run to completion gives the time a trial's kill moments are spread over.
        const began = Date.now()
        await json(s, "link", source, `${registry}/kill-calibration`, "--as", "bob")
        const duration = Date.now() - began
        const trials = 10
        for (let trial = 0; trial < trials; trial++) {
          const child = start(s, ["link", source, `${registry}/kill-${trial}`, "--as", "bob"])
          child.stdin?.end()
          // Most of a run is start-up; the kill lands anywhere from the second half of it to just after its end.
          await killAfter(child, duration * (0.5 + 0.6 * Math.random()))
        }
        const collections = await json<ReadonlyArray<CatalogCollection>>(
          s,
          "collection",
          "list",
          "Golden Datasets",
          "--as",
          "bob"
        )
        const killed = collections.filter((collection) => collection.name.startsWith("kill-"))
        expect(killed.filter((collection) => collection.versionCount === 0)).toEqual([])
        expect(await json<{ tampered: boolean }>(s, "verify")).toMatchObject({ tampered: false })
      }),
    600_000
  )

  // The trials above land here now and then: a kill between PostgreSQL creating its lock file and writing its pid.
  it("opens a store whose last process was killed while PGlite was starting (its lock file left empty)", () =>
    withPgliteStore(async (s) => {
      const lockFile = path.join(s.dataDir, "db", "postmaster.pid")
      await fs.writeFile(lockFile, "")
      const listed = await json<{ readonly registries: ReadonlyArray<{ readonly registry: string }> }>(
        s,
        "registry",
        "list",
        "--as",
        "bob"
      )
      expect(listed.registries.map((registry) => registry.registry)).toContain("Golden Datasets")
      // And it writes: the first link of a new collection.
      expect(
        await json(
          s,
          "link",
          "smle-reg-team-1/registry_quickstart/raw_images:v0",
          "wandb-registry-Golden Datasets/after-restart",
          "--as",
          "bob"
        )
      ).toMatchObject({ version: 0 })
    }))
}

const loop = fileURLToPath(new URL("./support/LinkLoop.mjs", import.meta.url))

const serverTrials = () => {
  it("a library process killed at random moments never leaves a collection without its first version", async () => {
    const url = databaseUrl!
    const schema = `kill_${unique("t").replace(/[^a-z0-9]/g, "_")}`
    const layer = Registrar.layer().pipe(Layer.provideMerge(PgStore.layer({ url, schema, poolSize: 2 })))
    const sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    try {
      await Effect.runPromise(
        Effect.provide(
          Effect.gen(function* () {
            const registrar = yield* Registrar
            yield* registrar.createUser({ actor: "ada", user: "ada" })
            yield* registrar.createOrganization({ actor: "ada", organization: "acme", displayName: "Acme" })
            yield* registrar.createTeam({ actor: "ada", team: "vision", organization: "acme" })
            yield* registrar.createRegistry({ actor: "ada", organization: "acme", registry: "Golden" })
            yield* registrar.logArtifact({
              actor: "ada",
              entity: "vision",
              project: "images",
              name: "raw",
              type: "dataset",
              files: [{ path: "a.tar", sha256: sha, size: 4 }]
            })
          }),
          layer
        )
      )
      // Four processes at a time (on one registry), each killed at its own random moment while it links.
      for (let round = 0; round < 4; round++) {
        await Promise.all(
          [0, 1, 2, 3].map(async (lane) => {
            const child = spawn(process.execPath, [loop, url, schema, `trial-${round}-${lane}`], {
              stdio: ["ignore", "pipe", "pipe"]
            })
            // Once it has linked (so a loaded machine cannot make every kill land before any work), at any moment.
            await printed(child, "linked")
            await killAfter(child, 300 * Math.random())
          })
        )
      }
      const { created, orphans, broken } = await Effect.runPromise(
        Effect.provide(
          Effect.gen(function* () {
            const store = yield* EventStore
            const registrar = yield* Registrar
            const registryEvents = yield* store.readStream(Registry.streamId("acme", "Golden"))
            const collectionIds = registryEvents
              .filter((event) => event.type === "CollectionCreated")
              .map((event) => String(event.data.collectionId))
            const orphans: Array<string> = []
            for (const id of collectionIds) {
              if ((yield* store.streamVersion(Collection.streamId(id))) === 0) orphans.push(id)
            }
            const report = yield* registrar.verify()
            return { created: collectionIds.length, orphans, broken: report.firstBroken }
          }),
          layer
        )
      )
      expect(created).toBeGreaterThan(0)
      expect(orphans).toEqual([])
      expect(broken).toBeNull()
    } finally {
      const client = new pg.Client({ connectionString: url })
      client.on("error", () => {})
      await client.connect()
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
      await client.end()
    }
  }, 600_000)
}

// The two run side by side: most of a trial's time is a process starting, not the machine being busy.
describe.concurrent("kill -9 during first links", () => {
  describe("(PGlite, the real binary)", pgliteTrials)
  describeServer("", serverTrials)
})
