/**
 * The HTTP server against the library, on the PostgreSQL server: resolve and link through `@registrar/server` at 1,
 * 16 and 64 concurrent clients (requests/s, p50, p99), beside the same operations called on the `Registrar` service
 * in the same process, every contender in alternating rounds. Targets of issue 11: link throughput over HTTP at
 * least 80% of the library's; resolve p99 under 20 ms at 64 clients; remote `registrar resolve` start to exit under
 * 0.4 s (the real CLI binary, spawned).
 */
import { randomBytes } from "node:crypto"
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Registrar, EventStore, ApiKey } from "@registrar/domain"
import { PgBlobStore } from "@registrar/adapters-pg"
import { Server } from "@registrar/server"
import { Context, Effect, Exit, Layer, Scope } from "effect"
import { createCollections, seedSources } from "./internal/Fixtures.js"
import { createWorld } from "./internal/Fixtures.js"
import {
  alternate,
  done,
  drive,
  failed,
  type Figures,
  figures,
  median,
  medianOf,
  type Outcome,
  pairedRatio,
  totalOf
} from "./internal/Measure.js"
import * as Cli from "./Cli.js"
import * as HttpClients from "./internal/HttpClients.js"
import * as Postgres from "./internal/Postgres.js"
import * as ServeProcess from "./internal/ServeProcess.js"
import { millis, percent, type Section, type Target, whole } from "./internal/Report.js"
import * as Stores from "./internal/Stores.js"

/** Options of the HTTP scenario. */
export interface HttpOptions {
  readonly url: string
  readonly poolSize: number
  readonly runs: number
  readonly seconds: number
  readonly log: (line: string) => void
}

/** Concurrent clients per configuration. */
export const clientCounts = [1, 16, 64] as const

/** Collections the links of one run are spread over (so that the server, not one stream, is what is measured). */
const linkCollections = 64

/** Versions per seeded source artifact (more artifacts, not longer streams, when more links are needed). */
const sourceVersionsPerArtifact = 400

/** Versions linked into the collection that resolves read. */
const resolvable = 50

/** `resolve, not kept`: a service told not to keep answers (`keepAnswers: false`), so each resolve runs its queries. */
type Operation = "link" | "resolve" | "resolve, not kept" | "health check"
type Via = "library" | "HTTP" | typeof workersVia | "plain Node"

/** `registrar serve --workers 2` in processes of its own (the real binary), over the same schema. */
const workersVia = "HTTP, serve --workers 2"
const workerCount = 2

const label = (operation: Operation, via: Via, clients: number) =>
  `${operation} via ${via}, ${clients} client${clients === 1 ? "" : "s"}`

/** The medians of remote `registrar resolve`, from spawn to exit, and of `node -e 0` in the same runs. */
interface RemoteFigures {
  /** With the key the command line keeps after `registrar login` (the README's way). */
  readonly login: number
  /** With the key in `REGISTRAR_API_KEY` and no login: the command asks the server whose key it is first. */
  readonly environment: number
  /** After the login, `node bin/registrar.js`: the bundle with V8's code cache, without the startup snapshot. */
  readonly script: number
  readonly node: number
}

/**
 * Remote `registrar resolve` against the running server, from process start to exit: the CLI binary (its startup
 * snapshot, bundle or `dist`, as section 7 says) after `registrar login` into a configuration directory of its own
 * (the key given on stdin), and with the key in `REGISTRAR_API_KEY` instead (never on the command line); after the
 * login, `node bin/registrar.js` too (the bundle without the snapshot); `runs` times each after one warm-up,
 * alternating with `node -e 0` (Node's own start and exit, the floor of any command) so that all four see the same
 * background load. Undefined when the CLI is not built.
 */
