/**
 * Layers that provide Registrar's stores (EventStore, ReadModelStore, SnapshotStore) on PostgreSQL: a server by
 * connection URL or existing `pg.Pool`, or embedded PGlite on a data directory or in memory. Each layer runs the
 * migrations of its schema on start.
 */
import type { PGlite } from "@electric-sql/pglite"
import {
  type ChainKey,
  DispatchStore,
  EventStore,
  LinkIndex,
  Origin,
  Projector,
  ReadModelStore,
  SnapshotStore,
  type StoreUnavailable
} from "@registrar/domain"
import { Context, Effect, Layer, type Scope } from "effect"
import type pg from "pg"
import { openPglite, openPool, pgliteDatabase, schemaName, serverDatabase } from "./internal/Connect.js"
import type { Database } from "./internal/Database.js"
import * as PgDispatchStore from "./PgDispatchStore.js"
import * as PgEventStore from "./PgEventStore.js"
import * as PgLinkIndex from "./PgLinkIndex.js"
import * as PgReadModelStore from "./PgReadModelStore.js"
import * as PgSnapshotStore from "./PgSnapshotStore.js"

export { migrate, type MigrateTarget } from "./Migrations.js"

/**
 * The services every layer of this module provides (LinkIndex: collections load without reading every link;
 * DispatchStore: the automations dispatcher's checkpoint and leases, shared by every process of the schema).
 */
export type Stores = EventStore | ReadModelStore | SnapshotStore | LinkIndex | DispatchStore

/** Options shared by every layer. */
export interface SchemaOptions {
  /** The PostgreSQL schema holding Registrar's tables (default `registrar`). */
  readonly schema?: string
  /**
   * Key the chain hashes (HMAC-SHA256) with this key, kept outside the database (see the README's "Keyed chains").
   * A store whose chain is keyed refuses appends without its key; an empty store is keyed by its first append.
   */
  readonly chainKey?: ChainKey
}

/** Options of a server store. */
export interface ServerOptions extends SchemaOptions {
  /**
   * Append statements in flight at once (default 4). Appends that arrive while all are busy go together in the next
   * statement and commit, each keeping its own outcome; see the README's "Group appends".
   */
  readonly appendConcurrency?: number
}

/** A server reached by connection URL, e.g. `postgres://user@host:5432/db`. */
export interface UrlOptions extends ServerOptions {
  readonly url: string
  /** Connections in the pool (default 10), plus one dedicated to LISTEN. */
  readonly poolSize?: number
  /** How long to wait for a connection before failing with StoreUnavailable (default 10 seconds). */
  readonly connectTimeoutMillis?: number
}

/** A server reached through a pool the caller owns (and ends). */
export interface PoolOptions extends ServerOptions {
  readonly pool: pg.Pool
}

/** Embedded PGlite: a data directory (in memory when omitted), or an instance the caller owns. */
export type PgliteOptions = SchemaOptions & ({ readonly dataDir?: string } | { readonly client: PGlite })

/** The migration that moved the read models to typed tables and reset their checkpoint (see `rebuildAfterMigration`). */
const typedReadModels = 13

/**
 * When this process has just applied migration 13 to a store holding events, rebuilds the read models from the log
 * at once by bulk loading (the migration left them empty at the origin). Should the rebuild fail, reads still catch
 * up from the origin, one batch at a time.
 */
const rebuildAfterMigration = (database: Database, context: Context.Context<Stores>): Effect.Effect<void> =>
  database.migrated?.includes(typedReadModels) !== true
    ? Effect.void
    : Effect.gen(function* () {
        const head = yield* Context.get(context, EventStore).head
        if (head.globalPosition === Origin.globalPosition) return
        const replayed = yield* Projector.rebuild({ batchSize: 2_000 })
        yield* Effect.logInfo(`migration ${typedReadModels}: read models rebuilt from ${replayed} events`)
      }).pipe(
        Effect.provide(context),
        Effect.catchAll((error) =>
          Effect.logWarning(`migration ${typedReadModels}: rebuilding the read models failed (${error.message})`)
        )
      )

const stores = (
  database: Database,
  options: PgEventStore.EventStoreOptions
): Effect.Effect<Context.Context<Stores>, StoreUnavailable> =>
  Effect.gen(function* () {
    const readModels = yield* PgReadModelStore.make(database, { besideLog: true })
    const context = Context.make(EventStore, PgEventStore.make(database, options))
      .pipe(Context.add(ReadModelStore, readModels))
      .pipe(Context.add(SnapshotStore, PgSnapshotStore.make(database)))
      .pipe(Context.add(LinkIndex, PgLinkIndex.make(database)))
      .pipe(Context.add(DispatchStore, PgDispatchStore.make(database)))
    yield* rebuildAfterMigration(database, context)
    return context
  })

const fromDatabase = (
  database: Effect.Effect<Database, StoreUnavailable, Scope.Scope>,
  options: PgEventStore.EventStoreOptions = {}
): Layer.Layer<Stores, StoreUnavailable> =>
  Layer.scopedContext(Effect.flatMap(database, (opened) => stores(opened, options)))

const eventStoreOptions = (options: ServerOptions): PgEventStore.EventStoreOptions => ({
  ...(options.appendConcurrency === undefined ? {} : { appendConcurrency: options.appendConcurrency }),
  ...(options.chainKey === undefined ? {} : { chainKey: options.chainKey })
})

/** The stores on a PostgreSQL server at `url`, with a pool that closes with the layer. */
export const layer = (options: UrlOptions): Layer.Layer<Stores, StoreUnavailable> =>
  fromDatabase(
    Effect.flatMap(schemaName(options.schema), (schema) =>
      Effect.flatMap(
        openPool({ url: options.url, poolSize: options.poolSize, connectTimeoutMillis: options.connectTimeoutMillis }),
        (pool) => serverDatabase(pool, schema)
      )
    ),
    eventStoreOptions(options)
  )

/** The stores on a PostgreSQL server through an existing pool (left open when the layer closes). */
export const layerPool = (options: PoolOptions): Layer.Layer<Stores, StoreUnavailable> =>
  fromDatabase(serverDatabase(options.pool, options.schema), eventStoreOptions(options))

/** The stores on embedded PGlite: opened on `dataDir` (or in memory) and closed with the layer, or a given instance. */
export const layerPglite = (options: PgliteOptions = {}): Layer.Layer<Stores, StoreUnavailable> =>
  fromDatabase(
    Effect.flatMap(schemaName(options.schema), (schema) =>
      "client" in options
        ? pgliteDatabase(options.client, schema)
        : Effect.flatMap(openPglite(options.dataDir), (client) => pgliteDatabase(client, schema))
    ),
    options.chainKey === undefined ? {} : { chainKey: options.chainKey }
  )
