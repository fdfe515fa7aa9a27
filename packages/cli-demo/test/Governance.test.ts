/**
 * Governance through the real binary on the seeded demo store: `promote` moves several aliases together or none
 * (protected aliases need an admin; --expect is a compare-and-set whose failure says what moved), `history` shows an
 * alias's moves and a version's own history, and `revert` brings a registry's collections, links and aliases back.
 */
import { describe, expect, it } from "vitest"
import { json, ok, run, withPgliteStore } from "./support/Cli.js"

const ZOO = "wandb-registry-Models/Zoo_Classifier_Models"

type Promoted = { changed: boolean; moves: Array<{ alias: string; from: number | null; to: number; fullName: string }> }
type Versions = { versions: Array<{ index: number; aliases: Array<string> }> }

/** Each test runs the binary about ten times, on a machine that may be busy. */
const LONG = 900_000

describe("promote and history (PGlite)", () => {
  it(
    "promote (protected alias refused to a member, two aliases at once, a stale --expect moves nothing), history, diff and revert",
    () =>
      withPgliteStore(async (s) => {
        const aliasesOf = async () => {
          const listed = await json<Versions>(s, "collection", "show", ZOO, "--as", "alice")
          return Object.fromEntries(listed.versions.map((version) => [`v${version.index}`, version.aliases]))
        }
        const before = await aliasesOf()

        const refused = await run(
          s,
          "promote",
          "--set",
          `${ZOO}:staging=v0`,
          "--set",
          `${ZOO}:production=v0`,
          "--as",
          "bob"
        )
        expect(refused.code).toBe(1)
        expect(refused.stderr).toContain('Alias "production" is protected')
        expect(refused.stderr).toContain("Ask a registry admin")
        expect(await aliasesOf()).toEqual(before)

        const promoted = await json<Promoted>(
          s,
          "promote",
          "--set",
          `${ZOO}:staging=v0`,
          "--set",
          `${ZOO}:production=v0`,
          "--expect",
          `${ZOO}:production=v1`,
          "--as",
          "alice"
        )
        expect(promoted.changed).toBe(true)
        expect(promoted.moves.map((move) => [move.alias, move.from, move.to])).toEqual([
          ["staging", 1, 0],
          ["production", 1, 0]
        ])
        const after = await aliasesOf()
        expect(after.v0).toEqual(expect.arrayContaining(["staging", "production", "candidate"]))
        expect(after.v1).toEqual(["latest"])

        const stale = await run(
          s,
          "promote",
          "--set",
          `${ZOO}:production=v1`,
          "--expect",
          `${ZOO}:production=v1`,
          "--as",
          "alice"
        )
        expect(stale.code).toBe(1)
        expect(stale.stderr).toContain("Nothing was promoted")
        expect(stale.stderr).toContain(`${ZOO}:production points at v0 now, not v1 as expected`)
        expect(await aliasesOf()).toEqual(after)

        const table = await ok(s, "promote", "--set", `${ZOO}:candidate=v1`, "--as", "alice")
        expect(table).toMatch(/candidate\s+v0\s+v1/)

        const moves = await json<{
          moves: Array<{ globalPosition: number; from: number | null; to: number | null; actor: string }>
        }>(
          s,
          "history",
          "--alias",
          "production",
          "--registry",
          "Models",
          "--collection",
          "Zoo_Classifier_Models",
          "--as",
          "bob"
        )
        expect(moves.moves.map((move) => [move.from, move.to, move.actor])).toEqual([
          [null, 1, "alice"],
          [1, 0, "alice"]
        ])

        const version = await json<{ entries: Array<{ change: string; detail: string }> }>(
          s,
          "history",
          `${ZOO}:v1`,
          "--as",
          "bob"
        )
        expect(version.entries.map((entry) => `${entry.change} ${entry.detail}`)).toEqual([
          expect.stringMatching(/^linked .*zoo-classifier:v1$/),
          "alias gained staging",
          "alias gained production",
          "alias lost staging (moved to v0)",
          "alias lost production (moved to v0)",
          "alias gained candidate"
        ])

        const changed = await json<{ changes: Array<{ change: string; subject: string; from: string; to: string }> }>(
          s,
          "diff",
          "Models",
          "--from",
          String(moves.moves[0]!.globalPosition),
          "--as",
          "bob"
        )
        expect(changed.changes.map((change) => `${change.subject} ${change.from}→${change.to}`).sort()).toEqual([
          "Zoo_Classifier_Models:candidate v0→v1",
          "Zoo_Classifier_Models:production v1→v0",
          "Zoo_Classifier_Models:staging v1→v0"
        ])
        const at = String(moves.moves[1]!.globalPosition)
        expect(await ok(s, "diff", "wandb-registry-Models", "--from", at, "--to", at, "--as", "bob")).toContain(
          "no change"
        )

        const start = String(moves.moves[1]!.globalPosition - 1)
        const refusedRevert = await run(s, "revert", "Models", "--to", start, "--as", "bob")
        expect(refusedRevert.code).toBe(1)
        expect(refusedRevert.stderr).toContain("Ask a registry admin")
        const plan = await ok(s, "revert", "Models", "--to", start, "--dry-run", "--as", "alice")
        expect(plan).toMatch(/move alias\s+Zoo_Classifier_Models:production\s+to v1/)
        expect((await aliasesOf()).v0).toContain("production")
        const reverted = await json<{ applied: boolean }>(s, "revert", "Models", "--to", start, "--as", "alice")
        expect(reverted.applied).toBe(true)
        const sorted = (aliases: Record<string, Array<string>>) =>
          Object.fromEntries(Object.entries(aliases).map(([version, names]) => [version, [...names].sort()]))
        expect(sorted(await aliasesOf())).toEqual(sorted(before))

        await ok(s, "artifact", "tag", "add", `${ZOO}:v1`, "reviewed", "--as", "bob")
        await ok(s, "artifact", "tag", "add", `${ZOO}:v0`, "reviewed", "--as", "bob")
        const shown = await json<{ versions: Array<{ index: number; tags: Array<string> }> }>(
          s,
          "collection",
          "show",
          ZOO,
          "--as",
          "bob"
        )
        expect(shown.versions.map((version) => version.tags)).toEqual([["reviewed"], ["reviewed"]])
        const untagMissing = await run(s, "artifact", "tag", "remove", `${ZOO}:v1`, "gold", "--as", "bob")
        expect(untagMissing.code).toBe(1)
        expect(untagMissing.stderr).toContain('has no tag "gold"')
        const tagHistory = await json<{ entries: Array<{ change: string; detail: string }> }>(
          s,
          "history",
          `${ZOO}:v1`,
          "--as",
          "bob"
        )
        expect(tagHistory.entries.at(-1)).toMatchObject({ change: "tagged", detail: "reviewed" })

        const needsRegistry = await run(s, "history", "--alias", "production", "--as", "bob")
        expect(needsRegistry.code).toBe(1)
        expect(needsRegistry.stderr).toContain("add --registry REGISTRY")

        const help = await ok(s, "promote", "--help")
        expect(help).toContain("all of them move, or none does")
        expect(help).toContain("--expect")
      }),
    LONG
  )

  it(
    "revert brings back a deleted collection with its versions and aliases, renames back a renamed one, and deletes one created since",
    () =>
      withPgliteStore(async (s) => {
        type Listed = Array<{ name: string; versionCount: number }>
        const collections = async () =>
          (await json<Listed>(s, "collection", "list", "Models", "--as", "alice"))
            .map((collection) => `${collection.name} ${collection.versionCount}`)
            .sort()
        const aliasesOf = async (path: string) =>
          (await json<Versions>(s, "collection", "show", path, "--as", "alice")).versions.map((version) =>
            [...version.aliases].sort()
          )
        await ok(s, "collection", "create", "wandb-registry-Models/Kept", "--type", "model", "--as", "alice")
        const before = await collections()
        const zooAliases = await aliasesOf(ZOO)
        const point = new Date().toISOString()
        await new Promise((resolve) => setTimeout(resolve, 20))
        await ok(s, "collection", "delete", ZOO, "--as", "alice")
        await ok(s, "collection", "rename", "wandb-registry-Models/Kept", "Renamed_Since", "--as", "alice")
        await ok(s, "collection", "create", "wandb-registry-Models/Scratch", "--type", "model", "--as", "alice")
        expect(await collections()).toEqual(["Renamed_Since 0", "Scratch 0"])

        const plan = await run(s, "revert", "Models", "--to", point, "--dry-run", "--as", "alice")
        expect(plan.code).toBe(0)
        expect(plan.stderr).toContain("Plan (nothing was written)")
        expect(plan.stdout).toMatch(/delete collection\s+Scratch\s+created since/)
        expect(plan.stdout).toMatch(/rename collection\s+Kept\s+back from Renamed_Since/)
        expect(plan.stdout).toMatch(
          /recreate collection\s+Zoo_Classifier_Models\s+deleted since; created again under a new id/
        )
        expect(plan.stdout).toMatch(/relink\s+Zoo_Classifier_Models:v0/)
        expect(await ok(s, "collection", "list", "Models", "--as", "alice")).toContain("Scratch")

        const reverted = await json<{
          applied: boolean
          steps: Array<{ change: string }>
          unrevertible: Array<string>
        }>(s, "revert", "Models", "--to", point, "--as", "alice")
        expect(reverted.applied).toBe(true)
        expect(reverted.unrevertible).toEqual([])
        expect(await collections()).toEqual(before)
        expect(await aliasesOf(ZOO)).toEqual(zooAliases)
        const again = await run(s, "revert", "Models", "--to", point, "--as", "alice")
        expect(again.stderr).toContain("Nothing to revert")
        expect(again.stdout).toContain("no step")

        const help = await ok(s, "revert", "--help")
        expect(help).toContain("Collections created since are deleted")
        expect(help).toContain("--dry-run")
      }),
    LONG
  )
})
