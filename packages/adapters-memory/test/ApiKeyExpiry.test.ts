// API keys with an expiry (the web session's key) stop authenticating when the clock passes it, with the same
// InvalidApiKey as any bad key; keys without one authenticate until revoked. The TestClock moves time, no sleeping.
// A key's record is kept between requests while its user's key stream does not move: expiry is still checked on every
// request, and a revocation through any service of the store is refused by the next request to every other one, while
// writes to other streams do not make a service read the key again.
import { describe, expect, it } from "@effect/vitest"
import { ApiKey, EventStore, Registrar } from "@registrar/domain"
import { Context, Duration, Effect, Layer, TestClock } from "effect"
import * as MemoryStores from "../src/index.js"

const RegistrarInMemory = Registrar.layer().pipe(Layer.provide(MemoryStores.layer))
const random = (seed: number) =>
  Uint8Array.from({ length: ApiKey.RANDOM_BYTES }, (_, index) => (index * 7 + seed) % 256)

describe("API key expiry", () => {
  it.effect("a key with a lifetime is refused once the clock passes its expiry; one without still works", () =>
    Effect.gen(function* () {
      const registrar = yield* Registrar
      const boot = yield* registrar.bootstrap({ admin: "root", random: random(1) })
      if (boot._tag === "None") return yield* Effect.die("bootstrap did nothing")
      const session = yield* registrar.createApiKey({
        actor: "root",
        user: "root",
        name: "web session",
        random: random(2),
        lifetime: Duration.hours(12)
      })
      expect(session.expiresAt).toBe(new Date(Duration.toMillis(Duration.hours(12))).toISOString())
      expect(boot.value.expiresAt).toBeNull()
      const listed = yield* registrar.listApiKeys({ actor: "root", user: "root" })
      expect(listed.map((key) => [key.name, key.expiresAt])).toStrictEqual([
        ["bootstrap", null],
        ["web session", session.expiresAt]
      ])

      yield* TestClock.adjust(Duration.subtract(Duration.hours(12), Duration.millis(1)))
      expect(yield* registrar.authenticate(session.key)).toStrictEqual({ user: "root", prefix: session.prefix })

      yield* TestClock.adjust(Duration.millis(1))
      const refused = yield* Effect.flip(registrar.authenticate(session.key))
      expect(refused).toBeInstanceOf(ApiKey.InvalidApiKey)
      expect(refused.message).not.toContain(session.key)

      yield* TestClock.adjust(Duration.days(365))
      expect(yield* registrar.authenticate(boot.value.key)).toStrictEqual({ user: "root", prefix: boot.value.prefix })
    }).pipe(Effect.provide(RegistrarInMemory))
  )
  it.effect("a key authenticated a moment ago is refused at once after its revocation", () =>
    Effect.gen(function* () {
      const registrar = yield* Registrar
      const boot = yield* registrar.bootstrap({ admin: "root", random: random(3) })
      if (boot._tag === "None") return yield* Effect.die("bootstrap did nothing")
      const laptop = yield* registrar.createApiKey({ actor: "root", user: "root", name: "laptop", random: random(4) })
      for (let request = 0; request < 3; request++) {
        expect(yield* registrar.authenticate(laptop.key)).toStrictEqual({ user: "root", prefix: laptop.prefix })
      }
      yield* registrar.revokeApiKey({ actor: "root", user: "root", prefix: laptop.prefix })
      expect(yield* Effect.flip(registrar.authenticate(laptop.key))).toBeInstanceOf(ApiKey.InvalidApiKey)
      // A wrong secret under a known prefix is refused, kept answers or not.
      const forged = `${boot.value.key.slice(0, -1)}${boot.value.key.endsWith("0") ? "1" : "0"}`
      expect(yield* registrar.authenticate(boot.value.key)).toStrictEqual({ user: "root", prefix: boot.value.prefix })
      expect(yield* Effect.flip(registrar.authenticate(forged))).toBeInstanceOf(ApiKey.InvalidApiKey)
    }).pipe(Effect.provide(RegistrarInMemory))
  )
  it.effect("a revocation through one service is refused by another at once; other writes keep the record", () =>
    Effect.gen(function* () {
      const stores = yield* Layer.build(MemoryStores.layer)
      const shared = Context.get(stores, EventStore)
      // The second service's store counts the key streams it reads.
      const keyReads: Array<string> = []
      const counting = EventStore.of({
        ...shared,
        readStream: (streamId, options) => {
          keyReads.push(streamId)
          return shared.readStream(streamId, options)
        }
      })
      const serviceOn = (context: typeof stores) =>
        Effect.map(Layer.build(Registrar.layer()), (built) => Context.get(built, Registrar)).pipe(
          Effect.provide(context)
        )
      const first = yield* serviceOn(stores)
      const second = yield* serviceOn(Context.add(stores, EventStore, counting))
      const boot = yield* first.bootstrap({ admin: "root", random: random(5) })
      if (boot._tag === "None") return yield* Effect.die("bootstrap did nothing")
      const laptop = yield* first.createApiKey({ actor: "root", user: "root", name: "laptop", random: random(6) })
      expect(yield* second.authenticate(laptop.key)).toStrictEqual({ user: "root", prefix: laptop.prefix })
      const readsAfterFirst = keyReads.length
      // Writes elsewhere in the log: the second service keeps the key's record.
      yield* first.createOrganization({ actor: "root", organization: "acme", displayName: "Acme" })
      yield* first.createOrganization({ actor: "root", organization: "globex", displayName: "Globex" })
      expect(yield* second.authenticate(laptop.key)).toStrictEqual({ user: "root", prefix: laptop.prefix })
      expect(keyReads.length).toBe(readsAfterFirst)
      // A revocation through the first service: the second refuses the key on its next check.
      yield* first.revokeApiKey({ actor: "root", user: "root", prefix: laptop.prefix })
      expect(yield* Effect.flip(second.authenticate(laptop.key))).toBeInstanceOf(ApiKey.InvalidApiKey)
      expect(keyReads.length).toBeGreaterThan(readsAfterFirst)
      // A new key of the same user moves the stream too, and authenticates through the second at once.
      const desktop = yield* first.createApiKey({ actor: "root", user: "root", name: "desktop", random: random(7) })
      expect(yield* second.authenticate(desktop.key)).toStrictEqual({ user: "root", prefix: desktop.prefix })
    }).pipe(Effect.scoped)
  )
})
