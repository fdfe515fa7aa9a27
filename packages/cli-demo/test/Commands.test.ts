import { describe, expect, it } from "vitest"
import { json, ok, plain, run, type Store, withPgliteStore } from "./support/Cli.js"

const models = "wandb-registry-Models/Zoo_Classifier_Models"

// Each test works on its own copy of the store `registrar demo` seeded, so they run side by side.
describe.concurrent("registry, collection and alias commands on the demo (PGlite)", () => {
  it("registry list, show (with the target path and snippets) and search", () =>
    withPgliteStore(async (s: Store) => {
      const listed = await json<{ registries: Array<{ registry: string }> }>(s, "registry", "list", "--as", "bob")
      expect(listed.registries.map((registry) => registry.registry)).toEqual(["Golden Datasets", "Models"])
      const shown = plain(await ok(s, "registry", "show", "wandb-registry-Golden Datasets", "--as", "bob"))
      expect(shown).toContain("Target path: wandb-registry-Golden Datasets/<collection>")
      expect(shown).toContain(
        'run.link_artifact(artifact=artifact, target_path="wandb-registry-Golden Datasets/<collection>")'
      )
      expect(shown).toContain(
        '$ registrar link <team>/<project>/<name>:<version> "wandb-registry-Golden Datasets/<collection>"'
      )
      expect(shown).toMatch(/raw_images\s+dataset\s+1/)
      const found = await json<Array<{ _tag: string }>>(s, "search", "zoo", "--as", "bob")
      expect(found.map((entry) => entry._tag)).toEqual(["Collection"])
    }))

  it("registry grant, revoke, protect, unprotect, accept-types, create, restrict and delete", () =>
    withPgliteStore(async (s: Store) => {
      const granted = await json<{ principal: { kind: string; name: string }; role: string }>(
        s,
        "registry",
        "grant",
        "Models",
        "--user",
        "carol",
        "--role",
        "member",
        "--as",
        "alice"
      )
      expect(granted).toMatchObject({ principal: { kind: "user", name: "carol" }, role: "member" })
      await ok(s, "registry", "revoke", "Models", "--user", "carol", "--as", "alice")
      await ok(s, "registry", "protect", "Models", "gold", "silver", "--as", "alice")
      await ok(s, "registry", "unprotect", "Models", "silver", "--as", "alice")
      await ok(s, "registry", "accept-types", "Models", "checkpoint", "--as", "alice")
      const shown = await json<{
        registry: {
          grants: Array<{ principal: { name: string }; role: string }>
          protectedAliases: Array<string>
          acceptedTypes: Array<string>
        }
      }>(s, "registry", "show", "Models", "--as", "alice")
      expect(shown.registry.grants.map((grant) => grant.principal.name)).not.toContain("carol")
      expect(shown.registry.protectedAliases).toEqual(["production", "gold"])
      expect(shown.registry.acceptedTypes).toEqual(["checkpoint", "model"])

      await ok(
        s,
        "registry",
        "create",
        "Scratch",
        "--org",
        "SMLE Registries Bug Bash",
        "--description",
        "tmp",
        "--as",
        "alice"
      )
      expect(await ok(s, "registry", "restrict", "Scratch", "--as", "alice")).toContain("restricted")
      const carolSees = await json<{ registries: Array<{ registry: string }> }>(s, "registry", "list", "--as", "carol")
      expect(carolSees.registries.map((registry) => registry.registry)).not.toContain("Scratch")
      await ok(s, "registry", "delete", "Scratch", "--as", "alice")
    }))

  it("collection create, list, update, rename, show and delete", () =>
    withPgliteStore(async (s: Store) => {
      await ok(
        s,
        "collection",
        "create",
        "wandb-registry-Golden Datasets/eval_images",
        "--type",
        "dataset",
        "--tag",
        "eval",
        "--as",
        "bob"
      )
      const listed = plain(await ok(s, "collection", "list", "Golden Datasets", "--as", "bob"))
      expect(listed).toMatch(/wandb-registry-Golden Datasets\/eval_images\s+dataset\s+0\s+eval/)
      await ok(
        s,
        "collection",
        "update",
        "wandb-registry-Golden Datasets/eval_images",
        "--description",
        "held-out images",
        "--as",
        "bob"
      )
      await ok(s, "collection", "rename", "wandb-registry-Golden Datasets/eval_images", "eval_set", "--as", "bob")
      const shown = plain(await ok(s, "collection", "show", "wandb-registry-Golden Datasets/eval_set", "--as", "bob"))
      expect(shown).toContain("held-out images")
      expect(shown).toContain("no linked versions")
      await ok(s, "collection", "delete", "wandb-registry-Golden Datasets/eval_set", "--as", "bob")
      const gone = await run(s, "collection", "show", "wandb-registry-Golden Datasets/eval_set", "--as", "bob")
      expect(gone.code).toBe(1)
      expect(gone.stderr).toContain("does not exist")
    }))

  it("collection show prints the versions table, the snippets and the metrics side by side", () =>
    withPgliteStore(async (s: Store) => {
      const text = plain(await ok(s, "collection", "show", models, "--metrics", "--as", "bob"))
      expect(text).toMatch(
        /v0\s+candidate\s+smle-reg-team-1\/registry_quickstart\/zoo-classifier:v0\s+\d{4}-\d\d-\d\d \S+\s+bob/
      )
      expect(text).toMatch(/v1\s+latest, production, staging\s+smle-reg-team-1\/registry_quickstart\/zoo-classifier:v1/)
      expect(text).toMatch(/accuracy\s+0\.87\s+0\.93/)
      expect(text).toContain(`Target path: ${models}`)
      expect(text).toContain(`run.link_artifact(artifact=artifact, target_path="${models}")`)
      expect(text).toContain(`$ registrar link <team>/<project>/<name>:<version> ${models}`)
      const document = await json<{ metrics: Record<string, Record<string, number>> }>(
        s,
        "collection",
        "show",
        models,
        "--metrics",
        "--as",
        "bob"
      )
      expect(document.metrics.loss).toEqual({ v0: 0.41, v1: 0.22 })
    }))

  it("alias add and remove, unlink, and reads as of a past position or time", () =>
    withPgliteStore(async (s: Store) => {
      const events = await json<Array<{ globalPosition: number }>>(
        s,
        "history",
        "--registry",
        "Models",
        "--as",
        "alice"
      )
      const before = events.at(-1)!.globalPosition
      await ok(s, "alias", "add", `${models}:v0`, "staging", "--as", "bob")
      expect((await json<{ version: number }>(s, "resolve", `${models}:staging`, "--as", "bob")).version).toBe(0)
      const then = await json<{ version: number }>(
        s,
        "resolve",
        `${models}:staging`,
        "--as-of",
        String(before),
        "--as",
        "bob"
      )
      expect(then.version).toBe(1)
      const early = await json<{ registries: Array<unknown> }>(
        s,
        "registry",
        "list",
        "--as-of",
        "2000-01-01T00:00:00Z",
        "--as",
        "bob"
      )
      expect(early.registries).toEqual([])

      expect(await ok(s, "alias", "remove", `${models}:v0`, "staging", "--as", "bob")).not.toContain("staging")
      expect(await ok(s, "unlink", `${models}:v0`, "--as", "bob")).toContain(
        "Unlinked wandb-registry-Models/Zoo_Classifier_Models:v0"
      )
      const unlinked = await run(s, "resolve", `${models}:v0`, "--as", "bob")
      expect(unlinked.code).toBe(1)
      expect(unlinked.stderr).toContain("does not exist")
    }))

  it("history filters by registry, collection, actor and time; artifact versions; lineage as mermaid and dot", () =>
    withPgliteStore(async (s: Store) => {
      const byBob = await json<Array<{ actor: string }>>(
        s,
        "history",
        "--actor",
        "bob",
        "--collection",
        "raw_images",
        "--registry",
        "Golden Datasets",
        "--as",
        "alice"
      )
      expect(byBob.length).toBeGreaterThan(0)
      expect(new Set(byBob.map((row) => row.actor))).toEqual(new Set(["bob"]))
      const none = await json<Array<unknown>>(s, "history", "--until", "2000-01-01", "--as", "alice")
      expect(none).toEqual([])
      const table = plain(await ok(s, "history", "--registry", "Models", "--limit", "3", "--as", "alice"))
      expect(table).toMatch(/POSITION\s+TIME\s+ACTOR\s+EVENT\s+SUMMARY\s+HASH/)

      const versions = plain(
        await ok(s, "artifact", "versions", "smle-reg-team-1/registry_quickstart/zoo-classifier", "--as", "bob")
      )
      expect(versions).toMatch(/v1\s+latest\s+model/)
      const mermaid = await ok(s, "lineage", `${models}:production`, "--format", "mermaid", "--as", "bob")
      expect(mermaid).toMatch(/^flowchart LR/)
      expect(mermaid).toContain("-- produced -->")
      const dot = await ok(
        s,
        "lineage",
        "smle-reg-team-1/registry_quickstart/raw_images:v0",
        "--format",
        "dot",
        "--as",
        "bob"
      )
      expect(dot).toMatch(/^digraph lineage \{/)
      expect(dot).toContain(
        '"smle-reg-team-1/registry_quickstart/raw_images:v0" -> "smle-reg-team-1/registry_quickstart/train-1" [label="used"];'
      )
    }))

  it("demo again changes nothing; demo --memory seeds a throwaway store", () =>
    withPgliteStore(async (s) => {
      expect(await ok(s, "demo")).toContain("The demo is already in this store")
      const throwaway = await json<{ seeded: boolean; next: Array<string> }>(s, "demo", "--memory")
      expect(throwaway.seeded).toBe(true)
      expect(throwaway.next).toContain("pnpm registrar link --interactive --as bob")
    }))
})
