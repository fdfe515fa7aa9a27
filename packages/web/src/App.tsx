/**
 * The app shell: signs the person in (or shows the sign-in form), finds their organization, then renders the page
 * the URL names under a header with navigation and search.
 */
import { type FormEvent, lazy, Suspense, useEffect, useId, useState } from "react"
import { api, type Failure } from "./Client.js"
import { ErrorMessage } from "./components/Data.js"
import { type Session, SessionContext } from "./components/Session.js"
import { Link, match, navigate, Routes, useLocation } from "./Router.js"
import { SignIn } from "./pages/SignIn.js"
import { RegistriesPage } from "./pages/Registries/RegistriesPage.js"
import { RegistryPage } from "./pages/Registry/RegistryPage.js"
import { CollectionPage } from "./pages/Collection/CollectionPage.js"
import { ProjectPage } from "./pages/Project/ProjectPage.js"
import { SourceVersionPage } from "./pages/Project/SourceVersionPage.js"
import { SearchPage } from "./pages/Search/SearchPage.js"

// The version page draws lineage with dagre: loaded when first opened.
const VersionPage = lazy(() => import("./pages/Version/VersionPage.js"))

type Status =
  | { readonly state: "checking" }
  | { readonly state: "signedOut" }
  | { readonly state: "failed"; readonly failure: Failure }
  | { readonly state: "signedIn"; readonly user: string; readonly organization: string }

/** The whole app. */
export const App = () => {
  const [status, setStatus] = useState<Status>({ state: "checking" })
  const check = () =>
    Promise.all([
      api((client) => client.keys.me()),
      api((client) => client.paths.registriesOf({ urlParams: { limit: 1 } }))
    ])
      .then(([{ user }, registries]) => setStatus({ state: "signedIn", user, organization: registries.organization }))
      .catch((failure: Failure) =>
        setStatus(failure.tag === "Unauthorized" ? { state: "signedOut" } : { state: "failed", failure })
      )
  // biome-ignore lint/correctness/useExhaustiveDependencies: checks once on load
  useEffect(() => {
    void check()
  }, [])

  if (status.state === "checking") return <p aria-busy="true">Loading…</p>
  if (status.state === "signedOut") return <SignIn onSignedIn={() => void check()} />
  if (status.state === "failed")
    return (
      <main className="page">
        <h1>Registrar</h1>
        <ErrorMessage failure={status.failure} />
        <SignOutButton onSignedOut={() => setStatus({ state: "signedOut" })} />
      </main>
    )
  const session: Session = {
    user: status.user,
    organization: status.organization,
    signOut: () => setStatus({ state: "signedOut" })
  }
  return (
    <SessionContext.Provider value={session}>
      <Shell session={session} />
    </SessionContext.Provider>
  )
}

const SignOutButton = ({ onSignedOut }: { readonly onSignedOut: () => void }) => (
  <button type="button" onClick={() => void api((client) => client.session.signOut()).finally(onSignedOut)}>
    Sign out
  </button>
)

const Shell = ({ session }: { readonly session: Session }) => {
  const location = useLocation()
  const page = match(location.path)
  const searchId = useId()
  const [text, setText] = useState(location.query.get("q") ?? "")
  const search = (event: FormEvent) => {
    event.preventDefault()
    navigate(Routes.search(text))
  }
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <nav aria-label="Main">
          <Link href={Routes.registries()} className="brand">
            Registrar
          </Link>
          <Link href={Routes.registries()}>Registries</Link>
        </nav>
        {/* biome-ignore lint/a11y/useSemanticElements: React 18's JSX types have no <search> element */}
        <form role="search" onSubmit={search} className="inline">
          <label htmlFor={searchId} className="visually-hidden">
            Search registries, collections and versions
          </label>
          <input
            id={searchId}
            type="search"
            placeholder="Search registries, collections, versions"
            value={text}
            onChange={(event) => setText(event.target.value)}
          />
          <button type="submit">Search</button>
        </form>
        <span className="who">
          {session.user} · {session.organization}
        </span>
        <SignOutButton onSignedOut={session.signOut} />
      </header>
      <main id="main" className="page" tabIndex={-1}>
        <Suspense fallback={<p aria-busy="true">Loading…</p>}>
          {page.page === "registries" && <RegistriesPage />}
          {page.page === "registry" && <RegistryPage registry={page.registry} query={location.query} />}
          {page.page === "collection" && (
            <CollectionPage registry={page.registry} collection={page.collection} query={location.query} />
          )}
          {page.page === "version" && (
            <VersionPage
              registry={page.registry}
              collection={page.collection}
              version={page.version}
              query={location.query}
            />
          )}
          {page.page === "project" && (
            <ProjectPage entity={page.entity} project={page.project} query={location.query} />
          )}
          {page.page === "sourceVersion" && (
            <SourceVersionPage
              entity={page.entity}
              project={page.project}
              artifact={page.artifact}
              version={page.version}
            />
          )}
          {page.page === "search" && <SearchPage text={location.query.get("q") ?? ""} />}
          {page.page === "notFound" && (
            <>
              <h1>Not found</h1>
              <p>
                No page here. <Link href={Routes.registries()}>See the registries</Link>.
              </p>
            </>
          )}
        </Suspense>
      </main>
    </>
  )
}
