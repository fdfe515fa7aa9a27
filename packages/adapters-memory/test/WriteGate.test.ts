// The write gate: every append of the service waits for the appending fiber's gate (the server sets it to the
// confirmation of the request's API key), and a gate that dies refuses the write with nothing appended. A key's kept
// record is handed back with the confirmation still to run (`authenticateLater`), so that a request's reads need not
// wait for it; the confirmation is what sees a revocation made through another service. A request that writes
// carries a guard instead (`WriteGate.Guard`): the key stream's version, checked inside each multi-stream append, so
// that a write confirms the key with no round trip of its own.
import { describe, expect, it } from "@effect/vitest"
import { ApiKey, EventStore, Registrar, WriteGate } from "@registrar/domain"
import { Cause, Context, Deferred, Effect, Exit, Fiber, Layer, Option, Ref } from "effect"
import * as MemoryStores from "../src/index.js"

const random = (seed: number) =>
  Uint8Array.from({ length: ApiKey.RANDOM_BYTES }, (_, index) => (index * 11 + seed) % 256)

const serviceOn = (context: Context.Context<Layer.Layer.Success<typeof MemoryStores.layer>>) =>
  Effect.map(Layer.build(Registrar.layer()), (built) => Context.get(built, Registrar)).pipe(Effect.provide(context))

