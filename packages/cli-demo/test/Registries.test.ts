/**
 * Registry-level commands through the real CLI: every form of the registry argument, renaming and describing
 * registries, how the organization is resolved (and the errors when it cannot be), and who may create users.
 */
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { json, ok, run, type Store, withPgliteStore } from "./support/Cli.js"

const ORG = "smle-registries-bug-bash"

// Each test runs the binary a dozen times or more, on a machine that may be busy.
const LONG = 900_000

/** A failure: exit code 1 and one error line containing every one of `mentions`. */
const fails = async (store: Store, mentions: ReadonlyArray<string>, ...args: ReadonlyArray<string>) => {
  const result = await run(store, ...args)
  expect(result.code, result.stdout).toBe(1)
  const errorLines = result.stderr.split("\n").filter((line) => line !== "")
  expect(errorLines, result.stderr).toHaveLength(1)
  for (const mention of mentions) expect(errorLines[0]).toContain(mention)
  return errorLines[0]!
}

/** The three ways to name the registry `name`: with the organization in the path, with the prefix, bare. */
const forms = (name: string) =>
  [
    { form: "ORG/wandb-registry-R", args: [`${ORG}/wandb-registry-${name}`] },
    { form: "wandb-registry-R --org ORG", args: [`wandb-registry-${name}`, "--org", ORG] },
    { form: "R --org ORG", args: [name, "--org", ORG] }
  ] as const

type Shown = {
  registry: {
    registry: string
    description: string
    visibility: string
    grants: Array<{ principal: { name: string }; role: string }>
    protectedAliases: Array<string>
    acceptedTypes: Array<string>
  }
  collections: Array<{ name: string }>
}

describe.concurrent("registry-level commands accept every form of the registry (PGlite)", () => {
  it.each([0, 1, 2])(
    "form %i: show, grant, revoke, protect, unprotect, accept-types, update, collection list, rename, restrict, create, delete",
    (index) =>
      withPgliteStore(async (s) => {
        const { form, args } = forms("Models")[index]!
        const as = ["--as", "alice"]
        const granted = await json<{ principal: { name: string }; role: string }>(
          s,
          "registry",
          "grant",
          ...args,
          "--user",
          "carol",
          "--role",
          "member",
          ...as
        )
        expect(granted, form).toMatchObject({ principal: { name: "carol" }, role: "member" })
        await ok(s, "registry", "revoke", ...args, "--user", "carol", ...as)
        await ok(s, "registry", "protect", ...args, "gold", ...as)
        await ok(s, "registry", "unprotect", ...args, "production", ...as)
        await ok(s, "registry", "accept-types", ...args, "checkpoint", ...as)
        await ok(s, "registry", "update", ...args, "--description", `set through ${form}`, ...as)
        const after = await json<Shown>(s, "registry", "show", ...args, ...as)
        expect(after.registry.registry).toBe("Models")
        expect(after.registry.grants.map((grant) => grant.principal.name)).not.toContain("carol")
        expect(after.registry.protectedAliases).toEqual(["gold"])
        expect(after.registry.acceptedTypes).toEqual(["checkpoint", "model"])
        expect(after.registry.description).toBe(`set through ${form}`)
        const listed = await json<Array<{ name: string }>>(s, "collection", "list", ...args, ...as)
        expect(listed.map((collection) => collection.name)).toEqual(["Zoo_Classifier_Models"])

        await ok(s, "registry", "rename", ...args, "Zoo", ...as)
        const renamed = forms("Zoo")[index]!.args
        await ok(s, "registry", "restrict", ...renamed, ...as)
        const zoo = await json<Shown>(s, "registry", "show", ...renamed, ...as)
        expect(zoo.registry.visibility).toBe("restricted")
        expect(zoo.collections.map((collection) => collection.name)).toEqual(["Zoo_Classifier_Models"])

        const scratch = forms(`Scratch ${index}`)[index]!.args
        const created = await json<{ registry: string; organization: string }>(
          s,
          "registry",
          "create",
          ...scratch,
          ...as
        )
        expect(created).toMatchObject({ registry: `Scratch ${index}`, organization: ORG })
        await ok(s, "registry", "delete", ...scratch, ...as)
        await fails(s, ["does not exist", `wandb-registry-Scratch ${index}`], "registry", "show", ...scratch, ...as)
      }),
    LONG
  )

  it(
    "refuses a path and an --org that disagree, paths that are no registry, and names breaking the rules",
    () =>
      withPgliteStore(async (s) => {
        await fails(
          s,
          ["--org", ORG, '"other"'],
          "registry",
          "show",
          `${ORG}/wandb-registry-Models`,
          "--org",
          "other",
          "--as",
          "alice"
        )
        await fails(s, ["is not a registry"], "registry", "show", `${ORG}/Models`, "--as", "alice")
        await fails(
          s,
          ["is not a registry"],
          "registry",
          "grant",
          "/wandb-registry-Models",
          "--user",
          "carol",
          "--role",
          "viewer",
          "--as",
          "alice"
        )
        await fails(s, ["113"], "registry", "show", "x".repeat(114), "--as", "alice")
        await fails(s, ["only the prefix"], "registry", "show", "wandb-registry-", "--as", "alice")
        await fails(s, ["organization"], "registry", "create", "wandb-registry-Nowhere", "--as", "alice")
        // The display name works in the path as well as the entity name.
        const shown = await json<Shown>(
          s,
          "registry",
          "show",
          "SMLE Registries Bug Bash/wandb-registry-Models",
          "--as",
          "bob"
        )
        expect(shown.registry.registry).toBe("Models")
      }),
    LONG
  )
})

