/**
 * The API-key middleware: the key (from the bearer header, else the web app's session cookie) names the user who
 * becomes `CurrentUser` and the request log's actor. Every failure is the same 401, whose message never contains the
 * key.
 */
import { HttpServerRequest } from "@effect/platform"
import { Authentication, CurrentUser, Problem } from "@registrar/api"
import { Registrar } from "@registrar/domain"
import { Context, Effect, Layer, Redacted } from "effect"

/** Where the authentication middleware leaves the caller's name for the request log. */
export class RequestActor extends Context.Tag("@registrar/server/RequestActor")<
  RequestActor,
  { user: string | undefined }
>() {}

// Made once: every request without a session cookie fails the cookie scheme with it before the bearer header is
// tried, and building an error (its stack trace) on every request cost more than the rest of that check.
const noKey = new Problem.Unauthorized({ reason: "The request has no API key." })

/** The user of an API key, or the 401 that says why there is none. */
export const userOfKey = (key: string) =>
  Effect.gen(function* () {
    const registrar = yield* Registrar
    if (key.length === 0) return yield* Effect.fail(noKey)
    return yield* registrar.authenticate(key).pipe(
      Effect.catchTags({
        MalformedApiKey: () =>
          Effect.fail(new Problem.Unauthorized({ reason: "The bearer token is not a Registrar API key." })),
        InvalidApiKey: () =>
          Effect.fail(new Problem.Unauthorized({ reason: "The API key is unknown, revoked, or mistyped." })),
        StoreUnavailable: () => Effect.die(new Problem.ServiceUnavailable()),
        UndecodableEvent: (error) => Effect.die(error)
      })
    )
  })

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
        const found = yield* Effect.provideService(userOfKey(key), Registrar, registrar)
        const holder = yield* Effect.serviceOption(RequestActor)
        if (holder._tag === "Some") holder.value.user = found.user
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
