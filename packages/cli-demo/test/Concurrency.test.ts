import * as fs from "node:fs/promises"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { eachStore, json, ok, run, withPgliteStore, withStore } from "./support/Cli.js"

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
      for (const result of linked) expect(result.code, result.stderr).toBe(0)
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
      for (const result of same) expect(result.code, result.stderr).toBe(0)
      const documents = same.map((result) => JSON.parse(result.stdout) as { version: number; created: boolean })
      expect(documents.map((document) => document.version)).toEqual([0, 0])
      expect(documents.filter((document) => document.created)).toHaveLength(1)

      const shown = await json<{ versions: Array<{ index: number }> }>(s, "collection", "show", target, "--as", "bob")
      expect(shown.versions.map((version) => version.index)).toEqual([0, 1, 2, 3])
    }))
})

describe("the data directory lock (PGlite)", () => {
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
