/**
 * The bearer-key middleware: the key's user becomes `CurrentUser` and the request log's actor. Every failure is the
 * same 401, whose message never contains the key.
 */
import { Authentication, CurrentUser, Problem } from "@registrar/api"
import { Registrar } from "@registrar/domain"
import { Context, Effect, Layer, Redacted } from "effect"

/** Where the authentication middleware leaves the caller's name for the request log. */
export class RequestActor extends Context.Tag("@registrar/server/RequestActor")<
  RequestActor,
  { user: string | undefined }
>() {}

/** Implements {@link Authentication} with the service's `authenticate`. */
export const AuthenticationLive = Layer.effect(
  Authentication,
  Effect.gen(function* () {
    const registrar = yield* Registrar
    return {
      bearer: (token: Redacted.Redacted<string>) =>
        Effect.gen(function* () {
          const key = Redacted.value(token)
          if (key.length === 0) {
            return yield* Effect.fail(new Problem.Unauthorized({ reason: "The request has no API key." }))
          }
          const found = yield* registrar.authenticate(key).pipe(
            Effect.catchTags({
              MalformedApiKey: () =>
                Effect.fail(new Problem.Unauthorized({ reason: "The bearer token is not a Registrar API key." })),
              InvalidApiKey: () =>
                Effect.fail(new Problem.Unauthorized({ reason: "The API key is unknown, revoked, or mistyped." })),
              StoreUnavailable: () => Effect.die(new Problem.ServiceUnavailable()),
              UndecodableEvent: (error) => Effect.die(error)
            })
          )
          const holder = yield* Effect.serviceOption(RequestActor)
          if (holder._tag === "Some") holder.value.user = found.user
          return CurrentUser.of({ user: found.user, keyPrefix: found.prefix })
        })
    }
  })
)
