/**
 * The server: the API's implementation served on Node's HTTP server, with `/openapi.json` (the OpenAPI 3.1 document
 * derived from the definition) and `/docs` (a page that renders it). Provide it a `Registrar` and its `EventStore`;
 * closing its scope stops accepting connections, lets requests in flight finish, then releases the store.
 */
import { createServer } from "node:http"
import type { Duplex } from "node:stream"
import { randomBytes } from "node:crypto"
import {
  HttpApiBuilder,
  HttpApiSwagger,
  HttpMiddleware,
  HttpServer,
  HttpServerResponse,
  OpenApi
} from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Problem, RegistrarApi } from "@registrar/api"
import { ApiKey, type CreatedApiKey, Registrar } from "@registrar/domain"
import { Effect, Layer, type Option } from "effect"
import { AuthenticationLive } from "./Authentication.js"
import { failuresLayer } from "./Failures.js"
import { AutomationsLive } from "./handlers/Automations.js"
import { GovernanceLive } from "./handlers/Governance.js"
import { HealthLive, EntitiesLive, HistoryLive, KeysLive } from "./handlers/People.js"
import { CollectionsLive, RegistriesLive } from "./handlers/Registries.js"
import { PathsLive } from "./handlers/Paths.js"
import { FindLive } from "./handlers/Find.js"
import { ArtifactsLive, VersionsLive } from "./handlers/Versions.js"
import { FilesLive, UploadLimit } from "./handlers/Files.js"
import { bodyLimitLayer, type LogSink, requestLog } from "./RequestLog.js"
import { SessionLive } from "./handlers/Session.js"
import { webAppRoutes } from "./WebApp.js"

/** Where and how to listen. */
export interface ServerOptions {
  readonly port: number
  readonly host: string
  /** The largest request body accepted, in bytes (default 1 MiB). */
  readonly bodyLimitBytes?: number
  /** The largest upload (`POST /blobs`) accepted, in bytes (default {@link DEFAULT_UPLOAD_LIMIT}). */
  readonly uploadLimitBytes?: number
  /** Where the request log's lines go (default: info entries of the Effect logger). */
  readonly log?: LogSink
  /** The built Registry App (a directory with index.html and assets/), served at `/`; none: the API only. */
  readonly webRoot?: string
}

/** The default body limit: 1 MiB (manifests, not file contents, travel as JSON). */
export const DEFAULT_BODY_LIMIT = 1024 * 1024

/** The default upload limit: 5 GiB (one artifact file; its bytes stream to the BlobStore, never into memory). */
export const DEFAULT_UPLOAD_LIMIT = 5 * 1024 * 1024 * 1024

/**
 * The OpenAPI document of the API. Every error response is declared as `application/problem+json`, which is what
 * the server sends for every status of 400 and above.
 */
export const openApiDocument = (): OpenApi.OpenAPISpec => {
  const spec = OpenApi.fromApi(RegistrarApi)
  for (const item of Object.values(spec.paths)) {
    for (const operation of Object.values(item) as Array<OpenApi.OpenAPISpecOperation | undefined>) {
      if (typeof operation !== "object" || operation === null || !("responses" in operation)) continue
      for (const [status, response] of Object.entries(operation.responses)) {
        const content = response.content as Record<string, unknown> | undefined
        if (Number(status) < 400 || content === undefined || content["application/json"] === undefined) continue
        content[Problem.PROBLEM_CONTENT_TYPE] = content["application/json"]
        delete content["application/json"]
      }
    }
  }
  return spec
}

const openApiRoute = HttpApiBuilder.Router.use((router) =>
  Effect.gen(function* () {
    const response = yield* HttpServerResponse.json(openApiDocument()).pipe(Effect.orDie)
    yield* router.get("/openapi.json", Effect.succeed(response))
  })
)

