/**
 * A linked version: its metadata, files (sizes, digests, download), lineage as a navigable graph, the runs that used
 * it, and where else its source is linked. Loaded on demand (it brings the graph layout library).
 */
import { api } from "../../Client.js"
import { AsOfBanner, AsOfForm, asOfOf, asOfParam } from "../../components/AsOf.js"
import { Show, useData } from "../../components/Data.js"
import { Files, Metadata } from "../../components/Files.js"
import { Lineage } from "../../components/Lineage.js"
import { useSession } from "../../components/Session.js"
import { Link, Routes } from "../../Router.js"
import { ElsewhereLinked } from "./ElsewhereLinked.js"
import { Time } from "../../components/Time.js"

/** The version page. */
const VersionPage = ({
  registry,
  collection,
  version,
  query
}: {
  readonly registry: string
  readonly collection: string
  readonly version: string
  readonly query: URLSearchParams
}) => {
  const { organization } = useSession()
  const asOf = asOfOf(query)
  const name = `${organization}/wandb-registry-${registry}/${collection}:${version}`
  const [loaded] = useData(
    () =>
      Promise.all([
        api((client) => client.versions.resolve({ urlParams: { name, ...asOfParam(asOf) } })),
        api((client) => client.artifacts.lineage({ urlParams: { reference: name, ...asOfParam(asOf) } }))
      ]),
    [name, asOf]
  )
  const base = `/organizations/${encodeURIComponent(organization)}/registries/${encodeURIComponent(registry)}/collections/${encodeURIComponent(collection)}/versions/${encodeURIComponent(version)}/file`
  return (
    <>
      <AsOfBanner asOf={asOf} now={Routes.version(registry, collection, version)} />
      <p className="crumbs">
        <Link href={Routes.registries()}>Registries</Link> /{" "}
        <Link href={Routes.registry(registry, asOf)}>{registry}</Link> /{" "}
        <Link href={Routes.collection(registry, collection, asOf)}>{collection}</Link> /
      </p>
      <AsOfForm hrefFor={(time) => Routes.version(registry, collection, version, time)} />
      <Show loaded={loaded} what="the version">
        {([resolved, lineage]) => (
          <>
            <h1>{resolved.fullName}</h1>
            <dl className="facts">
              <dt>Aliases</dt>
              <dd>
                {resolved.aliases.length === 0
                  ? "none"
                  : resolved.aliases.map((alias) => (
                      <span key={alias} className="alias">
                        {alias}
                      </span>
                    ))}
              </dd>
              <dt>Source</dt>
              <dd>
                <code>{resolved.source}</code>
              </dd>
              <dt>Type</dt>
              <dd>{resolved.artifactType}</dd>
              <dt>Digest</dt>
              <dd>
                <code className="digest">{resolved.digest}</code>
              </dd>
              <dt>Linked</dt>
              <dd>
                <Time iso={resolved.linkedAt} /> by {resolved.linkedBy}
              </dd>
              {resolved.description !== "" && (
                <>
                  <dt>Description</dt>
                  <dd>{resolved.description}</dd>
                </>
              )}
            </dl>
            <section aria-labelledby="metadata-heading">
              <h2 id="metadata-heading">Metadata</h2>
              <Metadata metadata={resolved.metadata} />
            </section>
            <Files
              files={resolved.files}
              {...(asOf === undefined
                ? { downloadHref: (path: string) => `${base}?path=${encodeURIComponent(path)}` }
                : {})}
            />
            <section aria-labelledby="lineage-heading">
              <h2 id="lineage-heading">Lineage</h2>
              <Lineage graph={lineage} />
            </section>
            <section aria-labelledby="usage-heading">
              <h2 id="usage-heading">Usage</h2>
              <Usage root={lineage.root} edges={lineage.edges} />
            </section>
            <ElsewhereLinked reference={lineage.root} asOf={asOf} here={{ registry, collection }} />
          </>
        )}
      </Show>
    </>
  )
}

/** The runs that used the version. */
export const Usage = ({
  root,
  edges
}: {
  readonly root: string
  readonly edges: ReadonlyArray<{ readonly from: string; readonly to: string; readonly kind: string }>
}) => {
  const users = edges.filter((edge) => edge.kind === "used" && edge.from === root).map((edge) => edge.to)
  const producers = edges.filter((edge) => edge.kind === "produced" && edge.to === root).map((edge) => edge.from)
  return (
    <>
      <p>Produced by: {producers.length === 0 ? "no recorded run" : producers.join(", ")}</p>
      {users.length === 0 ? (
        <p>No run has used it yet.</p>
      ) : (
        <ul aria-label="Runs that used it">
          {users.map((run) => (
            <li key={run}>{run}</li>
          ))}
        </ul>
      )}
    </>
  )
}

export default VersionPage
