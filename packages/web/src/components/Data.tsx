/** Loading data through the client, and showing a load's progress or failure. */
import { type DependencyList, type ReactNode, useCallback, useEffect, useState } from "react"
import type { Failure } from "../Client.js"

/** A load: in progress, failed, or done. */
export type Loaded<A> =
  | { readonly state: "loading" }
  | { readonly state: "failed"; readonly failure: Failure }
  | { readonly state: "ready"; readonly data: A }

/** Runs `load` when `deps` change; `reload` runs it again. */
export const useData = <A,>(load: () => Promise<A>, deps: DependencyList): [Loaded<A>, () => void] => {
  const [loaded, setLoaded] = useState<Loaded<A>>({ state: "loading" })
  const [generation, setGeneration] = useState(0)
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller names what the load depends on
  useEffect(() => {
    let live = true
    load().then(
      (data) => live && setLoaded({ state: "ready", data }),
      (failure: Failure) => live && setLoaded({ state: "failed", failure })
    )
    return () => {
      live = false
    }
  }, [...deps, generation])
  const reload = useCallback(() => setGeneration((value) => value + 1), [])
  return [loaded, reload]
}

/** Renders a load: a status line while loading, the failure's message, or `children` with the data. */
export const Show = <A,>({
  loaded,
  what,
  children
}: {
  readonly loaded: Loaded<A>
  readonly what: string
  readonly children: (data: A) => ReactNode
}) => {
  if (loaded.state === "loading") return <p aria-busy="true">Loading {what}…</p>
  if (loaded.state === "failed") return <ErrorMessage failure={loaded.failure} />
  return <>{children(loaded.data)}</>
}

/** A failure's message, announced to screen readers. */
export const ErrorMessage = ({ failure, id }: { readonly failure: Failure; readonly id?: string }) => (
  <p className="error" role="alert" id={id} data-code={failure.tag}>
    {failure.message}
  </p>
)

/** A failure shown beside the field it concerns (the field names it with aria-describedby). */
export const FieldError = ({ failure, id }: { readonly failure: Failure | undefined; readonly id: string }) =>
  failure === undefined ? null : <ErrorMessage failure={failure} id={id} />
