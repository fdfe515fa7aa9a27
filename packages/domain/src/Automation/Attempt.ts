/**
 * One delivery attempt: the request (headers from secrets, the delivery id, the timestamp, the signatures), and how
 * its answer is classified: 2xx received; 429, 5xx, timeouts and connection errors retried with exponential backoff
 * and full jitter (at least the receiver's `Retry-After`); every other answer, and a host not allowed, given up.
 */
import { Effect, Either } from "effect"
import type { Automation } from "./Book.js"
import type { Delivery, Outcome } from "./Deliveries.js"
import { SecretBox, type WebhookFailed, type WebhookResponse, WebhookTransport } from "./Ports.js"
import { signatureHeaders } from "./Triggers.js"

/** How deliveries are retried. */
export interface RetryPolicy {
  /** Attempts before a delivery is given up (default 8). */
  readonly maxAttempts: number
  /** The first retry's ceiling; each later one doubles it (default 1 second). */
  readonly baseDelayMillis: number
  /** The longest wait between attempts (default 5 minutes). */
  readonly maxDelayMillis: number
  /** How long a request may take (default 10 seconds). */
  readonly timeoutMillis: number
}

/** The defaults of {@link RetryPolicy}. */
export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMillis: 1000,
  maxDelayMillis: 5 * 60 * 1000,
  timeoutMillis: 10_000
}

/** The wait before attempt `attempt + 1`: full jitter under an exponential ceiling, never below `Retry-After`. */
export const backoffMillis = (
  policy: RetryPolicy,
  attempt: number,
  random: number,
  retryAfterMillis: number | null
) => {
  const ceiling = Math.min(policy.maxDelayMillis, policy.baseDelayMillis * 2 ** Math.max(0, attempt - 1))
  const jittered = Math.round(random * ceiling)
  return Math.min(policy.maxDelayMillis, Math.max(jittered, retryAfterMillis ?? 0))
}

/** What one attempt produced, ready for `Deliveries.decide`'s RecordAttempt. */
export interface AttemptResult {
  readonly status: number | null
  readonly durationMillis: number
  readonly response: string
  readonly error: string | null
  readonly outcome: Outcome
}

const retryable = (status: number) => status === 429 || status >= 500

/** Classifies an answer or a failure into an outcome, given the attempt number (1 for the first). */
export const classify = (
  policy: RetryPolicy,
  attempt: number,
  answer: Either.Either<WebhookResponse, WebhookFailed>,
  nowMillis: number,
  random: number
): Outcome => {
  if (Either.isRight(answer) && answer.right.status >= 200 && answer.right.status < 300) return { _tag: "Received" }
  if (Either.isLeft(answer) && answer.left.kind === "not_allowed")
    return { _tag: "GiveUp", reason: answer.left.message }
  if (Either.isRight(answer) && !retryable(answer.right.status)) {
    return { _tag: "GiveUp", reason: `the receiver answered ${answer.right.status}, which is not retried` }
  }
  if (attempt >= policy.maxAttempts) return { _tag: "GiveUp", reason: `no success after ${attempt} attempts` }
  const retryAfter = Either.isRight(answer) ? answer.right.retryAfterMillis : null
  return {
    _tag: "Retry",
    retryAt: new Date(nowMillis + backoffMillis(policy, attempt, random, retryAfter)).toISOString()
  }
}

/** The headers of a request: content type, delivery id, event type, timestamp, secrets' headers and signatures. */
const headersOf = (
  automation: Automation,
  secrets: ReadonlyMap<string, { readonly sealed: string }>,
  delivery: Delivery,
  timestamp: number
) =>
  Effect.gen(function* () {
    if (automation.action.kind !== "webhook") return {}
    const box = yield* Effect.serviceOption(SecretBox)
    const open = (name: string) =>
      Effect.gen(function* () {
        const stored = secrets.get(name)
        if (stored === undefined) return yield* Effect.fail(`the secret "${name}" it names was removed`)
        if (box._tag === "None")
          return yield* Effect.fail("this process has no REGISTRAR_SECRETS_KEY to open its secrets")
        return yield* Effect.mapError(box.value.open(name, stored.sealed), (error) => error.message)
      })
    const headers: Record<string, string> = {
      "Content-Type": "application/json",
      "User-Agent": "Registrar-Webhooks/1",
      "X-Registrar-Automation": automation.automationId,
      "X-Registrar-Delivery": delivery.deliveryId,
      "X-Registrar-Event": delivery.eventType,
      "X-Registrar-Timestamp": String(timestamp)
    }
    for (const header of automation.action.headers) headers[header.name] = yield* open(header.secret)
    if (automation.action.signingSecret !== null) {
      Object.assign(
        headers,
        signatureHeaders(yield* open(automation.action.signingSecret), delivery.deliveryId, timestamp, delivery.body)
      )
    }
    return headers
  })

/** Makes one attempt of a delivery and classifies it (never fails: every failure is an outcome). */
export const attempt = (
  automation: Automation,
  secrets: ReadonlyMap<string, { readonly sealed: string }>,
  delivery: Delivery,
  policy: RetryPolicy
): Effect.Effect<AttemptResult, never, WebhookTransport> =>
  Effect.gen(function* () {
    const started = Date.now()
    if (automation.action.kind === "noop") {
      return { status: null, durationMillis: 0, response: "", error: null, outcome: { _tag: "Received" } } as const
    }
    const headers = yield* Effect.either(headersOf(automation, secrets, delivery, Math.floor(started / 1000)))
    if (Either.isLeft(headers)) {
      return {
        status: null,
        durationMillis: 0,
        response: "",
        error: headers.left,
        outcome: { _tag: "GiveUp", reason: `the request could not be built: ${headers.left}` }
      } as const
    }
    const transport = yield* WebhookTransport
    const answer = yield* Effect.either(
      transport.send({
        url: automation.action.url,
        headers: headers.right,
        body: delivery.body,
        timeoutMillis: policy.timeoutMillis
      })
    )
    const finished = Date.now()
    const attemptNumber = delivery.attempts.length + 1
    return {
      status: Either.isRight(answer) ? answer.right.status : null,
      durationMillis: finished - started,
      response: Either.isRight(answer) ? answer.right.excerpt : "",
      error: Either.isLeft(answer) ? answer.left.message : null,
      outcome: classify(policy, attemptNumber, answer, finished, Math.random())
    }
  })