describe.concurrent("registry rename and update (PGlite)", () => {
  it(
    "renames a registry: its collections and links carry over, the old name is gone, history and as-of reads agree",
    () =>
      withPgliteStore(async (s) => {
        const beforeRename = new Date().toISOString()
        await new Promise((resolve) => setTimeout(resolve, 5))
        const renamed = await json<{ from: string; registry: string }>(
          s,
          "registry",
          "rename",
          "Golden Datasets",
          "wandb-registry-Curated Datasets",
          "--as",
          "alice"
        )
        expect(renamed).toMatchObject({ from: "Golden Datasets", registry: "Curated Datasets" })
        const resolved = await json<{ fullName: string; source: string }>(
          s,
          "resolve",
          "wandb-registry-Curated Datasets/raw_images:v0",
          "--as",
          "bob"
        )
        expect(resolved.fullName).toBe("wandb-registry-Curated Datasets/raw_images:v0")
        await fails(
          s,
          ["does not exist", "wandb-registry-Golden Datasets"],
          "registry",
          "show",
          "Golden Datasets",
          "--as",
          "bob"
        )
        const then = await json<Shown>(s, "registry", "show", "Golden Datasets", "--as-of", beforeRename, "--as", "bob")
        expect(then.registry.registry).toBe("Golden Datasets")
        expect(then.collections.map((collection) => collection.name)).toContain("raw_images")

        await ok(s, "registry", "update", "Curated Datasets", "--description", "Hand-checked datasets", "--as", "alice")
        const listed = await ok(s, "registry", "list", "--as", "bob")
        expect(listed).toMatch(/wandb-registry-Curated Datasets\s+organization\s+dataset\s+Hand-checked datasets/)
        expect(await ok(s, "registry", "show", "Curated Datasets", "--as", "bob")).toMatch(
          /Description:\s+Hand-checked datasets/
        )
        const history = await json<Array<{ type: string; summary: string }>>(
          s,
          "history",
          "--registry",
          "Curated Datasets",
          "--as",
          "alice"
        )
        expect(history.find((row) => row.type === "RegistryRenamed")?.summary).toBe(
          "renamed registry wandb-registry-Golden Datasets to wandb-registry-Curated Datasets"
        )

        await fails(
          s,
          ["already exists", "wandb-registry-Models"],
          "registry",
          "rename",
          "Curated Datasets",
          "Models",
          "--as",
          "alice"
        )
        await fails(s, ["needs admin or higher"], "registry", "rename", "Curated Datasets", "Other", "--as", "bob")
        await fails(s, ["Nothing to change"], "registry", "update", "Curated Datasets", "--as", "alice")
      }),
    LONG
  )
})

describe.concurrent("organizations and users (PGlite)", () => {
  it(
    "a user in several organizations who names none is told which, and how to choose",
    () =>
      withPgliteStore(async (s) => {
        await ok(s, "org", "create", "other-org", "--display-name", "Other Org", "--as", "alice")
        const message = await fails(
          s,
          [ORG, "other-org", "--org", "REGISTRAR_ORG", "ORG/"],
          "registry",
          "list",
          "--as",
          "alice"
        )
        expect(message).not.toContain("none given")
        await fails(s, ["several organizations"], "registry", "show", "Models", "--as", "alice")
        await fails(
          s,
          ["several organizations"],
          "resolve",
          "wandb-registry-Models/Zoo_Classifier_Models",
          "--as",
          "alice"
        )
        expect(
          (await json<{ organization: string }>(s, "registry", "list", "--org", ORG, "--as", "alice")).organization
        ).toBe(ORG)
        const withDefault = { ...s, env: { ...s.env, REGISTRAR_ORG: ORG } }
        expect(
          (await json<{ organization: string }>(withDefault, "registry", "list", "--as", "alice")).organization
        ).toBe(ORG)
        expect(
          (await json<Shown>(s, "registry", "show", `${ORG}/wandb-registry-Models`, "--as", "alice")).registry.registry
        ).toBe("Models")

        // dave belongs to other-org only: naming the demo organization is refused, naming him and it.
        await ok(s, "user", "create", "dave", "--org", "other-org", "--as", "alice")
        await fails(
          s,
          ["is not a member of organization", '"dave"', `"${ORG}"`],
          "registry",
          "show",
          `${ORG}/wandb-registry-Models`,
          "--as",
          "dave"
        )
        await fails(s, ['"dave"', `"${ORG}"`], "registry", "create", "Mine", "--org", ORG, "--as", "dave")
        await fails(s, ['"dave"', `"${ORG}"`], "registry", "list", "--org", ORG, "--as", "dave")
      }),
    LONG
  )

  it(
    "user create needs --as an organization admin and --org, except for an empty store's first user",
    () =>
      withPgliteStore(async (s) => {
        await fails(s, ["cannot create user", '"mallory"', "--org"], "user", "create", "mallory", "--as", "mallory")
        await fails(
          s,
          ["needs the organization role admin", '"bob"'],
          "user",
          "create",
          "mallory",
          "--org",
          ORG,
          "--as",
          "bob"
        )
        const created = await json<{ user: string; created: boolean }>(
          s,
          "user",
          "create",
          "erin",
          "--org",
          ORG,
          "--as",
          "alice"
        )
        expect(created).toMatchObject({ user: "erin", created: true })

        const empty = await fs.mkdtemp(path.join(os.tmpdir(), "registrar-cli-empty-"))
        try {
          const fresh: Store = { name: "empty", dataDir: empty, env: { REGISTRAR_DATA_DIR: empty } }
          await ok(fresh, "user", "create", "ada", "--as", "ada")
          await fails(fresh, ["cannot create user", '"eve"'], "user", "create", "eve", "--as", "eve")
        } finally {
          await fs.rm(empty, { recursive: true, force: true })
        }
      }),
    LONG
  )
})
