import { spawn } from "node:child_process"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { describe, expect, it } from "vitest"
import { eachStore, finished, json, ok, run, withPgliteStore, withStore } from "./support/Cli.js"

const target = "wandb-registry-Golden Datasets/concurrent"

eachStore("several processes linking into one collection at once", (fresh) => {
  it("distinct sources get distinct indexes; one source linked twice at once gets one version", () =>
    withStore(fresh, async (s) => {
      const sources = await Promise.all(
        [0, 1, 2, 3].map(async (i) => {
          const file = path.join(s.dataDir, `source-${i}.bin`)
          await fs.writeFile(file, `content ${i}`)
          return json<{ reference: string }>(
            s,
            "artifact",
            "log",
            `smle-reg-team-1/concurrent/source-${i}`,
            "--type",
            "dataset",
            "--file",
            file,
            "--as",
            "bob"
          )
        })
      )
      const linked = await Promise.all(
        sources.map((source) => run(s, "link", source.reference, target, "--as", "bob", "--json"))
      )
      for (const result of linked) expect(result.code, `${result.stderr}${result.stdout}`).toBe(0)
      const versions = linked.map((result) => (JSON.parse(result.stdout) as { version: number }).version)
      expect([...versions].sort()).toEqual([0, 1, 2, 3])

      const same = await Promise.all(
        [0, 1].map(() =>
          run(
            s,
            "link",
            "smle-reg-team-1/registry_quickstart/raw_images:v0",
            target.replace("concurrent", "same"),
            "--as",
            "bob",
            "--json"
          )
        )
      )
      for (const result of same) expect(result.code, `${result.stderr}${result.stdout}`).toBe(0)
      const documents = same.map((result) => JSON.parse(result.stdout) as { version: number; created: boolean })
      expect(documents.map((document) => document.version)).toEqual([0, 0])
      expect(documents.filter((document) => document.created)).toHaveLength(1)

      const shown = await json<{ versions: Array<{ index: number }> }>(s, "collection", "show", target, "--as", "bob")
      expect(shown.versions.map((version) => version.index)).toEqual([0, 1, 2, 3])
    }))
})

describe("the data directory lock (PGlite)", () => {
  it("holds one process at a time while many take turns, some dying while they hold it", async () => {
    // Processes that take the lock, hold it briefly, and give it back, many times over, all at once: each one marks
    // its turn in a file of its own while it holds the lock, and checks that no other process's mark is there. Every
    // third turn ends as a crash would: the lock stays, naming a process that no longer runs, and the waiters that
    // find it all try to take it over at once.
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "registrar-lock-"))
    const lockModule = pathToFileURL(path.join(import.meta.dirname, "..", "dist", "src", "DataDirLock.js")).href
    const turns = path.join(dataDir, "turns")
    await fs.mkdir(turns)
    const script = `
      import * as fs from "node:fs/promises"
      import * as path from "node:path"
      const DataDirLock = await import(${JSON.stringify(lockModule)})
      for (let i = 0; i < 40; i++) {
        const lock = await DataDirLock.acquire(${JSON.stringify(dataDir)}, 60000)
        if (lock._tag !== "Acquired") throw new Error("not acquired")
        const mine = path.join(${JSON.stringify(turns)}, String(process.pid))
        await fs.writeFile(mine, "")
        const others = (await fs.readdir(${JSON.stringify(turns)})).filter((name) => name !== String(process.pid))
        if (others.length > 0) { console.log("overlap with " + others.join(",")); process.exitCode = 1 }
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 3))
        await fs.rm(mine)
        // A pid far above Linux's default pid_max: no process has it.
        if (i % 3 === 0) await fs.writeFile(path.join(${JSON.stringify(dataDir)}, "lock"), "4194303")
        else await DataDirLock.release(${JSON.stringify(dataDir)})
      }`
    const children = Array.from({ length: 6 }, () =>
      spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "pipe"] })
    )
    const results = await Promise.all(children.map(finished))
    for (const result of results) expect(result.code, `${result.stdout}${result.stderr}`).toBe(0)
    await fs.rm(dataDir, { recursive: true, force: true })
  }, 120_000)

  it("a lock left by a process that no longer runs is taken over", () =>
    withPgliteStore(async (s) => {
      // A pid far above Linux's default pid_max: no process has it.
      await fs.writeFile(path.join(s.dataDir, "lock"), "4194303")
      expect(await ok(s, "resolve", "wandb-registry-Golden Datasets/raw_images:production", "--as", "bob")).toContain(
        "Full name:"
      )
      await expect(fs.stat(path.join(s.dataDir, "lock"))).rejects.toThrow()
    }))
})
