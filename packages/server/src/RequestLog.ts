/**
 * The outermost middleware: refuses bodies over the limit before reading them (413) and JSON bodies sent in chunks
 * (411: their length unknown, they could only be cut off mid-stream), caps what is read, and logs
 * one line per request — method, path (without the query), status, milliseconds and actor. Headers are never
 * logged, so neither is a key.
 */
import { FileSystem, HttpIncomingMessage, type HttpApp, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Files, Problem } from "@registrar/api"
import { Effect, Exit, Layer, Option } from "effect"
import { actorOf } from "./Authentication.js"

const tooLarge = (limitBytes: number) => {
  const error = new Problem.PayloadTooLarge({ limitBytes })
  return HttpServerResponse.unsafeJson(Problem.toDocument(error, 413, { _tag: error._tag, limitBytes }), {
    status: 413,
    contentType: Problem.PROBLEM_CONTENT_TYPE
  })
}

/**
 * Every request's body limit (the platform's `MaxBodySize`), in the server's context rather than provided to each
 * request: a backstop behind the Content-Length check, as the platform stops reading a body there.
 */
export const bodyLimitLayer = (limitBytes: number) =>
  Layer.succeed(HttpIncomingMessage.MaxBodySize, Option.some(FileSystem.Size(limitBytes)))

/**
 * A JSON body must say its length: one sent in chunks could only be cut off mid-stream, which resets the connection
 * before any answer. Uploads stream in chunks as they like, counted against their own limit.
 */
const lengthRequired = (() => {
  const error = new Problem.InvalidRequest({
    problem:
      "a JSON body needs a Content-Length header (only uploads to /blobs may be sent in chunks); send the body whole"
  })
  return HttpServerResponse.unsafeJson(Problem.toDocument(error, 411, { _tag: error._tag, problem: error.problem }), {
    status: 411,
    contentType: Problem.PROBLEM_CONTENT_TYPE
  })
})()

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
      const declared = Number(request.headers["content-length"] ?? "0")
      // The JSON limit is every request's default (see `bodyLimitLayer`); only an upload is given its own.
      const chunked =
        request.headers["content-length"] === undefined && request.headers["transfer-encoding"] !== undefined
      const handled =
        Number.isFinite(declared) && declared > limitBytes
          ? Effect.succeed(tooLarge(limitBytes))
          : chunked && !upload
            ? Effect.succeed(lengthRequired)
            : upload
              ? HttpIncomingMessage.withMaxBodySize(app, Option.some(limitBytes))
              : app
      return yield* Effect.onExit(handled, (exit) => {
        const status = Exit.isSuccess(exit) ? exit.value.status : Exit.isInterrupted(exit) ? 499 : 500
        const ms = Math.round((performance.now() - started) * 10) / 10
        const path = request.url.split("?")[0] ?? ""
        return sink(`method=${request.method} path=${path} status=${status} ms=${ms} actor=${actorOf(request) ?? "-"}`)
      })
    })
