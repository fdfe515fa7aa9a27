/**
 * `pnpm bench`: runs the scenarios of issue 5 side by side in one process and rewrites the generated part of
 * BENCHMARKS.md (the hand-written analysis after the end marker is kept). Flags scale the sizes:
 * `pnpm bench -- --events 1000000 --runs 7`; `--only append,link` runs a subset and replaces only those sections
 * (results.json keeps every section's figures between runs); `--help` lists them all.
 */
import { execFileSync } from "node:child_process"
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { cpus, loadavg, release, totalmem } from "node:os"
import { fileURLToPath } from "node:url"
import * as Append from "./Append.js"
import * as Automations from "./Automations.js"
import * as CatchUp from "./CatchUp.js"
import * as Cli from "./Cli.js"
import * as CollectionSize from "./CollectionSize.js"
import * as Cpu from "./internal/Cpu.js"
import * as Http from "./Http.js"
import * as History from "./internal/History.js"
import * as Postgres from "./internal/Postgres.js"
import { markdownTable, type Section, verdict } from "./internal/Report.js"
import * as Folds from "./Folds.js"
import * as Link from "./Link.js"
import * as MemoryStore from "./MemoryStore.js"
import * as Rebuild from "./Rebuild.js"
import * as Search from "./Search.js"
import * as Web from "./Web.js"

const scenarios = [
  "append",
  "link",
  "size",
  "rebuild",
  "catchup",
  "memory",
  "cli",
  "http",
  "search",
  "web",
  "automations",
  "folds"
] as const
type Scenario = (typeof scenarios)[number]

/** The command-line flags, with their defaults. */
export interface Flags {
  readonly url: string
  readonly runs: number
  readonly seconds: number
  readonly pool: number
  readonly events: number
  readonly sizes: ReadonlyArray<number>
  readonly links: number
  readonly polls: number
  readonly only: ReadonlyArray<Scenario>
  readonly out: string
  /** Only rewrite the report from results.json, measuring nothing. */
  readonly rewrite: boolean
}

const repository = fileURLToPath(new URL("../../../", import.meta.url))
const defaultOut = `${repository}BENCHMARKS.md`

const usage = `pnpm bench [-- flags]
  --runs N       alternating rounds per comparison (default 5, at least 5 for reported medians)
  --seconds S    seconds per measured run of the append and link loads (default 0.6)
  --pool N       connections per store pool, the same for every store (default 16)
  --events N     events in the large history for rebuild and catch-up (default 100000; the small rebuild size is N/5)
  --sizes A,B,C  versions already linked for the collection-size scenario (default 10,1000,100000)
  --links N      links per collection per round in the collection-size scenario (default 20)
  --polls N      caught-up polls per history per round (default 200)
  --only LIST    comma-separated subset of ${scenarios.join(",")}
  --url URL      PostgreSQL server (default $DATABASE_URL or postgres://postgres@127.0.0.1:5432/test)
  --rewrite      measure nothing: rewrite BENCHMARKS.md from packages/bench/results.json
  --out PATH     the report (default BENCHMARKS.md at the repository root, merged with packages/bench/results.json;
                 another path gets only this run's sections)`

