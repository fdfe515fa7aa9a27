/**
 * What the automations dispatcher writes while events fire no automation: two dispatchers (two processes' worth) over
 * one dispatch store follow a burst of links. The matcher saves its checkpoint, and the other asks for the matcher
 * lease, at most once a third of the lease, not once per append (each is a write, on PostgreSQL a commit).
 */
import { describe, expect, it } from "@effect/vitest"
import * as MemoryStores from "@registrar/adapters-memory"
import { Automations, DispatchStore, type DispatchStoreShape, Registrar } from "@registrar/domain"
import { Duration, Effect, Layer } from "effect"
import { WebhookTransport } from "../src/index.js"
import { world } from "./support/AutomationWorld.js"

const leaseMillis = 3_000

/** The in-memory dispatch store, counting checkpoint saves and lease requests by holder. */
const counting = () => {
  const store = DispatchStore.inMemory()
  const saves = { count: 0 }
  const asks = new Map<string, number>()
  const shape: DispatchStoreShape = {
    ...store,
    saveCheckpoint: (name, checkpoint) =>
      Effect.zipRight(
        Effect.sync(() => {
          saves.count += 1
        }),
        store.saveCheckpoint(name, checkpoint)
      ),
    acquireLease: (name, holder, ttlMillis) =>
      Effect.zipRight(
        Effect.sync(() => {
          if (name === "automations:matcher") asks.set(holder, (asks.get(holder) ?? 0) + 1)
        }),
        store.acquireLease(name, holder, ttlMillis)
      )
  }
  return { shape, saves, asks }
}

describe("the dispatcher's writes", () => {
  it.live("save the checkpoint and ask for the matcher lease once a third of the lease, not per append", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const { linkNew } = yield* world
        const dispatch = counting()
        for (const holder of ["first", "second"]) {
          yield* Automations.Dispatcher.run({ holder, leaseMillis, pollMillis: 10 }).pipe(
            Effect.provideService(DispatchStore, dispatch.shape),
            Effect.forkScoped
          )
        }
        // Both have started (and one holds the matcher lease) before the burst.
        yield* Effect.sleep(Duration.millis(500))
        const savesBefore = dispatch.saves.count
        const asksBefore = new Map(dispatch.asks)
        const started = Date.now()
        const links = 30
        for (let index = 0; index < links; index++) {
          yield* linkNew(index % 2 === 0 ? "A" : "B")
          // Each link its own append notification: each dispatcher steps once per link.
          yield* Effect.sleep(Duration.millis(15))
        }
        yield* Effect.sleep(Duration.millis(100))
        const elapsed = Date.now() - started
        // Once a third of the lease, plus the one a window may begin just before.
        const allowed = Math.ceil(elapsed / (leaseMillis / 3)) + 1
        expect(elapsed).toBeGreaterThan(links * 15)
        expect(dispatch.saves.count - savesBefore).toBeLessThanOrEqual(allowed)
        for (const holder of ["first", "second"]) {
          expect((dispatch.asks.get(holder) ?? 0) - (asksBefore.get(holder) ?? 0)).toBeLessThanOrEqual(allowed)
        }
        // Both asked for the lease on their first step, and the matcher saved its checkpoint on its first with events.
        expect(dispatch.asks.get("first")).toBeGreaterThan(0)
        expect(dispatch.asks.get("second")).toBeGreaterThan(0)
        expect(dispatch.saves.count).toBeGreaterThan(0)
      }).pipe(
        Effect.provide(
          WebhookTransport.layer({ hosts: ["127.0.0.1"] }).pipe(
            Layer.provideMerge(Registrar.layer()),
            Layer.provideMerge(MemoryStores.layer)
          )
        )
      )
    )
  )
})
