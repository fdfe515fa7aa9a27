/**
 * "Link to registry" from a project's version: choose a registry that accepts the version's type, a collection of
 * that type (or a new one: its type is fixed by the version), aliases, and confirm. Ends on the new full name; each
 * refusal appears beside its field.
 */
import type { Models } from "@registrar/api"
import { type FormEvent, useEffect, useRef, useState } from "react"
import { api, type Failure } from "../../Client.js"
import { FieldError, Show, useData } from "../../components/Data.js"
import { Field, listOf } from "../../components/Form.js"
import { type LinkField, LinkedResult, linkFailureField } from "../../components/Linked.js"
import { useSession } from "../../components/Session.js"

const NEW = "\u0000new"

/** The panel. */
export const LinkToRegistry = ({
  source,
  artifactType,
  onClose
}: {
  readonly source: string
  readonly artifactType: string
  readonly onClose: () => void
}) => {
  const { organization } = useSession()
  const [registries] = useData(
    () =>
      api((client) => client.paths.registriesOf({ urlParams: { organization, limit: 1000 } })).then((page) =>
        page.items.filter(
          (registry) => registry.acceptedTypes.length === 0 || registry.acceptedTypes.includes(artifactType)
        )
      ),
    [organization, artifactType]
  )
  const [registry, setRegistry] = useState("")
  const [collection, setCollection] = useState("")
  const [newName, setNewName] = useState("")
  const [aliases, setAliases] = useState("")
  const [failure, setFailure] = useState<{ readonly where: LinkField; readonly failure: Failure } | undefined>()
  const [result, setResult] = useState<typeof Models.LinkResult.Type | undefined>()
  const heading = useRef<HTMLHeadingElement>(null)
  useEffect(() => heading.current?.focus(), [])
  const chosenRegistry =
    registry !== "" ? registry : registries.state === "ready" ? (registries.data[0]?.registry ?? "") : ""
  const [collections] = useData(
    () =>
      chosenRegistry === ""
        ? Promise.resolve([])
        : api((client) =>
            client.registries.showRegistry({ path: { organization, registry: chosenRegistry }, urlParams: {} })
          ).then((details) => details.collections.filter((item) => item.artifactType === artifactType)),
    [organization, chosenRegistry, artifactType]
  )
  const chosenCollection =
    collection !== "" ? collection : collections.state === "ready" ? (collections.data[0]?.name ?? NEW) : NEW
  const at = (where: LinkField) => (failure?.where === where ? failure.failure : undefined)

  const confirm = (event: FormEvent) => {
    event.preventDefault()
    setFailure(undefined)
    const target = chosenCollection === NEW ? newName.trim() : chosenCollection
    api((client) =>
      client.versions.link({
        path: { organization, registry: chosenRegistry, collection: target },
        payload: { source, aliases: listOf(aliases) },
        headers: {}
      })
    )
      .then(setResult)
      .catch((error: Failure) => {
        const where = linkFailureField(error)
        setFailure({ where: where === "version" ? "collection" : where, failure: error })
      })
  }
  return (
    <aside id="link-to-registry" className="panel" aria-labelledby="link-to-registry-heading">
      <h2 id="link-to-registry-heading" ref={heading} tabIndex={-1}>
        Link {source} to a registry
      </h2>
      <Show loaded={registries} what="the registries">
        {(accepting) =>
          accepting.length === 0 ? (
            <p role="alert">No registry you can see accepts the type {artifactType}.</p>
          ) : (
            <form onSubmit={confirm}>
              <Field label="Registry" failure={at("registry")} hint={`Registries accepting ${artifactType}`}>
                {(props) => (
                  <select
                    {...props}
                    value={chosenRegistry}
                    onChange={(event) => {
                      setRegistry(event.target.value)
                      setCollection("")
                    }}
                  >
                    {accepting.map((item) => (
                      <option key={item.registry} value={item.registry}>
                        {item.registry}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field label="Collection" failure={at("collection")} hint={`Collections of type ${artifactType}`}>
                {(props) => (
                  <select {...props} value={chosenCollection} onChange={(event) => setCollection(event.target.value)}>
                    {collections.state === "ready" &&
                      collections.data.map((item) => (
                        <option key={item.collectionId} value={item.name}>
                          {item.name}
                        </option>
                      ))}
                    <option value={NEW}>Create a new collection…</option>
                  </select>
                )}
              </Field>
              {chosenCollection === NEW && (
                <Field label="New collection name" hint={`Its type will be ${artifactType}`}>
                  {(props) => (
                    <input {...props} required value={newName} onChange={(event) => setNewName(event.target.value)} />
                  )}
                </Field>
              )}
              <Field label="Aliases (optional)" failure={at("aliases")} hint="Comma-separated, e.g. staging">
                {(props) => <input {...props} value={aliases} onChange={(event) => setAliases(event.target.value)} />}
              </Field>
              <button type="submit">Link to registry</button>
              <FieldError failure={at("form") ?? at("team") ?? at("artifact")} id="link-error" />
            </form>
          )
        }
      </Show>
      {result !== undefined && <LinkedResult result={result} />}
      <button type="button" onClick={onClose}>
        Close
      </button>
    </aside>
  )
}
