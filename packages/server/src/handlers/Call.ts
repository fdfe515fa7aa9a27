/**
 * What every handler shares: the request as the domain wants it (the actor is always the authenticated user; an
 * `Idempotency-Key` is scoped to that user), and one translation of any failure into the API's typed errors.
 */
import { CurrentUser, Errors, Problem } from "@registrar/api"
import type { Request } from "@registrar/domain"
import { Effect } from "effect"

/** Any error the API answers with. */
export type ApiError = Errors.ApiError

const known = (error: unknown): error is ApiError =>
  typeof error === "object" &&
  error !== null &&
  Errors.statuses.some(([errorClass]) => error instanceof (errorClass as unknown as new () => object))

/**
 * The API error a failure is sent as: the domain's typed errors as they are, an unreachable store as 503, and
 * anything else as a 500 whose details go to the log only.
 */
export const toApiError = (error: unknown): Effect.Effect<never, ApiError> => {
  if (known(error)) return Effect.fail(error)
  if (typeof error === "object" && error !== null && (error as { _tag?: unknown })._tag === "StoreUnavailable") {
    return Effect.zipRight(
      Effect.logWarning("store unavailable", (error as { message?: unknown }).message),
      Effect.fail(new Problem.ServiceUnavailable())
    )
  }
  return Effect.zipRight(
    Effect.logError("request failed", error instanceof Error ? error.message : String(error)),
    Effect.fail(new Problem.InternalError())
  )
}

/** Runs a service call, sending its failures as API errors. */
export const call = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, ApiError, R> =>
  Effect.catchAll(effect, toApiError)

/** The domain request of the authenticated caller, with their idempotency key when one was sent. */
export const callerRequest = (headers?: {
  readonly "idempotency-key"?: string
}): Effect.Effect<Request, never, CurrentUser> =>
  Effect.map(CurrentUser, ({ user }) => {
    const key = headers?.["idempotency-key"]
    return key === undefined ? { actor: user } : { actor: user, idempotencyKey: `${user}/${key}` }
  })

/** The path of a collection in the form the domain reads: `ORG/wandb-registry-R/C`. */
export const collectionPath = (path: {
  readonly organization: string
  readonly registry: string
  readonly collection: string
}): string => `${path.organization}/wandb-registry-${path.registry}/${path.collection}`

/** The source version a path names: `entity/project/artifact:version`. */
export const sourceVersionPath = (path: {
  readonly entity: string
  readonly project: string
  readonly artifact: string
  readonly version: string
}): string => `${path.entity}/${path.project}/${path.artifact}:${path.version}`
