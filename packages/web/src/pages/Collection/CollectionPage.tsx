/**
 * A collection: its linked versions (aliases, source, linked at and by), the code to link and use it, moving aliases,
 * unlinking, metrics of chosen versions side by side, the action history, and the "Link new version" panel.
 */
import type { Models } from "@registrar/api"
import { useState } from "react"
import { api } from "../../Client.js"
import { AsOfBanner, AsOfForm, asOfOf, asOfParam } from "../../components/AsOf.js"
import { Show, useData } from "../../components/Data.js"
import { useSession } from "../../components/Session.js"
import { Snippets } from "../../components/Snippets.js"
import { Link, Routes } from "../../Router.js"
import { AliasForms } from "./AliasForms.js"
import { History } from "./History.js"
import { LinkNewVersion } from "./LinkNewVersion.js"
import { Metrics } from "./Metrics.js"
import { PAGE, VersionsTable } from "./VersionsTable.js"

type LinkedVersion = typeof Models.LinkedVersion.Type

/** The collection page. */
export const CollectionPage = ({
  registry,
  collection,
  query
}: {
  readonly registry: string
  readonly collection: string
  readonly query: URLSearchParams
}) => {
  const { organization } = useSession()
  const asOf = asOfOf(query)
  const path = { organization, registry, collection }
  const [loaded, reload] = useData(
    () =>
      Promise.all([
        api((client) => client.collections.showCollection({ path, urlParams: asOfParam(asOf) })),
        api((client) =>
          client.versions.listVersions({ path, urlParams: { order: "desc", limit: PAGE, ...asOfParam(asOf) } })
        )
      ]),
    [organization, registry, collection, asOf]
  )
  // The versions read so far by "Show more" (newest first) and the next page's cursor, for the load they extend.
  const [read, setRead] = useState<{
    readonly base: unknown
    readonly items: ReadonlyArray<LinkedVersion>
    readonly next: string | null
  }>()
  const [moreFailed, setMoreFailed] = useState(false)
  const more = read?.base === loaded ? read : undefined
  const showMore = (cursor: string, loadedItems: ReadonlyArray<LinkedVersion>) => {
    setMoreFailed(false)
    const base = loaded
    api((client) =>
      client.versions.listVersions({ path, urlParams: { order: "desc", limit: PAGE, cursor, ...asOfParam(asOf) } })
    ).then(
      (page) => setRead({ base, items: [...loadedItems, ...page.items], next: page.nextCursor }),
      () => setMoreFailed(true)
    )
  }
  const [selected, setSelected] = useState<ReadonlySet<number> | undefined>()
  const [panel, setPanel] = useState(false)
  return (
    <>
      <AsOfBanner asOf={asOf} now={Routes.collection(registry, collection)} />
      <p className="crumbs">
        <Link href={Routes.registries()}>Registries</Link> /{" "}
        <Link href={Routes.registry(registry, asOf)}>{registry}</Link> /
      </p>
      <h1>{collection}</h1>
      <div className="toolbar">
        <AsOfForm hrefFor={(time) => Routes.collection(registry, collection, time)} />
        {asOf === undefined && (
          <button type="button" aria-expanded={panel} aria-controls="link-new-version" onClick={() => setPanel(!panel)}>
            Link new version
          </button>
        )}
      </div>
      <Show loaded={loaded} what="the collection">
        {([info, page]) => {
          const newestFirst = more?.items ?? page.items
          const next = more === undefined ? page.nextCursor : more.next
          const oldestFirst = [...newestFirst].reverse()
          const chosen = selected ?? new Set(newestFirst.slice(0, 5).map((version) => version.index))
          return (
            <>
              {panel && (
                <LinkNewVersion
                  registry={registry}
                  collection={collection}
                  artifactType={info.artifactType}
                  onClose={() => setPanel(false)}
                  onLinked={reload}
                />
              )}
              <p>{info.description}</p>
              <dl className="facts">
                <dt>Type</dt>
                <dd>{info.artifactType}</dd>
                <dt>Versions</dt>
                <dd>{info.versionCount}</dd>
                <dt>latest</dt>
                <dd>{page.latest === null ? "none" : `v${page.latest}`}</dd>
              </dl>
              <VersionsTable
                registry={registry}
                collection={collection}
                versions={newestFirst}
                total={info.versionCount}
                onMore={next === null ? undefined : () => showMore(next, newestFirst)}
                moreFailed={moreFailed}
                asOf={asOf}
                selected={chosen}
                onSelect={setSelected}
              />
              {asOf === undefined && <AliasForms path={path} versions={oldestFirst} onChanged={reload} />}
              <Metrics versions={oldestFirst.filter((version) => chosen.has(version.index))} />
              <Snippets
                organization={organization}
                registry={registry}
                collection={collection}
                artifactType={info.artifactType}
              />
              <History organization={organization} registry={registry} collection={collection} asOf={asOf} />
            </>
          )
        }}
      </Show>
    </>
  )
}
