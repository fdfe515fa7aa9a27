/**
 * Where an HTTP request's time goes: section 8's server (PostgreSQL server, schema `registrar_bench_http_profile`)
 * with a collection of 50 linked versions, then load runs from a worker thread, alternating the operations named in
 * OPS (default `healthz,resolve`; `me` asks who the key's user is: the key check alone; `link` links fresh source
 * versions into 64 collections; `liblink` does the same through the library, in this thread), each printing
 * requests/s, p50, p99 and CPU per request: this process's (then split into the main thread's, which serves, the
 * clients' thread's and the other threads', V8's collector and libuv's helpers), the server thread's busy share
 * (event-loop utilisation) and PostgreSQL's backends'. CLIENTS (default 64),
 * RUN_SECONDS per run (default 3), ROUNDS (default 2). CPU_PROFILE=DIR writes a CPU profile of this thread for each
 * run of the last round (DIR/OP.cpuprofile, the measured run only: no set-up, no warm-up); HEAP_PROFILE=DIR a
 * sampling allocation profile instead (DIR/OP.heapprofile, objects already collected included, so it shows what
 * each request allocates, not what it keeps). Both open in Chrome's DevTools.
 */
import { randomBytes } from "node:crypto"
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { Session } from "node:inspector/promises"
import { PgBlobStore } from "@registrar/adapters-pg"
import { ApiKey, EventStore, Registrar } from "@registrar/domain"
import { Server } from "@registrar/server"
import { Effect, Exit, Layer, Scope } from "effect"
import pg from "pg"
import * as Cpu from "./internal/Cpu.js"
import { createCollections, createWorld, seedSources } from "./internal/Fixtures.js"
import * as HttpClients from "./internal/HttpClients.js"
import { done, drive, failed, type Load } from "./internal/Measure.js"
import * as Postgres from "./internal/Postgres.js"
import * as Stores from "./internal/Stores.js"

const url = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test"
const schema = "registrar_bench_http_profile"
const clients = Number(process.env.CLIENTS ?? 64)
const seconds = Number(process.env.RUN_SECONDS ?? 3)
const rounds = Number(process.env.ROUNDS ?? 2)
const operations = (process.env.OPS ?? "healthz,resolve").split(",")
const profileDir = process.env.CPU_PROFILE ?? process.env.HEAP_PROFILE
const heapProfile = process.env.HEAP_PROFILE !== undefined

/** Starts profiling this thread; the returned function stops and writes the profile to a file. */
const startProfile = async () => {
  const session = new Session()
  session.connect()
  if (heapProfile) {
    await session.post("HeapProfiler.enable")
    await session.post("HeapProfiler.startSampling", {
      samplingInterval: 4096,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true
    })
  } else {
    await session.post("Profiler.enable")
    await session.post("Profiler.start")
  }
  return async (file: string) => {
    const { profile } = heapProfile
      ? await session.post("HeapProfiler.stopSampling")
      : await session.post("Profiler.stop")
    mkdirSync(profileDir!, { recursive: true })
    writeFileSync(heapProfile ? file.replace(/\.cpuprofile$/, ".heapprofile") : file, JSON.stringify(profile))
    session.disconnect()
  }
}

/** CPU ticks (user and system) of each thread of this process, by thread id (the main thread's is the pid). */
const threadTicks = (): Map<string, { readonly user: number; readonly system: number }> => {
  const ticks = new Map<string, { readonly user: number; readonly system: number }>()
  for (const task of readdirSync("/proc/self/task")) {
    try {
      const stat = readFileSync(`/proc/self/task/${task}/stat`, "utf8")
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
      ticks.set(task, { user: Number(fields[11]), system: Number(fields[12]) })
    } catch {
      // The thread ended meanwhile.
    }
  }
  return ticks
}

/** CPU per request of the main thread, the clients' thread and every other thread (V8's and libuv's helpers). */
const byThread = (
  before: ReturnType<typeof threadTicks>,
  after: ReturnType<typeof threadTicks>,
  clientsThread: string | undefined,
  operations: number
) => {
  const sums = { main: [0, 0], clients: [0, 0], other: [0, 0] }
  for (const [task, now] of after) {
    const then = before.get(task) ?? { user: 0, system: 0 }
    const sum = task === String(process.pid) ? sums.main : task === clientsThread ? sums.clients : sums.other
    sum[0]! += now.user - then.user
    sum[1]! += now.system - then.system
  }
  // Ticks are 10 ms.
  const per = ([user, system]: Array<number>) =>
    `${Math.round((user! * 10_000) / Math.max(1, operations))}+${Math.round((system! * 10_000) / Math.max(1, operations))}`
  return `main ${per(sums.main)}, clients ${per(sums.clients)}, other threads ${per(sums.other)}`
}

const report = (
  name: string,
  result: Load,
  used: Cpu.CpuTime,
  loop: { readonly utilization: number },
  statements: number
) => {
  const at = (q: number) =>
    result.latencies[Math.min(result.latencies.length - 1, Math.floor(q * result.latencies.length))] ?? 0
  const perRequest = (millis: number) => `${((millis * 1000) / Math.max(1, result.operations)).toFixed(0)} µs`
  const serverThread = perRequest(loop.utilization * result.seconds * 1000)
  console.log(
    `${name}: ${Math.round(result.operations / result.seconds)}/s p50 ${at(0.5).toFixed(2)} ms p99 ${at(0.99).toFixed(2)} ms; CPU per request: process ${perRequest(used.clientMillis)}, server thread busy ${serverThread}, PostgreSQL ${perRequest(used.serverMillis)}; statements per request ${(statements / Math.max(1, result.operations)).toFixed(2)}; failures ${result.failures}${result.firstFailure ? ` (${result.firstFailure})` : ""}`
  )
}

