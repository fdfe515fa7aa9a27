/**
 * A team project's artifact browser: name an artifact of the project to see its versions; each opens the version's
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
      <p>The project's artifacts: name one to browse its versions.</p>
      <form className="inline" onSubmit={open}>
        <label htmlFor={id}>Artifact</label>
        <input id={id} required value={name} onChange={(event) => setName(event.target.value)} />
        <button type="submit">Browse</button>
      </form>
      {artifact !== "" && <Versions entity={entity} project={project} artifact={artifact} />}
    </>
  )
}
