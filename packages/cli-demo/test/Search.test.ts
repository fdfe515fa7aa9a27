/**
 * The filter language through the real CLI, on the demo's store: `registry list`, `collection list` and `versions`
 * with W&B filters, orders, page sizes and cursors, `--json`, and a refused filter's one-line error.
 */
import { describe, expect, it } from "vitest"
import { json, ok, run, withPgliteStore } from "./support/Cli.js"

const LONG = 900_000

type Page<A> = { organization: string; items: Array<A>; nextCursor: string | null }

describe("the filter language in the CLI (PGlite)", () => {
  it(
    "lists what matches, a page at a time, and refuses a bad filter with one line naming the valid operators",
    () =>
      withPgliteStore(async (s) => {
        const registries = await json<Page<{ name: string }>>(
          s,
          "registry",
          "list",
          "--filter",
          '{"name": "Models"}',
          "--as",
          "bob"
        )
        expect(registries.items.map((item) => item.name)).toEqual(["Models"])
        const collections = await json<Page<{ name: string; registry: string }>>(
          s,
          "collection",
          "list",
          "--registry-filter",
          '{"name": {"$in": ["Models"]}}',
          "--filter",
          '{"name": {"$regex": "^Zoo"}}',
          "--as",
          "bob"
        )
        expect(collections.items.map((item) => [item.registry, item.name])).toEqual([
          ["Models", "Zoo_Classifier_Models"]
        ])
        const latest = await json<Page<{ path: string; aliases: Array<string> }>>(
          s,
          "versions",
          "--registry-filter",
          '{"name": "Models"}',
          "--filter",
          '{"alias": "latest"}',
          "--as",
          "bob"
        )
        expect(latest.items.map((item) => item.path)).toEqual(["wandb-registry-Models/Zoo_Classifier_Models:v1"])
        expect(latest.items[0]?.aliases).toContain("latest")
        // A page of one prints the cursor of the next; following it gives the rest, in order.
        const first = await ok(
          s,
          "versions",
          "--registry-filter",
          '{"name": "Models"}',
          "--order",
          "-version",
          "--page-size",
          "1",
          "--as",
          "bob"
        )
        expect(first).toContain("Zoo_Classifier_Models:v1")
        const cursor = /More: --cursor (\S+)/.exec(first)?.[1]
        expect(cursor).toBeDefined()
        const second = await json<Page<{ path: string }>>(
          s,
          "versions",
          "--registry-filter",
          '{"name": "Models"}',
          "--order",
          "-version",
          "--page-size",
          "1",
          "--cursor",
          cursor!,
          "--as",
          "bob"
        )
        expect(second.items.map((item) => item.path)).toEqual(["wandb-registry-Models/Zoo_Classifier_Models:v0"])
        const refused = await run(s, "versions", "--filter", '{"alias": {"$like": "p"}}', "--as", "bob")
        expect(refused.code).toBe(1)
        expect(refused.stderr).toContain('Unknown operator "$like"')
        expect(refused.stderr).toContain("$regex")
        const help = await ok(s, "versions", "--help")
        expect(help).toContain("--registry-filter")
        expect(help).toContain('"metadata.accuracy"')
      }),
    LONG
  )
})
