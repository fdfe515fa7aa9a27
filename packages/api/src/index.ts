/**
 * Registrar's HTTP API definition: the `HttpApi`, its authentication middleware, the body schemas and the problem
 * documents errors travel as. No server code: the server, the CLI and browsers import it alike.
 */
export * from "./Api.js"
export * from "./Authentication.js"
/** The error → HTTP status table. */
export * as Errors from "./Errors.js"
/** The bodies of the governance endpoints. */
export * as GovernanceModels from "./GovernanceModels.js"
/** The request and response bodies. */
export * as Models from "./Models.js"
/** Problem documents (RFC 9457) and the API's own errors. */
export * as Problem from "./Problem.js"
/** Artifact files: upload, list, download, verify. */
export * as Files from "./Files.js"
/** The filter-language listings: registries, collections and versions that match W&B filters. */
export * as Find from "./Find.js"
/** The web app's session cookie: sign in with a key, sign out. */
export * as Session from "./Session.js"
/** The automations group's bodies. */
export * as AutomationModels from "./AutomationModels.js"
