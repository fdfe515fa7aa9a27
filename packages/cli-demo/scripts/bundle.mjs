/**
 * Bundles the compiled CLI (dist/src and the workspace packages it imports) into dist/bundle/, so that a command
 * loads a few files instead of hundreds of modules, and compiles less: Node 20 spends most of a short command's time
 * resolving and compiling modules.
 *
 * - `registrar.js` (from BundledMain): sets V8's flags and starts opening PGlite, then runs `cli.cjs`.
 * - `cli.cjs`: the CLI (from Run), one CommonJS script, so that it can be compiled with V8's code cache. There are
 *   two, written here by running one command of each kind: `cli.cjs.local.cache` (`registrar --version`) and
 *   `cli.cjs.remote.cache` (`registrar resolve` against a stand-in server answering canned documents, which compiles
 *   the HTTP client as well); registrar.js reads the one of its command line's kind. The store adapters in it run
 *   only when used; a command against a server runs none of them.
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
 * - `swagger-ui.json`, `lazy-undici.cjs`, `lazy-aws-sdk-client-s3.cjs`: what only `serve` uses, kept out of cli.cjs
 *   (see `swaggerApart` and `lazyPackages` below).
 * - `web/`: the built Registry App, copied from packages/web/dist/app, which `serve` serves at `/`.
 *
 * Against a server, the CLI sends its requests over node:http (NodeTransport), not fetch: Node 20 loads its fetch
 * (undici) on first use, about 50 ms of CPU. HttpApiClient's `instanceof FormData` test would load it all the same
 * (the FormData global is undici's), so the bundle asks the payload's tag first (`formDataCheck`).
 *
 * - `registrar.blob`, `snapshot.sh`, `snapshot-entry.cjs`: the V8 startup snapshot of cli.cjs (scripts/snapshot.mjs),
 *   from which `bin/registrar` starts a command with the CLI loaded.
 *
 * `bin/registrar.js` uses the bundle only while it is newer than every workspace file it was built from.
 * Run after `tsc -b`: `pnpm --filter @registrar/cli-demo bundle`.
 */
import { spawn } from "node:child_process"
import * as http from "node:http"
import * as fs from "node:fs/promises"
import { createRequire } from "node:module"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { build } from "esbuild"
import { buildSnapshot } from "./snapshot.mjs"

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

// HttpApiClient asks whether each request's payload is a FormData with `instanceof FormData`, and the first read of
// Node 20's FormData global loads its fetch implementation (undici): about 50 ms of CPU for a remote command, which
// sends JSON over node:http. The same question, asked of the payload's tag, reads FormData only when a payload is one.
const formDataCheck = {
  name: "form-data-check",
  setup(build) {
    build.onLoad({ filter: /[\\/]@effect[\\/]platform[\\/]dist[\\/]esm[\\/]HttpApiClient\.js$/ }, async (args) => {
      const source = await fs.readFile(args.path, "utf8")
      const check = "request.payload instanceof FormData"
      if (source.split(check).length !== 2) throw new Error(`${args.path} no longer reads "${check}" once`)
      return {
        contents: source.replace(
          check,
          'Object.prototype.toString.call(request.payload) === "[object FormData]" && request.payload instanceof FormData'
        ),
        loader: "js"
      }
    })
  }
}

/** A CommonJS module whose exports `names` read `load` (an expression) on first use, once. */
const loadedOnFirstUse = (load, names) => `let loaded
const load = () => (loaded ??= ${load})
for (const name of ${JSON.stringify(names)}) Object.defineProperty(module.exports, name, { enumerable: true, get: () => load()[name] })
`

// The /docs page's Swagger UI (about 1.9 MB of JavaScript held in one string literal) was 40% of cli.cjs: read and
// deserialized by every command, served only by `serve`. It moves to swagger-ui.json next to the bundle, read when
// the page is first built; the module that held it becomes one whose exports read that file on first use.
const swaggerFile = "swagger-ui.json"
const swaggerApart = {
  name: "swagger-apart",
  setup(build) {
    // A namespace of its own, so that the replacement is read as CommonJS (the platform's package.json says "module").
    build.onResolve({ filter: /[\\/]httpApiSwagger\.js$/ }, (args) =>
      /[\\/]@effect[\\/]platform[\\/]dist[\\/]esm$/.test(args.resolveDir)
        ? { path: path.join(args.resolveDir, args.path), namespace: "swagger-apart" }
        : undefined
    )
    build.onLoad({ filter: /.*/, namespace: "swagger-apart" }, async (args) => {
      const { javascript, css } = await import(pathToFileURL(args.path).href)
      if (typeof javascript !== "string" || typeof css !== "string") {
        throw new Error(`${args.path} no longer exports the strings javascript and css`)
      }
      await fs.mkdir(outdir, { recursive: true })
      await fs.writeFile(path.join(outdir, swaggerFile), JSON.stringify({ javascript, css }))
      return {
        contents: loadedOnFirstUse(
          `JSON.parse(require("node:fs").readFileSync(require("node:path").join(__dirname, ${JSON.stringify(swaggerFile)}), "utf8"))`,
          ["javascript", "css"]
        ),
        loader: "js"
      }
    })
  }
}

