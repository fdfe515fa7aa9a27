/** A registry: its collections, members and roles, the code to link into it, and its admins' settings. */
import { api } from "../../Client.js"
import { AsOfBanner, AsOfForm, asOfOf, asOfParam } from "../../components/AsOf.js"
import { Show, useData } from "../../components/Data.js"
import { useSession } from "../../components/Session.js"
import { Snippets } from "../../components/Snippets.js"
import { Link, Routes } from "../../Router.js"
import { CreateCollection } from "./CreateCollection.js"
import { Settings } from "./Settings.js"

/** The registry page. */
export const RegistryPage = ({ registry, query }: { readonly registry: string; readonly query: URLSearchParams }) => {
  const { organization } = useSession()
  const asOf = asOfOf(query)
  const [loaded, reload] = useData(
    () =>
      api((client) =>
        client.registries.showRegistry({
          path: { organization, registry },
          urlParams: asOfParam(asOf)
        })
      ),
    [organization, registry, asOf]
  )
  return (
    <>
      <AsOfBanner asOf={asOf} now={Routes.registry(registry)} />
      <p className="crumbs">
        <Link href={Routes.registries()}>Registries</Link> /
      </p>
      <h1>{registry}</h1>
      <AsOfForm hrefFor={(time) => Routes.registry(registry, time)} />
      <Show loaded={loaded} what="the registry">
        {(details) => (
          <>
            <p>{details.registry.description}</p>
            <dl className="facts">
              <dt>Path</dt>
              <dd>
                <code>{details.path}</code>
              </dd>
              <dt>Visibility</dt>
              <dd>{details.registry.visibility}</dd>
              <dt>Accepted types</dt>
              <dd>{details.registry.acceptedTypes.length === 0 ? "any" : details.registry.acceptedTypes.join(", ")}</dd>
              <dt>Protected aliases</dt>
              <dd>{details.registry.protectedAliases.join(", ") || "none"}</dd>
            </dl>
            <section aria-labelledby="collections-heading">
              <h2 id="collections-heading">Collections</h2>
              {details.collections.length === 0 ? (
                <p>No collection yet.</p>
              ) : (
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Collection</th>
                      <th scope="col">Type</th>
                      <th scope="col">Versions</th>
                      <th scope="col">Description</th>
                    </tr>
                  </thead>
                  <tbody>
                    {details.collections.map((collection) => (
                      <tr key={collection.collectionId}>
                        <th scope="row">
                          <Link href={Routes.collection(registry, collection.name, asOf)}>{collection.name}</Link>
                        </th>
                        <td>{collection.artifactType}</td>
                        <td>{collection.versionCount}</td>
                        <td>{collection.description}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
            <section aria-labelledby="members-heading">
              <h2 id="members-heading">Members and roles</h2>
              <table>
                <thead>
                  <tr>
                    <th scope="col">Member</th>
                    <th scope="col">Kind</th>
                    <th scope="col">Role</th>
                  </tr>
                </thead>
                <tbody>
                  {details.registry.grants.map((grant) => (
                    <tr key={`${grant.principal.kind}/${grant.principal.name}`}>
                      <th scope="row">{grant.principal.name}</th>
                      <td>{grant.principal.kind}</td>
                      <td>{grant.role}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <p className="hint">Organization admins administer every registry of the organization.</p>
            </section>
            {asOf === undefined && (
              <>
                <CreateCollection registry={details.registry} onCreated={reload} />
                <Snippets organization={organization} registry={registry} />
                <Settings registry={details.registry} onChanged={reload} />
              </>
            )}
          </>
        )}
      </Show>
    </>
  )
}
