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

/** The API-key middleware (bearer header, else session cookie): fails with a 401 problem, provides {@link CurrentUser}. */
export class Authentication extends HttpApiMiddleware.Tag<Authentication>()("@registrar/api/Authentication", {
  failure: problem(Unauthorized, 401),
  provides: CurrentUser,
  // The bearer header is tried first (reading it costs nothing, while a request without a session cookie fails the
  // cookie's schema, an error with a stack trace); without one, the session cookie decides. The server reports the
  // bearer's own failure when a request has a bearer header and no cookie.
  security: {
    bearer: HttpApiSecurity.bearer.pipe(
      HttpApiSecurity.annotate(OpenApi.Description, "An API key: rk_<prefix>_<secret>")
    ),
    cookie: sessionCookie
  }
}) {}
