/**
 * The ready-to-paste code next to a registry or a collection: the target path, the W&B SDK call to link into it and
 * to use it, and the `registrar` command. The same texts as the CLI's `collection show` (cli-demo's Snippets.ts).
 */

const REGISTRY_PREFIX = "wandb-registry-"

/** `wandb-registry-R/C`. */
export const collectionPath = (registry: string, collection: string): string =>
  `${REGISTRY_PREFIX}${registry}/${collection}`

/** `wandb-registry-R/C:vN`. */
export const fullName = (registry: string, collection: string, version: number): string =>
  `${collectionPath(registry, collection)}:v${version}`

const shellQuote = (value: string): string =>
  /^[A-Za-z0-9_./:=@+-]+$/.test(value) ? value : `"${value.replace(/(["\\$`])/g, "\\$1")}"`

/** The snippets of one collection path (a registry's use `<collection>` and `<type>`). */
export const snippetsFor = (organization: string, registry: string, collection: string, artifactType: string) => {
  const targetPath = collectionPath(registry, collection)
  return {
    targetPath,
    link: [
      "import wandb",
      'run = wandb.init(entity="<team>", project="<project>")',
      `artifact = wandb.Artifact(name="<name>", type="${artifactType}")`,
      'artifact.add_file("<path>")',
      `run.link_artifact(artifact=artifact, target_path="${targetPath}")`
    ].join("\n"),
    use: `artifact = run.use_artifact("${organization}/${targetPath}:latest", type="${artifactType}")`,
    cli: `registrar link <team>/<project>/<name>:<version> ${shellQuote(targetPath)} --alias <alias>`
  }
}

const Block = ({ title, code }: { readonly title: string; readonly code: string }) => {
  return (
    <figure className="snippet">
      <figcaption>{title}</figcaption>
      <pre>
        <code>{code}</code>
      </pre>
    </figure>
  )
}

/** The snippets block of a collection (or of a registry, with `collection` undefined). */
export const Snippets = ({
  organization,
  registry,
  collection,
  artifactType
}: {
  readonly organization: string
  readonly registry: string
  readonly collection?: string
  readonly artifactType?: string
}) => {
  const snippets = snippetsFor(organization, registry, collection ?? "<collection>", artifactType ?? "<type>")
  return (
    <section aria-labelledby="snippets-heading">
      <h2 id="snippets-heading">Link and use from code</h2>
      <p>
        Target path: <code data-testid="target-path">{snippets.targetPath}</code>
      </p>
      <Block title="Link a version here (Python, W&B SDK)" code={snippets.link} />
      {collection !== undefined && <Block title="Use it (Python, W&B SDK)" code={snippets.use} />}
      <Block title="The same link with the registrar command" code={snippets.cli} />
    </section>
  )
}
