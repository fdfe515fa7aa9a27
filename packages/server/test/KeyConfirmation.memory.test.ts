import { expect, it } from "@effect/vitest"
import * as MemoryStores from "@registrar/adapters-memory"
import { EventStore } from "@registrar/domain"
import { Context, Effect, Layer } from "effect"
import { keyConfirmationScenarios } from "./support/KeyConfirmation.js"
import { keyFor, memberRegistry, registryPath, world } from "./support/Scenarios.js"
import { request, startServer } from "./support/TestServer.js"

keyConfirmationScenarios(
  "two servers on one memory store",
  Effect.gen(function* () {
    const stores = Layer.succeedContext(yield* Layer.build(MemoryStores.layer))
    const primary = yield* startServer(stores)
    const other = yield* startServer(stores)
    return { primary, other }
  })
)

// How a kept key is confirmed, counted at the store: a read sends one read of the key stream's version; a write that
// commits carries the check in its own append and sends none; a write that ends without committing is confirmed
// before its answer.
it.scoped("a write confirms its kept key inside its own append, with no read of the key's stream", () =>
  Effect.gen(function* () {
    const built = yield* Layer.build(MemoryStores.layer)
    const store = Context.get(built, EventStore)
    let keyStreamReads = 0
    const counted = Context.add(built, EventStore, {
      ...store,
      streamVersion: (streamId) =>
        Effect.zipRight(
          Effect.sync(() => {
            if (streamId.startsWith("ApiKeys-")) keyStreamReads += 1
          }),
          store.streamVersion(streamId)
        )
    })
    const server = yield* startServer(Layer.succeedContext(counted))
    const w = yield* world(server)
    yield* memberRegistry(server, w, "Counted")
    const key = yield* keyFor(server, w.member)
    const links = `${registryPath(w.org, "Counted")}/collections/raw/links`
    const readsDuring = <A, E>(effect: Effect.Effect<A, E>) =>
      Effect.gen(function* () {
        const before = keyStreamReads
        const result = yield* effect
        return { result, reads: keyStreamReads - before }
      })

    // The first request reads the key's record and keeps it.
    expect((yield* request(server, "GET", "/me", { key })).status).toBe(200)
    const me = yield* readsDuring(request(server, "GET", "/me", { key }))
    expect(me.result.body).toStrictEqual({ user: w.member })
    expect(me.reads).toBe(1)

    const linked = yield* readsDuring(request(server, "POST", links, { key, body: { source: w.source } }))
    expect(linked.result.status, linked.result.text).toBe(200)
    expect(linked.reads).toBe(0)

    const missing = yield* readsDuring(
      request(server, "POST", links, { key, body: { source: `${w.team}/images/raw_images:v99` } })
    )
    expect(missing.result.status, missing.result.text).toBe(404)
    expect(missing.reads).toBe(1)
  })
)
