/** Where else a version's source is linked, in the registries the person can see (`GET /source-links`). */
import { api } from "../../Client.js"
import { asOfParam } from "../../components/AsOf.js"
import { Show, useData } from "../../components/Data.js"
import { fullName } from "../../components/Snippets.js"
import { Link, Routes } from "../../Router.js"

/** The "linked elsewhere" section: every link of `reference`'s source but the one at `here`. */
export const ElsewhereLinked = ({
  reference,
  asOf,
  here
}: {
  readonly reference: string
  readonly asOf?: string | undefined
  readonly here?: { readonly registry: string; readonly collection: string }
}) => {
  const [loaded] = useData(
    () => api((client) => client.artifacts.sourceLinks({ urlParams: { reference, ...asOfParam(asOf) } })),
    [reference, asOf]
  )
  return (
    <section aria-labelledby="elsewhere-heading">
      <h2 id="elsewhere-heading">{here === undefined ? "Linked in registries" : "Also linked in"}</h2>
      <Show loaded={loaded} what="the links">
        {({ links }) => {
          const others = links.filter(
            (link) => here === undefined || link.registry !== here.registry || link.collection !== here.collection
          )
          return others.length === 0 ? (
            <p>Nowhere {here === undefined ? "yet" : "else"}.</p>
          ) : (
            <ul>
              {others.map((link) => (
                <li key={`${link.collectionId}:${link.index}`}>
                  <Link href={Routes.version(link.registry, link.collection, `v${link.index}`)}>
                    {fullName(link.registry, link.collection, link.index)}
                  </Link>
                  {link.aliases.length > 0 ? ` (${link.aliases.join(", ")})` : ""}
                </li>
              ))}
            </ul>
          )
        }}
      </Show>
    </section>
  )
}
