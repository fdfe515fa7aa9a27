/**
 * The ready-to-paste snippets the registry app shows next to a registry or a collection: the exact target path to
 * link into, the W&B SDK call, the same call through Registrar's library and the equivalent `registrar` command.
 */

import { collectionPath } from "@registrar/domain"

/** Quotes an argument for a POSIX shell when it needs quoting. */
export const shellQuote = (value: string): string =>
  /^[A-Za-z0-9_./:=@+-]+$/.test(value) ? value : `"${value.replace(/(["\\$`])/g, "\\$1")}"`

/** Snippets for linking into, and using from, one collection path. */
export interface Snippets {
  readonly targetPath: string
  readonly python: string
  /** The same link through this project's library (`@registrar/domain`, inside an Effect). */
  readonly typescript: string
  readonly cli: string
  /** How to use a version of the collection; none for a registry (the collection is not chosen yet). */
  readonly use: { readonly python: string; readonly cli: string } | null
}

/** The snippets of a collection `wandb-registry-R/C` of `organization`, for a source of type `artifactType`. */
export const forCollection = (
  organization: string,
  registry: string,
  collection: string,
  artifactType: string
): Snippets => {
  const targetPath = collectionPath(registry, collection)
  const qualified = `${organization}/${targetPath}:latest`
  return {
    targetPath,
    python: [
      "import wandb",
      'run = wandb.init(entity="<team>", project="<project>")',
      `artifact = wandb.Artifact(name="<name>", type="${artifactType}")`,
      'artifact.add_file("<path>")',
      `run.link_artifact(artifact=artifact, target_path="${targetPath}")`
    ].join("\n"),
    typescript: [
      'import { Registrar } from "@registrar/domain"',
      "const registrar = yield* Registrar",
      `yield* registrar.link({ actor: "<user>", source: "<team>/<project>/<name>:<version>", target: ${JSON.stringify(`${organization}/${targetPath}`)}, aliases: ["<alias>"] })`
    ].join("\n"),
    cli: `registrar link <team>/<project>/<name>:<version> ${shellQuote(targetPath)} --alias <alias>`,
    use: {
      python: `artifact = run.use_artifact("${qualified}", type="${artifactType}")`,
      cli: `registrar artifact download ${shellQuote(`${targetPath}:latest`)} --to ./${collection.replace(/[^A-Za-z0-9_.-]/g, "_")}`
    }
  }
}

/** The snippets of a registry, for a collection still to be chosen (linking creates it). */
export const forRegistry = (organization: string, registry: string): Snippets => ({
  ...forCollection(organization, registry, "<collection>", "<type>"),
  use: null
})

/** Prints snippets as an indented block. */
export const render = (snippets: Snippets): string =>
  [
    `Target path: ${snippets.targetPath}`,
    "",
    "Link a version here (Python, W&B SDK):",
    ...snippets.python.split("\n").map((line) => `    ${line}`),
    "",
    "With the Registrar library (TypeScript, in an Effect):",
    ...snippets.typescript.split("\n").map((line) => `    ${line}`),
    "",
    "Or from the terminal:",
    `    $ ${snippets.cli}`,
    ...(snippets.use === null ? [] : ["", "Use it:", `    ${snippets.use.python}`, `    $ ${snippets.use.cli}`])
  ].join("\n")
