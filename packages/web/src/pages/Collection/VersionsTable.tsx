/** The linked versions of a collection, newest first: aliases, source, linked at and by, and a metrics checkbox. */
import type { Models } from "@registrar/api"
import { Link, Routes } from "../../Router.js"
import { Time } from "../../components/Time.js"

type LinkedVersion = typeof Models.LinkedVersion.Type

/** Rows read at first (the newest page), and added by each "Show more" (the next page). */
export const PAGE = 100

/** The versions table. */
export const VersionsTable = ({
  registry,
  collection,
  versions,
  total,
  onMore,
  moreFailed,
  asOf,
  selected,
  onSelect
}: {
  readonly registry: string
  readonly collection: string
  /** The versions read so far, newest first. */
  readonly versions: ReadonlyArray<LinkedVersion>
  /** How many versions the collection has. */
  readonly total: number
  /** Reads the next (older) page; absent on the last page. */
  readonly onMore: (() => void) | undefined
  readonly moreFailed: boolean
  readonly asOf: string | undefined
  readonly selected: ReadonlySet<number>
  readonly onSelect: (selected: ReadonlySet<number>) => void
}) => {
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
              {versions.map((version) => (
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
          {onMore !== undefined && (
            <p>
              Showing the newest {versions.length} of {total}.{" "}
              <button type="button" onClick={onMore}>
                Show {Math.max(1, Math.min(PAGE, total - versions.length))} more
              </button>
              {moreFailed && <span role="alert"> The next versions could not be read; try again.</span>}
            </p>
          )}
        </div>
      )}
    </section>
  )
}
