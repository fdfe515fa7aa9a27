/**
 * The `registrar` executable. Before loading the CLI (a few hundred milliseconds of modules), it starts what the
 * command will wait for longest: PGlite, on a thread of its own, when the command line names a command on the
 * embedded store. Exit codes: 0 success, 1 the command failed, 2 bad usage, 3 tampered history (`verify`).
 */
import * as v8 from "node:v8"
import * as PgliteThread from "./PgliteThread.js"

const args = process.argv.slice(2)

// A command is short: compiling PGlite's 9 MB of WebAssembly with V8's baseline compiler only (no optimizing tier-up
// in the background) halves its start-up time and CPU. `replay` runs long enough to profit from tier-up.
if (!PgliteThread.runsLong(args)) v8.setFlagsFromString("--liftoff-only")

PgliteThread.prestart(args, process.env)

const { main } = await import("./Run.js")
main()
