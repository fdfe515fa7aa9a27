/**
 * Runs once before the browser tests: builds the app, bundles the CLI (which copies the app next
 * to the bundle, as `pnpm build` does), then seeds a PGlite data directory with `registrar demo` and an API key for
 * each of the documentation's users. Tests copy it and run `registrar serve` on the copy.
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import type { TestProject } from "vitest/node"

declare module "vitest" {
  export interface ProvidedContext {
    /** A data directory seeded by `registrar demo`, to copy. */
    webTemplate: string
    /** An API key of each demo user, by name. */
    webKeys: Record<string, string>
  }
}

const web = fileURLToPath(new URL("../../", import.meta.url))
const cliDemo = path.join(web, "..", "cli-demo")
const binary = path.join(cliDemo, "bin", "registrar")

const run = (command: string, args: ReadonlyArray<string>, env: NodeJS.ProcessEnv = process.env) => {
  const result = spawnSync(command, args, { env, encoding: "utf8", timeout: 300_000, cwd: web })
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(" ")} failed (${result.status}): ${result.stderr}${result.stdout}`)
  return result.stdout
}

/** Seeds the template and removes it after the run. */
export default function setup(project: TestProject): () => void {
  // Always from the current sources (a second or two): a stale build would test yesterday's app.
  // NODE_ENV=production: vitest sets it to "test", which would make Vite build React's development bundle.
  run(process.execPath, [path.join(web, "node_modules", "vite", "bin", "vite.js"), "build", "--logLevel", "warn"], {
    ...process.env,
    NODE_ENV: "production"
  })
  if (!fs.existsSync(path.join(cliDemo, "dist", "src", "main.js")))
    throw new Error("packages/cli-demo is not built: run `pnpm build` first")
  run(process.execPath, [path.join(cliDemo, "scripts", "bundle.mjs")])
  const template = fs.mkdtempSync(path.join(os.tmpdir(), "registrar-web-template-"))
  const env: NodeJS.ProcessEnv = { ...process.env, REGISTRAR_DATA_DIR: template }
  delete env.DATABASE_URL
  delete env.REGISTRAR_SCHEMA
  run(binary, ["demo"], env)
  const keys: Record<string, string> = {}
  for (const user of ["alice", "bob", "carol"]) {
    const created = JSON.parse(
      run(binary, ["api-key", "create", "--user", user, "--name", "browser-tests", "--json"], env)
    ) as { key: string }
    keys[user] = created.key
  }
  project.provide("webTemplate", template)
  project.provide("webKeys", keys)
  return () => fs.rmSync(template, { recursive: true, force: true })
}
