// A resolve's answer is kept while the log's head stays put: two services over the same stores (two server
// processes on one database) must each see the other's writes at once, and an answer kept for one actor is never
// handed to another.
import { describe, expect, it } from "@effect/vitest"
import { EventStore, type EventStoreShape, Registrar } from "@registrar/domain"
import { Context, Effect, Layer } from "effect"
import * as MemoryStores from "../src/index.js"

const sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

/** Two services over one set of stores, and a count of the store's reads of the head and of streams. */
const twoProcesses = (keepAnswers = true) =>
  Effect.gen(function* () {
    const stores = yield* Layer.build(MemoryStores.layer)
    const events = Context.get(stores, EventStore)
    const reads = { head: 0, streams: 0 }
    const counted: EventStoreShape = {
      ...events,
      head: Effect.suspend(() => {
        reads.head++
        return events.head
      }),
      readStream: (...args) => {
        reads.streams++
        return events.readStream(...args)
      }
    }
    const shared = Layer.succeedContext(Context.add(stores, EventStore, counted))
    const serviceOf = Effect.map(Layer.build(Registrar.layer({ keepAnswers }).pipe(Layer.provide(shared))), (built) =>
      Context.get(built, Registrar)
    )
    return { first: yield* serviceOf, second: yield* serviceOf, reads }
  })

describe("resolve keeps its answer while the log's head stays put", () => {
  it.scoped("answers a repeat at one read of the head, and a write through another process at once", () =>
    Effect.gen(function* () {
      const { first, second, reads } = yield* twoProcesses()
      yield* second.createUser({ actor: "ada", user: "ada" })
      yield* second.createOrganization({ actor: "ada", organization: "acme", displayName: "Acme" })
      yield* second.createUser({ actor: "ada", user: "bo", organization: "acme" })
      yield* second.createTeam({ actor: "ada", team: "vision", organization: "acme" })
      yield* second.createRegistry({ actor: "ada", organization: "acme", registry: "Golden", visibility: "restricted" })
      const logged = yield* second.logArtifact({
        actor: "ada",
        entity: "vision",
        project: "images",
        name: "raw",
        type: "dataset",
        files: [{ path: "a.tar", sha256: sha, size: 4 }]
      })
      yield* second.link({ actor: "ada", source: logged.reference, target: "acme/wandb-registry-Golden/raw" })
      const name = "acme/wandb-registry-Golden/raw:v0"

      const before = yield* first.resolve({ actor: "ada", name })
      expect(before.aliases).toStrictEqual(["latest"])
      const counted = { ...reads }
      expect(yield* first.resolve({ actor: "ada", name })).toStrictEqual(before)
      // The repeat read the head once and nothing else: no stream, no read model.
      expect([reads.head - counted.head, reads.streams - counted.streams]).toStrictEqual([1, 0])

      // Another process moves an alias: the next resolve here sees it, without waiting for anything.
      yield* second.addAlias({ actor: "ada", name, alias: "production" })
      expect((yield* first.resolve({ actor: "ada", name })).aliases).toStrictEqual(["latest", "production"])
      expect((yield* first.resolve({ actor: "ada", name: "acme/wandb-registry-Golden/raw:production" })).version).toBe(
        0
      )

      // The answer kept for ada is not bo's: bo has no role in the restricted registry.
      const refused = yield* Effect.flip(first.resolve({ actor: "bo", name }))
      expect(refused._tag).toBe("RegistryNotFound")
      // Nor does an answer outlive the access it was given under.
      yield* second.grantRole({
        actor: "ada",
        organization: "acme",
        registry: "Golden",
        principal: { kind: "user", name: "bo" },
        role: "viewer"
      })
      expect((yield* first.resolve({ actor: "bo", name })).fullName).toBe("wandb-registry-Golden/raw:v0")
      yield* second.revokeRole({
        actor: "ada",
        organization: "acme",
        registry: "Golden",
        principal: { kind: "user", name: "bo" }
      })
      expect((yield* Effect.flip(first.resolve({ actor: "bo", name })))._tag).toBe("RegistryNotFound")
    })
  )

  it.scoped("answers without keeping them when told not to, and as of a past point from the log", () =>
    Effect.gen(function* () {
      const { first: registrar, reads } = yield* twoProcesses(false)
      yield* registrar.createUser({ actor: "ada", user: "ada" })
      yield* registrar.createOrganization({ actor: "ada", organization: "acme", displayName: "Acme" })
      yield* registrar.createTeam({ actor: "ada", team: "vision", organization: "acme" })
      yield* registrar.createRegistry({ actor: "ada", organization: "acme", registry: "Golden" })
      const logged = yield* registrar.logArtifact({
        actor: "ada",
        entity: "vision",
        project: "images",
        name: "raw",
        type: "dataset",
        files: [{ path: "a.tar", sha256: sha, size: 4 }]
      })
      yield* registrar.link({ actor: "ada", source: logged.reference, target: "acme/wandb-registry-Golden/raw" })
      const name = "acme/wandb-registry-Golden/raw:v0"
      const position = yield* Effect.flatMap(registrar.history({ actor: "ada" }), (rows) =>
        Effect.succeed(rows.at(-1)?.globalPosition ?? 0)
      )
      yield* registrar.addAlias({ actor: "ada", name, alias: "production" })
      expect((yield* registrar.resolve({ actor: "ada", name })).aliases).toStrictEqual(["latest", "production"])
      expect((yield* registrar.resolve({ actor: "ada", name, asOf: { position } })).aliases).toStrictEqual(["latest"])
      // Not kept: a repeat reads the actor's stream again (is the actor still a user?).
      const counted = reads.streams
      yield* registrar.resolve({ actor: "ada", name })
      expect(reads.streams).toBeGreaterThan(counted)
    })
  )
})
