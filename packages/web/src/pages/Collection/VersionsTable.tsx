/** The linked versions of a collection, newest first: aliases, source, linked at and by, and a metrics checkbox. */
import type { Models } from "@registrar/api"
import { useState } from "react"
import { Link, Routes } from "../../Router.js"
import { Time } from "../../components/Time.js"

type LinkedVersion = typeof Models.LinkedVersion.Type

/** Rows shown at first, and added by each "Show more". */
export const PAGE = 100

/** The versions table. */
export const VersionsTable = ({
  registry,
  collection,
  versions,
  asOf,
  selected,
  onSelect
}: {
  readonly registry: string
  readonly collection: string
  readonly versions: ReadonlyArray<LinkedVersion>
  readonly asOf: string | undefined
  readonly selected: ReadonlySet<number>
  readonly onSelect: (selected: ReadonlySet<number>) => void
}) => {
  const [shown, setShown] = useState(PAGE)
  const newestFirst = [...versions].reverse()
  const toggle = (index: number) => {
    const next = new Set(selected)
    if (next.has(index)) next.delete(index)
    else next.add(index)
    onSelect(next)
  }
  return (
    <section aria-labelledby="versions-heading">
      <h2 id="versions-heading">Versions</h2>
      {versions.length === 0 ? (
        <p>No version linked yet: use the code below, or Link new version.</p>
      ) : (
        <div className="scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Compare</th>
                <th scope="col">Version</th>
                <th scope="col">Aliases</th>
                <th scope="col">Source</th>
                <th scope="col">Linked at</th>
                <th scope="col">Linked by</th>
              </tr>
            </thead>
            <tbody>
              {newestFirst.slice(0, shown).map((version) => (
                <tr key={version.index} data-version={`v${version.index}`}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Compare v${version.index}`}
                      checked={selected.has(version.index)}
                      onChange={() => toggle(version.index)}
                    />
                  </td>
                  <th scope="row">
                    <Link href={Routes.version(registry, collection, `v${version.index}`, asOf)}>v{version.index}</Link>
                  </th>
                  <td>
                    {version.aliases.map((alias) => (
                      <span key={alias} className="alias">
                        {alias}
                      </span>
                    ))}
                  </td>
                  <td>
                    <Link
                      href={Routes.sourceVersion(
                        version.source.entity,
                        version.source.project,
                        version.source.name,
                        `v${version.source.index}`
                      )}
                    >
                      {version.sourceKey}
                    </Link>
                  </td>
                  <td>
                    <Time iso={version.linkedAt} />
                  </td>
                  <td>{version.linkedBy}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {shown < versions.length && (
            <p>
              Showing the newest {shown} of {versions.length}.{" "}
              <button type="button" onClick={() => setShown(shown + PAGE)}>
                Show {Math.min(PAGE, versions.length - shown)} more
              </button>
            </p>
          )}
        </div>
      )}
    </section>
  )
}
