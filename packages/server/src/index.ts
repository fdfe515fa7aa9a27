/**
 * Registrar as a shared HTTP service: the `@registrar/api` definition implemented over the `Registrar` service, with
 * API-key authentication, problem+json errors, a request log, a body limit, `/healthz`, `/readyz`, `/openapi.json`
 * and `/docs`.
 */
export * as Server from "./Server.js"
/** Opaque cursors and pages. */
export * as Pagination from "./Pagination.js"
/** The Registry App's files and the headers its pages carry. */
export * as WebApp from "./WebApp.js"
/** Sending webhooks with an allow-list of hosts. */
export * as WebhookTransport from "./automations/WebhookTransport.js"
/** Automation secrets sealed with a key from the configuration. */
export * as SecretBox from "./automations/SecretBox.js"
/** The automations dispatcher in the server process. */
export * as AutomationDispatcher from "./automations/Dispatcher.js"
