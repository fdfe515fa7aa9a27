/**
 * The `registrar` command as a library: the command tree (to embed or test it) and the store selection it uses.
 * The executable is `bin/registrar.js`.
 */
/** The `registrar` command tree. */
export { command } from "./Cli.js"
/** Which store a command opens, from its options. */
export * as Store from "./Store.js"
