/** The registries of the person's organization that they can see: name, visibility, accepted types, description. */
import { api } from "../../Client.js"
import { Show, useData } from "../../components/Data.js"
import { Link, Routes } from "../../Router.js"

/** The registries list. */
export const RegistriesPage = () => {
  const [loaded] = useData(() => api((client) => client.paths.registriesOf({ urlParams: { limit: 1000 } })), [])
  return (
    <>
      <h1>Registries</h1>
      <Show loaded={loaded} what="registries">
        {(page) =>
          page.items.length === 0 ? (
            <p>No registry you can see yet.</p>
          ) : (
            <table>
              <caption>Registries of {page.organization}</caption>
              <thead>
                <tr>
                  <th scope="col">Registry</th>
                  <th scope="col">Visibility</th>
                  <th scope="col">Accepted types</th>
                  <th scope="col">Description</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((registry) => (
                  <tr key={registry.registry}>
                    <th scope="row">
                      <Link href={Routes.registry(registry.registry)}>{registry.registry}</Link>
                    </th>
                    <td>{registry.visibility}</td>
                    <td>{registry.acceptedTypes.length === 0 ? "any" : registry.acceptedTypes.join(", ")}</td>
                    <td>{registry.description}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Show>
    </>
  )
}
