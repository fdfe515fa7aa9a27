/** Sign-in: the API key is posted once to `POST /session` (never put in a URL); the server answers with a cookie. */
import { type FormEvent, useId, useState } from "react"
import { api, type Failure } from "../Client.js"
import { FieldError } from "../components/Data.js"

/** The sign-in form. */
export const SignIn = ({ onSignedIn }: { readonly onSignedIn: () => void }) => {
  const id = useId()
  const [key, setKey] = useState("")
  const [failure, setFailure] = useState<Failure | undefined>()
  const [busy, setBusy] = useState(false)
  const submit = (event: FormEvent) => {
    event.preventDefault()
    setBusy(true)
    api((client) => client.session.signIn({ payload: { key } }))
      .then(() => {
        setKey("")
        onSignedIn()
      })
      .catch((error: Failure) => setFailure(error))
      .finally(() => setBusy(false))
  }
  return (
    <main className="page narrow" id="main">
      <h1>Sign in to Registrar</h1>
      <form onSubmit={submit} method="post" action="#">
        <label htmlFor={id}>API key</label>
        <input
          id={id}
          name="key"
          type="password"
          autoComplete="off"
          required
          value={key}
          aria-describedby={failure === undefined ? undefined : `${id}-error`}
          aria-invalid={failure !== undefined}
          onChange={(event) => setKey(event.target.value)}
        />
        <FieldError failure={failure} id={`${id}-error`} />
        <p className="hint">
          Create one with <code>registrar api-key create --user USER</code>. It is sent once; the browser keeps only a
          session cookie.
        </p>
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  )
}
