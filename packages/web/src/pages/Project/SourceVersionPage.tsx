/**
 * A version in a team project: metadata, files, lineage, where it is linked, and the "Link to registry" button that
 * opens the linking panel.
 */
import { lazy, Suspense, useState } from "react"
import { api } from "../../Client.js"
import { Show, useData } from "../../components/Data.js"
import { Files, Metadata } from "../../components/Files.js"
import { Link, Routes } from "../../Router.js"
import { ElsewhereLinked } from "../Version/ElsewhereLinked.js"
import { LinkToRegistry } from "./LinkToRegistry.js"
import { Time } from "../../components/Time.js"

// The lineage graph brings dagre: loaded when drawn.
const Lineage = lazy(() => import("../../components/Lineage.js").then((module) => ({ default: module.Lineage })))

/** The source version page. */
export const SourceVersionPage = ({
  entity,
  project,
  artifact,
  version
}: {
  readonly entity: string
  readonly project: string
  readonly artifact: string
  readonly version: string
}) => {
  const reference = `${entity}/${project}/${artifact}:${version}`
  const [loaded] = useData(
    () =>
      Promise.all([
        api((client) =>
          client.artifacts.listArtifactVersions({ path: { entity, project, artifact }, urlParams: { limit: 1000 } })
        ),
        api((client) => client.artifacts.lineage({ urlParams: { reference } }))
      ]),
    [reference]
  )
  const [panel, setPanel] = useState(false)
  return (
    <>
      <p className="crumbs">
        <Link href={Routes.project(entity, project, artifact)}>
          {entity}/{project}
        </Link>{" "}
        /
      </p>
      <h1>{reference}</h1>
      <Show loaded={loaded} what="the version">
        {([page, lineage]) => {
          const found = page.items.find((item) => `v${item.index}` === version)
          if (found === undefined) return <p role="alert">There is no version {reference}.</p>
          return (
            <>
              <button
                type="button"
                aria-expanded={panel}
                aria-controls="link-to-registry"
                onClick={() => setPanel(!panel)}
              >
                Link to registry
              </button>
              {panel && (
                <LinkToRegistry source={reference} artifactType={found.artifactType} onClose={() => setPanel(false)} />
              )}
              <dl className="facts">
                <dt>Type</dt>
                <dd>{found.artifactType}</dd>
                <dt>Aliases</dt>
                <dd>{found.aliases.join(", ") || "none"}</dd>
                <dt>Digest</dt>
                <dd>
                  <code className="digest">{found.digest}</code>
                </dd>
                <dt>Logged</dt>
                <dd>
                  <Time iso={found.loggedAt} /> by {found.loggedByUser}
                </dd>
              </dl>
              <section aria-labelledby="metadata-heading">
                <h2 id="metadata-heading">Metadata</h2>
                <Metadata metadata={found.metadata} />
              </section>
              <Files files={found.files} />
              <section aria-labelledby="lineage-heading">
                <h2 id="lineage-heading">Lineage</h2>
                <Suspense fallback={<p aria-busy="true">Drawing the lineage…</p>}>
                  <Lineage graph={lineage} />
                </Suspense>
              </section>
              <ElsewhereLinked reference={lineage.root} />
            </>
          )
        }}
      </Show>
    </>
  )
}