/** Parses `argv` (a bare `--` from pnpm is ignored). */
export const parseFlags = (argv: ReadonlyArray<string>): Flags => {
  const values = new Map<string, string>()
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!
    if (arg === "--") continue
    if (arg === "--rewrite") {
      values.set("rewrite", "true")
      continue
    }
    if (arg === "--help" || arg === "-h") {
      process.stdout.write(`${usage}\n`)
      process.exit(0)
    }
    if (!arg.startsWith("--")) throw new Error(`unexpected argument "${arg}"\n${usage}`)
    const [key, inline] = arg.slice(2).split("=", 2) as [string, string | undefined]
    const value = inline ?? argv[++index]
    if (value === undefined) throw new Error(`--${key} needs a value\n${usage}`)
    values.set(key, value)
  }
  const number = (key: string, fallback: number, minimum = 1): number => {
    const raw = values.get(key)
    values.delete(key)
    if (raw === undefined) return fallback
    const parsed = Number(raw.replaceAll("_", ""))
    if (!Number.isFinite(parsed) || parsed < minimum) throw new Error(`--${key} must be a number ≥ ${minimum}`)
    return parsed
  }
  const only = (values.get("only") ?? scenarios.join(",")).split(",").map((name) => name.trim()) as Array<Scenario>
  for (const name of only) if (!scenarios.includes(name)) throw new Error(`--only: unknown scenario "${name}"`)
  const sizes = (values.get("sizes") ?? "10,1000,100000").split(",").map((size) => Number(size.replaceAll("_", "")))
  const flags: Flags = {
    url: values.get("url") ?? process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test",
    runs: number("runs", 5),
    seconds: number("seconds", 0.6, 0.1),
    pool: number("pool", 16),
    events: number("events", 100_000, 10_000),
    sizes: [...sizes].sort((a, b) => a - b),
    links: number("links", 20),
    polls: number("polls", 200),
    only,
    out: values.get("out") ?? defaultOut,
    rewrite: values.get("rewrite") === "true"
  }
  for (const key of ["url", "only", "sizes", "out", "rewrite"]) values.delete(key)
  if (values.size > 0) throw new Error(`unknown flag --${[...values.keys()][0]}\n${usage}`)
  return flags
}

const packageVersion = (name: string): string => {
  for (const base of [`${repository}packages/bench/node_modules/`, `${repository}node_modules/`]) {
    const path = `${base}${name}/package.json`
    if (existsSync(path)) return String(JSON.parse(readFileSync(path, "utf8")).version)
  }
  return "?"
}

const gitRevision = (): string => {
  try {
    const revision = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: repository }).toString().trim()
    // The reports this command writes do not count: a run right after another section's is of the same code.
    const dirty =
      execFileSync("git", ["status", "--porcelain", "--", ".", ":!BENCHMARKS.md", ":!packages/bench/results.json"], {
        cwd: repository
      })
        .toString()
        .trim() !== ""
    return `${revision}${dirty ? " (with uncommitted changes in the working tree)" : ""}`
  } catch {
    return "?"
  }
}

/** The machine this process runs on: cores, model, memory, kernel. */
const machine = () => {
  const cpu = cpus()
  return `${cpu.length} × ${cpu[0]?.model ?? "?"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}`
}

const environment = async (flags: Flags) => {
  const server = await Postgres.query(
    flags.url,
    `SELECT version() AS version, (SELECT string_agg(name || '=' || setting || coalesce(unit, ''), ', ' ORDER BY name)
       FROM pg_settings WHERE name IN ('shared_buffers', 'synchronous_commit', 'fsync', 'max_connections', 'wal_level',
       'work_mem')) AS settings`
  )
  const row = server.rows[0] as { version: string; settings: string }
  return [
    `- Machine of this run: ${machine()}. Sessions run on different machines of the same size; each section names the machine it ran on (sections recorded before machines were recorded per section say "not recorded").`,
    "- Other people's test suites ran on the same cores and the same server during every run (see each section's load average).",
    `- PostgreSQL: ${row.version.split(" on ")[0]} on the same machine (${row.settings}).`,
    `- Node ${process.version}; effect ${packageVersion("effect")}; pg ${packageVersion("pg")}; @event-driven-io/emmett-postgresql ${packageVersion("@event-driven-io/emmett-postgresql")} (emmett ${packageVersion("@event-driven-io/emmett")}, pongo ${packageVersion("@event-driven-io/pongo")}); @electric-sql/pglite ${packageVersion("@electric-sql/pglite")}; tsx ${packageVersion("tsx")}.`,
    `- Registrar: workspace packages loaded from their TypeScript sources (\`node --conditions=@registrar/source --import tsx\`), except the CLI, which runs its own build (section 7 says which).`
  ]
}

