/**
 * The ports automations need beyond the event store: sealing secrets (a key from configuration), the dispatcher's
 * checkpoint and leases (shared by every process of a PostgreSQL store), and sending a webhook request.
 */
import { Context, Effect, Schema } from "effect"
import type { Checkpoint, StoreUnavailable } from "../EventStore.js"
import type { SecretUnreadable } from "./Errors.js"

/** Seals and opens secret values with a key kept outside the database (authenticated encryption). */
export interface SecretBoxShape {
  readonly seal: (name: string, value: string) => Effect.Effect<string>
  readonly open: (name: string, sealed: string) => Effect.Effect<string, SecretUnreadable>
}

/** The secret box; without one, setting a secret fails with SecretsKeyMissing. */
export class SecretBox extends Context.Tag("@registrar/domain/SecretBox")<SecretBox, SecretBoxShape>() {}

/** Where the dispatcher keeps its place in the feed, and who delivers for what. */
export interface DispatchStoreShape {
  /** The checkpoint stored under a name (Origin-like `null` when none). */
  readonly checkpoint: (name: string) => Effect.Effect<Checkpoint | null, StoreUnavailable>
  /** Stores a checkpoint; never moves it backwards. */
  readonly saveCheckpoint: (name: string, checkpoint: Checkpoint) => Effect.Effect<void, StoreUnavailable>
  /**
   * Takes or renews a lease for `ttlMillis`: true when `holder` now holds it (it was free, expired, or already
   * theirs). One holder at a time; a holder that stops renewing loses it when it expires.
   */
  readonly acquireLease: (name: string, holder: string, ttlMillis: number) => Effect.Effect<boolean, StoreUnavailable>
  /** Gives a lease back (only if `holder` holds it). */
  readonly releaseLease: (name: string, holder: string) => Effect.Effect<void, StoreUnavailable>
}

/** The dispatcher's checkpoint and leases. */
export class DispatchStore extends Context.Tag("@registrar/domain/DispatchStore")<DispatchStore, DispatchStoreShape>() {
  /** One process's store in memory (the memory and PGlite stores: a single process dispatches). */
  static readonly inMemory = (now: () => number = Date.now): DispatchStoreShape => {
    const checkpoints = new Map<string, Checkpoint>()
    const leases = new Map<string, { holder: string; expiresAt: number }>()
    return {
      checkpoint: (name) => Effect.sync(() => checkpoints.get(name) ?? null),
      saveCheckpoint: (name, checkpoint) =>
        Effect.sync(() => {
          const stored = checkpoints.get(name)
          const later =
            stored === undefined ||
            stored.transactionId < checkpoint.transactionId ||
            (stored.transactionId === checkpoint.transactionId && stored.globalPosition < checkpoint.globalPosition)
          if (later) checkpoints.set(name, checkpoint)
        }),
      acquireLease: (name, holder, ttlMillis) =>
        Effect.sync(() => {
          const lease = leases.get(name)
          const at = now()
          if (lease !== undefined && lease.holder !== holder && lease.expiresAt > at) return false
          leases.set(name, { holder, expiresAt: at + ttlMillis })
          return true
        }),
      releaseLease: (name, holder) =>
        Effect.sync(() => {
          if (leases.get(name)?.holder === holder) leases.delete(name)
        })
    }
  }
}

/** A webhook request, ready to send. */
export interface WebhookRequest {
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  readonly timeoutMillis: number
}

/** The receiver's answer: its status, `Retry-After` in milliseconds when it gave one, and the start of its body. */
export interface WebhookResponse {
  readonly status: number
  readonly retryAfterMillis: number | null
  readonly excerpt: string
}

/** A request that got no answer: timed out, could not connect, or was not sent (a host not allowed). */
export class WebhookFailed extends Schema.TaggedError<WebhookFailed>()("WebhookFailed", {
  kind: Schema.Literal("timeout", "connection", "not_allowed"),
  detail: Schema.String
}) {
  override get message() {
    return this.kind === "not_allowed"
      ? `The webhook was not sent: ${this.detail}. Add the host to the server's webhook allow-list (--webhook-allow-hosts).`
      : `The webhook got no answer (${this.kind}): ${this.detail}.`
  }
}

/** Sends webhook requests (Node's `fetch` in the server, with the host allow-list). */
export interface WebhookTransportShape {
  readonly send: (request: WebhookRequest) => Effect.Effect<WebhookResponse, WebhookFailed>
}

/** The webhook transport. */
export class WebhookTransport extends Context.Tag("@registrar/domain/WebhookTransport")<
  WebhookTransport,
  WebhookTransportShape
>() {}
