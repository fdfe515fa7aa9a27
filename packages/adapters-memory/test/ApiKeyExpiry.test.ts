// API keys with an expiry (the web session's key) stop authenticating when the clock passes it, with the same
// InvalidApiKey as any bad key; keys without one authenticate until revoked. The TestClock moves time, no sleeping.
// A key's record is kept between requests while the log does not move: expiry is still checked on every request,
// and a revocation moves the log, so the next request is refused.
import { describe, expect, it } from "@effect/vitest"
import { ApiKey, Registrar } from "@registrar/domain"
import { Duration, Effect, Layer, TestClock } from "effect"
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
})
