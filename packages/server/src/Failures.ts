/**
 * Every failure becomes a problem document: the API middleware turns request-decoding failures into 400s (a body
 * that is not JSON included), unknown routes into 404s, oversized bodies into 413s and defects into 500s whose
 * details go to the log only; the typed errors of handlers pass through to be encoded with their status. No answer
 * leaves before the caller's key is confirmed (`confirmedBeforeAnswer`).
 */
import { HttpApiBuilder, HttpServerRequest } from "@effect/platform"
import { Problem, RegistrarApi } from "@registrar/api"
import { Cause, Effect, Option } from "effect"
import { confirmedBeforeAnswer } from "./Authentication.js"
import { toApiError } from "./handlers/Call.js"

const tagOf = (value: unknown): string | undefined =>
  typeof value === "object" && value !== null && typeof (value as { _tag?: unknown })._tag === "string"
    ? (value as { _tag: string })._tag
    : undefined

const messageOf = (value: unknown): string =>
  typeof value === "object" && value !== null && typeof (value as { message?: unknown }).message === "string"
    ? (value as { message: string }).message
    : ""

const fromDefect = (defect: unknown, limitBytes: number) => {
  const tag = tagOf(defect)
  if (tag === "ServiceUnavailable") return Effect.fail(new Problem.ServiceUnavailable())
  // A request's write gate refused its append: the key was revoked while the request ran (see Authentication.ts).
  if (defect instanceof Problem.Unauthorized) return Effect.fail(defect)
  if (tag === "RequestError" && (defect as { reason?: unknown }).reason === "Decode") {
    const cause = (defect as { cause?: unknown }).cause
    return messageOf(cause).includes("maxBytes")
      ? Effect.fail(new Problem.PayloadTooLarge({ limitBytes }))
      : Effect.fail(new Problem.InvalidRequest({ problem: "the body is not valid JSON" }))
  }
  return Effect.zipRight(
    Effect.logError("defect while handling a request", tag ?? messageOf(defect)),
    Effect.fail(new Problem.InternalError())
  )
}

/** The API-level middleware that turns every failure into an error of the API (so it is sent as a problem). */
export const failuresLayer = (limitBytes: number) =>
  HttpApiBuilder.middleware(RegistrarApi, (app) =>
    Effect.catchAllCause(confirmedBeforeAnswer(app), (cause) => {
      if (Cause.isInterruptedOnly(cause)) return Effect.failCause(cause)
      const failure = Cause.failureOption(cause)
      if (Option.isSome(failure)) {
        const error = failure.value as unknown
        switch (tagOf(error)) {
          case "HttpApiDecodeError":
            return Effect.fail(
              new Problem.InvalidRequest({ problem: messageOf(error) || "it does not match the schema" })
            )
          case "RouteNotFound":
            return Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
              Effect.fail(new Problem.RouteNotFound({ method: request.method, path: request.url.split("?")[0] ?? "" }))
            )
          default:
            return toApiError(error)
        }
      }
      return Option.match(Cause.dieOption(cause), {
        onNone: () => Effect.fail(new Problem.InternalError()),
        onSome: (defect) => fromDefect(defect, limitBytes)
      })
    })
  )
