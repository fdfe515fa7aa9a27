/**
 * Time travel: a page read `asOf` a past time shows a banner saying so (with the way back to now); the form sets the
 * time. Times are sent as ISO instants, converted from the browser's local time.
 */
import { type FormEvent, useId, useState } from "react"
import { Link, navigate } from "../Router.js"

/** The `asOf` of the current URL, if any. */
export const asOfOf = (query: URLSearchParams): string | undefined => {
  const value = query.get("asOf")
  return value === null || value === "" ? undefined : value
}

/** The banner of a page seen in the past. */
export const AsOfBanner = ({ asOf, now }: { readonly asOf: string | undefined; readonly now: string }) =>
  asOf === undefined ? null : (
    <div className="banner" role="status">
      <strong>Viewing as of {describe(asOf)}.</strong> Changes are disabled. <Link href={now}>Back to now</Link>
    </div>
  )

const describe = (asOf: string) =>
  /^\d+$/.test(asOf) ? `event position ${asOf}` : new Date(asOf).toLocaleString(undefined, { timeZoneName: "short" })

/** The form that picks a past time for the page at `hrefFor(asOf)`. */
export const AsOfForm = ({ hrefFor }: { readonly hrefFor: (asOf: string) => string }) => {
  const id = useId()
  const [value, setValue] = useState("")
  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (value === "") return
    const time = new Date(value)
    navigate(hrefFor(Number.isNaN(time.getTime()) ? value : time.toISOString()))
  }
  return (
    <form className="inline" onSubmit={submit} aria-label="Time travel">
      <label htmlFor={id}>View as of</label>
      <input id={id} type="datetime-local" step="1" value={value} onChange={(event) => setValue(event.target.value)} />
      <button type="submit">Go</button>
    </form>
  )
}

/** The `asOf` URL parameter of a read, as the client takes it (a position, or a time). */
export const asOfParam = (
  asOf: string | undefined
): { readonly asOf?: { readonly position: number } | { readonly time: string } } =>
  asOf === undefined ? {} : { asOf: /^\d+$/.test(asOf) ? { position: Number(asOf) } : { time: asOf } }
