// Commands that write several streams commit once: a store that fails every write touching a collection stream
// (as a process killed between two appends would leave it) must leave nothing half-written.
import { describe, expect, it } from "@effect/vitest"
import {
  ApiKey,
  Entity,
  EventStore,
  type EventStoreShape,
  Registrar,
  Registry,
  StoreUnavailable
} from "@registrar/domain"
import { Effect, Layer } from "effect"
import * as MemoryStores from "../src/index.js"

const sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

/** The memory stores, with a switch that makes every write touching a stream of `prefix` fail before it commits. */
const failingStoresOn = (prefix: string) =>
  Effect.gen(function* () {
    const { store } = yield* MemoryStores.MemoryEventStore.make
    let failing = false
    const refuse = new StoreUnavailable({ operation: "append", detail: "the process was killed" })
    const touchesCollection = (streamIds: ReadonlyArray<string>) =>
      failing && streamIds.some((streamId) => streamId.startsWith(prefix))
    const wrapped: EventStoreShape = {
      ...store,
      append: (streamId, events, expected) =>
        touchesCollection([streamId]) ? Effect.fail(refuse) : store.append(streamId, events, expected),
      appendMany: (writes) =>
        touchesCollection(writes.map((write) => write.streamId)) ? Effect.fail(refuse) : store.appendMany(writes)
    }
    const layer = Registrar.layer().pipe(
      Layer.provide(
        Layer.mergeAll(
          Layer.succeed(EventStore, wrapped),
          MemoryStores.MemoryReadModelStore.layer,
          MemoryStores.MemorySnapshotStore.layer
        )
      )
    )
    return { store, layer, fail: (on: boolean) => Effect.sync(() => (failing = on)) }
  })

/** The memory stores, failing every write to a `Collection-` stream while switched on. */
const failingStores = failingStoresOn("Collection-")

const world = Effect.gen(function* () {
  const registrar = yield* Registrar
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
  return { registrar, source: logged.reference }
})

