/**
 * Stored text is never written raw to a terminal: a description, a metadata value or an error that holds escape
 * sequences or bidirectional controls is printed with those characters escaped (`\u001b`), while `--json` output
 * stays exact JSON that parses back to the stored text.
 */
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { json, ok, run, withPgliteStore } from "./support/Cli.js"

const ESC = "\u001b"
/** Clears the screen, then paints red text; a C1 CSI and a right-to-left override for good measure. */
const hostile = `${ESC}[2J${ESC}[31mred${ESC}[0m \u009b1m\u202eevil\u007f`
const escaped = "\\u001b[2J\\u001b[31mred\\u001b[0m \\u009b1m\\u202eevil\\u007f"

/** The characters a terminal acts on (C0 but line feed, DEL, C1, bidirectional controls), none of which may appear. */
const controls = (text: string): ReadonlyArray<string> =>
  [...text].filter((character) => {
    const code = character.codePointAt(0) ?? 0
    return (
      (code <= 0x1f && code !== 0x0a) ||
      (code >= 0x7f && code <= 0x9f) ||
      [0x061c, 0x200e, 0x200f].includes(code) ||
      (code >= 0x202a && code <= 0x202e) ||
      (code >= 0x2066 && code <= 0x2069)
    )
  })

const collection = "wandb-registry-Golden Datasets/raw_images"

describe.concurrent("the terminal only ever sees escaped controls (PGlite)", () => {
  it("a description with escape sequences is shown escaped, and exactly in --json", () =>
    withPgliteStore(async (s) => {
      await ok(s, "collection", "update", collection, "--description", hostile, "--as", "bob")
      const shown = await ok(s, "collection", "show", collection, "--as", "bob")
      expect(controls(shown)).toEqual([])
      expect(shown).toContain(`Description:  ${escaped}`)
      const document = await json<{ collection: { description: string } }>(
        s,
        "collection",
        "show",
        collection,
        "--as",
        "bob"
      )
      expect(document.collection.description).toBe(hostile)
    }))

  it("a metadata value with escape sequences is shown escaped in tables, and exactly in --json", () =>
    withPgliteStore(async (s) => {
      const file = path.join(s.dataDir, "data.bin")
      await fs.writeFile(file, "payload")
      const artifact = "smle-reg-team-1/registry_quickstart/hostile"
      await ok(
        s,
        "artifact",
        "log",
        artifact,
        "--type",
        "dataset",
        "--file",
        file,
        "--metadata",
        `note=${hostile}`,
        "--as",
        "bob"
      )
      const listed = await ok(s, "artifact", "versions", artifact, "--as", "bob")
      expect(controls(listed)).toEqual([])
      expect(listed).toContain("\\u009b1m\\u202eevil\\u007f")
      const document = await json<{ versions: Array<{ metadata: { note: string } }> }>(
        s,
        "artifact",
        "versions",
        artifact,
        "--as",
        "bob"
      )
      expect(document.versions[0]?.metadata.note).toBe(hostile)
    }))

  it("an error quoting what was typed shows its controls escaped, and exactly in --json", () =>
    withPgliteStore(async (s) => {
      const file = path.join(s.dataDir, "data.bin")
      await fs.writeFile(file, "payload")
      const args = ["artifact", "log", "smle-reg-team-1/registry_quickstart/x", "--type", "dataset", "--file", file]
      const result = await run(s, ...args, "--metadata", hostile, "--as", "bob")
      expect(result.code).toBe(1)
      expect(controls(result.stderr)).toEqual([])
      expect(result.stderr).toContain(`--metadata "${escaped}" is not key=value`)
      const asJson = await run(s, ...args, "--metadata", hostile, "--as", "bob", "--json")
      expect(controls(asJson.stdout)).toEqual([])
      const document = JSON.parse(asJson.stdout) as { error: { code: string; message: string } }
      expect(document.error.code).toBe("UsageError")
      expect(document.error.message).toContain(`--metadata "${hostile}" is not key=value`)
    }))
})
