/**
 * Search across registries, collections and versions: the catalog search finds registries and collections by name,
 * description and tags; a text naming a version (`…:vN` or an alias) is also resolved to that version. Below it,
 * versions are found with the filter language ({@link FilterSearch}).
 */
import { api, type Failure } from "../../Client.js"
import { Show, useData } from "../../components/Data.js"
import { useSession } from "../../components/Session.js"
import { Link, Routes } from "../../Router.js"
import { FilterSearch } from "./FilterSearch.js"

/** The search results page. */
export const SearchPage = ({ text }: { readonly text: string }) => {
  const { organization } = useSession()
  const [loaded] = useData(async () => {
    if (text.trim() === "") return { entries: [], version: undefined }
    const page = await api((client) =>
      client.paths.searchCatalog({ urlParams: { organization, text: text.trim(), limit: 100 } })
    )
    const version = text.includes(":")
      ? await api((client) => client.versions.resolve({ urlParams: { name: text.trim() } })).catch(
          (_: Failure) => undefined
        )
      : undefined
    return { entries: page.items, version }
  }, [organization, text])
  return (
    <>
      <h1>Search{text === "" ? "" : `: ${text}`}</h1>
      {text.trim() !== "" && (
        <Show loaded={loaded} what="the results">
          {({ entries, version }) =>
            entries.length === 0 && version === undefined ? (
              <p>Nothing found.</p>
            ) : (
              <ul className="results" aria-label="Results">
                {version !== undefined && (
                  <li>
                    Version{" "}
                    <Link href={Routes.version(version.registry, version.collection, `v${version.version}`)}>
                      {version.fullName}
                    </Link>{" "}
                    ({version.artifactType}){version.aliases.length > 0 ? ` — ${version.aliases.join(", ")}` : ""}
                  </li>
                )}
                {entries.map((entry) =>
                  entry._tag === "Registry" ? (
                    <li key={`r/${entry.registry}`}>
                      Registry <Link href={Routes.registry(entry.registry)}>{entry.registry}</Link> —{" "}
                      {entry.description}
                    </li>
                  ) : (
                    <li key={`c/${entry.collectionId}`}>
                      Collection{" "}
                      <Link href={Routes.collection(entry.registry, entry.name)}>
                        {entry.registry}/{entry.name}
                      </Link>{" "}
                      ({entry.artifactType}, {entry.versionCount} versions) — {entry.description}
                    </li>
                  )
                )}
              </ul>
            )
          }
        </Show>
      )}
      <FilterSearch />
    </>
  )
}