describe("commands that write several streams", () => {
  it.effect("creating a user into an organization that fails leaves no user behind; a retry creates the member", () =>
    Effect.gen(function* () {
      const { store, layer, fail } = yield* failingStoresOn(Entity.streamId("acme"))
      yield* Effect.gen(function* () {
        const registrar = yield* Registrar
        yield* registrar.createUser({ actor: "ada", user: "ada" })
        yield* registrar.createOrganization({ actor: "ada", organization: "acme", displayName: "Acme" })
        yield* fail(true)
        const failed = yield* Effect.either(
          registrar.createUser({ actor: "ada", user: "mia", organization: "acme", organizationRole: "member" })
        )
        expect(failed._tag).toBe("Left")
        // Before, the user was appended on its own first: a user in no organization, whom a retry could not add.
        expect(yield* store.readStream(Entity.streamId("mia"))).toHaveLength(0)
        yield* fail(false)
        const created = yield* registrar.createUser({
          actor: "ada",
          user: "mia",
          organization: "acme",
          organizationRole: "member"
        })
        expect(created).toStrictEqual({ user: "mia", created: true })
        const [userCreated] = yield* store.readStream(Entity.streamId("mia"))
        const membership = (yield* store.readStream(Entity.streamId("acme"))).at(-1)
        expect(membership?.type).toBe("OrganizationMemberAdded")
        expect(membership?.transactionId).toBe(userCreated?.transactionId)
      }).pipe(Effect.provide(layer))
    })
  )

  it.effect("a first link into a new collection that fails leaves no collection behind, and a retry links v0", () =>
    Effect.gen(function* () {
      const { store, layer, fail } = yield* failingStores
      yield* Effect.gen(function* () {
        const { registrar, source } = yield* world
        yield* fail(true)
        const failed = yield* Effect.either(
          registrar.link({ actor: "ada", source, target: "wandb-registry-Golden/raw" })
        )
        expect(failed._tag).toBe("Left")
        const registryEvents = yield* store.readStream(Registry.streamId("acme", "Golden"))
        expect(registryEvents.map((event) => event.type)).toEqual(["RegistryCreated", "RoleGranted"])
        yield* fail(false)
        const linked = yield* registrar.link({ actor: "ada", source, target: "wandb-registry-Golden/raw" })
        expect([linked.fullName, linked.created]).toEqual(["wandb-registry-Golden/raw:v0", true])
      }).pipe(Effect.provide(layer))
    })
  )

  it.effect("the collection's creation and its first link share one transaction", () =>
    Effect.gen(function* () {
      const { store, layer } = yield* failingStores
      yield* Effect.gen(function* () {
        const { registrar, source } = yield* world
        yield* registrar.link({ actor: "ada", source, target: "wandb-registry-Golden/raw" })
        const head = yield* store.head
        const last = yield* store.readAll({
          after: { transactionId: head.transactionId - 1, globalPosition: Number.MAX_SAFE_INTEGER },
          limit: 10
        })
        expect(last.map((event) => event.type)).toEqual(["CollectionCreated", "ArtifactLinked"])
      }).pipe(Effect.provide(layer))
    })
  )

  it.effect("a keyed command whose idempotency record cannot be written is not applied; a retry applies it once", () =>
    Effect.gen(function* () {
      const { store, layer, fail } = yield* failingStoresOn("Idempotency-")
      yield* Effect.gen(function* () {
        const registrar = yield* Registrar
        yield* registrar.createUser({ actor: "ada", user: "ada" })
        yield* registrar.createOrganization({ actor: "ada", organization: "acme", displayName: "Acme" })
        const create = registrar.createRegistry({
          actor: "ada",
          organization: "acme",
          registry: "Golden",
          idempotencyKey: "create-golden"
        })
        yield* fail(true)
        expect((yield* Effect.either(create))._tag).toBe("Left")
        // Before, the registry was appended first and its record after: the retry answered RegistryAlreadyExists.
        expect(yield* store.readStream(Registry.streamId("acme", "Golden"))).toHaveLength(0)
        yield* fail(false)
        const created = yield* create
        expect(created).toStrictEqual({ organization: "acme", registry: "Golden", path: "wandb-registry-Golden" })
        const [record] = yield* store.readStream("Idempotency-create-golden")
        const [registryCreated] = yield* store.readStream(Registry.streamId("acme", "Golden"))
        expect(record?.type).toBe("CommandCompleted")
        expect(record?.transactionId).toBe(registryCreated?.transactionId)
        const head = yield* store.head
        expect(yield* create).toStrictEqual(created)
        expect((yield* store.head).globalPosition).toBe(head.globalPosition)
      }).pipe(Effect.provide(layer))
    })
  )

  it.effect("a keyed link commits with its record; keyed creations answer a retry exactly as the first time", () =>
    Effect.gen(function* () {
      const { store, layer, fail } = yield* failingStoresOn("Idempotency-")
      yield* Effect.gen(function* () {
        const { registrar, source } = yield* world
        const link = registrar.link({
          actor: "ada",
          source,
          target: "wandb-registry-Golden/raw",
          idempotencyKey: "link-raw"
        })
        yield* fail(true)
        expect((yield* Effect.either(link))._tag).toBe("Left")
        const registryEvents = yield* store.readStream(Registry.streamId("acme", "Golden"))
        expect(registryEvents.map((event) => event.type)).toEqual(["RegistryCreated", "RoleGranted"])
        yield* fail(false)
        const linked = yield* link
        expect([linked.fullName, linked.created]).toEqual(["wandb-registry-Golden/raw:v0", true])
        const [record] = yield* store.readStream("Idempotency-link-raw")
        const [linkedEvent] = (yield* store.readStream(Registry.streamId("acme", "Golden"))).slice(-1)
        expect(record?.transactionId).toBe(linkedEvent?.transactionId)
        expect(yield* link).toStrictEqual(linked)
        // Every keyed creation answers its retry with its first answer, kept in the record it committed with.
        const keyed = [
          registrar.createOrganization({
            actor: "ada",
            organization: "beta",
            displayName: "Beta",
            idempotencyKey: "o"
          }),
          registrar.createUser({ actor: "ada", user: "mia", organization: "acme", idempotencyKey: "u" }),
          registrar.createTeam({ actor: "ada", team: "audio", organization: "acme", idempotencyKey: "t" }),
          registrar.logArtifact({
            actor: "ada",
            entity: "vision",
            project: "images",
            name: "raw",
            type: "dataset",
            files: [{ path: "b.tar", sha256: sha, size: 5 }],
            idempotencyKey: "l"
          })
        ]
        for (const command of keyed) {
          const first: unknown = yield* command
          expect(yield* command).toStrictEqual(first)
        }
        for (const key of ["o", "u", "t", "l"]) {
          const [record] = yield* store.readStream(`Idempotency-${key}`)
          const committed = yield* store.readAll({
            after: { transactionId: (record?.transactionId ?? 0) - 1, globalPosition: Number.MAX_SAFE_INTEGER },
            limit: 10
          })
          // The record is the last event of its command's transaction, never one of its own.
          expect(committed.filter((event) => event.transactionId === record?.transactionId).length).toBeGreaterThan(1)
        }
      }).pipe(Effect.provide(layer))
    })
  )

  it.effect("an organization and the reservation of its display name commit together", () =>
    Effect.gen(function* () {
      const { store, layer } = yield* failingStores
      yield* Effect.gen(function* () {
        const registrar = yield* Registrar
        yield* registrar.createUser({ actor: "ada", user: "ada" })
        yield* registrar.createOrganization({ actor: "ada", organization: "acme", displayName: "Acme" })
        // A second organization with a name already taken must not reserve its display name either.
        const taken = yield* Effect.either(
          registrar.createOrganization({ actor: "ada", organization: "acme", displayName: "Acme Two" })
        )
        expect(taken._tag).toBe("Left")
        expect(yield* store.streamVersion("OrganizationDisplayName-Acme Two")).toBe(0)
        const reserved = yield* store.readStream("OrganizationDisplayName-Acme")
        const created = yield* store.readStream("Entity-acme")
        expect(reserved[0]?.transactionId).toBe(created[0]?.transactionId)
      }).pipe(Effect.provide(layer))
    })
  )

  it.effect("a new API key's prefix is reserved only with the key: a failed create leaves nothing, a retry works", () =>
    Effect.gen(function* () {
      const { store, layer, fail } = yield* failingStoresOn(ApiKey.streamId("ada"))
      yield* Effect.gen(function* () {
        const registrar = yield* Registrar
        yield* registrar.createUser({ actor: "ada", user: "ada" })
        const random = Uint8Array.from({ length: ApiKey.RANDOM_BYTES }, (_, index) => index * 7)
        yield* fail(true)
        const failed = yield* Effect.either(registrar.createApiKey({ actor: "ada", user: "ada", name: "ci", random }))
        expect(failed._tag).toBe("Left")
        // Before, the prefix was reserved in its own append first: a prefix held by no key.
        const { prefix } = yield* ApiKey.keyFromRandom(random)
        expect(yield* store.streamVersion(ApiKey.prefixStreamId(prefix))).toBe(0)
        yield* fail(false)
        const created = yield* registrar.createApiKey({ actor: "ada", user: "ada", name: "ci", random })
        expect(yield* registrar.authenticate(created.key)).toStrictEqual({ user: "ada", prefix: created.prefix })
        const [reserved] = yield* store.readStream(ApiKey.prefixStreamId(created.prefix))
        const [key] = yield* store.readStream(ApiKey.streamId("ada"))
        expect(reserved?.transactionId).toBe(key?.transactionId)
        // Revoking is one append too, and the key authenticates no more.
        expect(yield* registrar.revokeApiKey({ actor: "ada", user: "ada", prefix: created.prefix })).toMatchObject({
          changed: true
        })
        expect((yield* Effect.either(registrar.authenticate(created.key)))._tag).toBe("Left")
      }).pipe(Effect.provide(layer))
    })
  )

  it.effect("a bootstrap whose key cannot be written records nothing, so the next start bootstraps", () =>
    Effect.gen(function* () {
      const { store, layer, fail } = yield* failingStoresOn("ApiKeyPrefix-")
      yield* Effect.gen(function* () {
        const registrar = yield* Registrar
        const random = Uint8Array.from({ length: ApiKey.RANDOM_BYTES }, (_, index) => index)
        yield* fail(true)
        expect((yield* Effect.either(registrar.bootstrap({ admin: "root", random })))._tag).toBe("Left")
        // Before, the admin and the bootstrap's record were appended first: a bootstrapped store with no key at all.
        expect(yield* store.streamVersion(ApiKey.instanceStreamId)).toBe(0)
        expect(yield* store.streamVersion(Entity.streamId("root"))).toBe(0)
        yield* fail(false)
        const first = yield* registrar.bootstrap({ admin: "root", random })
        expect(first._tag).toBe("Some")
        if (first._tag === "Some") {
          expect(yield* registrar.authenticate(first.value.key)).toMatchObject({ user: "root" })
        }
        const transactions = new Set(
          (yield* store.readAll({ after: { transactionId: 0, globalPosition: 0 }, limit: 100 })).map(
            (event) => event.transactionId
          )
        )
        expect(transactions.size).toBe(1)
        expect((yield* registrar.bootstrap({ admin: "root", random }))._tag).toBe("None")
      }).pipe(Effect.provide(layer))
    })
  )
})