const generatedStart = "<!-- generated by `pnpm bench`: everything up to the end marker is rewritten on every run -->"
const generatedEnd = "<!-- end of generated results: the analysis below is written by hand and kept across runs -->"

/** One scenario's report as stored in results.json, with when and how it ran. */
interface Result {
  readonly section: Section
  readonly ranAt: string
  readonly revision?: string
  /** The machine it ran on (absent in results recorded before it was). */
  readonly machine?: string
  readonly command: string
  readonly loadAverage: { readonly start: ReadonlyArray<number>; readonly end: ReadonlyArray<number> }
}

type Results = Partial<Record<Scenario, Result>>

const resultsPath = `${repository}packages/bench/results.json`

const commandOf = (flags: Flags): string =>
  `pnpm bench -- --runs ${flags.runs} --seconds ${flags.seconds} --pool ${flags.pool} --events ${flags.events} --sizes ${flags.sizes.join(",")} --links ${flags.links} --polls ${flags.polls}${flags.only.length === scenarios.length ? "" : ` --only ${flags.only.join(",")}`}`

const loads = (values: ReadonlyArray<number>) => values.map((value) => value.toFixed(1)).join("/")

const render = (results: Results, context: ReadonlyArray<string>) => {
  const stored = scenarios.flatMap((scenario) => {
    const result = results[scenario]
    return result === undefined ? [] : [result]
  })
  const runs = [...new Set(stored.map((result) => result.ranAt))]
  const lines = [
    generatedStart,
    "",
    runs.length === 1
      ? `Run on ${runs[0]} UTC: \`${stored[0]?.command ?? ""}\`.`
      : `Sections from ${runs.length} runs (each section says which); a partial run (\`--only\`) replaces only its own sections.`,
    "",
    "## Targets",
    "",
    markdownTable({
      header: ["target", "measured (same run)", "verdict"],
      rows: stored.flatMap((result) =>
        result.section.targets.map((target) => [target.goal, target.measured, verdict(target.met)])
      )
    }),
    "",
    "## Machine, versions, method",
    "",
    ...context,
    "- Every comparison alternates its contenders within each round, in an order rotated by one each round; tables show medians over the rounds, and ratios are medians of the ratios taken within each round, so that contenders are compared under the same background load. Absolute figures on this shared machine are noisy; the ratios are what the targets are checked against.",
    "- CPU µs/event columns: this process's CPU (`process.cpuUsage`) and the CPU of the store's server backends (`/proc/<pid>/stat` of the connections with the store's `application_name`), divided by the events written.",
    "",
    ...stored.flatMap((result) => [
      `## ${result.section.title}`,
      "",
      `- Run on ${result.ranAt} UTC on ${result.machine ?? "a machine not recorded"} at commit ${result.revision ?? "?"} by \`${result.command}\`; load average (1/5/15 min) ${loads(result.loadAverage.start)} before, ${loads(result.loadAverage.end)} after.`,
      ...result.section.method.map((line) => `- ${line}`),
      "",
      ...result.section.tables.flatMap((table) => [markdownTable(table), ""]),
      ...result.section.notes.flatMap((note) => [note, ""])
    ]),
    generatedEnd
  ]
  return lines.join("\n")
}

const readResults = (): Results => {
  try {
    return JSON.parse(readFileSync(resultsPath, "utf8")) as Results
  } catch {
    return {}
  }
}

const write = (path: string, generated: string) => {
  const previous = existsSync(path) ? readFileSync(path, "utf8") : ""
  const end = previous.indexOf(generatedEnd)
  const analysis =
    end >= 0
      ? previous.slice(end + generatedEnd.length)
      : "\n\n## Analysis\n\nNot written yet: see the targets above.\n"
  writeFileSync(path, `# Benchmarks\n\n${generated}${analysis}`)
}

