/**
 * The outermost middleware: refuses bodies over the limit before reading them (413), caps what is read, and logs
 * one line per request — method, path (without the query), status, milliseconds and actor. Headers are never
 * logged, so neither is a key.
 */
import { HttpIncomingMessage, type HttpApp, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Files, Problem } from "@registrar/api"
import { Effect, Exit, Option } from "effect"
import { RequestActor } from "./Authentication.js"

const tooLarge = (limitBytes: number) => {
  const error = new Problem.PayloadTooLarge({ limitBytes })
  return HttpServerResponse.unsafeJson(Problem.toDocument(error, 413, { _tag: error._tag, limitBytes }), {
    status: 413,
    contentType: Problem.PROBLEM_CONTENT_TYPE
  })
}

/** Where request-log lines go. */
export type LogSink = (line: string) => Effect.Effect<void>

/** The default sink: an info entry of the Effect logger. */
export const logInfo: LogSink = (line) => Effect.logInfo(line)

/**
 * Wraps the app with the body limit and the request log. Uploads (`POST /blobs`) have their own limit, checked here
 * against Content-Length and by the upload handler as the bytes arrive.
 */
export const requestLog =
  (jsonLimitBytes: number, sink: LogSink = logInfo, uploadLimitBytes: number = jsonLimitBytes) =>
  (app: HttpApp.Default): HttpApp.Default =>
    Effect.gen(function* () {
      const request = yield* HttpServerRequest.HttpServerRequest
      const upload = request.method === "POST" && request.url.split("?")[0] === Files.UPLOAD_PATH
      const limitBytes = upload ? uploadLimitBytes : jsonLimitBytes
      const started = performance.now()
      const actor: { user: string | undefined } = { user: undefined }
      const declared = Number(request.headers["content-length"] ?? "0")
      const handled =
        Number.isFinite(declared) && declared > limitBytes
          ? Effect.succeed(tooLarge(limitBytes))
          : app.pipe(
              HttpIncomingMessage.withMaxBodySize(Option.some(limitBytes)),
              Effect.provideService(RequestActor, actor)
            )
      return yield* Effect.onExit(handled, (exit) => {
        const status = Exit.isSuccess(exit) ? exit.value.status : Exit.isInterrupted(exit) ? 499 : 500
        const ms = Math.round((performance.now() - started) * 10) / 10
        const path = request.url.split("?")[0] ?? ""
        return sink(`method=${request.method} path=${path} status=${status} ms=${ms} actor=${actor.user ?? "-"}`)
      })
    })
