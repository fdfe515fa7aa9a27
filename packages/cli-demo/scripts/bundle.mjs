/**
 * Bundles the compiled CLI (dist/src and the workspace packages it imports) into dist/bundle/, so that a command
 * loads a few files instead of hundreds of modules, and compiles less: Node 20 spends most of a short command's time
 * resolving and compiling modules.
 *
 * - `registrar.js` (from BundledMain): sets V8's flags and starts opening PGlite, then runs `cli.cjs`.
 * - `cli.cjs`: the CLI (from Run), one CommonJS script, so that it can be compiled with V8's code cache
 *   (`cli.cjs.cache`, written here by running `registrar --version` once). The store adapters in it run only when
 *   used.
 * - `PgliteStart.cjs`: one module shared by both, so the CLI takes over the database whose opening started before it
 *   loaded.
 *
 * PGlite stays external (it loads its WebAssembly next to its own module); pg is bundled (without its optional native
 * binding).
 *
 * The PostgreSQL adapter imports pg (for a server) and PGlite (to open a data directory itself) at the top of its
 * modules. On the embedded store the CLI hands it the PGlite it opened itself, so here both load when first used
 * instead: loading them costs a short command about 140 ms of CPU (pg alone brings Node's fetch implementation with
 * it).
 *
 * - `web/`: the built Registry App, copied from packages/web/dist/app, which `serve` serves at `/`.
 *
 * `bin/registrar.js` uses the bundle only while it is newer than every workspace file it was built from.
 * Run after `tsc -b`: `pnpm --filter @registrar/cli-demo bundle`.
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { build } from "esbuild"

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)))
const outdir = path.join(root, "dist", "bundle")
const builtAt = Date.now()

// Imports of PgliteStart, pointed at the one shared module.
const sharedStart = {
  name: "shared-start",
  setup(build) {
    build.onResolve({ filter: /\/PgliteStart\.js$/ }, (args) =>
      args.kind === "import-statement" ? { path: "./PgliteStart.cjs", external: true } : undefined
    )
  }
}

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
            `export const PGlite = { create: async (...args) => require("@electric-sql/pglite").PGlite.create(...args) }\n`
    }))
  }
}

const common = {
  absWorkingDir: root,
  outdir,
  bundle: true,
  platform: "node",
  target: "node20",
  external: ["@electric-sql/pglite", "pg-native"],
  minify: true,
  metafile: true,
  logLevel: "warning"
}

await fs.rm(outdir, { recursive: true, force: true })
const results = [
  await build({
    ...common,
    entryPoints: { registrar: "dist/src/BundledMain.js" },
    format: "esm",
    plugins: [sharedStart]
  }),
  await build({
    ...common,
    entryPoints: { cli: "dist/src/Run.js", PgliteStart: "dist/src/PgliteStart.js" },
    format: "cjs",
    outExtension: { ".js": ".cjs" },
    define: { "import.meta.url": "__moduleUrl" },
    banner: { js: "\"use strict\";const __moduleUrl = require('node:url').pathToFileURL(__filename).href;" },
    plugins: [sharedStart, lazyDrivers]
  })
]

// The Registry App (built by `pnpm --filter @registrar/web build`) ships next to the bundle: `serve` finds it there.
const webApp = path.join(root, "..", "web", "dist", "app")
try {
  await fs.cp(webApp, path.join(outdir, "web"), { recursive: true })
} catch {
  console.warn(`the Registry App is not built (${path.relative(process.cwd(), webApp)}): serve will run without it`)
}

const cached = spawnSync(process.execPath, [path.join(outdir, "registrar.js"), "--version"], {
  env: { ...process.env, REGISTRAR_CODE_CACHE: "write" },
  encoding: "utf8"
})
if (cached.status !== 0) throw new Error(`writing the code cache failed: ${cached.stderr}`)

// The workspace files the bundle was built from (relative to this package), and the lockfile for everything else.
const workspace = path.dirname(path.dirname(root))
const inputs = [...new Set(results.flatMap((result) => Object.keys(result.metafile.inputs)))]
  .filter((input) => !input.startsWith("lazy-driver:"))
  .map((input) => path.resolve(root, input))
  .filter((input) => !input.split(path.sep).includes("node_modules"))
  .concat(path.join(workspace, "pnpm-lock.yaml"))
  .map((input) => path.relative(root, input))
await fs.writeFile(path.join(outdir, "inputs.json"), `${JSON.stringify({ builtAt, inputs }, null, 2)}\n`)
console.log(`bundled ${inputs.length - 1} workspace modules into ${path.relative(process.cwd(), outdir)}`)
