/**
 * Bundles the compiled CLI (dist/src/main.js and the workspace packages it imports) into dist/bundle/, so that a
 * command loads a few files instead of hundreds of modules: Node 20 spends most of a short command's time resolving
 * and compiling modules. Each store adapter stays a separate chunk, loaded only when used; PGlite stays external
 * (it loads its WebAssembly next to its own module), pg is bundled (without its optional native binding).
 * `bin/registrar.js` uses the bundle only while it is newer than every workspace file it was built from.
 *
 * The PostgreSQL adapter imports pg (for a server) and PGlite (to open a data directory itself) at the top of its
 * modules. On the embedded store the CLI hands it a client whose PGlite runs on the worker thread, so here both
 * load when first used instead: on the main thread they would cost a short command about 140 ms of CPU (pg alone
 * brings Node's fetch implementation with it), taken from the two cores PGlite is starting on.
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

// The adapter's own imports of pg and PGlite, replaced by modules that load them when first used.
const lazyDrivers = {
  name: "lazy-drivers",
  setup(build) {
    build.onResolve({ filter: /^(pg|@electric-sql\/pglite)$/ }, (args) =>
      args.kind === "import-statement" && !args.importer.split(path.sep).includes("node_modules")
        ? { path: args.path, namespace: "lazy-driver", pluginData: { resolveDir: path.dirname(args.importer) } }
        : undefined
    )
    build.onLoad({ filter: /.*/, namespace: "lazy-driver" }, (args) => ({
      resolveDir: args.pluginData.resolveDir,
      contents:
        args.path === "pg"
          ? // `require` of a bundled CommonJS module runs it on the first call only.
            `let pg\nexport default new Proxy({}, { get: (_, key) => (pg ??= require("pg"))[key] })\n`
          : // The adapter calls PGlite.create only (PGlite's other exports it uses are types).
            `export const PGlite = {\n  create: (...args) => import("@electric-sql/pglite").then(({ PGlite }) => PGlite.create(...args))\n}\n`
    }))
  }
}

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
  plugins: [lazyDrivers],
  logLevel: "warning"
})

// The workspace files the bundle was built from (relative to this package), and the lockfile for everything else.
const workspace = path.dirname(path.dirname(root))
const inputs = Object.keys(result.metafile.inputs)
  .filter((input) => !input.startsWith("lazy-driver:"))
  .map((input) => path.resolve(root, input))
  .filter((input) => !input.split(path.sep).includes("node_modules"))
  .concat(path.join(workspace, "pnpm-lock.yaml"))
  .map((input) => path.relative(root, input))
await fs.writeFile(path.join(outdir, "inputs.json"), `${JSON.stringify({ builtAt, inputs }, null, 2)}\n`)
console.log(`bundled ${inputs.length - 1} workspace modules into ${path.relative(process.cwd(), outdir)}`)
