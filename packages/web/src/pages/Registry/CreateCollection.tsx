/**
 * Creating an empty collection from the registry page (registry admins; the W&B documentation's way of finding the
 * target path): on success it shows the path and the ready-to-paste code, and links to the collection.
 */
import type { Models } from "@registrar/api"
import { type FormEvent, useState } from "react"
import { api, type Failure } from "../../Client.js"
import { FieldError } from "../../components/Data.js"
import { Field, fieldOf } from "../../components/Form.js"
import { useSession } from "../../components/Session.js"
import { Snippets } from "../../components/Snippets.js"
import { Link, Routes } from "../../Router.js"

type Registry = typeof Models.Registry.Type
type Where = "name" | "type" | "form"

/** The create-collection form. */
export const CreateCollection = ({
  registry,
  onCreated
}: {
  readonly registry: Registry
  readonly onCreated: () => void
}) => {
  const { organization } = useSession()
  const [name, setName] = useState("")
  const [type, setType] = useState(registry.acceptedTypes[0] ?? "")
  const [description, setDescription] = useState("")
  const [failure, setFailure] = useState<{ readonly where: Where; readonly failure: Failure } | undefined>()
  const [created, setCreated] = useState<{ readonly name: string; readonly type: string } | undefined>()
  const at = (where: Where) => (failure?.where === where ? failure.failure : undefined)
  const submit = (event: FormEvent) => {
    event.preventDefault()
    setFailure(undefined)
    api((client) =>
      client.collections.createCollection({
        path: { organization, registry: registry.registry },
        payload: { collection: name, type, ...(description === "" ? {} : { description }) },
        headers: {}
      })
    )
      .then((result) => {
        setCreated({ name: result.collection, type: result.artifactType })
        onCreated()
      })
      .catch((error: Failure) =>
        setFailure({
          where: fieldOf(
            error,
            { InvalidName: "name", CollectionAlreadyExists: "name", TypeNotAccepted: "type", InvalidRequest: "name" },
            "form"
          ),
          failure: error
        })
      )
  }
  return (
    <section aria-labelledby="create-collection-heading">
      <h2 id="create-collection-heading">Create a collection</h2>
      <form onSubmit={submit}>
        <Field label="Collection name" failure={at("name")}>
          {(props) => <input {...props} required value={name} onChange={(event) => setName(event.target.value)} />}
        </Field>
        <Field label="Artifact type" failure={at("type")} hint="The type every version linked here must have">
          {(props) => (
            <input
              {...props}
              required
              list="accepted-types"
              value={type}
              onChange={(event) => setType(event.target.value)}
            />
          )}
        </Field>
        <datalist id="accepted-types">
          {registry.acceptedTypes.map((accepted) => (
            <option key={accepted} value={accepted} />
          ))}
        </datalist>
        <Field label="Description (optional)">
          {(props) => <input {...props} value={description} onChange={(event) => setDescription(event.target.value)} />}
        </Field>
        <button type="submit">Create collection</button>
        <FieldError failure={at("form")} id="create-collection-error" />
      </form>
      {created !== undefined && (
        <div role="status" className="created">
          <p>
            Created{" "}
            <Link href={Routes.collection(registry.registry, created.name)}>
              {registry.registry}/{created.name}
            </Link>
            . Link versions into it with the path and code below.
          </p>
          <Snippets
            organization={organization}
            registry={registry.registry}
            collection={created.name}
            artifactType={created.type}
          />
        </div>
      )}
    </section>
  )
}
