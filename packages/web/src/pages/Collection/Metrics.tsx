/**
 * Metrics of the chosen versions side by side: every numeric metadata field as a table row and as a line of a uPlot
 * chart over the versions.
 */
import type { Models } from "@registrar/api"
import { lazy, Suspense } from "react"

type LinkedVersion = typeof Models.LinkedVersion.Type

// uPlot is loaded with the first chart, not with the page.
const Chart = lazy(() => import("./Chart.js"))

/** The numeric metadata fields of the versions, in first-seen order. */
export const numericKeys = (versions: ReadonlyArray<LinkedVersion>): Array<string> => {
  const keys: Array<string> = []
  for (const version of versions)
    for (const [key, value] of Object.entries(version.metadata))
      if (typeof value === "number" && !keys.includes(key)) keys.push(key)
  return keys
}

/** The metrics table and chart of the chosen versions. */
export const Metrics = ({ versions }: { readonly versions: ReadonlyArray<LinkedVersion> }) => {
  const keys = numericKeys(versions)
  return (
    <section aria-labelledby="metrics-heading">
      <h2 id="metrics-heading">Metrics</h2>
      {versions.length === 0 ? (
        <p>Choose versions to compare with their Compare boxes.</p>
      ) : keys.length === 0 ? (
        <p>The chosen versions have no numeric metadata.</p>
      ) : (
        <>
          <div className="scroll">
            <table>
              <caption>Numeric metadata of the chosen versions</caption>
              <thead>
                <tr>
                  <th scope="col">Metric</th>
                  {versions.map((version) => (
                    <th scope="col" key={version.index}>
                      v{version.index}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {keys.map((key) => (
                  <tr key={key}>
                    <th scope="row">{key}</th>
                    {versions.map((version) => (
                      <td key={version.index}>{String(version.metadata[key] ?? "—")}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Suspense fallback={<p aria-busy="true">Drawing the chart…</p>}>
            <Chart versions={versions} keys={keys} />
          </Suspense>
        </>
      )}
    </section>
  )
}