const remoteResolve = async (
  serverUrl: string,
  key: string,
  name: string,
  runs: number
): Promise<RemoteFigures | undefined> => {
  if (!Cli.available()) return undefined
  const config = mkdtempSync(join(tmpdir(), "registrar-bench-login-"))
  try {
    // Nothing in the environment that would pick a store or a key before the login does.
    const loginEnv = {
      ...process.env,
      XDG_CONFIG_HOME: config,
      REGISTRAR_API_KEY: "",
      REGISTRAR_SERVER: "",
      REGISTRAR_DATA_DIR: "",
      DATABASE_URL: ""
    }
    const login = await Cli.timed([Cli.binary, "login", serverUrl], undefined, loginEnv, `${key}\n`)
    if (login.code !== 0) throw new Error(`registrar login failed: ${login.output.slice(0, 300)}`)
    const contenders = {
      login: () => Cli.timed([Cli.binary, "resolve", name], undefined, loginEnv),
      environment: () =>
        Cli.timed([Cli.binary, "resolve", name, "--server", serverUrl], undefined, {
          ...process.env,
          XDG_CONFIG_HOME: join(config, "none"),
          REGISTRAR_API_KEY: key
        }),
      script: () => Cli.timed([Cli.script, "resolve", name], undefined, loginEnv),
      node: () => Cli.timed(["-e", "0"])
    }
    const exits: Record<keyof typeof contenders, Array<number>> = { login: [], environment: [], script: [], node: [] }
    for (let round = -1; round < runs; round++) {
      for (const which of ["login", "environment", "script", "node"] as const) {
        const result = await contenders[which]()
        if (result.code !== 0) throw new Error(`remote registrar resolve failed: ${result.output.slice(0, 300)}`)
        // Round -1 warms the file cache and the server's kept answers.
        if (round >= 0) exits[which].push(result.exitMillis)
      }
    }
    return {
      login: median(exits.login),
      environment: median(exits.environment),
      script: median(exits.script),
      node: median(exits.node)
    }
  } finally {
    rmSync(config, { recursive: true, force: true })
  }
}

