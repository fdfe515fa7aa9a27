/**
 * A team project's artifact browser: the project's artifacts, and an artifact's versions; each opens the version's
 * page, where "Link to registry" starts the documentation's first linking flow.
 */
import { type FormEvent, useId, useState } from "react"
import { api } from "../../Client.js"
import { Show, useData } from "../../components/Data.js"
import { Link, navigate, Routes } from "../../Router.js"
import { Time } from "../../components/Time.js"

const Versions = ({
  entity,
  project,
  artifact
}: {
  readonly entity: string
  readonly project: string
  readonly artifact: string
}) => {
  const [loaded] = useData(
    () =>
      api((client) =>
        client.artifacts.listArtifactVersions({ path: { entity, project, artifact }, urlParams: { limit: 1000 } })
      ),
    [entity, project, artifact]
  )
  return (
    <Show loaded={loaded} what="the versions">
      {(page) => (
        <table>
          <caption>
            Versions of {entity}/{project}/{artifact}
          </caption>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Type</th>
              <th scope="col">Aliases</th>
              <th scope="col">Logged</th>
            </tr>
          </thead>
          <tbody>
            {[...page.items]
              .reverse()
              .filter((version) => !version.deleted)
              .map((version) => (
                <tr key={version.index}>
                  <th scope="row">
                    <Link href={Routes.sourceVersion(entity, project, artifact, `v${version.index}`)}>
                      {artifact}:v{version.index}
                    </Link>
                  </th>
                  <td>{version.artifactType}</td>
                  <td>{version.aliases.join(", ")}</td>
                  <td>
                    <Time iso={version.loggedAt} /> by {version.loggedByUser}
                  </td>
                </tr>
              ))}
          </tbody>
        </table>
      )}
    </Show>
  )
}

const Artifacts = ({ entity, project }: { readonly entity: string; readonly project: string }) => {
  const [loaded] = useData(
    () =>
      api((client) => client.artifacts.listArtifacts({ path: { entity }, urlParams: {} })).then((artifacts) =>
        artifacts.filter((artifact) => artifact.project === project)
      ),
    [entity, project]
  )
  return (
    <Show loaded={loaded} what="the artifacts">
      {(artifacts) =>
        artifacts.length === 0 ? (
          <p>No artifact logged in this project yet.</p>
        ) : (
          <table>
            <caption>Artifacts</caption>
            <thead>
              <tr>
                <th scope="col">Artifact</th>
                <th scope="col">Type</th>
                <th scope="col">Versions</th>
                <th scope="col">latest</th>
              </tr>
            </thead>
            <tbody>
              {artifacts.map((artifact) => (
                <tr key={artifact.name}>
                  <th scope="row">
                    <Link href={Routes.project(entity, project, artifact.name)}>{artifact.name}</Link>
                  </th>
                  <td>{artifact.artifactType}</td>
                  <td>{artifact.versions}</td>
                  <td>
                    {artifact.latest === null ? (
                      "none"
                    ) : (
                      <Link href={Routes.sourceVersion(entity, project, artifact.name, `v${artifact.latest}`)}>
                        v{artifact.latest}
                      </Link>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      }
    </Show>
  )
}

/** The project page. */
export const ProjectPage = ({
  entity,
  project,
  query
}: {
  readonly entity: string
  readonly project: string
  readonly query: URLSearchParams
}) => {
  const id = useId()
  const artifact = query.get("artifact") ?? ""
  const [name, setName] = useState(artifact)
  const open = (event: FormEvent) => {
    event.preventDefault()
    navigate(Routes.project(entity, project, name.trim()))
  }
  return (
    <>
      <h1>
        {entity}/{project}
      </h1>
      <Artifacts entity={entity} project={project} />
      <p>Browse an artifact's versions: choose it above, or name it.</p>
      <form className="inline" onSubmit={open}>
        <label htmlFor={id}>Artifact</label>
        <input id={id} required value={name} onChange={(event) => setName(event.target.value)} />
        <button type="submit">Browse</button>
      </form>
      {artifact !== "" && <Versions entity={entity} project={project} artifact={artifact} />}
    </>
  )
}
