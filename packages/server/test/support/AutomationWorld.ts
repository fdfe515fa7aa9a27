/**
 * What the automation tests share: the dispatcher's test settings (short backoffs and leases), a seeded registry with
 * two collections, a secret box, and waiting for deliveries.
 */
import { createHmac } from "node:crypto"
import * as MemoryStores from "@registrar/adapters-memory"
import { EventStore, type LinkResult, Registrar } from "@registrar/domain"
import { fakeSha256, seed } from "@registrar/domain/testing"
import { Duration, Effect, Layer } from "effect"
import { AutomationDispatcher, SecretBox, WebhookTransport } from "../../src/index.js"
import type { Received } from "./Receiver.js"

/** A secrets key for tests. */
export const SECRETS_KEY = "test-secrets-key-0123456789abcdef-0123"

/** The dispatcher of tests: polls often, retries fast, gives up after 8 attempts, times out after 1.5 s. */
export const testDispatcher = AutomationDispatcher.layer({
  pollMillis: 50,
  leaseMillis: 2000,
  retry: { maxAttempts: 8, baseDelayMillis: 20, maxDelayMillis: 200, timeoutMillis: 1500 }
})

/** The service with a dispatcher, over memory stores, calling webhooks on 127.0.0.1 only. */
export const inProcess = testDispatcher.pipe(
  Layer.provideMerge(Registrar.layer()),
  Layer.provideMerge(SecretBox.layer(SECRETS_KEY)),
  Layer.provideMerge(WebhookTransport.layer({ hosts: ["127.0.0.1"] })),
  Layer.provideMerge(MemoryStores.layer)
)

/** The memory event store with appends to deliveries streams slowed down (a commit that takes a while). */
const slowDeliveryAppends = Layer.effect(
  EventStore,
  Effect.map(EventStore, (store) => ({
    ...store,
    append: (streamId, events, expected) =>
      streamId.startsWith("AutomationDeliveries-")
        ? Effect.delay(store.append(streamId, events, expected), Duration.millis(25))
        : store.append(streamId, events, expected)
  }))
)

/** {@link inProcess} where recording a delivery's attempt takes 25 ms, so attempts made meanwhile are recorded together. */
export const inProcessSlowRecords = AutomationDispatcher.layer({
  pollMillis: 50,
  // A lease long enough not to be renewed (and the attempts recorded first) before every attempt.
  leaseMillis: 10_000,
  retry: { maxAttempts: 8, baseDelayMillis: 20, maxDelayMillis: 200, timeoutMillis: 1500 }
}).pipe(
  Layer.provide(slowDeliveryAppends),
  Layer.provideMerge(Registrar.layer()),
  Layer.provideMerge(SecretBox.layer(SECRETS_KEY)),
  Layer.provideMerge(WebhookTransport.layer({ hosts: ["127.0.0.1"] })),
  Layer.provideMerge(MemoryStores.layer)
)

const file = (path: string, content: string) => ({
  path,
  sha256: fakeSha256(content),
  size: content.length
})

/** The seed's registry, with collections A and B (each with v0 linked), and a helper that logs and links. */
export const world: Effect.Effect<
  Effect.Effect.Success<typeof seed> & {
    readonly target: (collection: string) => string
    readonly linkNew: (
      collection: string,
      metadata?: Record<string, unknown>,
      aliases?: ReadonlyArray<string>
    ) => Effect.Effect<LinkResult, unknown>
    readonly registry: string
  },
  unknown,
  Registrar
> = Effect.gen(function* () {
  const seeded = yield* seed
  const { registrar, org, team, member } = seeded
  let counter = 0
  const target = (collection: string) => `${org}/wandb-registry-Golden Datasets/${collection}`
  const linkNew = (collection: string, metadata: Record<string, unknown> = {}, aliases: ReadonlyArray<string> = []) => {
    counter += 1
    return registrar
      .logArtifact({
        actor: member,
        entity: team,
        project: "images",
        name: `art-${collection}`,
        type: "dataset",
        files: [file("data.bin", `${collection}-${counter}-${Math.random()}`)],
        metadata
      })
      .pipe(
        Effect.flatMap((logged) =>
          registrar.link({ actor: member, source: logged.reference, target: target(collection), aliases })
        ),
        Effect.mapError((error): unknown => error)
      )
  }
  yield* linkNew("A")
  yield* linkNew("B")
  return { ...seeded, target, linkNew, registry: "Golden Datasets" }
})

/** Waits (up to `seconds`) until the condition holds; fails with what was seen otherwise. */
export const waitFor = (what: string, condition: () => boolean, seconds = 10) =>
  Effect.gen(function* () {
    const deadline = Date.now() + seconds * 1000
    while (!condition()) {
      if (Date.now() > deadline) return yield* Effect.die(new Error(`timed out waiting for ${what}`))
      yield* Effect.sleep(Duration.millis(25))
    }
  })

/** The requests of one automation (by id), each delivery once (the first copy), in arrival order. */
export const deliveriesOf = (received: ReadonlyArray<Received>, automationId: string) => {
  const seen = new Set<string>()
  return received.filter((request) => {
    if (request.headers["x-registrar-automation"] !== automationId) return false
    const id = request.headers["x-registrar-delivery"] ?? ""
    if (seen.has(id)) return false
    seen.add(id)
    return true
  })
}

/** Whether a request's signatures verify under the secret (as a receiver checks them). */
export const signaturesValid = (request: Received, secret: string) => {
  const id = request.headers["x-registrar-delivery"]
  const timestamp = request.headers["x-registrar-timestamp"]
  const expected = createHmac("sha256", secret).update(`${id}.${timestamp}.${request.body}`).digest("hex")
  const wandb = createHmac("sha256", secret).update(request.body).digest("hex")
  return request.headers["x-registrar-signature"] === `v1=${expected}` && request.headers["x-wandb-signature"] === wandb
}

/** Reads with `read` until `done` holds of the answer (up to `seconds`), and returns the last answer. */
export const readUntil = <A, E>(read: Effect.Effect<A, E>, done: (answer: A) => boolean, seconds = 10) =>
  Effect.gen(function* () {
    const deadline = Date.now() + seconds * 1000
    let answer = yield* read
    while (!done(answer) && Date.now() < deadline) {
      yield* Effect.sleep(Duration.millis(50))
      answer = yield* read
    }
    return answer
  })
