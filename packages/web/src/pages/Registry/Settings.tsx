/**
 * A registry's settings, for its admins: visibility, accepted types, protected aliases, role grants, rename. Each form
 * sends one command; a refusal (e.g. a member's InsufficientRole) appears beside the field it concerns.
 */
import type { Models } from "@registrar/api"
import { type FormEvent, type ReactNode, useState } from "react"
import { api, type Failure } from "../../Client.js"
import { FieldError } from "../../components/Data.js"
import { Field, listOf } from "../../components/Form.js"
import { useSession } from "../../components/Session.js"
import { navigate, Routes } from "../../Router.js"

type Registry = typeof Models.Registry.Type

/** One settings form: runs `send`, then `onDone`; shows the refusal beside its field. */
const useCommand = (onDone: () => void) => {
  const [failure, setFailure] = useState<Failure | undefined>()
  const [done, setDone] = useState(false)
  const run = (send: () => Promise<unknown>) => (event: FormEvent) => {
    event.preventDefault()
    setFailure(undefined)
    setDone(false)
    send()
      .then(() => {
        setDone(true)
        onDone()
      })
      .catch((error: Failure) => setFailure(error))
  }
  return { failure, done, run }
}

const Saved = ({ done, children }: { readonly done: boolean; readonly children?: ReactNode }) =>
  done ? (
    <span role="status" className="saved">
      {children ?? "Saved."}
    </span>
  ) : null

/** The settings panel. */
export const Settings = ({ registry, onChanged }: { readonly registry: Registry; readonly onChanged: () => void }) => {
  const { organization } = useSession()
  const path = { organization, registry: registry.registry }
  const visibility = useCommand(onChanged)
  const types = useCommand(onChanged)
  const aliases = useCommand(onChanged)
  const grant = useCommand(onChanged)
  const revoke = useCommand(onChanged)
  const rename = useCommand(() => {})
  const [visibilityValue, setVisibilityValue] = useState(registry.visibility)
  const [typesValue, setTypesValue] = useState("")
  const [aliasesValue, setAliasesValue] = useState(registry.protectedAliases.join(", "))
  const [principalKind, setPrincipalKind] = useState<"user" | "team">("user")
  const [principalName, setPrincipalName] = useState("")
  const [role, setRole] = useState<"restricted_viewer" | "viewer" | "member" | "admin">("viewer")
  const [renameTo, setRenameTo] = useState("")
  return (
    <section aria-labelledby="settings-heading" className="settings">
      <h2 id="settings-heading">Settings (registry admins)</h2>
      <form
        onSubmit={visibility.run(() =>
          api((client) => client.registries.changeVisibility({ path, payload: { visibility: visibilityValue } }))
        )}
      >
        <Field label="Visibility" failure={visibility.failure}>
          {(props) => (
            <select
              {...props}
              value={visibilityValue}
              onChange={(event) => setVisibilityValue(event.target.value as typeof visibilityValue)}
            >
              <option value="organization">organization</option>
              <option value="restricted">restricted</option>
            </select>
          )}
        </Field>
        <button type="submit">Change visibility</button> <Saved done={visibility.done} />
      </form>
      <form
        onSubmit={types.run(() =>
          api((client) => client.registries.acceptTypes({ path, payload: { artifactTypes: listOf(typesValue) } }))
        )}
      >
        <Field label="Accept more artifact types" failure={types.failure} hint="Comma-separated, e.g. model, dataset">
          {(props) => <input {...props} value={typesValue} onChange={(event) => setTypesValue(event.target.value)} />}
        </Field>
        <button type="submit">Accept types</button> <Saved done={types.done} />
      </form>
      <form
        onSubmit={aliases.run(() =>
          api((client) => client.registries.setProtectedAliases({ path, payload: { aliases: listOf(aliasesValue) } }))
        )}
      >
        <Field label="Protected aliases" failure={aliases.failure} hint="Only registry admins may move these">
          {(props) => (
            <input {...props} value={aliasesValue} onChange={(event) => setAliasesValue(event.target.value)} />
          )}
        </Field>
        <button type="submit">Set protected aliases</button> <Saved done={aliases.done} />
      </form>
      <form
        onSubmit={grant.run(() =>
          api((client) =>
            client.registries.grantRole({
              path,
              payload: { principal: { kind: principalKind, name: principalName }, role }
            })
          )
        )}
      >
        <fieldset>
          <legend>Grant a role</legend>
          <Field label="User or team">
            {(props) => (
              <select
                {...props}
                value={principalKind}
                onChange={(event) => setPrincipalKind(event.target.value as "user" | "team")}
              >
                <option value="user">user</option>
                <option value="team">team</option>
              </select>
            )}
          </Field>
          <Field label="Name" failure={grant.failure}>
            {(props) => (
              <input
                {...props}
                required
                value={principalName}
                onChange={(event) => setPrincipalName(event.target.value)}
              />
            )}
          </Field>
          <Field label="Role">
            {(props) => (
              <select {...props} value={role} onChange={(event) => setRole(event.target.value as typeof role)}>
                <option value="restricted_viewer">restricted viewer</option>
                <option value="viewer">viewer</option>
                <option value="member">member</option>
                <option value="admin">admin</option>
              </select>
            )}
          </Field>
          <button type="submit">Grant</button> <Saved done={grant.done} />
        </fieldset>
      </form>
      {registry.grants.length > 0 && (
        <ul aria-label="Revoke a role">
          {registry.grants.map((granted) => (
            <li key={`${granted.principal.kind}/${granted.principal.name}`}>
              <form
                className="inline"
                onSubmit={revoke.run(() =>
                  api((client) =>
                    client.registries.revokeRole({
                      path: { ...path, kind: granted.principal.kind, name: granted.principal.name }
                    })
                  )
                )}
              >
                {granted.principal.kind} {granted.principal.name} ({granted.role}){" "}
                <button
                  type="submit"
                  aria-label={`Revoke the role of ${granted.principal.kind} ${granted.principal.name}`}
                >
                  Revoke
                </button>
              </form>
            </li>
          ))}
        </ul>
      )}
      <FieldError failure={revoke.failure} id="revoke-error" />
      <form
        onSubmit={rename.run(() =>
          api((client) => client.registries.renameRegistry({ path, payload: { to: renameTo } })).then((renamed) =>
            navigate(Routes.registry(renamed.registry))
          )
        )}
      >
        <Field label="Rename the registry to" failure={rename.failure}>
          {(props) => (
            <input {...props} required value={renameTo} onChange={(event) => setRenameTo(event.target.value)} />
          )}
        </Field>
        <button type="submit">Rename</button>
      </form>
    </section>
  )
}
