/**
 * The automations dispatcher, run in the server process for as long as its scope: it follows the store's feed,
 * queues deliveries and sends them (see `Automations.Dispatcher` in the domain). The memory and PGlite stores get
 * an in-process checkpoint and leases (one process); a PostgreSQL store provides its own, shared by every process.
 */
import { randomUUID } from "node:crypto"
import {
  Automations,
  DispatchStore,
  type EventStore,
  type SnapshotStore,
  type WebhookTransport
} from "@registrar/domain"
import { Effect, Layer } from "effect"

/** How the server's dispatcher runs. */
export interface DispatcherSettings extends Omit<Automations.Dispatcher.DispatcherOptions, "holder"> {
  /** Names this process in leases (default: a random id). */
  readonly holder?: string
}

/** Starts the dispatcher in the background of the layer's scope; it stops when the scope closes. */
export const layer = (settings: DispatcherSettings = {}) =>
  Layer.scopedDiscard(
    Effect.gen(function* () {
      const shared = yield* Effect.serviceOption(DispatchStore)
      const store = shared._tag === "Some" ? shared.value : DispatchStore.inMemory()
      yield* Automations.Dispatcher.run({ ...settings, holder: settings.holder ?? `server-${randomUUID()}` }).pipe(
        Effect.provideService(DispatchStore, store),
        Effect.forkScoped
      )
    })
  ) as Layer.Layer<never, never, EventStore | SnapshotStore | WebhookTransport>
