/**
 * Runs once before the CLI tests: checks that the binary is built, bundles it (as `pnpm build` does; the binary
 * runs the bundle while it is current), then seeds a PGlite data directory with `registrar demo`. Tests copy it
 * (`pgliteStore`) instead of paying PGlite's initdb and the seeding each time.
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
    pgliteTemplate: string
  }
}

const binary = fileURLToPath(new URL("../../bin/registrar", import.meta.url))
const main = fileURLToPath(new URL("../../dist/src/main.js", import.meta.url))
const bundler = fileURLToPath(new URL("../../scripts/bundle.mjs", import.meta.url))

/** Seeds the template and removes it after the run. */
export default function setup(project: TestProject): () => void {
  if (!fs.existsSync(main)) throw new Error(`${main} is missing: build first with \`pnpm exec tsc -b\``)
  const bundled = spawnSync(process.execPath, [bundler], { encoding: "utf8" })
  if (bundled.status !== 0) throw new Error(`bundling failed: ${bundled.stderr}${bundled.stdout}`)
  const template = fs.mkdtempSync(path.join(os.tmpdir(), "registrar-cli-template-"))
  const env: Record<string, string | undefined> = { ...process.env, REGISTRAR_DATA_DIR: template }
  delete env.DATABASE_URL
  delete env.REGISTRAR_SCHEMA
  const seeded = spawnSync(binary, ["demo"], { env, encoding: "utf8", timeout: 300_000 })
  if (seeded.status !== 0) throw new Error(`registrar demo failed (${seeded.status}): ${seeded.stderr}${seeded.stdout}`)
  project.provide("pgliteTemplate", template)
  return () => fs.rmSync(template, { recursive: true, force: true })
}