// Two packages only `serve` uses (undici, through the platform's HTTP server module, and the S3 client, about 1.1 MB
// together) are bundled into files of their own, lazy-undici.cjs and lazy-aws-sdk-client-s3.cjs, required when one of
// their exports is first read; in cli.cjs each is a module of getters over the same export names. Both are CommonJS
// packages sharing no state with the rest of the CLI, and nothing reads their exports while modules load.
const lazyPackageNames = ["undici", "@aws-sdk/client-s3"]
const lazyFile = (name) => `lazy-${name.replace(/[@/]/g, (c) => (c === "@" ? "" : "-"))}.cjs`
const lazyPackages = {
  name: "lazy-packages",
  setup(build) {
    const filter = new RegExp(`^(${lazyPackageNames.map((name) => name.replace(/[/]/g, "\\/")).join("|")})$`)
    build.onResolve({ filter }, (args) => ({
      path: args.path,
      namespace: "lazy-package",
      pluginData: { resolved: createRequire(args.importer).resolve(args.path) }
    }))
    build.onLoad({ filter: /.*/, namespace: "lazy-package" }, async (args) => {
      const { resolved } = args.pluginData
      const names = Object.keys(createRequire(import.meta.url)(resolved)).filter((name) => name !== "default")
      await build.esbuild.build({
        absWorkingDir: root,
        entryPoints: [resolved],
        outfile: path.join(outdir, lazyFile(args.path)),
        bundle: true,
        platform: "node",
        target: "node20",
        format: "cjs",
        minify: true,
        logLevel: "warning"
      })
      return {
        contents: loadedOnFirstUse(
          `require(require("node:path").join(__dirname, ${JSON.stringify(lazyFile(args.path))}))`,
          names
        ),
        loader: "js"
      }
    })
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
    plugins: [sharedStart, lazyDrivers, formDataCheck, swaggerApart, lazyPackages]
  })
]

// The Registry App (built by `pnpm --filter @registrar/web build`) ships next to the bundle: `serve` finds it there.
const webApp = path.join(root, "..", "web", "dist", "app")
try {
  await fs.cp(webApp, path.join(outdir, "web"), { recursive: true })
} catch {
  console.warn(`the Registry App is not built (${path.relative(process.cwd(), webApp)}): serve will run without it`)
}

// The code caches: a command on a local store (`--version`: loading the CLI) writes one; `resolve` against a server
// writes the other, with the functions that load and run the HTTP client as well. Its server answers from canned
// documents: should the API's answers change shape, the command fails here, and the canned answers must follow.
const writeCache = (args, env = {}) =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(outdir, "registrar.js"), ...args], {
      env: { ...process.env, REGISTRAR_CODE_CACHE: "write", ...env },
      stdio: ["ignore", "ignore", "pipe"]
    })
    let stderr = ""
    child.stderr.on("data", (chunk) => (stderr += chunk))
    child.on("error", reject)
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`writing the code cache (registrar ${args[0]}) failed: ${stderr}`))
    )
  })
await writeCache(["--version"])
const canned = {
  "/me": { user: "cache" },
  "/resolve": {
    fullName: "wandb-registry-R/c:v0",
    qualifiedName: "o/wandb-registry-R/c:v0",
    organization: "o",
    registry: "R",
    collection: "c",
    collectionId: "00000000-0000-0000-0000-000000000000",
    version: 0,
    aliases: ["latest"],
    source: "t/p/a:v0",
    artifactType: "dataset",
    digest: "0".repeat(64),
    linkedAt: "2025-01-01T00:00:00.000Z",
    linkedBy: "cache",
    description: "",
    metadata: {},
    tags: [],
    files: [{ path: "f", sha256: "0".repeat(64), size: 1 }]
  }
}
const server = http.createServer((request, response) => {
  const answer = canned[new URL(request.url, "http://localhost").pathname]
  response.writeHead(answer === undefined ? 404 : 200, { "content-type": "application/json" })
  response.end(JSON.stringify(answer ?? {}))
})
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve))
try {
  await writeCache(["resolve", "wandb-registry-R/c", "--server", `http://127.0.0.1:${server.address().port}`], {
    REGISTRAR_API_KEY: "cache"
  })
} finally {
  server.close()
}

// The workspace files the bundle was built from (relative to this package), and the lockfile for everything else.
const workspace = path.dirname(path.dirname(root))
const inputs = [...new Set(results.flatMap((result) => Object.keys(result.metafile.inputs)))]
  .filter((input) => !/^(lazy-driver|lazy-package|swagger-apart):/.test(input))
  .map((input) => path.resolve(root, input))
  .filter((input) => !input.split(path.sep).includes("node_modules"))
  .concat(path.join(workspace, "pnpm-lock.yaml"))
  .map((input) => path.relative(root, input))
await fs.writeFile(path.join(outdir, "inputs.json"), `${JSON.stringify({ builtAt, inputs }, null, 2)}\n`)

// The V8 startup snapshot of the bundle, from which bin/registrar starts a command (see snapshot.mjs).
const snapshot = await buildSnapshot()
console.log(
  `bundled ${inputs.length - 1} workspace modules into ${path.relative(process.cwd(), outdir)}${snapshot ? ", with a startup snapshot" : ""}`
)
