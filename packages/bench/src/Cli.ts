/**
 * The CLI: time from process start to answer for `registrar resolve` on the embedded (PGlite) store, warm (the
 * store seeded by `registrar demo` and read once before measuring). Next to it, in the same rounds, the floors it
 * is made of: starting node, loading the CLI (`registrar --version`), and opening the same PGlite data directory
 * and querying it from a bare script.
 */
import { spawn, spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { performance } from "node:perf_hooks"
import { fileURLToPath } from "node:url"
import { alternate, type Figures, median, medianOf } from "./internal/Measure.js"
import * as Postgres from "./internal/Postgres.js"
import { millis, type Section, times } from "./internal/Report.js"
import { REGISTRY_PREFIX } from "@registrar/domain"

/** Options of the CLI scenario. */
export interface CliOptions {
  readonly url: string
  readonly runs: number
  readonly log: (line: string) => void
}

const repository = fileURLToPath(new URL("../../../", import.meta.url))
/** The `registrar` executable, as a user runs it (from the CLI's startup snapshot while that is current). */
export const binary = join(repository, "packages/cli-demo/bin/registrar")
/** Its JavaScript entry, run by node: the bundle with V8's code cache, without the snapshot. */
export const script = join(repository, "packages/cli-demo/bin/registrar.js")
const built = join(repository, "packages/cli-demo/dist/src/main.js")
const benchDirectory = fileURLToPath(new URL("../", import.meta.url))
const name = `${REGISTRY_PREFIX}Golden Datasets/raw_images:production`

export interface Timed {
  readonly answerMillis: number
  readonly exitMillis: number
  readonly code: number | null
  readonly output: string
}

/**
 * Runs `node ARGS` (or the executable, when ARGS start with {@link binary}) and times its first output and its exit;
 * its stdin holds `input`, or ends at once.
 */
export const timed = (
  args: ReadonlyArray<string>,
  cwd = repository,
  env: NodeJS.ProcessEnv = process.env,
  input?: string
): Promise<Timed> =>
  new Promise((resolve, reject) => {
    const began = performance.now()
    let answered = Number.NaN
    let output = ""
    const [command, ...rest] = args[0] === binary ? args : [process.execPath, ...args]
    const child = spawn(command!, rest, { cwd, env, stdio: ["pipe", "pipe", "pipe"] })
    child.stdin.end(input)
    child.stdout.on("data", (chunk: Buffer) => {
      if (Number.isNaN(answered)) answered = performance.now() - began
      output += chunk.toString()
    })
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.on("error", reject)
    child.on("close", (code) =>
      resolve({ answerMillis: answered, exitMillis: performance.now() - began, code, output })
    )
  })

const pgliteScript = (dataDir: string): string => `
const { PGlite } = await import("@electric-sql/pglite")
const db = await PGlite.create(${JSON.stringify(dataDir)})
const { rows } = await db.query("SELECT count(*)::int AS events FROM registrar.events")
process.stdout.write(JSON.stringify(rows[0]) + "\\n")
await db.close()`

const figuresOf = (result: Timed): Figures => ({
  answer: result.answerMillis,
  exit: result.exitMillis,
  failures: result.code === 0 ? 0 : 1
})

/** Whether the CLI is built (its binary imports the compiled `dist`, or a bundle of it). */
export const available = (): boolean => existsSync(binary) && existsSync(built)

const cliRoot = join(repository, "packages/cli-demo/")

/**
 * Which code `bin/registrar` runs, by the rules it and `bin/registrar.js` document: the startup snapshot of the bundle
 * while `dist/bundle/snapshot.sh` says it is current; else the esbuild bundle while `dist/bundle/inputs.json` says it
 * is newer than all its inputs; else the `tsc` output.
 */
export const runs = (): string => {
  const snapshot = join(cliRoot, "dist/bundle/snapshot.sh")
  if (
    existsSync(snapshot) &&
    (process.env.NODE_OPTIONS ?? "") === "" &&
    process.env.REGISTRAR_NO_BUNDLE !== "1" &&
    spawnSync("sh", ["-c", '. "$1" && registrar_snapshot_current', "sh", snapshot]).status === 0
  ) {
    return "the startup snapshot of its esbuild bundle (`dist/bundle/registrar.blob`, current)"
  }
  try {
    const stamp = JSON.parse(readFileSync(join(cliRoot, "dist/bundle/inputs.json"), "utf8")) as {
      readonly builtAt: number
      readonly inputs: ReadonlyArray<string>
    }
    const current = stamp.inputs.every((input) => statSync(join(cliRoot, input)).mtimeMs <= stamp.builtAt)
    return current ? "its esbuild bundle (`dist/bundle`, current)" : "`dist/src/main.js` (the bundle is stale)"
  } catch {
    return "`dist/src/main.js` (no bundle)"
  }
}

/** Times the CLI and its floors; reports pending when the CLI is not built. */
export const run = async (options: CliOptions): Promise<Section> => {
  const title = "7. The CLI: `registrar resolve` on the embedded store"
  if (!available()) {
    return {
      title,
      method: [],
      tables: [],
      targets: [
        { goal: "`registrar resolve` under 1 second on a warm embedded store", measured: "not run", met: undefined }
      ],
      notes: [
        `Pending: \`${binary}\` or its compiled \`dist\` is missing. Run \`pnpm exec tsc -b\` and then \`pnpm bench -- --only cli\`.`
      ]
    }
  }
  const binaryRan = runs()
  const dataDir = mkdtempSync(join(tmpdir(), "registrar-bench-cli-"))
  try {
    options.log("cli: seeding the embedded store with `registrar demo`")
    const seeded = await timed([binary, "demo", "--data-dir", dataDir])
    if (seeded.code !== 0) throw new Error(`registrar demo failed: ${seeded.output.slice(0, 500)}`)
    const resolve = [binary, "resolve", name, "--as", "bob", "--data-dir", dataDir]
    const warm = await timed(resolve)
    if (warm.code !== 0) throw new Error(`registrar resolve failed: ${warm.output.slice(0, 500)}`)
    // The same command on a PostgreSQL server schema: the CLI without the embedded store's start-up.
    await Postgres.dropSchema(options.url, Postgres.Schemas.cli)
    const server = ["--database-url", options.url, "--schema", Postgres.Schemas.cli]
    const seededServer = await timed([binary, "demo", ...server])
    if (seededServer.code !== 0)
      throw new Error(`registrar demo on the server failed: ${seededServer.output.slice(0, 500)}`)
    const contenders = {
      node: () => timed(["-e", "process.stdout.write('ok\\n')"]),
      version: () => timed([binary, "--version"]),
      pglite: () => timed(["--input-type=module", "-e", pgliteScript(join(dataDir, "db"))], benchDirectory),
      server: () => timed([binary, "resolve", name, "--as", "bob", ...server]),
      resolve: () => timed(resolve)
    }
    const rounds = await alternate(
      options.runs,
      (Object.keys(contenders) as Array<keyof typeof contenders>).map((key) => ({
        name: key,
        run: async () => figuresOf(await contenders[key]())
      })),
      (key, round, measured) =>
        options.log(`  cli ${key} round ${round + 1}: ${millis(measured.answer ?? 0)} ms to answer`)
    )
    const rows: Array<[keyof typeof contenders, string]> = [
      ["node", "`node -e` (process start)"],
      ["version", "`registrar --version` (node + loading the CLI's modules)"],
      ["pglite", "bare script: import PGlite, open the data directory, one query, close"],
      [
        "server",
        `the same \`resolve\` with \`--database-url\` (PostgreSQL server, schema \`${Postgres.Schemas.cli}\`)`
      ],
      ["resolve", `\`registrar resolve "${name}" --as bob\``]
    ]
    const answer = medianOf(rounds.resolve, "answer")
    return {
      title,
      method: [
        `The CLI as built: \`packages/cli-demo/bin/registrar\`, which ran ${binaryRan} (build with \`pnpm exec tsc -b\`, and \`pnpm --filter @registrar/cli-demo bundle\` for the bundle and its snapshot), on a fresh data directory seeded by \`registrar demo\` (seeding took ${millis(seeded.exitMillis)} ms), then one unmeasured \`resolve\` to warm the page cache.`,
        `${options.runs} rounds; each spawns the five commands below in a rotated order. "To answer" is the time from spawn to the first byte on stdout, "to exit" until the process ended.`
      ],
      tables: [
        {
          header: ["command", "to answer ms", "to exit ms", "answer vs resolve", "errors"],
          rows: rows.map(([key, label]) => [
            label,
            millis(medianOf(rounds[key], "answer")),
            millis(medianOf(rounds[key], "exit")),
            key === "resolve"
              ? ""
              : times(median(rounds[key].map((m, round) => m.answer! / rounds.resolve[round]!.answer!))),
            String(rounds[key].reduce((sum, m) => sum + (m.failures ?? 0), 0))
          ])
        }
      ],
      targets: [
        {
          goal: "`registrar resolve` under 1 second on a warm embedded store",
          measured: `${millis(answer)} ms to answer`,
          met: answer < 1000
        }
      ],
      notes: []
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
    await Postgres.dropSchema(options.url, Postgres.Schemas.cli).catch(() => undefined)
  }
}
