/**
 * The API-key middleware: the key (from the bearer header, else the web app's session cookie) names the user who
 * becomes `CurrentUser` and the request log's actor. Every failure is the same 401, whose message never contains the
 * key.
 */
import { HttpServerRequest } from "@effect/platform"
import { Authentication, CurrentUser, Problem } from "@registrar/api"
import { Registrar, type RegistrarShape } from "@registrar/domain"
import { Effect, Layer, Redacted } from "effect"

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

/** The user of an API key according to `registrar`, or the 401 that says why there is none. */
export const userOfKey = (registrar: RegistrarShape, key: string) =>
  key.length === 0
    ? Effect.fail(noKey)
    : registrar.authenticate(key).pipe(
        Effect.catchTags({
          MalformedApiKey: () =>
            Effect.fail(new Problem.Unauthorized({ reason: "The bearer token is not a Registrar API key." })),
          InvalidApiKey: () =>
            Effect.fail(new Problem.Unauthorized({ reason: "The API key is unknown, revoked, or mistyped." })),
          StoreUnavailable: () => Effect.die(new Problem.ServiceUnavailable()),
          UndecodableEvent: (error) => Effect.die(error)
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
        const found = yield* userOfKey(registrar, key)
        const request = yield* Effect.serviceOption(HttpServerRequest.HttpServerRequest)
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