const main = async () => {
  await Postgres.dropSchema(url, schema)
  const applicationName = "registrar-bench-http-profile"
  const runtime = Stores.onPostgres({ url: Cpu.withApplicationName(url, applicationName), schema, poolSize: 16 })
  const cpu = await Cpu.monitor(url)
  const counter = new pg.Client({ connectionString: url })
  await counter.connect()
  // Committed transactions of the database: every statement outside an explicit transaction is one.
  const transactions = async () =>
    Number(
      (
        await counter.query<{ n: string }>(
          "SELECT pg_stat_force_next_flush(), (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()) AS n"
        )
      ).rows[0]?.n ?? 0
    )
  const scope = Effect.runSync(Scope.make())
  const { registrar, store } = await Stores.servicesOf(runtime)
  const world = await Effect.runPromise(createWorld(registrar, "profile"))
  const linking = operations.includes("link") || operations.includes("liblink")
  const sources = await Effect.runPromise(seedSources(store, world, linking ? 120 : 5, linking ? 250 : 10))
  const { key } = await Effect.runPromise(
    registrar.createApiKey({ actor: world.member, user: world.member, random: randomBytes(ApiKey.RANDOM_BYTES) })
  )
  const [collection] = await Effect.runPromise(createCollections(registrar, store, world, ["resolve"]))
  for (const source of sources.slice(0, 50)) {
    await Effect.runPromise(registrar.link({ actor: world.member, source, target: collection!.target }))
  }
  const context = await Effect.runPromise(
    Layer.buildWithScope(
      Server.layer({ port: 0, host: "127.0.0.1", log: () => Effect.void }).pipe(
        Layer.provide(Layer.succeed(Registrar, registrar)),
        Layer.provide(Layer.succeed(EventStore, store)),
        Layer.provide(PgBlobStore.layer({ url, schema, poolSize: 2 }))
      ),
      scope
    )
  )
  const base = `http://127.0.0.1:${Effect.runSync(Effect.provide(Server.boundPort, context))}`
  const resolvePath = (version: number) =>
    `/resolve?name=${encodeURIComponent(`${world.organization}/wandb-registry-${world.registry}/resolve:v${version}`)}`
  const targets = linking
    ? await Effect.runPromise(
        createCollections(
          registrar,
          store,
          world,
          Array.from({ length: 64 }, (_, index) => `link-${index}`)
        )
      )
    : []
  const links = sources.slice(50).map((source, ticket) => ({
    method: "POST" as const,
    path: `/organizations/${world.organization}/registries/${world.registry}/collections/${targets[ticket % 64]?.name}/links`,
    body: JSON.stringify({ source })
  }))
  let nextLink = 0
  const loads: Record<string, { headers: Record<string, string>; requests: Array<HttpClients.HttpRequest> }> = {
    healthz: { headers: {}, requests: [{ method: "GET" as const, path: "/healthz" }] },
    me: { headers: { authorization: `Bearer ${key}` }, requests: [{ method: "GET" as const, path: "/me" }] },
    resolve: {
      headers: { authorization: `Bearer ${key}` },
      requests: Array.from({ length: 50 }, (_, version) => ({ method: "GET" as const, path: resolvePath(version) }))
    }
  }
  const workers = HttpClients.start()
  const linkThroughLibrary = () =>
    drive({
      clients,
      seconds,
      maxOperations: links.length - nextLink,
      operation: async (_client, ticket) => {
        const source = sources[50 + nextLink++]
        const exit = await Effect.runPromiseExit(
          registrar.link({ actor: world.member, source: source!, target: targets[ticket % 64]!.target })
        )
        return Exit.isSuccess(exit) ? done(1) : failed(String(exit.cause))
      }
    })
  let clientsThread: string | undefined
  const throughHttp = async (name: string) => {
    const link = name === "link"
    const load = link
      ? {
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          // As many as a run could send: copying every remaining one to the clients' thread left garbage behind.
          requests: links.slice(nextLink, nextLink + seconds * 1_000)
        }
      : loads[name]
    if (load === undefined) throw new Error(`OPS names ${name}; known: healthz, me, resolve, link, liblink`)
    const { load: result, sent, thread } = await workers.run({ base, clients, seconds, cycle: !link, ...load })
    clientsThread = thread
    if (link) nextLink += sent
    return result
  }
  for (let round = 0; round < rounds; round++) {
    for (const name of operations) {
      await Effect.runPromise(registrar.catchUp)
      const xactsBefore = await transactions()
      const profiling = profileDir !== undefined && round === rounds - 1 ? await startProfile() : undefined
      const stop = await cpu.start(applicationName)
      const loopBefore = performance.eventLoopUtilization()
      const threadsBefore = threadTicks()
      const result = name === "liblink" ? await linkThroughLibrary() : await throughHttp(name)
      report(
        name,
        result,
        await stop(),
        performance.eventLoopUtilization(loopBefore),
        (await transactions()) - xactsBefore
      )
      console.log(
        `  CPU per request by thread (user+system µs): ${byThread(threadsBefore, threadTicks(), clientsThread, result.operations)}`
      )
      if (profiling !== undefined) await profiling(`${profileDir}/${name}.cpuprofile`)
    }
  }
  await workers.close()
  await cpu.close()
  await counter.end()
  await Effect.runPromise(Scope.close(scope, Exit.void))
  await runtime.dispose()
  await Postgres.dropSchema(url, schema)
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
