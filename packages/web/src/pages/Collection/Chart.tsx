/** The metrics chart: one uPlot line per numeric metadata field over the chosen versions. */
import type { Models } from "@registrar/api"
import { useEffect, useRef } from "react"
import uPlot from "uplot"
import "uplot/dist/uPlot.min.css"

type LinkedVersion = typeof Models.LinkedVersion.Type

const COLOURS = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#4b5563"]

/** The chart. */
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

export default Chart
