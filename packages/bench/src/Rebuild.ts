/**
 * Rebuilding every read model from the stored events (`Projector.rebuild`: on PostgreSQL beside the log, i.e.
 * version and link events projected in SQL into fresh tables and the rest read and projected by the domain, then
 * indexed and swapped in; docs/read-models.md, "Rebuilding") against the bare read speed of the same rows through `pg` (the same
 * keyset query and page size, no projection, no writes) as the ceiling; with peak RSS and heap, at two history
 * sizes, to see whether memory grows with the number of events.
 */
import { performance } from "node:perf_hooks"
import type pg from "pg"
import { Projector } from "@registrar/domain"
import type { History } from "./internal/History.js"
import { alternate, type Figures, median, medianOf } from "./internal/Measure.js"
import { mebibytes, sampleMemory } from "./internal/MemorySampler.js"
import * as Postgres from "./internal/Postgres.js"
import { percent, type Section, type Table, times, whole } from "./internal/Report.js"

/** Options of the rebuild scenario. */
export interface RebuildOptions {
  readonly url: string
  readonly poolSize: number
  readonly runs: number
  /** The larger history size; the smaller one is a fifth of it. */
  readonly events: number
  readonly history: History
  readonly log: (line: string) => void
}

const pageSize = 500

/** The feed query of Registrar's EventStore (`readAll`), by keyset, as plain SQL. */
export const feedQuery = (schema: string): string => `SELECT global_position, transaction_id::text AS transaction_id,
  stream_id, stream_position, event_id, type, schema_version, data, metadata, hash FROM "${schema}".events AS e
  WHERE (e.transaction_id, e.global_position) > ($1::text::xid8, $2::bigint)
    AND e.transaction_id < (SELECT pg_snapshot_xmin(pg_current_snapshot()))
  ORDER BY e.transaction_id, e.global_position LIMIT $3`

/** Reads every stored event through `pg` by the feed's keyset query, page by page, and counts them. */
export const readFeed = async (reader: pg.Pool, schema: string): Promise<number> => {
  const sql = feedQuery(schema)
  let after = { transactionId: "0", globalPosition: 0 }
  let count = 0
  while (true) {
    const { rows } = await reader.query(sql, [after.transactionId, after.globalPosition, pageSize])
    count += rows.length
    const last = rows[rows.length - 1]
    if (last === undefined || rows.length < pageSize) return count
    after = { transactionId: String(last.transaction_id), globalPosition: Number(last.global_position) }
  }
}

const measured = async (body: () => Promise<number>): Promise<Figures> => {
  const stop = sampleMemory()
  const began = performance.now()
  const events = await body()
  const seconds = (performance.now() - began) / 1000
  const memory = stop()
  return {
    events,
    seconds,
    perSecond: events / seconds,
    peakRss: mebibytes(memory.peakRss),
    heapGrowth: mebibytes(memory.peakHeapUsed - memory.baselineHeapUsed),
    liveGrowth: mebibytes(memory.peakLiveHeap - memory.baselineHeapUsed)
  }
}

