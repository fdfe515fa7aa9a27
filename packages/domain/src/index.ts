/**
 * Registrar's domain: names and paths, aggregates as deciders, events, typed errors, the access policy, ports,
 * the application service and projections. Imports `effect` only.
 */
export * from "./EventStore.js"
export * from "./HashChain.js"
export * from "./ReadModelStore.js"
export * from "./SnapshotStore.js"
export * as InMemoryTables from "./internal/InMemoryTables.js"
export * as Projections from "./Projections.js"
export * as Projector from "./Projector.js"
export * as ReadModels from "./ReadModels.js"
export * from "./Access.js"
export * from "./Errors.js"
export * from "./Names.js"
export * from "./Paths.js"
export * from "./Registrar.js"
export type { Decider } from "./Decider.js"
export * as Artifact from "./Artifact.js"
export * as Collection from "./Collection.js"
export * as Entity from "./Entity.js"
export * as Events from "./Events.js"
export * as Registry from "./Registry.js"
