/**
 * The web app's session. Signing in checks the posted key and mints a new API key for the session (named
 * `web session`, stored as a digest like every key), which the HttpOnly cookie carries: the key the person typed never
 * stays in the browser, every server process on the store accepts the cookie (nothing lives in one process's memory),
 * signing out revokes the session key, so a copied cookie stops working too, and the key expires with the cookie
 * (after {@link SESSION_MAX_AGE}), so one never signed out of stops working by itself.
 */
import { randomBytes } from "node:crypto"
import { HttpApiBuilder, HttpServerRequest } from "@effect/platform"
import { RegistrarApi, Session } from "@registrar/api"
import { ApiKey, Registrar } from "@registrar/domain"
import { Duration, Effect } from "effect"
import { userOfKey } from "../Authentication.js"
import { call } from "./Call.js"

/** How long the browser keeps the cookie. */
export const SESSION_MAX_AGE = Duration.hours(12)

/** Whether the request reached us over https (directly, or through a proxy that says so). */
const overHttps = Effect.map(
  HttpServerRequest.HttpServerRequest,
  (request) => request.headers["x-forwarded-proto"] === "https" || request.url.startsWith("https:")
)

const setCookie = (value: string, maxAge: Duration.Duration) =>
  Effect.flatMap(overHttps, (secure) =>
    HttpApiBuilder.securitySetCookie(Session.sessionCookie, value, {
      httpOnly: true,
      secure,
      sameSite: "strict",
      path: "/",
      maxAge
    })
  )

/** The session group: sign in (post a key, get the cookie) and sign out (revoke the session key, clear it). */
export const SessionLive = HttpApiBuilder.group(RegistrarApi, "session", (handlers) =>
  Effect.gen(function* () {
    const registrar = yield* Registrar
    return handlers
      .handle("signIn", ({ payload }) =>
        Effect.gen(function* () {
          const { user } = yield* userOfKey(registrar, payload.key.trim())
          const minted = yield* call(
            registrar.createApiKey({
              actor: user,
              user,
              name: "web session",
              random: randomBytes(ApiKey.RANDOM_BYTES),
              lifetime: SESSION_MAX_AGE
            })
          )
          yield* setCookie(minted.key, SESSION_MAX_AGE)
          return { user }
        })
      )
      .handle("signOut", () =>
        Effect.gen(function* () {
          const request = yield* HttpServerRequest.HttpServerRequest
          const key = request.cookies[Session.SESSION_COOKIE] ?? ""
          yield* setCookie("", Duration.zero)
          if (key === "") return { signedOut: false }
          const found = yield* Effect.option(userOfKey(registrar, key))
          if (found._tag === "None") return { signedOut: false }
          yield* call(
            registrar.revokeApiKey({ actor: found.value.user, user: found.value.user, prefix: found.value.prefix })
          )
          return { signedOut: true }
        })
      )
  })
)
