import * as fs from "node:fs/promises"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { eachStore, json, ok, run, type Store, withPgliteStore, withStore } from "./support/Cli.js"

/** A failure: exit code 1, nothing on stdout, exactly one line on stderr that contains `text`. */
const fails = async (store: Store, text: string | RegExp, ...args: ReadonlyArray<string>) => {
  const result = await run(store, ...args)
  expect(result.code, result.stderr).toBe(1)
  expect(result.stdout).toBe("")
  const errorLines = result.stderr.split("\n").filter((line) => line !== "")
  expect(errorLines, result.stderr).toHaveLength(1)
  expect(errorLines[0]).toMatch(/^Error: /)
  if (typeof text === "string") expect(errorLines[0]).toContain(text)
  else expect(errorLines[0]).toMatch(text)
  expect(result.stderr).not.toMatch(/\n\s+at /)
  return errorLines[0]!
}

const golden = "wandb-registry-Golden Datasets"
const models = "wandb-registry-Models/Zoo_Classifier_Models"

// Paths, names and usage are checked before the store is consulted: once, on the embedded store.
describe.concurrent("errors print one line that says what to do and exit non-zero (PGlite)", () => {
  it("bad paths, personal entities, wrong types and missing registries", () =>
    withPgliteStore(async (s) => {
      await fails(s, "Invalid path", "resolve", "a/b/c/d", "--as", "bob")
      await fails(
        s,
        /Invalid path .*link target is a collection/,
        "link",
        "smle-reg-team-1/registry_quickstart/raw_images:v0",
        `${golden}/raw_images:v0`,
        "--as",
        "bob"
      )

      const file = path.join(s.dataDir, "notes.txt")
      await fs.writeFile(file, "mine")
      await ok(s, "artifact", "log", "bob/scratch/notes", "--type", "dataset", "--file", file, "--as", "bob")
      await fails(s, "personal entity", "link", "bob/scratch/notes:v0", `${golden}/notes`, "--as", "bob")

      const wrongType = await fails(
        s,
        '"model"',
        "link",
        "smle-reg-team-1/registry_quickstart/zoo-classifier:v0",
        `${golden}/raw_images`,
        "--as",
        "bob"
      )
      expect(wrongType).toContain('"dataset"')
      await fails(
        s,
        "wandb-registry-Nope",
        "link",
        "smle-reg-team-1/registry_quickstart/raw_images:v0",
        "wandb-registry-Nope/raw",
        "--as",
        "bob"
      )
      await fails(
        s,
        "--file",
        "artifact",
        "log",
        "smle-reg-team-1/p/x",
        "--type",
        "dataset",
        "--file",
        path.join(s.dataDir, "missing.bin"),
        "--as",
        "bob"
      )
    }))

  it("corrupt files, protected source versions", () =>
    withPgliteStore(async (s) => {
      const linked = `${golden}/raw_images:production`
      const resolved = await json<{ files: Array<{ sha256: string }> }>(s, "resolve", linked, "--as", "bob")
      const sha256 = resolved.files[0]!.sha256
      await fs.writeFile(path.join(s.dataDir, "blobs", sha256.slice(0, 2), sha256), "tampered")
      const to = path.join(s.dataDir, "download")
      await fails(s, /is corrupt: its manifest says sha256/, "artifact", "download", linked, "--to", to, "--as", "bob")
      await expect(fs.readdir(to)).rejects.toThrow()

      await fails(
        s,
        /protected alias "production"/,
        "artifact",
        "delete",
        "smle-reg-team-1/registry_quickstart/zoo-classifier:v1",
        "--as",
        "bob"
      )
      expect(
        await ok(s, "artifact", "delete", "smle-reg-team-1/registry_quickstart/zoo-classifier:v0", "--as", "bob")
      ).toBe("Deleted smle-reg-team-1/registry_quickstart/zoo-classifier:v0\n")
    }))

  it("--json errors and a missing user", () =>
    withPgliteStore(async (s) => {
      const result = await run(
        s,
        "link",
        "smle-reg-team-1/registry_quickstart/zoo-classifier:v0",
        `${golden}/raw_images`,
        "--as",
        "bob",
        "--json"
      )
      expect(result.code).toBe(1)
      expect(result.stderr).toBe("")
      expect(JSON.parse(result.stdout)).toEqual({
        error: { code: "TypeNotAccepted", message: expect.stringContaining('not "model"') }
      })
      await fails(s, "--as USER", "resolve", `${golden}/raw_images`)
    }))

  it("an --as user who does not exist is refused on reads too", () =>
    withPgliteStore(async (s) => {
      await fails(s, 'User "mallory" does not exist', "registry", "list", "--as", "mallory")
      const result = await run(s, "registry", "list", "--as", "mallory", "--json")
      expect(result.code).toBe(1)
      expect(JSON.parse(result.stdout)).toEqual({
        error: { code: "UserNotFound", message: 'User "mallory" does not exist. Create the user first.' }
      })
      await fails(s, 'User "mallory" does not exist', "history", "--as", "mallory")
    }))

  it("history shows nothing of a registry the user cannot see; --as-of stops at the position", () =>
    withPgliteStore(async (s) => {
      type Row = { readonly globalPosition: number; readonly registry: string | null; readonly summary: string }
      await ok(s, "registry", "restrict", "Models", "--as", "alice")
      const all = await json<ReadonlyArray<Row>>(s, "history", "--as", "alice")
      expect(all.filter((row) => row.registry === "Models").length).toBeGreaterThan(0)
      const carolSees = await json<ReadonlyArray<Row>>(s, "history", "--as", "carol")
      expect(
        carolSees.filter((row) => row.registry === "Models" || row.summary.includes("wandb-registry-Models"))
      ).toEqual([])
      expect(carolSees.filter((row) => row.registry === "Golden Datasets").length).toBeGreaterThan(0)
      const position = all[Math.floor(all.length / 2)]!.globalPosition
      const then = await json<ReadonlyArray<Row>>(s, "history", "--as-of", String(position), "--as", "alice")
      expect(then).toEqual(all.filter((row) => row.globalPosition <= position))
      // A position past any a store can hold is refused, as the server refuses it, not read as the present.
      await fails(
        s,
        "--as-of 99999999999999999999 is larger than any event position",
        "history",
        "--as-of",
        "99999999999999999999",
        "--as",
        "alice"
      )
    }))
})

// Access depends on what the store's read models say: on every store.
eachStore("access errors print one line and exit non-zero", (fresh) => {
  it("insufficient roles, protected aliases and restricted registries", () =>
    withStore(fresh, async (s) => {
      await fails(s, /carol.*viewer.*member or higher/, "unlink", `${golden}/raw_images:v0`, "--as", "carol")
      await fails(s, "protected", "alias", "add", `${models}:v0`, "production", "--as", "bob")
      await fails(s, "admin", "registry", "grant", "Models", "--user", "carol", "--role", "admin", "--as", "bob")

      await ok(s, "registry", "restrict", "Models", "--as", "alice")
      await fails(s, "does not exist", "resolve", `${models}:v0`, "--as", "carol")
      await ok(s, "registry", "grant", "Models", "--user", "carol", "--role", "restricted_viewer", "--as", "alice")
      await ok(s, "resolve", `${models}:v0`, "--as", "carol")
      await fails(
        s,
        "use or download",
        "artifact",
        "download",
        `${models}:v0`,
        "--to",
        path.join(s.dataDir, "x"),
        "--as",
        "carol"
      )
    }))
})