/** Rebuilds and bare reads at a fifth of the size and at the full size. */
export const run = async (options: RebuildOptions): Promise<Section> => {
  const { history } = options
  const reader = Postgres.pool(options.url, options.poolSize, "registrar-bench-read")
  const bareRead = () => readFeed(reader, history.schema)
  const sizes = [Math.round(options.events / 5), options.events]
  const results: Array<{ size: number; rebuild: ReadonlyArray<Figures>; read: ReadonlyArray<Figures> }> = []
  try {
    for (const size of sizes) {
      options.log(`rebuild: growing the history to ${whole(size)} events`)
      await history.growTo(size, options.log)
      const rounds = await alternate(
        options.runs,
        [
          { name: "rebuild", run: () => measured(() => history.runtime.runPromise(Projector.rebuild())) },
          { name: "read", run: () => measured(bareRead) }
        ],
        (name, round, figures) =>
          options.log(
            `  ${name} ${whole(figures.events ?? 0)} events round ${round + 1}: ${whole(figures.perSecond ?? 0)} events/s`
          )
      )
      results.push({ size, rebuild: rounds.rebuild, read: rounds.read })
    }
  } finally {
    await reader.end()
  }
  const ratioOf = (result: (typeof results)[number]) =>
    median(result.rebuild.map((rebuild, round) => rebuild.perSecond! / result.read[round]!.perSecond!))
  const largest = results[results.length - 1]!
  const smallest = results[0]!
  const liveAt = (result: (typeof results)[number]) => medianOf(result.rebuild, "liveGrowth")
  const liveGrowth = liveAt(largest) - liveAt(smallest)
  const rssGrowth = medianOf(largest.rebuild, "peakRss") / medianOf(smallest.rebuild, "peakRss")
  const table: Table = {
    header: [
      "events stored",
      "phase",
      "events/s",
      "seconds",
      "peak RSS MiB",
      "peak heap above start MiB",
      "peak live heap above start MiB",
      "vs bare read"
    ],
    rows: results.flatMap((result) => [
      [
        whole(medianOf(result.rebuild, "events")),
        "rebuild (all read models)",
        whole(medianOf(result.rebuild, "perSecond")),
        medianOf(result.rebuild, "seconds").toFixed(1),
        whole(medianOf(result.rebuild, "peakRss")),
        whole(medianOf(result.rebuild, "heapGrowth")),
        medianOf(result.rebuild, "liveGrowth").toFixed(1),
        percent(ratioOf(result))
      ],
      [
        whole(medianOf(result.read, "events")),
        "bare read through pg (ceiling)",
        whole(medianOf(result.read, "perSecond")),
        medianOf(result.read, "seconds").toFixed(1),
        whole(medianOf(result.read, "peakRss")),
        whole(medianOf(result.read, "heapGrowth")),
        medianOf(result.read, "liveGrowth").toFixed(1),
        ""
      ]
    ])
  }
  return {
    title: "4. Rebuilding every read model (PostgreSQL server)",
    method: [
      `History in schema \`${history.schema}\`: the world made by commands, then blocks of 10,000 events (half \`VersionAssigned\`, 100 per artifact; half \`ArtifactLinked\`, 1,000 per collection) appended through the EventStore. Measured at ${sizes.map(whole).join(" and ")} events.`,
      `${options.runs} rounds alternating \`Projector.rebuild()\` (beside the log: \`VersionAssigned\` and \`ArtifactLinked\` projected by \`INSERT … SELECT\` from the events table into fresh unkeyed tables (versions, lineage edges, linked versions; their audit rows are read from the events table itself, migration 16, so none is written), chunks of 50,000 positions two at a time, keys added after; the other events read in pages of 500 and projected by the domain into the same tables; a check that the two orders agree; indexes built two at a time, one per statement, largest tables first; swapped in) with a bare read of the same rows: the EventStore's keyset feed query, ${pageSize} rows per page, through a \`pg\` pool, rows parsed and dropped.`,
      "Memory sampled every 20 ms (`process.memoryUsage`) from a forced GC (`--expose-gc`) at the start of each phase: peak heap is the largest heap in use seen (garbage included, so it follows V8's collection schedule and the phase's length); peak live heap is the largest heap in use right after a forced GC, taken every second, i.e. what the phase actually holds."
    ],
    tables: [table],
    targets: [
      {
        goal: "rebuild ≥ 50% of the bare read speed",
        measured: `${percent(ratioOf(largest))} at ${whole(largest.size)} events (${percent(ratioOf(smallest))} at ${whole(smallest.size)})`,
        met: ratioOf(largest) >= 0.5
      },
      {
        goal: "rebuild memory does not grow with the number of events (peak live heap within 8 MiB from N/5 to N events)",
        measured: `${times(largest.size / smallest.size)} the events → peak live heap ${liveGrowth >= 0 ? "+" : ""}${liveGrowth.toFixed(1)} MiB (${liveAt(smallest).toFixed(1)} → ${liveAt(largest).toFixed(1)} MiB above start), peak RSS ${times(rssGrowth)}`,
        met: liveGrowth <= 8
      }
    ],
    notes: []
  }
}
