/**
 * What a request costs each layer of the HTTP stack, with no store and no key: servers of increasing weight on this
 * process's event loop, each answering `GET /healthz` with `{"status":"ok"}`, driven in alternation from the clients'
 * worker thread (section 8's clients). `plain`: Node's own `http` server; `serve`: the platform's `HttpServer.serve`
 * of one constant response, with its span per request; `serve-no-span`: the same without the span (as the Registrar
 * server runs); `router`: an `HttpRouter` with that one route; `api`: an `HttpApiBuilder` API of one endpoint with a
 * success schema. The Registrar server's own health check is `OPS=healthz` of `ProfileHttp.ts`. Prints requests/s,
 * p50, p99 and the server thread's busy time per request (event-loop utilisation). CLIENTS (default 64), RUN_SECONDS
 * (default 2), ROUNDS (default 3).
 *
 *   node --conditions=@registrar/source --import tsx src/ProfileFloor.ts
 */
import { createServer } from "node:http"
import {
  HttpApi,
  HttpApiBuilder,
  HttpApiEndpoint,
  HttpApiGroup,
  HttpMiddleware,
  HttpRouter,
  HttpServer,
  HttpServerResponse
} from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Effect, Exit, Layer, Schema, Scope } from "effect"
import * as HttpClients from "./internal/HttpClients.js"
import { percentile } from "./internal/Measure.js"

const clients = Number(process.env.CLIENTS ?? 64)
const seconds = Number(process.env.RUN_SECONDS ?? 2)
const rounds = Number(process.env.ROUNDS ?? 3)

class HealthGroup extends HttpApiGroup.make("health").add(
  HttpApiEndpoint.get("healthz", "/healthz").addSuccess(Schema.Struct({ status: Schema.Literal("ok") }))
) {}
class FloorApi extends HttpApi.make("floor").add(HealthGroup) {}
const HealthLive = HttpApiBuilder.group(FloorApi, "health", (handlers) =>
  handlers.handle("healthz", () => Effect.succeed({ status: "ok" as const }))
)

const ok = Effect.succeed(HttpServerResponse.unsafeJson({ status: "ok" }))
const noSpan = HttpMiddleware.withTracerDisabledWhen(() => true)
const node = NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" })

/** The platform servers, by name, as layers that listen on a free port. */
const platformServers = {
  serve: HttpServer.serve(ok).pipe(Layer.provideMerge(node)),
  "serve-no-span": HttpServer.serve(ok).pipe(noSpan, Layer.provideMerge(node)),
  router: HttpRouter.empty.pipe(HttpRouter.get("/healthz", ok), HttpServer.serve(), noSpan, Layer.provideMerge(node)),
  api: HttpApiBuilder.serve().pipe(
    noSpan,
    Layer.provide(HttpApiBuilder.api(FloorApi).pipe(Layer.provide(HealthLive))),
    Layer.provideMerge(node)
  )
}

const main = async () => {
  const scope = Effect.runSync(Scope.make())
  const ports: Record<string, number> = {}
  for (const [name, layer] of Object.entries(platformServers)) {
    const context = await Effect.runPromise(Layer.buildWithScope(layer, scope))
    const address = Effect.runSync(Effect.provide(HttpServer.HttpServer, context)).address
    ports[name] = address._tag === "TcpAddress" ? address.port : 0
  }
  const plain = await HttpClients.listenPlainHealth()
  const bases: Record<string, string> = { plain: plain.base }
  for (const [name, port] of Object.entries(ports)) bases[name] = `http://127.0.0.1:${port}`
  const workers = HttpClients.start()
  const names = ["plain", ...Object.keys(platformServers)]
  for (let round = 0; round < rounds; round++) {
    for (const name of names) {
      const loopBefore = performance.eventLoopUtilization()
      const { load } = await workers.run({
        base: bases[name]!,
        headers: {},
        clients,
        seconds,
        cycle: true,
        requests: [{ method: "GET", path: "/healthz" }]
      })
      const loop = performance.eventLoopUtilization(loopBefore)
      const busy = (loop.utilization * load.seconds * 1e6) / Math.max(1, load.operations)
      console.log(
        `round ${round + 1} ${name}: ${Math.round(load.operations / load.seconds)}/s p50 ${percentile(load.latencies, 50).toFixed(2)} ms p99 ${percentile(load.latencies, 99).toFixed(2)} ms; server thread busy ${busy.toFixed(0)} µs per request; failures ${load.failures}${load.firstFailure ? ` (${load.firstFailure})` : ""}`
      )
    }
  }
  await workers.close()
  await plain.close()
  await Effect.runPromise(Scope.close(scope, Exit.void))
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
