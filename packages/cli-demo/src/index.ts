/**
 * The `registrar` command as a library: the command tree (to embed or test it) and the store selection it uses.
 * The executable is `bin/registrar.js`.
 */
export { command } from "./Cli.js"
export * as Store from "./Store.js"
