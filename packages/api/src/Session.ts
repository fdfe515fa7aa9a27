/**
 * The web app's session: an API key is posted once to `POST /session`, which answers with an HttpOnly,
 * SameSite=Strict cookie carrying a new key minted for the session (the posted key is never stored in the browser);
 * `DELETE /session` revokes that session key and clears the cookie. The authentication middleware accepts the cookie
 * as well as the bearer header.
 */
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSecurity from "@effect/platform/HttpApiSecurity"
import * as OpenApi from "@effect/platform/OpenApi"
import { Schema } from "effect"

/** The name of the session cookie. */
export const SESSION_COOKIE = "registrar_session"

/** The session cookie as a security scheme (read by the authentication middleware). */
export const sessionCookie = HttpApiSecurity.apiKey({ in: "cookie", key: SESSION_COOKIE }).pipe(
  HttpApiSecurity.annotate(
    OpenApi.Description,
    "The web app's session cookie, set by POST /session (HttpOnly, SameSite=Strict, Secure over https)"
  )
)

/** Input of a sign-in: an API key, in the body (never in a URL). */
export const SignIn = Schema.Struct({
  key: Schema.String.pipe(Schema.maxLength(200)).annotations({ description: "An API key: rk_<prefix>_<secret>" })
})

/** A session opened: whose it is. */
export const SignedIn = Schema.Struct({ user: Schema.String })

/** A session closed (or there was none). */
export const SignedOut = Schema.Struct({ signedOut: Schema.Boolean })

/** Sign-in and sign-out of the web app; no authentication (the body carries the key). */
export class SessionGroup extends HttpApiGroup.make("session")
  .add(HttpApiEndpoint.post("signIn", "/session").setPayload(SignIn).addSuccess(SignedIn))
  .add(HttpApiEndpoint.del("signOut", "/session").addSuccess(SignedOut))
  .annotate(
    OpenApi.Description,
    "The web app's session: post an API key once, get an HttpOnly cookie holding a key minted for the session; DELETE revokes it"
  ) {}
