/**
 * A small history router: the app's pages live under `/ui/…` (and `/`), which the server answers with index.html.
 * Links are real anchors (keyboard and middle-click work); a plain click navigates without a reload.
 */
import { type AnchorHTMLAttributes, type MouseEvent, useEffect, useState } from "react"

/** Where the app is: the path and the query. */
export interface Location {
  readonly path: string
  readonly query: URLSearchParams
}

const current = (): Location => ({ path: window.location.pathname, query: new URLSearchParams(window.location.search) })

/** Goes to `href` inside the app. */
export const navigate = (href: string): void => {
  window.history.pushState(null, "", href)
  window.dispatchEvent(new PopStateEvent("popstate"))
}

/** The current location, updated on navigation. */
export const useLocation = (): Location => {
  const [location, setLocation] = useState(current)
  useEffect(() => {
    const update = () => setLocation(current())
    window.addEventListener("popstate", update)
    return () => window.removeEventListener("popstate", update)
  }, [])
  return location
}

/** An in-app link. */
export const Link = ({
  href,
  onClick,
  ...rest
}: AnchorHTMLAttributes<HTMLAnchorElement> & { readonly href: string }) => (
  <a
    {...rest}
    href={href}
    onClick={(event: MouseEvent<HTMLAnchorElement>) => {
      onClick?.(event)
      if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return
      event.preventDefault()
      navigate(href)
    }}
  />
)

const part = encodeURIComponent

/** The app's URLs, one function per page. */
export const Routes = {
  registries: () => "/",
  registry: (registry: string, asOf?: string) => withAsOf(`/ui/r/${part(registry)}`, asOf),
  collection: (registry: string, collection: string, asOf?: string) =>
    withAsOf(`/ui/r/${part(registry)}/c/${part(collection)}`, asOf),
  version: (registry: string, collection: string, version: string, asOf?: string) =>
    withAsOf(`/ui/r/${part(registry)}/c/${part(collection)}/v/${part(version)}`, asOf),
  project: (entity: string, project: string, artifact?: string) =>
    `/ui/p/${part(entity)}/${part(project)}${artifact === undefined ? "" : `?artifact=${part(artifact)}`}`,
  sourceVersion: (entity: string, project: string, artifact: string, version: string) =>
    `/ui/p/${part(entity)}/${part(project)}/a/${part(artifact)}/${part(version)}`,
  search: (text: string) => `/ui/search?q=${part(text)}`
}

const withAsOf = (href: string, asOf: string | undefined) =>
  asOf === undefined || asOf === "" ? href : `${href}?asOf=${part(asOf)}`

/** The page a path names, with its decoded parameters. */
export type Page =
  | { readonly page: "registries" }
  | { readonly page: "registry"; readonly registry: string }
  | { readonly page: "collection"; readonly registry: string; readonly collection: string }
  | { readonly page: "version"; readonly registry: string; readonly collection: string; readonly version: string }
  | { readonly page: "project"; readonly entity: string; readonly project: string }
  | {
      readonly page: "sourceVersion"
      readonly entity: string
      readonly project: string
      readonly artifact: string
      readonly version: string
    }
  | { readonly page: "search" }
  | { readonly page: "notFound" }

/** Reads a path. */
export const match = (path: string): Page => {
  const parts = path
    .split("/")
    .filter((segment) => segment !== "")
    .map((segment) => decodeURIComponent(segment))
  if (parts.length === 0 || (parts.length === 1 && parts[0] === "ui")) return { page: "registries" }
  if (parts[0] !== "ui") return { page: "notFound" }
  const [, kind, a, b, c, d, e, f] = parts
  if (kind === "search" && a === undefined) return { page: "search" }
  if (kind === "r" && a !== undefined) {
    if (b === undefined) return { page: "registry", registry: a }
    if (b === "c" && c !== undefined && d === undefined) return { page: "collection", registry: a, collection: c }
    if (b === "c" && c !== undefined && d === "v" && e !== undefined && f === undefined)
      return { page: "version", registry: a, collection: c, version: e }
  }
  if (kind === "p" && a !== undefined && b !== undefined) {
    if (c === undefined) return { page: "project", entity: a, project: b }
    if (c === "a" && d !== undefined && e !== undefined && f === undefined)
      return { page: "sourceVersion", entity: a, project: b, artifact: d, version: e }
  }
  return { page: "notFound" }
}
