/**
 * Authentication: every endpoint but health is behind `Authentication`, an `HttpApiMiddleware` that reads
 * `Authorization: Bearer <key>` and provides the key's user as `CurrentUser`. The actor of every command is that user,
 * never a field of the request.
 */
import * as HttpApiMiddleware from "@effect/platform/HttpApiMiddleware"
import * as HttpApiSecurity from "@effect/platform/HttpApiSecurity"
import * as OpenApi from "@effect/platform/OpenApi"
import { Context } from "effect"
import { problem, Unauthorized } from "./Problem.js"
import { sessionCookie } from "./Session.js"

/** The authenticated caller. */
export class CurrentUser extends Context.Tag("@registrar/api/CurrentUser")<
  CurrentUser,
  { readonly user: string; readonly keyPrefix: string }
>() {}

/** The API-key middleware (session cookie, else bearer header): fails with a 401 problem, provides {@link CurrentUser}. */
export class Authentication extends HttpApiMiddleware.Tag<Authentication>()("@registrar/api/Authentication", {
  failure: problem(Unauthorized, 401),
  provides: CurrentUser,
  // The session cookie is tried first; without one, the bearer header decides (and its failure is the one reported).
  security: {
    cookie: sessionCookie,
    bearer: HttpApiSecurity.bearer.pipe(
      HttpApiSecurity.annotate(OpenApi.Description, "An API key: rk_<prefix>_<secret>")
    )
  }
}) {}
