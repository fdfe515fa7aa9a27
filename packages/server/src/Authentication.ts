/**
 * The API-key middleware: the key (from the bearer header, else the web app's session cookie) names the user who
 * becomes `CurrentUser` and the request log's actor. Every failure is the same 401, whose message never contains the
 * key.
 *
 * A key whose record the service keeps is confirmed against the log beside the request rather than before it (one
 * round trip the request's own reads need not wait for): the confirmation is the request's write gate, so nothing
 * the request writes commits before it, and {@link confirmedBeforeAnswer} holds the answer until it is in. A key
 * revoked through any process is therefore refused by the next request everywhere, as before, at no cost in latency.
 * A request that may write (any method but GET and HEAD) sends no confirmation at all unless it needs one: its gate
 * is a `WriteGate.Guard`, the key stream's version checked inside each of its appends, and only a request that ends
 * without committing under it is confirmed before its answer.
 */
import { HttpServerRequest } from "@effect/platform"
import { Authentication, CurrentUser, Problem } from "@registrar/api"
import { Registrar, type RegistrarShape, WriteGate } from "@registrar/domain"
import { Effect, FiberRef, Layer, Redacted } from "effect"

/**
 * Where the authentication middleware leaves the caller's name for the request log: by request (the Node request
 * object, which every view of one request shares). A map, not a service provided per request: providing a service
 * to a request's effect costs more than the lookup.
 */
const actors = new WeakMap<object, string>()

/** Notes `user` as the actor of `request`. */
const noteActor = (request: HttpServerRequest.HttpServerRequest, user: string) => {
  if (typeof request.source === "object" && request.source !== null) actors.set(request.source, user)
}

/** The actor the authentication middleware noted for `request`, if any. */
export const actorOf = (request: HttpServerRequest.HttpServerRequest): string | undefined =>
  typeof request.source === "object" && request.source !== null ? actors.get(request.source) : undefined

// Made once: every request of the web app (a session cookie, no bearer header) fails the bearer scheme with it before
// the cookie is tried, and building an error (its stack trace) on every request cost more than the rest of that check.
const noKey = new Problem.Unauthorized({ reason: "The request has no API key." })

/** A failure of the service's key check as the API answers it: a 401 that says why, or a defect. */
const asUnauthorized = <A, R>(
  check: Effect.Effect<A, Effect.Effect.Error<ReturnType<RegistrarShape["authenticate"]>>, R>
): Effect.Effect<A, Problem.Unauthorized, R> =>
  check.pipe(
    Effect.catchTags({
      MalformedApiKey: () =>
        Effect.fail(new Problem.Unauthorized({ reason: "The bearer token is not a Registrar API key." })),
      InvalidApiKey: () =>
        Effect.fail(new Problem.Unauthorized({ reason: "The API key is unknown, revoked, or mistyped." })),
      StoreUnavailable: () => Effect.die(new Problem.ServiceUnavailable()),
      UndecodableEvent: (error) => Effect.die(error)
    })
  )

/** The user of an API key according to `registrar`, confirmed against the log, or the 401 that says why there is none. */
export const userOfKey = (registrar: RegistrarShape, key: string) =>
  key.length === 0 ? Effect.fail(noKey) : asUnauthorized(registrar.authenticate(key))

/** Requests whose key is being confirmed beside them, by request object: what awaits the confirmation. */
const confirmations = new WeakMap<object, Effect.Effect<unknown, Problem.Unauthorized>>()

/**
 * Runs `answer` (a request's handling), then waits for the confirmation of the request's key, if one is still out:
 * when the key turns out revoked (or unknown now), the answer is the confirmation's 401, whatever the handling
 * gave. So no answer leaves for a key the log no longer accepts.
 */
export const confirmedBeforeAnswer = <A, E, R>(
  answer: Effect.Effect<A, E, R>
): Effect.Effect<A, E | Problem.Unauthorized, R | HttpServerRequest.HttpServerRequest> =>
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
    Effect.flatMap(Effect.exit(answer), (exit) => {
      const source = request.source
      const confirmation = typeof source === "object" && source !== null ? confirmations.get(source) : undefined
      return confirmation === undefined ? exit : Effect.zipRight(confirmation, exit)
    })
  )

const BEARER = "Bearer "

/**
 * Implements {@link Authentication} with the service's `authenticate`, for the bearer header and the cookie alike.
 * The bearer header is tried first, so a request with a wrong key and no cookie would end at the cookie's "no API
 * key": the cookie's handler then reports the bearer's own failure instead.
 */
export const AuthenticationLive = Layer.effect(
  Authentication,
  Effect.gen(function* () {
    const registrar = yield* Registrar
    const authenticate = (key: string) =>
      Effect.gen(function* () {
        if (key.length === 0) return yield* Effect.fail(noKey)
        const request = yield* Effect.serviceOption(HttpServerRequest.HttpServerRequest)
        const source = request._tag === "Some" ? request.value.source : undefined
        const held = typeof source === "object" && source !== null
        // A request that may write carries the key's check into its writes' transactions instead of a round trip.
        const writes =
          held && request._tag === "Some" && request.value.method !== "GET" && request.value.method !== "HEAD"
        const found = yield* asUnauthorized(registrar.authenticateLater(key, { deferConfirmation: writes }))
        if (found.confirmed !== undefined) {
          const confirmation = asUnauthorized(found.confirmed)
          if (!held) {
            // No request to hold the answer of: confirm before going on.
            yield* confirmation
          } else if (found.guard !== undefined) {
            // Not sent: checked by the request's appends as a guard, and before its answer only if none committed.
            const guard = new WriteGate.Guard(found.guard.streamId, found.guard.version, Effect.orDie(confirmation))
            confirmations.set(
              source,
              Effect.suspend(
                (): Effect.Effect<unknown, Problem.Unauthorized> => (guard.settled ? Effect.void : confirmation)
              )
            )
            yield* FiberRef.set(WriteGate.current, guard)
          } else {
            // Already sent: awaited by the request's appends (its write gate) and before its answer.
            confirmations.set(source, confirmation)
            yield* FiberRef.set(WriteGate.current, Effect.orDie(confirmation))
          }
        }
        if (request._tag === "Some") noteActor(request.value, found.user)
        return CurrentUser.of({ user: found.user, keyPrefix: found.prefix })
      })
    const bearerOfRequest = Effect.map(Effect.serviceOption(HttpServerRequest.HttpServerRequest), (request) => {
      const header = request._tag === "Some" ? request.value.headers.authorization : undefined
      return header === undefined ? "" : header.slice(BEARER.length)
    })
    return {
      bearer: (token: Redacted.Redacted<string>) => authenticate(Redacted.value(token)),
      cookie: (token: Redacted.Redacted<string>) =>
        Redacted.value(token).length > 0
          ? authenticate(Redacted.value(token))
          : Effect.flatMap(bearerOfRequest, authenticate)
    }
  })
)