/** Resolve and link, through HTTP and the library, at 1, 16 and 64 clients, in alternating rounds. */
export const run = async (options: HttpOptions): Promise<Section> => {
  await Postgres.dropSchema(options.url, Postgres.Schemas.http)
  const counter: Stores.ConflictCounter = { conflicts: 0 }
  const runtime = Stores.onPostgres(
    { url: options.url, schema: Postgres.Schemas.http, poolSize: options.poolSize },
    counter
  )
  const scope = Effect.runSync(Scope.make())
  try {
    const { registrar, store } = await Stores.servicesOf(runtime)
    options.log("http: seeding the world and source versions")
    const world = await Effect.runPromise(createWorld(registrar, "http"))
    // Enough sources for every link run (3 client counts, 2 paths, warm-up included) at 1,000 links/s, twice the
    // highest rate seen here; a run that still runs out fails the section rather than report a partial figure.
    const sourcesNeeded = (options.runs + 1) * clientCounts.length * 2 * options.seconds * 1_000 + resolvable
    const sources = await Effect.runPromise(
      seedSources(store, world, Math.ceil(sourcesNeeded / sourceVersionsPerArtifact), sourceVersionsPerArtifact)
    )
    let nextSource = 0
    const linksPerRunAtMost = Math.ceil(options.seconds * 1_000)
    const key = (
      await Effect.runPromise(
        registrar.createApiKey({ actor: world.member, user: world.member, random: randomBytes(ApiKey.RANDOM_BYTES) })
      )
    ).key

    // The request log of the servers in this process, written to a file line by line as `registrar serve` writes its
    // own (a timestamp, then the line), so that they pay for it as that server does.
    const logDirectory = mkdtempSync(join(tmpdir(), "registrar-bench-http-log-"))
    const logFile = openSync(join(logDirectory, "requests.log"), "w")
    Effect.runSync(
      Scope.addFinalizer(
        scope,
        Effect.sync(() => {
          closeSync(logFile)
          rmSync(logDirectory, { recursive: true, force: true })
        })
      )
    )
    const log = (line: string) => Effect.sync(() => void writeSync(logFile, `${new Date().toISOString()} ${line}\n`))
    // The server on the same Registrar service (same pool, same caches), on a free port.
    const context = await Effect.runPromise(
      Layer.buildWithScope(
        Server.layer({ port: 0, host: "127.0.0.1", log }).pipe(
          Layer.provide(Layer.succeed(Registrar, registrar)),
          Layer.provide(Layer.succeed(EventStore, store)),
          // Resolve and link move no file contents; the blob tables of the same schema stand by, as in `serve`.
          Layer.provide(PgBlobStore.layer({ url: options.url, schema: Postgres.Schemas.http, poolSize: 2 }))
        ),
        scope
      )
    )
    const port = Effect.runSync(Effect.provide(Server.boundPort, context))
    const base = `http://127.0.0.1:${port}`
    // The same stores behind a second service that keeps no answers, and a second server on it.
    const notKept = await runtime.runPromise(
      Effect.flatMap(Layer.build(Registrar.layer({ keepAnswers: false })), (built) =>
        Effect.succeed(Context.get(built, Registrar))
      ).pipe(Effect.provideService(Scope.Scope, scope))
    )
    const notKeptContext = await Effect.runPromise(
      Layer.buildWithScope(
        Server.layer({ port: 0, host: "127.0.0.1", log }).pipe(
          Layer.provide(Layer.succeed(Registrar, notKept)),
          Layer.provide(Layer.succeed(EventStore, store)),
          Layer.provide(PgBlobStore.layer({ url: options.url, schema: Postgres.Schemas.http, poolSize: 2 }))
        ),
        scope
      )
    )
    const notKeptBase = `http://127.0.0.1:${Effect.runSync(Effect.provide(Server.boundPort, notKeptContext))}`
    // The reference for the health check: Node's own HTTP server answering the same body, no framework.
    const plain = await HttpClients.listenPlainHealth()
    Effect.runSync(Scope.addFinalizer(scope, Effect.promise(plain.close)))
    const plainBase = plain.base
    const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" }
    // The CLI's server with two workers, when the CLI is built; its pool per process as large as this one's.
    const workers = Cli.available()
      ? await ServeProcess.start(options.url, Postgres.Schemas.http, [
          "--workers",
          String(workerCount),
          "--pool-size",
          String(options.poolSize)
        ])
      : undefined
    if (workers !== undefined) Effect.runSync(Scope.addFinalizer(scope, Effect.promise(workers.stop)))
    const baseOf = (via: Via) => (via === workersVia ? workers!.base : base)

    const [resolveCollection] = await Effect.runPromise(createCollections(registrar, store, world, ["resolve"]))
    for (let index = 0; index < resolvable; index++) {
      await Effect.runPromise(
        registrar.link({ actor: world.member, source: sources[nextSource++]!, target: resolveCollection!.target })
      )
    }
    const resolveName = (ticket: number) =>
      `${world.organization}/wandb-registry-${world.registry}/resolve:v${ticket % resolvable}`

    const viaLibrary = async (effect: Effect.Effect<unknown, unknown>): Promise<Outcome> => {
      const exit = await Effect.runPromiseExit(effect)
      return Exit.isSuccess(exit) ? done(1) : failed(String(exit.cause))
    }
    const clients = HttpClients.start()
    Effect.runSync(
      Scope.addFinalizer(
        scope,
        Effect.promise(() => clients.close())
      )
    )

    const measure = async (operation: Operation, via: Via, clientCount: number, round: number): Promise<Figures> => {
      // Bring the read models up to the log first, so that no run pays for projecting the writes of the run before.
      await Effect.runPromise(registrar.catchUp)
      if (operation === "health check") {
        // GET /healthz: no key, no store; what any request costs the HTTP stack here.
        const { load } = await clients.run({
          base: via === "plain Node" ? plainBase : base,
          headers: {},
          clients: clientCount,
          seconds: options.seconds,
          requests: [{ method: "GET", path: "/healthz" }],
          cycle: true
        })
        return figures(load)
      }
      if (operation !== "link") {
        const kept = operation === "resolve"
        if (via !== "library") {
          const requests = Array.from({ length: resolvable }, (_, ticket) => ({
            method: "GET" as const,
            path: `/resolve?name=${encodeURIComponent(resolveName(ticket))}`
          }))
          const { load } = await clients.run({
            base: kept ? baseOf(via) : notKeptBase,
            headers,
            clients: clientCount,
            seconds: options.seconds,
            requests,
            cycle: true
          })
          return figures(load)
        }
        const load = await drive({
          clients: clientCount,
          seconds: options.seconds,
          operation: (_client, ticket) =>
            viaLibrary((kept ? registrar : notKept).resolve({ actor: world.member, name: resolveName(ticket) }))
        })
        return figures(load)
      }
      const names = Array.from(
        { length: linkCollections },
        (_, index) => `${via.replace(/[^A-Za-z0-9]+/g, "-")}-${clientCount}-${round}-${index}`
      )
      const targets = await Effect.runPromise(createCollections(registrar, store, world, names))
      const before = counter.conflicts
      if (via !== "library") {
        // Only as many requests as a run could send (at the rate the comment on `sourcesNeeded` allows for): building
        // and copying every remaining source to the clients' thread made tens of thousands of objects per run, whose
        // collection then ran during the timed runs that followed.
        const requests = sources.slice(nextSource, nextSource + linksPerRunAtMost).map((source, ticket) => ({
          method: "POST" as const,
          path: `/organizations/${world.organization}/registries/${world.registry}/collections/${targets[ticket % targets.length]!.name}/links`,
          body: JSON.stringify({ source })
        }))
        const { load, sent } = await clients.run({
          base: baseOf(via),
          headers,
          clients: clientCount,
          seconds: options.seconds,
          requests,
          cycle: false
        })
        nextSource += sent
        if (nextSource >= sources.length) throw new Error("http: the link runs used every seeded source version")
        return { ...figures(load), conflicts: counter.conflicts - before }
      }
      const load = await drive({
        clients: clientCount,
        seconds: options.seconds,
        maxOperations: sources.length - nextSource,
        operation: (_client, ticket) => {
          const source = sources[nextSource++]
          if (source === undefined) return Promise.resolve(failed("out of seeded source versions"))
          const target = targets[ticket % targets.length]!
          return viaLibrary(registrar.link({ actor: world.member, source, target: target.target }))
        }
      })
      if (nextSource >= sources.length) throw new Error("http: the link runs used every seeded source version")
      return { ...figures(load), conflicts: counter.conflicts - before }
    }

    // Warm both paths (caches, connections, JIT) before the measured rounds.
    for (const via of ["library", "HTTP"] as const) {
      await measure("resolve", via, 4, -1)
      await measure("resolve, not kept", via, 4, -1)
      await measure("link", via, 4, -1)
    }
    if (workers !== undefined) {
      // Twice: each worker warms its own caches and JIT, and each run's connections go to both in turn.
      for (let warmUp = 0; warmUp < 2; warmUp++) {
        await measure("resolve", workersVia, 4, -1 - warmUp)
        await measure("link", workersVia, 4, -1 - warmUp)
      }
    }
    await measure("health check", "HTTP", 4, -1)
    await measure("health check", "plain Node", 4, -1)

    const contenders = (["link", "resolve", "resolve, not kept"] as const).flatMap((operation) =>
      clientCounts.flatMap((clients) =>
        (["library", "HTTP", workersVia] as const)
          .filter((via) => via !== workersVia || (workers !== undefined && operation !== "resolve, not kept"))
          .map((via) => ({
            name: label(operation, via, clients),
            run: (round: number) => measure(operation, via, clients, round)
          }))
      )
    )
    for (const clients of clientCounts) {
      for (const via of ["HTTP", "plain Node"] as const) {
        contenders.push({
          name: label("health check", via, clients),
          run: (round: number) => measure("health check", via, clients, round)
        })
      }
    }
    const rounds = await alternate(options.runs, contenders, (name, round, measured) =>
      options.log(`  http ${name} round ${round + 1}: ${whole(measured.perSecond ?? 0)}/s`)
    )
    const of = (operation: Operation, via: Via, clients: number) => rounds[label(operation, via, clients)] ?? []

    const table = (operation: Operation) => ({
      header: [
        `${operation}: clients`,
        "library /s",
        "HTTP /s",
        "HTTP / library (paired)",
        "library p50 ms",
        "library p99 ms",
        "HTTP p50 ms",
        "HTTP p99 ms",
        "errors (library/HTTP)"
      ],
      rows: clientCounts.map((clients) => {
        const library = of(operation, "library", clients)
        const http = of(operation, "HTTP", clients)
        return [
          String(clients),
          whole(medianOf(library, "perSecond")),
          whole(medianOf(http, "perSecond")),
          percent(pairedRatio(http, library, "perSecond")),
          millis(medianOf(library, "p50")),
          millis(medianOf(library, "p99")),
          millis(medianOf(http, "p50")),
          millis(medianOf(http, "p99")),
          `${whole(totalOf(library, "failures"))}/${whole(totalOf(http, "failures"))}`
        ]
      })
    })

    const workersTable = {
      header: [
        `${workersVia} (own processes): operation, clients`,
        "library /s",
        "HTTP, one process /s",
        `HTTP, ${workerCount} processes /s`,
        `${workerCount} processes / library (paired)`,
        `${workerCount} processes p50 ms`,
        `${workerCount} processes p99 ms`,
        "errors"
      ],
      rows: (["link", "resolve"] as const).flatMap((operation) =>
        clientCounts.map((clients) => {
          const library = of(operation, "library", clients)
          const spread = of(operation, workersVia, clients)
          return [
            `${operation}, ${clients}`,
            whole(medianOf(library, "perSecond")),
            whole(medianOf(of(operation, "HTTP", clients), "perSecond")),
            whole(medianOf(spread, "perSecond")),
            percent(pairedRatio(spread, library, "perSecond")),
            millis(medianOf(spread, "p50")),
            millis(medianOf(spread, "p99")),
            whole(totalOf(spread, "failures"))
          ]
        })
      )
    }

    const floor = {
      header: [
        "health check (GET /healthz): clients",
        "server /s",
        "plain Node /s",
        "server / plain Node (paired)",
        "server p50 ms",
        "server p99 ms",
        "plain Node p50 ms",
        "plain Node p99 ms",
        "errors (server/plain)"
      ],
      rows: clientCounts.map((clients) => {
        const http = of("health check", "HTTP", clients)
        const plainNode = of("health check", "plain Node", clients)
        return [
          String(clients),
          whole(medianOf(http, "perSecond")),
          whole(medianOf(plainNode, "perSecond")),
          percent(pairedRatio(http, plainNode, "perSecond")),
          millis(medianOf(http, "p50")),
          millis(medianOf(http, "p99")),
          millis(medianOf(plainNode, "p50")),
          millis(medianOf(plainNode, "p99")),
          `${whole(totalOf(http, "failures"))}/${whole(totalOf(plainNode, "failures"))}`
        ]
      })
    }

    const targets: Array<Target> = clientCounts.map((clients) => {
      const ratio = pairedRatio(of("link", "HTTP", clients), of("link", "library", clients), "perSecond")
      return {
        goal: `HTTP: link throughput over HTTP ≥ 80% of the library's (${clients} client${clients === 1 ? "" : "s"})`,
        measured: percent(ratio),
        met: Number.isFinite(ratio) ? ratio >= 0.8 : undefined
      }
    })
    const resolveP99 = medianOf(of("resolve", "HTTP", 64), "p99")
    targets.push({
      goal: "HTTP: resolve p99 under 20 ms at 64 clients (answers kept while the log's head stays put)",
      measured: `${millis(resolveP99)} ms`,
      met: Number.isFinite(resolveP99) ? resolveP99 < 20 : undefined
    })
    if (workers !== undefined) {
      const ratio = pairedRatio(of("link", workersVia, 64), of("link", "library", 64), "perSecond")
      targets.push({
        goal: `HTTP: link throughput ≥ 80% of the library's at 64 clients, through \`serve --workers ${workerCount}\``,
        measured: percent(ratio),
        met: Number.isFinite(ratio) ? ratio >= 0.8 : undefined
      })
      const p99 = medianOf(of("resolve", workersVia, 64), "p99")
      targets.push({
        goal: `HTTP: resolve p99 under 20 ms at 64 clients, through \`serve --workers ${workerCount}\``,
        measured: `${millis(p99)} ms`,
        met: Number.isFinite(p99) ? p99 < 20 : undefined
      })
    }
    const notKeptP99 = medianOf(of("resolve, not kept", "HTTP", 64), "p99")
    targets.push({
      goal: "HTTP: resolve p99 under 20 ms at 64 clients, every resolve running its queries (as after any write)",
      measured: `${millis(notKeptP99)} ms`,
      met: Number.isFinite(notKeptP99) ? notKeptP99 < 20 : undefined
    })
    options.log("http: remote `registrar resolve` start to exit")
    const remote = await remoteResolve(base, key, resolveName(0), Math.max(11, options.runs))
    targets.push({
      goal: "HTTP: remote `registrar resolve` from start to exit under 0.4 s (after `registrar login`)",
      measured:
        remote === undefined
          ? "not measured: the CLI is not built (`pnpm build`)"
          : `${millis(remote.login)} ms (median, ${Cli.runs()}; with \`REGISTRAR_API_KEY\` instead of a login ${millis(remote.environment)} ms; \`node bin/registrar.js\` (the bundle without the snapshot) ${millis(remote.script)} ms; \`node -e 0\` in the same runs ${millis(remote.node)} ms)`,
      met: remote === undefined ? undefined : remote.login < 400
    })
    const firstFailure = Object.values(rounds)
      .flat()
      .some((measured) => (measured.failures ?? 0) > 0)
    return {
      title: "8. The HTTP server against the library (PostgreSQL server)",
      method: [
        `Registrar over \`PgStore.layer\` (schema \`${Postgres.Schemas.http}\`, pool ${options.poolSize}) and \`@registrar/server\` on 127.0.0.1 on the same \`Registrar\` service (same pool and caches), in this process, its request log written to a file line by line as \`registrar serve\` writes its own. The HTTP clients run on a worker thread of this process (one keep-alive connection over loopback per client, each opened by an untimed health check before the run's clock starts, as a running service's clients have theirs open; each request written whole and its answer read by its status line and length, a few tens of microseconds of CPU per request where Node's own \`http\` client took 80–400), so their CPU is not spent on the server's event loop, as it is not when clients are elsewhere; the library's clients are calls on the service's own event loop. The machine's two cores are shared by the server, the clients and PostgreSQL.`,
        `\`${workersVia}\`: the CLI binary as a user starts it (\`registrar serve --database-url … --schema ${Postgres.Schemas.http} --workers ${workerCount} --pool-size ${options.poolSize}\`), two server processes sharing one port over the same schema, its request log written to a file; measured for link and kept resolve in the same rounds. Its ratio is against the library in one process: what a deployment that gives the server every core gets, not the HTTP stack's own cost (the one-process columns above say that).`,
        `Closed-loop clients for ${options.seconds} s per run; the ${clientCounts.length * 8} contenders (operation × path × clients) alternate in rotated order within each round.`,
        `Before each run the read models are brought up to the log (outside the measurement). Link: a fresh source version per operation, spread over ${linkCollections} fresh collections per run, as the member (HTTP: POST …/collections/C/links with the member's API key). Resolve: \`ORG/wandb-registry-R/resolve:vN\` over ${resolvable} linked versions (HTTP: GET /resolve); nothing is written during a resolve run, so the service answers most resolves from the answers it keeps while the log's head stays put (one read of the head each). "resolve, not kept" is a second service and server over the same stores with \`keepAnswers: false\`: every resolve runs its queries, as every resolve does right after a write. The health check (no key, no store) is the floor: what the HTTP stack (Node's server, the platform's router and middleware, the request log) costs any request on this machine, measured in the same rounds, beside Node's own \`http\` server answering the same body with no framework ("plain Node", a server of its own on this process's event loop), the most any server written for Node could reach here.`,
        `Remote \`registrar resolve\` (the targets' last line): after the rounds, the CLI binary (\`packages/cli-demo/bin/registrar\`, as a user runs it) against the same server as the member, after \`registrar login\` (the key on stdin, kept in a configuration directory of the run's own) and, beside it, with the key in \`REGISTRAR_API_KEY\` and no login (the command then asks the server whose key it is, \`GET /me\`, before resolving), and after the login \`node bin/registrar.js\` (the bundle without the startup snapshot); ${Math.max(11, options.runs)} rounds after a warm-up, each running the three and \`node -e 0\` (Node's own start and exit, the floor of any command), so that all four see the same background load; medians of the times from spawn to exit.`
      ],
      tables: [
        table("link"),
        table("resolve"),
        table("resolve, not kept"),
        ...(workers === undefined ? [] : [workersTable]),
        floor
      ],
      targets,
      notes: firstFailure ? ["Some operations failed: see the errors columns."] : []
    }
  } finally {
    await Effect.runPromise(Scope.close(scope, Exit.void))
    await runtime.dispose()
  }
}
