/**
 * The `registrar` executable of the bundle (dist/bundle/registrar.js, built by scripts/bundle.mjs): `main`, with the
 * CLI in one CommonJS script (cli.cjs) that V8 does not compile again on each command but reads back from its code
 * cache (cli.cjs.local.cache, or cli.cjs.remote.cache for a command against a server; both written when the bundle is
 * built): about 150 ms of CPU less per command, taken from the cores PGlite starts on. V8 checks the cache against the
 * script, its own version and its flags, and compiles the script when they differ (after a Node upgrade, for
 * `replay`). PgliteStart is a module of its own (PgliteStart.cjs), shared
 * with the CLI, which takes over the database whose opening starts here.
 */
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as vm from "node:vm"
import * as PgliteStart from "./PgliteStart.js"

const args = process.argv.slice(2)
PgliteStart.begin(args, process.env)

const file = fileURLToPath(new URL("./cli.cjs", import.meta.url))
// Two caches, each written by a command of its kind when the bundle is built, as each kind compiles other functions:
// one against a server (`resolve`: the HTTP client), one on a local store (`--version`).
const cacheFile = `${file}.${PgliteStart.runsRemotely(args, process.env) ? "remote" : "local"}.cache`
const cachedData = fs.existsSync(cacheFile) ? fs.readFileSync(cacheFile) : undefined
const script = new vm.Script(
  `(function (exports, require, module, __filename, __dirname) {${fs.readFileSync(file, "utf8")}\n})`,
  {
    filename: file,
    ...(cachedData === undefined ? {} : { cachedData })
  }
)
// REGISTRAR_CODE_CACHE=write (scripts/bundle.mjs runs one command so) writes the cache when the command ends, with the
// functions V8 compiled by then; =check says on stderr whether V8 took it.
const mode = process.env.REGISTRAR_CODE_CACHE
if (mode === "write") process.once("exit", () => fs.writeFileSync(cacheFile, script.createCachedData()))
if (mode === "check") {
  const status = cachedData === undefined ? "missing" : script.cachedDataRejected ? "rejected" : "accepted"
  process.stderr.write(`code cache ${status}\n`)
}
const cli: { exports: { main?: () => void } } = { exports: {} }
script.runInThisContext()(cli.exports, createRequire(file), cli, file, path.dirname(file))
cli.exports.main!()