const main = async () => {
  const flags = parseFlags(process.argv.slice(2))
  const log = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`)
  if (flags.rewrite) {
    write(flags.out, render(readResults(), await environment(flags)))
    log(`rewrote ${flags.out} from ${resultsPath}`)
    return
  }
  const selected = (scenario: Scenario) => flags.only.includes(scenario)
  const ranAt = new Date().toISOString().slice(0, 16).replace("T", " ")
  const revision = gitRevision()
  const cpu = await Cpu.monitor(flags.url)
  const results: Results = {}
  const attempt = async (scenario: Scenario, title: string, body: () => Promise<Section>) => {
    const start = loadavg()
    let section: Section
    try {
      section = await body()
    } catch (error) {
      log(`${title} failed: ${String(error)}`)
      section = { title, method: [], tables: [], targets: [], notes: [`Failed: ${String(error).slice(0, 500)}`] }
    }
    results[scenario] = {
      section,
      ranAt,
      revision,
      machine: machine(),
      command: commandOf(flags),
      loadAverage: { start, end: loadavg() }
    }
  }
  const common = { url: flags.url, poolSize: flags.pool, runs: flags.runs, log }
  if (selected("append")) {
    await attempt("append", "1. Append throughput", () => Append.run({ ...common, cpu, seconds: flags.seconds }))
  }
  if (selected("link")) {
    await attempt("link", "2. Link commands end to end", () => Link.run({ ...common, seconds: flags.seconds }))
  }
  if (selected("size")) {
    await attempt("size", "3. Link latency against collection size", () =>
      CollectionSize.run({ ...common, sizes: flags.sizes, links: flags.links })
    )
  }
  if (selected("rebuild") || selected("catchup")) {
    const large = await History.start(flags.url, Postgres.Schemas.registrar, flags.pool)
    try {
      if (selected("rebuild")) {
        await attempt("rebuild", "4. Rebuilding every read model", () =>
          Rebuild.run({ ...common, events: flags.events, history: large })
        )
      }
      if (selected("catchup")) {
        await attempt("catchup", "5. Catch-up poll when caught up", async () => {
          await large.growTo(flags.events, log)
          const small = await History.start(flags.url, Postgres.Schemas.registrarSmall, flags.pool)
          try {
            await small.growTo(10_000, log)
            return await CatchUp.run({ ...common, cpu, polls: flags.polls, histories: [small, large] })
          } finally {
            await small.close()
          }
        })
      }
    } finally {
      await large.close()
    }
  }
  if (selected("memory")) {
    await attempt("memory", "6. The memory store", () =>
      MemoryStore.run({ runs: flags.runs, seconds: flags.seconds, log })
    )
  }
  if (selected("cli")) await attempt("cli", "7. The CLI", () => Cli.run({ url: flags.url, runs: flags.runs, log }))
  if (selected("http")) {
    await attempt("http", "8. The HTTP server against the library", () =>
      Http.run({ ...common, seconds: flags.seconds })
    )
  }
  if (selected("search")) {
    await attempt("search", "9. Filtered versions query", () =>
      Search.run({ url: flags.url, poolSize: flags.pool, runs: flags.runs, queries: 20, log })
    )
  }
  if (selected("web")) {
    await attempt("web", "10. The Registry App", () =>
      Web.run({ url: flags.url, poolSize: flags.pool, runs: flags.runs, log })
    )
  }
  if (selected("automations")) {
    await attempt("automations", "11. Automations: commit to webhook receipt", () =>
      Automations.run({ url: flags.url, log })
    )
  }
  if (selected("folds")) {
    await attempt("folds", "12. Folding a large stream into a cold process", () =>
      Folds.run({ runs: flags.runs, sizes: Folds.defaultSizes, log })
    )
  }

  await cpu.close()
  // A partial run replaces only its own sections; the others keep the figures of the run that measured them.
  const merged: Results = flags.out === defaultOut ? { ...readResults(), ...results } : results
  if (flags.out === defaultOut) writeFileSync(resultsPath, `${JSON.stringify(merged, null, 1)}\n`)
  write(flags.out, render(merged, await environment(flags)))
  log(`wrote ${flags.out}`)
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exit(1)
})
