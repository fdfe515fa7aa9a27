/**
 * The `HttpClient` of remote commands, over Node's `http` and `https` modules rather than `fetch`: Node 20 loads its
 * `fetch` (undici) on first use, which costs a short command about 50 ms of CPU, where `http` is a few. The API's
 * answers are small JSON documents, so each is read whole before the client decodes it. Requests carry the bodies
 * `HttpApiClient` sends (none, or bytes); file contents go through `RemoteFiles`, which streams them.
 */
import * as Cookies from "@effect/platform/Cookies"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Effect from "effect/Effect"
import * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as http from "node:http"
import * as https from "node:https"

/** An answer read whole: its status, headers and body bytes. */
class BufferedResponse extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly [HttpIncomingMessage.TypeId]: HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId
  readonly headers: Headers.Headers
  readonly cookies: Cookies.Cookies
  readonly remoteAddress: Option.Option<string>

  constructor(
    readonly request: HttpClientRequest.HttpClientRequest,
    private readonly source: http.IncomingMessage,
    private readonly body: Buffer
  ) {
    super()
    this.headers = Headers.fromInput(source.headers as Record<string, string | ReadonlyArray<string>>)
    const setCookie = source.headers["set-cookie"]
    this.cookies = setCookie === undefined ? Cookies.empty : Cookies.fromSetCookie(setCookie)
    this.remoteAddress = Option.fromNullable(source.socket?.remoteAddress)
  }

  get status(): number {
    return this.source.statusCode ?? 0
  }

  private decodeError(cause: unknown): HttpClientError.ResponseError {
    return new HttpClientError.ResponseError({ request: this.request, response: this, reason: "Decode", cause })
  }

  get text(): Effect.Effect<string, HttpClientError.ResponseError> {
    return Effect.succeed(this.body.toString("utf8"))
  }

  get json(): Effect.Effect<unknown, HttpClientError.ResponseError> {
    return Effect.try({
      try: () => (this.body.length === 0 ? null : (JSON.parse(this.body.toString("utf8")) as unknown)),
      catch: (cause) => this.decodeError(cause)
    })
  }

  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.ResponseError> {
    return Effect.try({
      try: () => UrlParams.fromInput(new URLSearchParams(this.body.toString("utf8"))),
      catch: (cause) => this.decodeError(cause)
    })
  }

  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.ResponseError> {
    return Effect.sync(() => new Uint8Array(this.body).buffer)
  }

  get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError> {
    return Stream.succeed(new Uint8Array(this.body))
  }

  get formData(): Effect.Effect<FormData, HttpClientError.ResponseError> {
    return Effect.fail(this.decodeError(new Error("form data answers are not read by this client")))
  }

  toJSON(): unknown {
    return { _id: "@effect/platform/HttpClientResponse", request: this.request.toJSON(), status: this.status }
  }
}

const bodyBytes = (request: HttpClientRequest.HttpClientRequest): Uint8Array | string | undefined => {
  const body = request.body
  switch (body._tag) {
    case "Empty":
      return undefined
    case "Uint8Array":
      return body.body
    case "Raw":
      if (typeof body.body === "string" || body.body instanceof Uint8Array) return body.body
      throw new Error("this client sends no streams of its own")
    default:
      throw new Error(`this client sends no ${body._tag} bodies`)
  }
}

/**
 * The client: one request per call, on Node's global agents (no keep-alive: a command makes a request or two and
 * exits). A transport failure keeps Node's error as the cause of the cause, as `fetch` reports it.
 */
export const client: HttpClient.HttpClient = HttpClient.make((request, url, signal) =>
  Effect.async<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>((resume) => {
    let body: Uint8Array | string | undefined
    try {
      body = bodyBytes(request)
    } catch (cause) {
      resume(Effect.fail(new HttpClientError.RequestError({ request, reason: "Encode", cause })))
      return
    }
    const failed = (error: Error) =>
      resume(
        Effect.fail(
          new HttpClientError.RequestError({
            request,
            reason: "Transport",
            cause: new Error("request failed", { cause: error })
          })
        )
      )
    const outgoing = (url.protocol === "https:" ? https : http).request(url, {
      method: request.method,
      headers: request.headers,
      signal
    })
    outgoing.on("error", failed)
    outgoing.on("response", (incoming) => {
      const chunks: Array<Buffer> = []
      incoming.on("data", (chunk: Buffer) => chunks.push(chunk))
      incoming.on("error", failed)
      incoming.on("end", () => resume(Effect.succeed(new BufferedResponse(request, incoming, Buffer.concat(chunks)))))
    })
    outgoing.end(body)
  })
)
