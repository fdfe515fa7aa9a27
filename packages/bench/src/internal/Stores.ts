/**
 * Registrar over the stores a scenario needs, as a managed runtime: the application service and the raw stores,
 * with every VersionConflict the EventStore reports counted (the retries inside commands are otherwise invisible).
 */
import * as MemoryStores from "@registrar/adapters-memory"
import { PgStore } from "@registrar/adapters-pg"
import {
  EventStore,
  type EventStoreShape,
  Registrar,
  type RegistrarShape,
  type ReadModelStore,
  type SnapshotStore
} from "@registrar/domain"
import { Context, Effect, Layer, ManagedRuntime } from "effect"

/** Conflicts the EventStore answered since the counter was made. */
export interface ConflictCounter {
  conflicts: number
}

type Stores = EventStore | ReadModelStore | SnapshotStore

const counting = (counter: ConflictCounter): Layer.Layer<Stores, never, Stores> =>
  Layer.effectContext(
    Effect.map(Effect.context<Stores>(), (context) => {
      const store = Context.get(context, EventStore)
      return Context.add(context, EventStore, {
        ...store,
        append: (streamId, events, expected) =>
          store.append(streamId, events, expected).pipe(
            Effect.tapErrorTag("VersionConflict", () =>
              Effect.sync(() => {
                counter.conflicts += 1
              })
            )
          )
      })
    })
  )

/** A runtime with Registrar and its stores. */
export type RegistrarRuntime = ManagedRuntime.ManagedRuntime<Registrar | Stores, unknown>

const withRegistrar = (stores: Layer.Layer<Stores, unknown>, counter: ConflictCounter): RegistrarRuntime =>
  ManagedRuntime.make(Registrar.layer().pipe(Layer.provideMerge(counting(counter)), Layer.provideMerge(stores)))

/** Registrar on a PostgreSQL server schema, with a pool of `poolSize` connections. */
export const onPostgres = (
  options: {
    readonly url: string
    readonly schema: string
    readonly poolSize: number
    readonly appendConcurrency?: number
  },
  counter: ConflictCounter = { conflicts: 0 }
): RegistrarRuntime => withRegistrar(PgStore.layer(options), counter)

/** Registrar on fresh in-memory stores. */
export const inMemory = (counter: ConflictCounter = { conflicts: 0 }): RegistrarRuntime =>
  withRegistrar(MemoryStores.layer, counter)

/** The application service and the event store of a runtime. */
export const servicesOf = (
  runtime: RegistrarRuntime
): Promise<{ readonly registrar: RegistrarShape; readonly store: EventStoreShape }> =>
  runtime.runPromise(Effect.all({ registrar: Registrar, store: EventStore }))