/** The API implemented: every group over the `Registrar` service, with authentication and problem documents. */
export const apiLayer = (
  bodyLimitBytes: number = DEFAULT_BODY_LIMIT,
  uploadLimitBytes: number = DEFAULT_UPLOAD_LIMIT
) =>
  HttpApiBuilder.api(RegistrarApi).pipe(
    Layer.provide([
      HealthLive,
      SessionLive,
      KeysLive,
      EntitiesLive,
      RegistriesLive,
      CollectionsLive,
      VersionsLive,
      ArtifactsLive,
      GovernanceLive,
      AutomationsLive,
      HistoryLive,
      PathsLive,
      FindLive,
      FilesLive.pipe(Layer.provide(Layer.succeed(UploadLimit, { bytes: uploadLimitBytes })))
    ]),
    Layer.provide(AuthenticationLive),
    Layer.provide(failuresLayer(bodyLimitBytes))
  )

/**
 * What Node's HTTP parser refuses before the API sees a request (a request line or headers over its size limit,
 * bytes that are not HTTP) is answered as a problem document too, instead of Node's bare status line.
 */
const refuseMalformed = (error: Error & { readonly code?: string }, socket: Duplex) => {
  if (!socket.writable) {
    socket.destroy()
    return
  }
  const tooLarge = error.code === "HPE_HEADER_OVERFLOW"
  const status = tooLarge ? 431 : 400
  const code = tooLarge ? "RequestHeadersTooLarge" : "InvalidRequest"
  const body = JSON.stringify({
    type: `urn:registrar:problem:${code}`,
    title: code,
    status,
    detail: tooLarge
      ? "The request line and headers are larger than the server accepts (16 KiB). Send long inputs in a JSON body, or shorten the URL."
      : "The request is not valid HTTP. Send a well-formed HTTP/1.1 request.",
    code
  })
  socket.end(
    `HTTP/1.1 ${status} ${tooLarge ? "Request Header Fields Too Large" : "Bad Request"}\r\nContent-Type: ${Problem.PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  )
}

const createHardenedServer = () => createServer().on("clientError", refuseMalformed)

/** The HTTP server, listening; its `HttpServer` service tells the bound address (for port 0). */
export const layer = (options: ServerOptions) => {
  const limit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT
  const uploadLimit = options.uploadLimitBytes ?? DEFAULT_UPLOAD_LIMIT
  return HttpApiBuilder.serve(requestLog(limit, options.log, uploadLimit)).pipe(
    Layer.provide(bodyLimitLayer(limit)),
    // No span per request: nothing exports traces, and the platform's span (the URL parsed again, every header
    // redacted into attributes) cost about a third of a small request's CPU. The request log says what happened.
    HttpMiddleware.withTracerDisabledWhen(() => true),
    Layer.provide(HttpApiSwagger.layer({ path: "/docs" })),
    Layer.provide(openApiRoute),
    Layer.provide(options.webRoot === undefined ? Layer.empty : webAppRoutes(options.webRoot)),
    Layer.provide(apiLayer(limit, uploadLimit)),
    Layer.provideMerge(NodeHttpServer.layer(createHardenedServer, { port: options.port, host: options.host }))
  )
}

/** The port the server listens on. */
export const boundPort = Effect.map(HttpServer.HttpServer, (server) =>
  server.address._tag === "TcpAddress" ? server.address.port : 0
)

/**
 * The one-time bootstrap of a store's first server: creates the instance admin with a key (the given one, e.g.
 * from `REGISTRAR_BOOTSTRAP_KEY`, or a new random one) and returns it; `None` once the store was bootstrapped.
 */
export const bootstrap = (options: { readonly admin: string; readonly key?: string }) =>
  Effect.flatMap(
    Registrar,
    (registrar): Effect.Effect<Option.Option<CreatedApiKey>, unknown> =>
      registrar.bootstrap({
        admin: options.admin,
        ...(options.key === undefined ? {} : { key: options.key }),
        random: randomBytes(ApiKey.RANDOM_BYTES)
      })
  )
