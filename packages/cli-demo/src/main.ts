/**
 * The `registrar` executable. Before loading the CLI (a few hundred milliseconds of modules), it starts what the
 * command will wait for longest: opening PGlite (its WebAssembly compiles in the background meanwhile), when the
 * command line names a command on the embedded store. Exit codes: 0 success, 1 the command failed, 2 bad usage, 3 tampered history (`verify`).
 * `BundledMain` is the same executable as bundled.
 */
import * as PgliteStart from "./PgliteStart.js"

PgliteStart.begin(process.argv.slice(2), process.env)

const { main } = await import("./Run.js")
main()