describe("the write gate", () => {
  it.scoped("holds every append of the fiber and its children until it passes; a gate that dies writes nothing", () =>
    Effect.gen(function* () {
      const stores = yield* Layer.build(MemoryStores.layer)
      const registrar = yield* serviceOn(stores)
      const store = Context.get(stores, EventStore)
      yield* registrar.bootstrap({ admin: "root", random: random(1) })

      const open = yield* Deferred.make<void>()
      const held = yield* Effect.fork(
        Effect.locally(
          registrar.createOrganization({ actor: "root", organization: "acme", displayName: "Acme" }),
          WriteGate.current,
          Deferred.await(open)
        )
      )
      yield* Effect.yieldNow({ priority: 1 })
      expect(yield* store.streamVersion("Entity-acme")).toBe(0)
      yield* Deferred.succeed(open, undefined)
      expect((yield* Fiber.join(held)).created).toBe(true)
      expect(yield* store.streamVersion("Entity-acme")).toBeGreaterThan(0)

      // A child fiber inherits the gate; the refusal is the gate's own defect, and nothing is appended.
      const refusal = new Error("the key was revoked")
      const refused = yield* Effect.exit(
        Effect.locally(
          Effect.flatMap(
            Effect.fork(registrar.createOrganization({ actor: "root", organization: "globex", displayName: "Globex" })),
            Fiber.join
          ),
          WriteGate.current,
          Effect.die(refusal)
        )
      )
      expect(Exit.isFailure(refused) && Option.getOrUndefined(Cause.dieOption(refused.cause))).toBe(refusal)
      expect(yield* store.streamVersion("Entity-globex")).toBe(0)
      // Without a gate the same command goes through.
      expect(
        (yield* registrar.createOrganization({ actor: "root", organization: "globex", displayName: "Globex" })).created
      ).toBe(true)
    })
  )

  it.scoped(
    "authenticateLater hands back a kept record with its confirmation, which sees a revocation made elsewhere",
    () =>
      Effect.gen(function* () {
        const stores = yield* Layer.build(MemoryStores.layer)
        const first = yield* serviceOn(stores)
        const second = yield* serviceOn(stores)
        yield* first.bootstrap({ admin: "root", random: random(2) })
        const laptop = yield* first.createApiKey({ actor: "root", user: "root", name: "laptop", random: random(3) })

        // Read now: nothing left to confirm.
        const read = yield* second.authenticateLater(laptop.key)
        expect(read).toMatchObject({ user: "root", prefix: laptop.prefix })
        expect(read.confirmed).toBeUndefined()
        // Kept: answered from the record, the confirmation still to run; it passes while the key stands.
        const kept = yield* second.authenticateLater(laptop.key)
        expect(kept.user).toBe("root")
        expect(kept.confirmed).toBeDefined()
        expect(yield* kept.confirmed!).toStrictEqual({ user: "root", prefix: laptop.prefix })

        yield* first.revokeApiKey({ actor: "root", user: "root", prefix: laptop.prefix })
        // The kept record still says yes; its confirmation, run after the revocation, says no.
        const stale = yield* second.authenticateLater(laptop.key)
        expect(stale.user).toBe("root")
        expect(yield* Effect.flip(stale.confirmed!)).toBeInstanceOf(ApiKey.InvalidApiKey)
        // Once the record is read again it refuses at once, with nothing left to confirm.
        expect(yield* Effect.flip(second.authenticateLater(laptop.key))).toBeInstanceOf(ApiKey.InvalidApiKey)
        expect(yield* Effect.flip(second.authenticate(laptop.key))).toBeInstanceOf(ApiKey.InvalidApiKey)
      })
  )

  describe("a guard", () => {
    /** A service with an admin, a guard at the admin's key stream as it is now, and how often its check ran. */
    const guarded = (failing?: Error) =>
      Effect.gen(function* () {
        const stores = yield* Layer.build(MemoryStores.layer)
        const registrar = yield* serviceOn(stores)
        const store = Context.get(stores, EventStore)
        yield* registrar.bootstrap({ admin: "root", random: random(4) })
        const streamId = ApiKey.streamId("root")
        const checks = yield* Ref.make(0)
        const check = Effect.zipRight(
          Ref.update(checks, (n) => n + 1),
          failing === undefined ? Effect.void : Effect.die(failing)
        )
        const guard = new WriteGate.Guard(streamId, yield* store.streamVersion(streamId), check)
        const under = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.locally(effect, WriteGate.current, guard)
        return { registrar, store, guard, checks, under, streamId }
      })

    it.scoped("confirms the key by the write that commits under it, with no check of its own", () =>
      Effect.gen(function* () {
        const { registrar, store, guard, checks, under } = yield* guarded()
        expect(guard.settled).toBe(false)
        const created = yield* under(
          registrar.createOrganization({ actor: "root", organization: "acme", displayName: "Acme" })
        )
        expect(created.created).toBe(true)
        expect(yield* store.streamVersion("Entity-acme")).toBeGreaterThan(0)
        expect(yield* Ref.get(checks)).toBe(0)
        expect(guard.settled).toBe(true)
        // Settled: what the request does next needs no check either.
        yield* under(WriteGate.pass)
        expect(yield* Ref.get(checks)).toBe(0)
      })
    )

    it.scoped("runs the check when the key's stream moved, and writes once it passes", () =>
      Effect.gen(function* () {
        const { registrar, store, guard, checks, under } = yield* guarded()
        yield* registrar.createApiKey({ actor: "root", user: "root", name: "second", random: random(5) })
        yield* under(registrar.createOrganization({ actor: "root", organization: "acme", displayName: "Acme" }))
        expect(yield* store.streamVersion("Entity-acme")).toBeGreaterThan(0)
        expect(yield* Ref.get(checks)).toBe(1)
        expect(guard.settled).toBe(true)
      })
    )

    it.scoped("writes nothing when the key's stream moved and the check refuses", () =>
      Effect.gen(function* () {
        const refusal = new Error("the key was revoked")
        const { registrar, store, guard, checks, under } = yield* guarded(refusal)
        yield* registrar.createApiKey({ actor: "root", user: "root", name: "second", random: random(6) })
        const refused = yield* Effect.exit(
          under(
            Effect.flatMap(
              Effect.fork(registrar.createOrganization({ actor: "root", organization: "acme", displayName: "Acme" })),
              Fiber.join
            )
          )
        )
        expect(Exit.isFailure(refused) && Option.getOrUndefined(Cause.dieOption(refused.cause))).toBe(refusal)
        expect(yield* store.streamVersion("Entity-acme")).toBe(0)
        expect(yield* Ref.get(checks)).toBe(1)
        expect(guard.settled).toBe(false)
      })
    )

    it.scoped("checks first when the write is to the key's own stream", () =>
      Effect.gen(function* () {
        const { registrar, store, checks, under, streamId } = yield* guarded()
        const before = yield* store.streamVersion(streamId)
        yield* under(registrar.createApiKey({ actor: "root", user: "root", name: "mine", random: random(7) }))
        expect(yield* store.streamVersion(streamId)).toBe(before + 1)
        expect(yield* Ref.get(checks)).toBe(1)
      })
    )

    it.scoped("a retried append that committed before is confirmed only if the key's stream has not moved", () =>
      Effect.gen(function* () {
        const { registrar, store, guard, checks, under } = yield* guarded()
        const gatedStore = WriteGate.gated(store)
        const writes = [
          {
            streamId: "Other-1",
            events: [
              {
                eventId: "2b1e2c4e-9a57-4d0e-8a7e-3f7f3f0d6a01",
                type: "SomethingElse",
                schemaVersion: 1,
                data: {},
                metadata: { actor: "root", recordedAt: "2025-03-01T12:00:00.000Z" }
              }
            ],
            expected: "no_stream" as const
          }
        ]
        // Committed without the request's gate (as by a first attempt whose answer was lost).
        const first = yield* store.appendMany(writes)
        yield* registrar.createApiKey({ actor: "root", user: "root", name: "second", random: random(8) })
        const retried = yield* under(gatedStore.appendMany(writes))
        expect(retried).toStrictEqual(first)
        expect(yield* Ref.get(checks)).toBe(1)
        expect(guard.settled).toBe(true)
      })
    )
  })
})
