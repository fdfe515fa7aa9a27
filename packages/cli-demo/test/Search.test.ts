/**
 * The filter language through the real CLI, on the demo's store: `registry list`, `collection list` and `versions`
 * with W&B filters, orders, page sizes and cursors, `--json`, and a refused filter's one-line error.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { API_KEY, json, ok, run, serve, type Store, withPgliteStore, stop } from "./support/Cli.js"

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

        // Against the server, the same pages (the remote client asks GET /find/versions).
        const asked = ["versions", "--registry-filter", '{"name": "Models"}', "--order", "-version", "--page-size", "1"]
        const local = await json(s, ...asked, "--as", "bob")
        const bobKey = API_KEY.exec(await ok(s, "api-key", "create", "--user", "bob", "--name", "laptop"))?.[0]
        expect(bobKey).toBeDefined()
        const server = await serve(s)
        try {
          const remote: Store = {
            name: "remote",
            dataDir: fs.mkdtempSync(path.join(os.tmpdir(), "registrar-search-remote-")),
            env: {
              XDG_CONFIG_HOME: fs.mkdtempSync(path.join(os.tmpdir(), "registrar-search-config-")),
              REGISTRAR_SERVER: server.url,
              REGISTRAR_API_KEY: bobKey!
            }
          }
          expect(await json(remote, ...asked)).toEqual(local)
          const refused = await run(remote, "versions", "--filter", '{"alias": {"$like": "p"}}')
          expect(refused.code).toBe(1)
          expect(refused.stderr).toContain('Unknown operator "$like"')
        } finally {
          // The store is disposed after the test: wait for the server to let go of it.
          await stop(server.child)
        }
      }),
    LONG
  )
})
