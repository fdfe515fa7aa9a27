/**
 * The READMEs' commands work as written: the ```sh blocks of the root README's "The demo" section and of this
 * package's README run in order, in one bash session per README, in a fresh directory that stands in for the root
 * of a fresh clone (pnpm runs `pnpm registrar` and `pnpm demo` in the repository root). Every command must exit 0,
 * except those the README marks "refused", which must exit 1; a `# prints TEXT` comment must hold of its stdout.
 *
 * `pnpm` in the session runs the root package.json's scripts: `pnpm registrar ARGS` is `node <bin> ARGS`, and
 * `pnpm demo` is `pnpm build` then `node <bin> demo`, where the build is the one this test run already did
 * (`pnpm test` type-checks with `tsc -b` and builds the web app, and the global setup bundles the CLI, which is what
 * `pnpm build` does).
 * `pnpm install` is likewise done. Any other pnpm command fails the test.
 *
 * The two sessions run one after the other: each starts a few dozen processes, and other files' tests run meanwhile.
 */
import { spawn } from "node:child_process"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { binary } from "./support/Cli.js"

const repositoryRoot = fileURLToPath(new URL("../../../", import.meta.url))

/** One command of a README: its lines as written (continuations included), and what the README says of it. */
interface TourCommand {
  readonly text: string
  /** 1 for a command the README marks "refused", else 0. */
  readonly exitCode: number
  /** The text of a `# prints TEXT` comment, which stdout must contain. */
  readonly prints: string | undefined
}

