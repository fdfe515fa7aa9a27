/**
 * Automations: webhooks on registry events, delivered at least once in log order per automation, with the history
 * of every delivery (see docs/automations.md). The modules, by concern.
 */
export * as Attempt from "./Automation/Attempt.js"
export * as Book from "./Automation/Book.js"
export * as Deliveries from "./Automation/Deliveries.js"
export * as Dispatcher from "./Automation/Dispatcher.js"
export * as Events from "./Automation/Events.js"
export * as Model from "./Automation/Model.js"
export * as TriggerFilter from "./Automation/TriggerFilter.js"
export * as Triggers from "./Automation/Triggers.js"
