/**
 * Where else a version's source is linked: the collections of its type in the registries the person can see, scanned
 * for a link of the same source (at most {@link MAX_COLLECTIONS} collections; the API has no reverse lookup yet).
 */
import { api } from "../../Client.js"
import { Show, useData } from "../../components/Data.js"
import { useSession } from "../../components/Session.js"
import { fullName } from "../../components/Snippets.js"
import { Link, Routes } from "../../Router.js"

/** How many collections the scan reads at most. */
export const MAX_COLLECTIONS = 20

interface Place {
  readonly registry: string
  readonly collection: string
  readonly version: number
  readonly aliases: ReadonlyArray<string>
}

/** The scan. */
export const linksOf = async (organization: string, sourceKey: string, artifactType: string) => {
  const registries = await api((client) => client.paths.registriesOf({ urlParams: { organization, limit: 1000 } }))
  const collections: Array<{ registry: string; collection: string }> = []
  for (const registry of registries.items) {
    if (registry.acceptedTypes.length > 0 && !registry.acceptedTypes.includes(artifactType)) continue
    const details = await api((client) =>
      client.registries.showRegistry({ path: { organization, registry: registry.registry }, urlParams: {} })
    )
    for (const collection of details.collections)
      if (collection.artifactType === artifactType)
        collections.push({ registry: registry.registry, collection: collection.name })
  }
  const places: Array<Place> = []
  for (const { registry, collection } of collections.slice(0, MAX_COLLECTIONS)) {
    const page = await api((client) =>
      client.versions.listVersions({ path: { organization, registry, collection }, urlParams: { limit: 1000 } })
    )
    for (const version of page.items)
      if (version.sourceKey === sourceKey)
        places.push({ registry, collection, version: version.index, aliases: version.aliases })
  }
  return places
}

/** The "linked elsewhere" section. */
export const ElsewhereLinked = ({
  sourceKey,
  artifactType,
  here
}: {
  readonly sourceKey: string
  readonly artifactType: string
  readonly here?: { readonly registry: string; readonly collection: string }
}) => {
  const { organization } = useSession()
  const [loaded] = useData(
    () => linksOf(organization, sourceKey, artifactType),
    [organization, sourceKey, artifactType]
  )
  return (
    <section aria-labelledby="elsewhere-heading">
      <h2 id="elsewhere-heading">{here === undefined ? "Linked in registries" : "Also linked in"}</h2>
      <Show loaded={loaded} what="the links">
        {(places) => {
          const others = places.filter(
            (place) => here === undefined || place.registry !== here.registry || place.collection !== here.collection
          )
          return others.length === 0 ? (
            <p>Nowhere {here === undefined ? "yet" : "else"}.</p>
          ) : (
            <ul>
              {others.map((place) => (
                <li key={`${place.registry}/${place.collection}:${place.version}`}>
                  <Link href={Routes.version(place.registry, place.collection, `v${place.version}`)}>
                    {fullName(place.registry, place.collection, place.version)}
                  </Link>
                  {place.aliases.length > 0 ? ` (${place.aliases.join(", ")})` : ""}
                </li>
              ))}
            </ul>
          )
        }}
      </Show>
    </section>
  )
}
