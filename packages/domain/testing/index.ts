/** Test helpers shared by every adapter: conformance suites and scenario builders. */
export * from "./EventStoreConformance.js"
export * from "./ReadModelStoreConformance.js"
export * from "./DeciderSpec.js"
export * from "./RegistrarScenarios.js"
export * from "./IndexedFilters.js"
export * from "./ChainTampering.js"
export * from "./ReadAccess.js"
export * from "./BlobStoreConformance.js"
