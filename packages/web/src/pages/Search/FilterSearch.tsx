/**
 * Linked versions found with W&B's filter language (docs/search.md), as `api.registries(f1).collections(f2)
 * .versions(f3)` finds them: a filter for the registries, one for the collections and one for the versions, an order,
 * pages by cursor. A refusal appears beside the filter it concerns: when the server's answer does not say which,
 * each filter is asked about alone.
 */
import type { Find } from "@registrar/api"
import { type FormEvent, useState } from "react"
import { api, type Failure } from "../../Client.js"
import { ErrorMessage } from "../../components/Data.js"
import { Field } from "../../components/Form.js"
import { useSession } from "../../components/Session.js"
import { Time } from "../../components/Time.js"
import { Link, Routes } from "../../Router.js"

type FoundVersion = typeof Find.FoundVersion.Type
type Input = "registryFilter" | "collectionFilter" | "filter" | "order"

interface Query {
  readonly registryFilter: string
  readonly collectionFilter: string
  readonly filter: string
  readonly order: string
}

/** `{ [name]: text }` when the text is not blank, else nothing (blank means the parameter is not sent). */
const param = <K extends string>(name: K, text: string): { readonly [P in K]?: string } =>
  (text.trim() === "" ? {} : { [name]: text.trim() }) as { readonly [P in K]?: string }

/** Which input a refusal concerns: the order's and the cursor's by their tags, a filter's by asking it alone. */
const inputOf = async (organization: string, query: Query, failure: Failure): Promise<Input | undefined> => {
  if (failure.tag === "InvalidOrder") return "order"
  if (!/Filter|Regex/.test(failure.tag)) return undefined
  const alone: ReadonlyArray<[Input, () => Promise<unknown>]> = [
    [
      "registryFilter",
      () =>
        api((client) =>
          client.find.findRegistries({
            urlParams: { organization, ...param("filter", query.registryFilter), pageSize: 1 }
          })
        )
    ],
    [
      "collectionFilter",
      () =>
        api((client) =>
          client.find.findCollections({
            urlParams: { organization, ...param("filter", query.collectionFilter), pageSize: 1 }
          })
        )
    ],
    [
      "filter",
      () =>
        api((client) =>
          client.find.findVersions({ urlParams: { organization, ...param("filter", query.filter), pageSize: 1 } })
        )
    ]
  ]
  for (const [input, ask] of alone) {
    const refused = await ask().then(
      () => false,
      () => true
    )
    if (refused) return input
  }
  return undefined
}

/** The form and its results. */
export const FilterSearch = () => {
  const { organization } = useSession()
  const [query, setQuery] = useState<Query>({ registryFilter: "", collectionFilter: "", filter: "", order: "" })
  const [refusal, setRefusal] = useState<{ readonly failure: Failure; readonly input: Input | undefined }>()
  const [found, setFound] = useState<{ readonly items: ReadonlyArray<FoundVersion>; readonly next: string | null }>()
  const [busy, setBusy] = useState(false)

  const find = (cursor: string | undefined) => {
    setBusy(true)
    setRefusal(undefined)
    api((client) =>
      client.find.findVersions({
        urlParams: {
          organization,
          ...param("registryFilter", query.registryFilter),
          ...param("collectionFilter", query.collectionFilter),
          ...param("filter", query.filter),
          ...param("order", query.order),
          ...(cursor === undefined ? {} : { cursor })
        }
      })
    )
      .then((page) =>
        setFound((earlier) => ({
          items: cursor === undefined || earlier === undefined ? page.items : [...earlier.items, ...page.items],
          next: page.nextCursor
        }))
      )
      .catch(async (failure: Failure) => {
        if (cursor === undefined) setFound(undefined)
        setRefusal({ failure, input: await inputOf(organization, query, failure) })
      })
      .finally(() => setBusy(false))
  }
  const submit = (event: FormEvent) => {
    event.preventDefault()
    find(undefined)
  }
  const failureOf = (input: Input) => (refusal?.input === input ? refusal.failure : undefined)
  const text = (input: Input, label: string, hint: string) => (
    <Field label={label} hint={hint} failure={failureOf(input)}>
      {(props) => (
        <input
          {...props}
          className="code"
          value={query[input]}
          onChange={(event) => setQuery({ ...query, [input]: event.target.value })}
          spellCheck={false}
        />
      )}
    </Field>
  )
  return (
    <section aria-labelledby="filter-search-heading">
      <h2 id="filter-search-heading">Find versions with filters</h2>
      <form aria-label="Find versions with filters" onSubmit={submit}>
        {text("registryFilter", "Registries filter", 'JSON, e.g. {"name": "model"} (empty: every registry)')}
        {text("collectionFilter", "Collections filter", 'JSON, e.g. {"name": {"$regex": "^Zoo"}}')}
        {text(
          "filter",
          "Versions filter",
          'JSON, e.g. {"alias": {"$in": ["production"]}, "metadata.accuracy": {"$gte": 0.9}}'
        )}
        {text("order", "Order", "version, created_at or updated_at, with + or - (e.g. -created_at)")}
        <button type="submit" disabled={busy}>
          Find versions
        </button>
      </form>
      {refusal !== undefined && refusal.input === undefined && <ErrorMessage failure={refusal.failure} />}
      {found !== undefined &&
        (found.items.length === 0 ? (
          <p role="status">No version matches.</p>
        ) : (
          <div className="scroll">
            <table aria-label="Versions found">
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col">Type</th>
                  <th scope="col">Aliases</th>
                  <th scope="col">Source</th>
                  <th scope="col">Linked at</th>
                </tr>
              </thead>
              <tbody>
                {found.items.map((version) => (
                  <tr key={version.id}>
                    <th scope="row">
                      <Link href={Routes.version(version.registry, version.collection, `v${version.version}`)}>
                        {`wandb-registry-${version.registry}/${version.collection}:v${version.version}`}
                      </Link>
                    </th>
                    <td>{version.type}</td>
                    <td>{version.aliases.join(", ")}</td>
                    <td>{version.source}</td>
                    <td>
                      <Time iso={version.createdAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      {found?.next != null && (
        <button type="button" disabled={busy} onClick={() => find(found.next ?? undefined)}>
          More versions
        </button>
      )}
    </section>
  )
}