/** The ```sh blocks of a markdown text, or of one `## ` section of it. */
const shellBlocks = (markdown: string, section?: string): ReadonlyArray<string> => {
  let text = markdown
  if (section !== undefined) {
    const start = markdown.indexOf(`\n## ${section}\n`)
    if (start === -1) throw new Error(`no section "## ${section}"`)
    const end = markdown.indexOf("\n## ", start + 1)
    text = markdown.slice(start, end === -1 ? undefined : end)
  }
  return [...text.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((match) => match[1]!)
}

/** Splits shell blocks into commands: a line ending in `\` continues on the next; blank and comment lines are skipped. */
const commandsOf = (blocks: ReadonlyArray<string>): ReadonlyArray<TourCommand> => {
  const commands: Array<TourCommand> = []
  for (const block of blocks) {
    let pending: Array<string> = []
    for (const line of block.split("\n")) {
      if (pending.length === 0 && (line.trim() === "" || line.trim().startsWith("#"))) continue
      pending.push(line)
      if (line.trimEnd().endsWith("\\")) continue
      const text = pending.join("\n")
      pending = []
      const prints = /#\s*prints (.+)$/m.exec(text)?.[1]?.trim()
      commands.push({ text, exitCode: /#\s*refused\b/.test(text) ? 1 : 0, prints })
    }
  }
  return commands
}

const shim = `pnpm() {
  case "$1" in
    registrar) shift; "$REGISTRAR_BIN" "$@" ;;
    demo) "$REGISTRAR_BIN" demo ;;
    install|build) return 0 ;;
    *) echo "pnpm $*: not a command the README tours may use" >&2; return 127 ;;
  esac
}
`

/** What one command did. */
interface Outcome {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

const environment = (session: string): Record<string, string> => {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key === "DATABASE_URL" || key.startsWith("REGISTRAR_")) continue
    env[key] = value
  }
  return { ...env, NO_COLOR: "1", FORCE_COLOR: "0", TMPDIR: path.join(session, "tmp"), REGISTRAR_BIN: binary }
}

/** Runs the commands in order in one bash session whose working directory is a fresh directory; returns each outcome. */
const runSession = async (commands: ReadonlyArray<TourCommand>): Promise<ReadonlyArray<Outcome | undefined>> => {
  const session = await fs.mkdtemp(path.join(os.tmpdir(), "registrar-readme-"))
  try {
    const root = path.join(session, "root")
    const outputs = path.join(session, "outputs")
    await Promise.all([fs.mkdir(root), fs.mkdir(outputs), fs.mkdir(path.join(session, "tmp"))])
    const script = [
      shim,
      ...commands.map(
        (command, index) =>
          `{\n${command.text}\n} >"${outputs}/${index}.out" 2>"${outputs}/${index}.err" </dev/null\necho "${index} $?" >>"${outputs}/status"`
      )
    ].join("\n")
    await new Promise<void>((resolve, reject) => {
      const child = spawn("bash", ["--noprofile", "--norc", "-c", script], {
        cwd: root,
        env: environment(session),
        stdio: "ignore"
      })
      child.on("error", reject)
      child.on("close", () => resolve())
    })
    const status = await fs.readFile(path.join(outputs, "status"), "utf8").catch(() => "")
    const codes = new Map(
      status
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => line.split(" ").map(Number) as [number, number])
    )
    return Promise.all(
      commands.map(async (_, index) => {
        const code = codes.get(index)
        if (code === undefined) return undefined
        const [stdout, stderr] = await Promise.all([
          fs.readFile(path.join(outputs, `${index}.out`), "utf8"),
          fs.readFile(path.join(outputs, `${index}.err`), "utf8")
        ])
        return { code, stdout, stderr }
      })
    )
  } finally {
    await fs.rm(session, { recursive: true, force: true })
  }
}

/** Every way the commands' outcomes differ from what the README says, as lines a person can act on. */
const discrepancies = (commands: ReadonlyArray<TourCommand>, outcomes: ReadonlyArray<Outcome | undefined>) =>
  commands.flatMap((command, index) => {
    const outcome = outcomes[index]
    if (outcome === undefined) return [`${command.text}\n  did not run`]
    const problems: Array<string> = []
    if (outcome.code !== command.exitCode) {
      problems.push(`exited ${outcome.code}, the README expects ${command.exitCode}`)
    }
    if (command.prints !== undefined && !outcome.stdout.includes(command.prints)) {
      problems.push(`did not print ${JSON.stringify(command.prints)}`)
    }
    return problems.length === 0
      ? []
      : [`${command.text}\n  ${problems.join("; ")}\n  stdout: ${outcome.stdout}\n  stderr: ${outcome.stderr}`]
  })

const readme = (relative: string) => fs.readFile(path.join(repositoryRoot, relative), "utf8")

describe("the READMEs' commands, run as written on a fresh clone", () => {
  it("pnpm registrar and pnpm demo are the root scripts the session's pnpm runs", async () => {
    const { scripts } = JSON.parse(await readme("package.json")) as { scripts: Record<string, string> }
    expect(scripts.registrar).toBe("packages/cli-demo/bin/registrar")
    expect(scripts.demo).toBe("pnpm build && packages/cli-demo/bin/registrar demo")
    expect(scripts.build).toBe(
      "tsc -b && pnpm --filter @registrar/web build && pnpm --filter @registrar/cli-demo bundle"
    )
    expect(scripts.test).toBe("tsc -b && pnpm --filter @registrar/web build && vitest run")
    expect(path.relative(repositoryRoot, binary)).toBe(path.join("packages", "cli-demo", "bin", "registrar"))
  })

  it("reads the tours' commands and what the READMEs say of them", async () => {
    const commands = commandsOf(shellBlocks(await readme("packages/cli-demo/README.md")))
    const refused = commands.filter((command) => command.exitCode === 1).map((command) => command.text)
    expect(refused).toEqual([expect.stringContaining("alias add")])
    expect(commands.find((command) => command.text.includes("artifact log"))?.prints).toBe(
      "smle-reg-team-1/registry_quickstart/raw_images:v0"
    )
    expect(commands.every((command) => !command.text.includes("--interactive"))).toBe(true)
  })

  it("README.md, The demo: pnpm demo, then resolve what it linked", async () => {
    const commands = commandsOf(shellBlocks(await readme("README.md"), "The demo"))
    expect(commands.map((command) => command.text.split(" ").slice(0, 2).join(" "))).toEqual([
      "pnpm demo",
      "pnpm registrar"
    ])
    expect(discrepancies(commands, await runSession(commands))).toEqual([])
  }, 600_000)

  it("packages/cli-demo/README.md: try it, the tour, and --as-of on the demo's store", async () => {
    const commands = commandsOf(shellBlocks(await readme("packages/cli-demo/README.md")))
    expect(commands.length).toBeGreaterThan(20)
    expect(discrepancies(commands, await runSession(commands))).toEqual([])
  }, 600_000)
})
