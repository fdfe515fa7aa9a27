/**
 * Bundles the compiled CLI (dist/src/main.js and the workspace packages it imports) into dist/bundle/, so that a
 * command loads a few files instead of hundreds of modules: Node 20 spends most of a short command's time resolving
 * and compiling modules. Each store adapter stays a separate chunk, loaded only when used; PGlite stays external
 * (it loads its WebAssembly next to its own module), pg is bundled (without its optional native binding). `bin/registrar.js` uses the bundle only while it
 * is newer than every workspace file it was built from.
 *
 * Run after `tsc -b`: `pnpm --filter @registrar/cli-demo bundle`.
 */
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { build } from "esbuild"

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)))
const outdir = path.join(root, "dist", "bundle")
const builtAt = Date.now()

await fs.rm(outdir, { recursive: true, force: true })
const result = await build({
  absWorkingDir: root,
  entryPoints: { registrar: "dist/src/main.js", PgliteWorker: "dist/src/PgliteWorker.js" },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: ["@electric-sql/pglite", "pg-native"],
  banner: {
    js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);"
  },
  minify: true,
  metafile: true,
  logLevel: "warning"
})

// The workspace files the bundle was built from (relative to this package), and the lockfile for everything else.
const workspace = path.dirname(path.dirname(root))
const inputs = Object.keys(result.metafile.inputs)
  .map((input) => path.resolve(root, input))
  .filter((input) => !input.split(path.sep).includes("node_modules"))
  .concat(path.join(workspace, "pnpm-lock.yaml"))
  .map((input) => path.relative(root, input))
await fs.writeFile(path.join(outdir, "inputs.json"), `${JSON.stringify({ builtAt, inputs }, null, 2)}\n`)
console.log(`bundled ${inputs.length - 1} workspace modules into ${path.relative(process.cwd(), outdir)}`)
