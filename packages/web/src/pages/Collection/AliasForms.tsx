/**
 * Moving aliases (assigning one to a version takes it from any other; protected ones only for registry admins),
 * removing them, and unlinking a version. Each refusal appears beside the field it concerns.
 */
import type { Models } from "@registrar/api"
import { type FormEvent, useState } from "react"
import { api, type Failure } from "../../Client.js"
import { Field } from "../../components/Form.js"

type LinkedVersion = typeof Models.LinkedVersion.Type
interface CollectionPath {
  readonly organization: string
  readonly registry: string
  readonly collection: string
}

/** How many recent versions the version fields suggest. */
const SUGGESTED = 20

/** A version field: any `vN`, the newest versions suggested (a list of every version is slow for big collections). */
const VersionInput = ({
  value,
  onChange,
  listId,
  ...props
}: {
  readonly value: string
  readonly onChange: (value: string) => void
  readonly listId: string
  readonly id: string
}) => (
  <input
    {...props}
    required
    list={listId}
    pattern="v[0-9]+"
    value={value}
    onChange={(event) => onChange(event.target.value.trim())}
  />
)

/** The alias and unlink forms of a collection. */
export const AliasForms = ({
  path,
  versions,
  onChanged
}: {
  readonly path: CollectionPath
  readonly versions: ReadonlyArray<LinkedVersion>
  readonly onChanged: () => void
}) => {
  const newest = versions.length === 0 ? "" : `v${versions[versions.length - 1]?.index}`
  const [moveVersion, setMoveVersion] = useState(newest)
  const [alias, setAlias] = useState("")
  const [moveFailure, setMoveFailure] = useState<Failure | undefined>()
  const [removal, setRemoval] = useState("")
  const [removeFailure, setRemoveFailure] = useState<Failure | undefined>()
  const [unlinkVersion, setUnlinkVersion] = useState(newest)
  const [unlinkFailure, setUnlinkFailure] = useState<Failure | undefined>()
  const [done, setDone] = useState("")
  if (versions.length === 0) return null
  const assigned = versions.flatMap((version) =>
    version.aliases.map((name) => ({ name, version: `v${version.index}` }))
  )
  const chosenRemoval =
    removal === "" ? (assigned[0] === undefined ? "" : `${assigned[0].version}:${assigned[0].name}`) : removal

  const move = (event: FormEvent) => {
    event.preventDefault()
    setMoveFailure(undefined)
    api((client) =>
      client.versions.addAlias({ path: { ...path, version: moveVersion || newest, alias: alias.trim() } })
    )
      .then((changed) => {
        setDone(`${alias.trim()} now points at v${changed.version}.`)
        setAlias("")
        onChanged()
      })
      .catch(setMoveFailure)
  }
  const remove = (event: FormEvent) => {
    event.preventDefault()
    setRemoveFailure(undefined)
    const [version = "", name = ""] = chosenRemoval.split(":")
    api((client) => client.versions.removeAlias({ path: { ...path, version, alias: name } }))
      .then(() => {
        setDone(`Removed ${name} from ${version}.`)
        onChanged()
      })
      .catch(setRemoveFailure)
  }
  const unlink = (event: FormEvent) => {
    event.preventDefault()
    setUnlinkFailure(undefined)
    const version = unlinkVersion
    api((client) => client.versions.unlink({ path: { ...path, version } }))
      .then(() => {
        setDone(`Unlinked ${version}.`)
        onChanged()
      })
      .catch(setUnlinkFailure)
  }
  return (
    <section aria-labelledby="aliases-heading">
      <h2 id="aliases-heading">Aliases and links</h2>
      <datalist id="recent-versions">
        {versions.slice(-SUGGESTED).map((version) => (
          <option key={version.index} value={`v${version.index}`}>
            {version.aliases.join(", ")}
          </option>
        ))}
      </datalist>
      <form onSubmit={move} aria-label="Move an alias">
        <Field label="Version">
          {(props) => (
            <VersionInput {...props} listId="recent-versions" value={moveVersion} onChange={setMoveVersion} />
          )}
        </Field>
        <Field label="Alias" failure={moveFailure} hint="Assigning an alias moves it from the version that had it">
          {(props) => <input {...props} required value={alias} onChange={(event) => setAlias(event.target.value)} />}
        </Field>
        <button type="submit">Move alias here</button>
      </form>
      {assigned.length > 0 && (
        <form onSubmit={remove} aria-label="Remove an alias">
          <Field label="Alias to remove" failure={removeFailure}>
            {(props) => (
              <select {...props} value={chosenRemoval} onChange={(event) => setRemoval(event.target.value)}>
                {assigned.map((entry) => (
                  <option key={`${entry.version}:${entry.name}`} value={`${entry.version}:${entry.name}`}>
                    {entry.name} ({entry.version})
                  </option>
                ))}
              </select>
            )}
          </Field>
          <button type="submit">Remove alias</button>
        </form>
      )}
      <form onSubmit={unlink} aria-label="Unlink a version">
        <Field label="Version to unlink" failure={unlinkFailure}>
          {(props) => (
            <VersionInput {...props} listId="recent-versions" value={unlinkVersion} onChange={setUnlinkVersion} />
          )}
        </Field>
        <button type="submit">Unlink</button>
      </form>
      {done !== "" && (
        <p role="status" className="saved">
          {done}
        </p>
      )}
    </section>
  )
}
