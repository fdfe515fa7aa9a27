/**
 * "Link new version" from a collection's menu: a side panel to choose team, project, artifact and version (and
 * aliases), then link it here. Ends on the new full name; each refusal appears beside its field.
 */
import type { Models } from "@registrar/api"
import { type FormEvent, useEffect, useRef, useState } from "react"
import { api, type Failure } from "../../Client.js"
import { FieldError } from "../../components/Data.js"
import { Field, listOf } from "../../components/Form.js"
import { type LinkField, LinkedResult, linkFailureField } from "../../components/Linked.js"
import { useSession } from "../../components/Session.js"

type ArtifactVersion = typeof Models.ArtifactVersion.Type

/** The side panel. */
export const LinkNewVersion = ({
  registry,
  collection,
  artifactType,
  onClose,
  onLinked
}: {
  readonly registry: string
  readonly collection: string
  readonly artifactType: string
  readonly onClose: () => void
  readonly onLinked: () => void
}) => {
  const { organization } = useSession()
  const [team, setTeam] = useState("")
  const [project, setProject] = useState("")
  const [artifact, setArtifact] = useState("")
  const [versions, setVersions] = useState<ReadonlyArray<ArtifactVersion> | undefined>()
  const [version, setVersion] = useState("")
  const [aliases, setAliases] = useState("")
  const [failure, setFailure] = useState<{ readonly where: LinkField; readonly failure: Failure } | undefined>()
  const [result, setResult] = useState<typeof Models.LinkResult.Type | undefined>()
  const heading = useRef<HTMLHeadingElement>(null)
  useEffect(() => heading.current?.focus(), [])
  const at = (where: LinkField) => (failure?.where === where ? failure.failure : undefined)

  const find = (event: FormEvent) => {
    event.preventDefault()
    setFailure(undefined)
    setVersions(undefined)
    api((client) =>
      client.artifacts.listArtifactVersions({ path: { entity: team, project, artifact }, urlParams: { limit: 1000 } })
    )
      .then((page) => {
        const live = page.items.filter((item) => !item.deleted)
        setVersions(live)
        setVersion(live.length === 0 ? "" : `v${live[live.length - 1]?.index}`)
      })
      .catch((error: Failure) =>
        setFailure({ where: error.tag === "EntityNotFound" ? "team" : "artifact", failure: error })
      )
  }
  const link = (event: FormEvent) => {
    event.preventDefault()
    setFailure(undefined)
    api((client) =>
      client.versions.link({
        path: { organization, registry, collection },
        payload: { source: `${team}/${project}/${artifact}:${version}`, aliases: listOf(aliases) },
        headers: {}
      })
    )
      .then((linked) => {
        setResult(linked)
        onLinked()
      })
      .catch((error: Failure) => {
        // Here the registry and collection are fixed: a type refusal concerns the version chosen.
        const where = linkFailureField(error)
        setFailure({
          where: where === "registry" && error.tag === "TypeNotAccepted" ? "version" : where,
          failure: error
        })
      })
  }
  return (
    <aside id="link-new-version" className="panel" aria-labelledby="link-new-heading">
      <h2 id="link-new-heading" ref={heading} tabIndex={-1}>
        Link new version to {collection}
      </h2>
      <p className="hint">Only versions of type {artifactType} can be linked here.</p>
      <form onSubmit={find} aria-label="Choose the artifact">
        <Field label="Team" failure={at("team")}>
          {(props) => <input {...props} required value={team} onChange={(event) => setTeam(event.target.value)} />}
        </Field>
        <Field label="Project">
          {(props) => (
            <input {...props} required value={project} onChange={(event) => setProject(event.target.value)} />
          )}
        </Field>
        <Field label="Artifact" failure={at("artifact")}>
          {(props) => (
            <input {...props} required value={artifact} onChange={(event) => setArtifact(event.target.value)} />
          )}
        </Field>
        <button type="submit">Find versions</button>
      </form>
      {versions !== undefined && (
        <form onSubmit={link} aria-label="Link the version">
          <Field label="Version" failure={at("version")}>
            {(props) => (
              <select {...props} value={version} onChange={(event) => setVersion(event.target.value)}>
                {[...versions].reverse().map((item) => (
                  <option key={item.index} value={`v${item.index}`}>
                    v{item.index} ({item.artifactType}){item.aliases.length > 0 ? ` ${item.aliases.join(", ")}` : ""}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Aliases (optional)" failure={at("aliases")} hint="Comma-separated, e.g. staging">
            {(props) => <input {...props} value={aliases} onChange={(event) => setAliases(event.target.value)} />}
          </Field>
          <button type="submit" disabled={version === ""}>
            Link
          </button>
          <FieldError failure={at("form") ?? at("registry") ?? at("collection")} id="link-new-error" />
        </form>
      )}
      {result !== undefined && <LinkedResult result={result} />}
      <button type="button" onClick={onClose}>
        Close
      </button>
    </aside>
  )
}
