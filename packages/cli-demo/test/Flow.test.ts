import { createHash } from "node:crypto"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { expect, it } from "vitest"
import { eachStore, json, lines, ok, unique, withStore } from "./support/Cli.js"

eachStore("a sequence of commands keeps its state across processes", (fresh) => {
  it("org → users → team → registry → log → link → resolve → download → use → lineage", () =>
    withStore(fresh, async (s) => {
      const org = unique("org")
      const admin = unique("admin")
      const engineer = unique("eng")
      const team = unique("team")
      // The store is not empty (the demo seeded it): an admin of an organization creates users, here alice.
      await ok(s, "user", "create", admin, "--org", "smle-registries-bug-bash", "--as", "alice")
      expect(await ok(s, "org", "create", org, "--display-name", `Display ${org}`, "--as", admin)).toContain(org)
      await ok(s, "user", "create", engineer, "--org", org, "--org-role", "member", "--as", admin)
      const viewer = unique("viewer")
      await ok(s, "user", "create", viewer, "--org", org, "--as", admin)
      expect(
        await ok(s, "org", "add-member", viewer, "--org", `Display ${org}`, "--role", "viewer", "--as", admin)
      ).toContain(`${viewer} is now viewer of organization ${org}`)
      await ok(s, "team", "create", team, "--org", org, "--as", admin)
      await ok(s, "team", "add-member", team, engineer, "--as", admin)
      await ok(s, "registry", "create", "Golden Datasets", "--org", org, "--type", "dataset", "--as", admin)
      await ok(
        s,
        "registry",
        "grant",
        "Golden Datasets",
        "--team",
        team,
        "--role",
        "member",
        "--org",
        org,
        "--as",
        admin
      )

      const files = path.join(s.dataDir, "input")
      await fs.mkdir(path.join(files, "nested"), { recursive: true })
      await fs.writeFile(path.join(files, "a.txt"), "alpha\n")
      await fs.writeFile(path.join(files, "nested", "b.txt"), "beta\n")
      const source = `${team}/images/raw_images`
      const logged = await ok(
        s,
        "--as",
        engineer,
        "artifact",
        "log",
        source,
        "--type",
        "dataset",
        "--dir",
        files,
        "--metadata",
        "rows=2",
        "--run",
        "prep"
      )
      expect(lines(logged)).toEqual([`${source}:v0`])
      const again = await json<{ reference: string; created: boolean }>(
        s,
        "artifact",
        "log",
        source,
        "--type",
        "dataset",
        "--dir",
        files,
        "--metadata",
        "rows=2",
        "--as",
        engineer
      )
      expect(again).toMatchObject({ reference: `${source}:v0`, created: false })
      const digest = createHash("sha256").update("alpha\n").digest("hex")
      const blob = path.join(s.dataDir, "blobs", digest.slice(0, 2), digest)
      // On the embedded store file contents live in the data directory; on a server, in the database (the download
      // below reads them back from there).
      if (s.env.DATABASE_URL === undefined) expect(await fs.readFile(blob, "utf8")).toBe("alpha\n")
      else await expect(fs.readFile(blob, "utf8")).rejects.toThrow()

      const linked = await json(
        s,
        "link",
        `${source}:v0`,
        `${org}/wandb-registry-Golden Datasets/raw_images`,
        "--alias",
        "production",
        "--as",
        engineer
      )
      expect(linked).toMatchObject({
        fullName: "wandb-registry-Golden Datasets/raw_images:v0",
        qualifiedName: `${org}/wandb-registry-Golden Datasets/raw_images:v0`,
        version: 0,
        aliases: ["latest", "production"],
        source: `${source}:v0`,
        created: true
      })
      const plainLink = await ok(
        s,
        "link",
        `${source}:v0`,
        "wandb-registry-Golden Datasets/raw_images",
        "--as",
        engineer
      )
      expect(lines(plainLink)).toEqual(["wandb-registry-Golden Datasets/raw_images:v0"])

      const resolved = await json<{ source: string; files: Array<{ path: string; sha256: string }> }>(
        s,
        "resolve",
        `Display ${org}/wandb-registry-Golden Datasets/raw_images:production`,
        "--as",
        engineer
      )
      expect(resolved.source).toBe(`${source}:v0`)
      expect(resolved.files.map((file) => file.path)).toEqual(["a.txt", "nested/b.txt"])

      const out = path.join(s.dataDir, "out")
      await ok(
        s,
        "artifact",
        "download",
        "wandb-registry-Golden Datasets/raw_images:production",
        "--to",
        out,
        "--as",
        engineer
      )
      expect(await fs.readFile(path.join(out, "nested", "b.txt"), "utf8")).toBe("beta\n")

      await ok(
        s,
        "artifact",
        "use",
        "wandb-registry-Golden Datasets/raw_images:latest",
        "--run",
        `${team}/train/run-1`,
        "--as",
        engineer
      )
      const tree = await ok(s, "lineage", `${source}:v0`, "--as", engineer)
      expect(tree).toContain(`produced by run ${team}/images/prep`)
      expect(tree).toContain(`used by run ${team}/train/run-1`)
    }))
})
