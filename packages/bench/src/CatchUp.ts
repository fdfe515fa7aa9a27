/**
 * The cost of a catch-up poll when the read models are current (`Projector.catchUp()`: read the checkpoint, ask
 * the feed for what follows it, find nothing), which every read pays first, at a small and a large history.
 */
import { performance } from "node:perf_hooks"
import { Projector } from "@registrar/domain"
import * as Cpu from "./internal/Cpu.js"
import type { History } from "./internal/History.js"
import { alternate, type Figures, median, medianOf, percentile } from "./internal/Measure.js"
import * as Postgres from "./internal/Postgres.js"
import { feedQuery } from "./Rebuild.js"
import { millis, type Section, times, whole } from "./internal/Report.js"
import * as Stores from "./internal/Stores.js"

/** Options of the catch-up scenario. */
export interface CatchUpOptions {
  readonly url: string
  readonly cpu: Cpu.CpuMonitor
  readonly runs: number
  /** Polls per history per round. */
  readonly polls: number
  /** Histories, smallest first, each with its read models current. */
  readonly histories: ReadonlyArray<History>
  readonly log: (line: string) => void
}

const plan = async (url: string, schema: string): Promise<string> => {
  const { rows } = await Postgres.query(
    url,
    `SELECT transaction_id, global_position FROM "${schema}".read_model_checkpoint`
  )
  const checkpoint = rows[0] as { transaction_id: string; global_position: string }
  const explained = await Postgres.query(url, `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${feedQuery(schema)}`, [
    String(checkpoint.transaction_id),
    Number(checkpoint.global_position),
    500
  ])
  const top = (
    explained.rows[0] as { "QUERY PLAN": Array<{ Plan: Record<string, unknown>; "Execution Time": number }> }
  )["QUERY PLAN"][0]!
  const scans: Array<string> = []
  const walk = (node: Record<string, unknown>) => {
    if (typeof node["Index Name"] === "string") scans.push(`${node["Node Type"]} on ${node["Index Name"]}`)
    else if (String(node["Node Type"]).includes("Scan")) scans.push(String(node["Node Type"]))
    for (const child of (node.Plans as Array<Record<string, unknown>> | undefined) ?? []) walk(child)
  }
  walk(top.Plan)
  return `${scans.join(", ")}; ${whole(Number(top.Plan["Shared Hit Blocks"] ?? 0) + Number(top.Plan["Shared Read Blocks"] ?? 0))} buffers; ${millis(top["Execution Time"])} ms in the server`
}

/** Sequential and index scans of a schema's events table so far (the statistics lag up to a second). */
const scans = async (url: string, schema: string): Promise<{ seqRows: number; indexScans: number }> => {
  const { rows } = await Postgres.query(
    url,
    `SELECT coalesce(seq_tup_read, 0) AS seq_rows, coalesce(idx_scan, 0) AS index_scans FROM pg_stat_user_tables
      WHERE schemaname = $1 AND relname = 'events'`,
    [schema]
  )
  const row = rows[0] as { seq_rows: string; index_scans: string } | undefined
  return { seqRows: Number(row?.seq_rows ?? 0), indexScans: Number(row?.index_scans ?? 0) }
}

// A backend flushes its table statistics when it exits; give the exit a moment before reading them.
const backendExit = () => new Promise((resolve) => setTimeout(resolve, 300))

const applicationName = "registrar-bench-poll"

/** Polls each history when caught up, alternating histories within every round. */
export const run = async (options: CatchUpOptions): Promise<Section> => {
  for (const history of options.histories) await history.runtime.runPromise(Projector.catchUp())
  // Each round polls through a Registrar instance of its own, closed afterwards so that its backends' scan
  // statistics are flushed (they lag up to 10 s otherwise) and their CPU is counted apart from everything else.
  const pollRound = async (history: History): Promise<Figures> => {
    const before = await scans(options.url, history.schema)
    const runtime = Stores.onPostgres({
      url: Cpu.withApplicationName(options.url, applicationName),
      schema: history.schema,
      poolSize: 1
    })
    const latencies: Array<number> = []
    let applied = 0
    let cpu: Cpu.CpuTime
    try {
      applied += await runtime.runPromise(Projector.catchUp())
      const stop = await options.cpu.start(applicationName)
      for (let poll = 0; poll < options.polls; poll++) {
        const began = performance.now()
        applied += await runtime.runPromise(Projector.catchUp())
        latencies.push(performance.now() - began)
      }
      cpu = await stop()
    } finally {
      await runtime.dispose()
    }
    await backendExit()
    const after = await scans(options.url, history.schema)
    latencies.sort((a, b) => a - b)
    const polls = options.polls + 1
    return {
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      applied,
      serverMicrosPerPoll: (cpu.serverMillis * 1000) / options.polls,
      seqRowsPerPoll: (after.seqRows - before.seqRows) / polls,
      indexScansPerPoll: (after.indexScans - before.indexScans) / polls
    }
  }
  const rounds = await alternate(
    options.runs,
    options.histories.map((history) => ({ name: history.schema, run: () => pollRound(history) })),
    (name, round, measured) => options.log(`  catch-up ${name} round ${round + 1}: p50 ${millis(measured.p50 ?? 0)} ms`)
  )
  const plans = await Promise.all(options.histories.map((history) => plan(options.url, history.schema)))
  const first = rounds[options.histories[0]!.schema] ?? []
  const last = rounds[options.histories[options.histories.length - 1]!.schema] ?? []
  const ratio = median(last.map((measured, round) => measured.p50! / first[round]!.p50!))
  return {
    title: "5. Catch-up poll when caught up (PostgreSQL server)",
    method: [
      `${options.runs} rounds × ${options.polls} sequential \`Projector.catchUp()\` calls per history, histories alternating; each call reads the checkpoint and runs the feed query after it (two round trips) and finds nothing.`,
      "Each round polls through a fresh Registrar instance (pool of 1) that is closed afterwards. Server CPU: its backends' CPU over the polls (`/proc/<pid>/stat`). Scans per poll: the change of `pg_stat_user_tables.seq_tup_read` and `idx_scan` of the history's `events` table across the round (flushed when the instance's backends exit), divided by the polls. A poll that costs the same at any size reads no row by sequential scan.",
      "The plan column is `EXPLAIN (ANALYZE, BUFFERS)` of the feed query (`readAll`) at the checkpoint, run once after the rounds."
    ],
    tables: [
      {
        header: [
          "events stored",
          "p50 ms",
          "p99 ms",
          "vs smallest",
          "server CPU µs/poll",
          "events rows seq-scanned per poll",
          "index scans per poll",
          "feed query plan at the checkpoint"
        ],
        rows: options.histories.map((history, index) => {
          const measured = rounds[history.schema] ?? []
          return [
            whole(history.events()),
            millis(medianOf(measured, "p50")),
            millis(medianOf(measured, "p99")),
            times(median(measured.map((m, round) => m.p50! / first[round]!.p50!))),
            whole(medianOf(measured, "serverMicrosPerPoll")),
            whole(medianOf(measured, "seqRowsPerPoll")),
            medianOf(measured, "indexScansPerPoll").toFixed(1),
            plans[index]!
          ]
        })
      }
    ],
    targets: [
      {
        goal: `caught-up poll cost within 2× from ${whole(options.histories[0]!.events())} to ${whole(options.histories[options.histories.length - 1]!.events())} events`,
        measured: times(ratio),
        met: ratio <= 2
      }
    ],
    notes: []
  }
}
