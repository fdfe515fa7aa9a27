/**
 * Metrics of the chosen versions side by side: every numeric metadata field as a table row and as a line of a uPlot
 * chart over the versions.
 */
import type { Models } from "@registrar/api"
import { useEffect, useRef } from "react"
import uPlot from "uplot"
import "uplot/dist/uPlot.min.css"

type LinkedVersion = typeof Models.LinkedVersion.Type

const COLOURS = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#4b5563"]

/** The numeric metadata fields of the versions, in first-seen order. */
export const numericKeys = (versions: ReadonlyArray<LinkedVersion>): Array<string> => {
  const keys: Array<string> = []
  for (const version of versions)
    for (const [key, value] of Object.entries(version.metadata))
      if (typeof value === "number" && !keys.includes(key)) keys.push(key)
  return keys
}

const Chart = ({
  versions,
  keys
}: {
  readonly versions: ReadonlyArray<LinkedVersion>
  readonly keys: Array<string>
}) => {
  const target = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const element = target.current
    if (element === null) return
    const sorted = [...versions].sort((a, b) => a.index - b.index)
    const data: uPlot.AlignedData = [
      sorted.map((version) => version.index),
      ...keys.map((key) =>
        sorted.map((version) => {
          const value = version.metadata[key]
          return typeof value === "number" ? value : null
        })
      )
    ]
    const plot = new uPlot(
      {
        width: Math.max(280, Math.min(720, element.clientWidth || 600)),
        height: 260,
        scales: { x: { time: false } },
        axes: [
          {
            label: "version",
            splits: () => sorted.map((version) => version.index),
            values: (_, ticks) => ticks.map((tick) => `v${tick}`)
          },
          {}
        ],
        series: [
          { label: "version" },
          ...keys.map((key, index) => ({
            label: key,
            stroke: COLOURS[index % COLOURS.length] ?? "#000",
            width: 2,
            points: { show: true, size: 7 }
          }))
        ]
      },
      data,
      element
    )
    return () => plot.destroy()
  }, [versions, keys])
  return (
    <div
      ref={target}
      className="chart"
      role="img"
      aria-label={`Chart of ${keys.join(", ")} for ${versions.map((version) => `v${version.index}`).join(", ")}`}
    />
  )
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
          <Chart versions={versions} keys={keys} />
        </>
      )}
    </section>
  )
}
