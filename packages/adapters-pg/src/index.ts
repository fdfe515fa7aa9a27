/**
 * PostgreSQL adapters for Registrar: the EventStore, read models and snapshots on a PostgreSQL server (through
 * `pg`) or on embedded PGlite, with the same SQL and versioned migrations.
 */
export * as PgStore from "./PgStore.js"
export { type MigrateTarget, type Migration, migrate, migrations } from "./Migrations.js"
export * as PgChain from "./PgChain.js"
export * as PgBlobStore from "./PgBlobStore.js"
