/**
 * Where the Registry App's first render goes: the web scenario's setup, then runs printing every resource's timing
 * and, with --trace PATH, a Chromium performance trace of the last run.
 */
import { randomBytes } from "node:crypto"
import { writeFileSync } from "node:fs"
import { PgBlobStore } from "@registrar/adapters-pg"
import { ApiKey, EventStore, Registrar } from "@registrar/domain"
import { Server } from "@registrar/server"
import { Effect, Layer, Scope } from "effect"
import { chromium } from "playwright-core"
import { createCollections, createWorld, seedLinks } from "./internal/Fixtures.js"
import * as Postgres from "./internal/Postgres.js"
import * as Stores from "./internal/Stores.js"
import { appDirectory, VERSIONS } from "./Web.js"

const url = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test"
const args = process.argv.slice(2)
const runs = Number(args[args.indexOf("--runs") + 1] ?? 5) || 5
const tracePath = args.includes("--trace") ? args[args.indexOf("--trace") + 1] : undefined
const profilePath = args.includes("--profile") ? args[args.indexOf("--profile") + 1] : undefined
const schema = "bench_web_profile"

await Postgres.dropSchema(url, schema)
const runtime = Stores.onPostgres({ url, schema, poolSize: 16 })
const scope = Effect.runSync(Scope.make())
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run"]
})
const { registrar, store } = await Stores.servicesOf(runtime)
const world = await Effect.runPromise(createWorld(registrar, "web"))
const [collection] = await Effect.runPromise(createCollections(registrar, store, world, ["Thousand"]))
await Effect.runPromise(seedLinks(store, world, collection!, VERSIONS))
await Effect.runPromise(registrar.catchUp)
const key = (
  await Effect.runPromise(
    registrar.createApiKey({ actor: world.member, user: world.member, random: randomBytes(ApiKey.RANDOM_BYTES) })
  )
).key
const context = await Effect.runPromise(
  Layer.buildWithScope(
    Server.layer({
      port: 0,
      host: "127.0.0.1",
      log: () => Effect.void,
      webRoot: process.env.WEB_ROOT ?? appDirectory
    }).pipe(
      Layer.provide(Layer.succeed(Registrar, registrar)),
      Layer.provide(Layer.succeed(EventStore, store)),
      Layer.provide(PgBlobStore.layer({ url, schema, poolSize: 2 }))
    ),
    scope
  )
)
const base = `http://127.0.0.1:${Effect.runSync(Effect.provide(Server.boundPort, context))}`
const page = `${base}/ui/r/${world.registry}/c/${collection!.name}`
const last = `tr[data-version="v${VERSIONS - 1}"]`
const session = await browser.newContext()
await session.request.post(`${base}/session`, { data: { key } })
const quiet = args.includes("--quiet")
const times: Array<number> = []
for (let round = 0; round <= runs; round++) {
  const tab = await session.newPage()
  const cdp = await session.newCDPSession(tab)
  await cdp.send("Performance.enable")
  const traced = round === runs && tracePath !== undefined
  const profiled = round === runs && profilePath !== undefined
  if (traced)
    await browser.startTracing(tab, {
      path: tracePath,
      screenshots: false,
      categories: [
        "devtools.timeline",
        "disabled-by-default-devtools.timeline",
        "v8",
        "v8.execute",
        "blink.user_timing",
        "loading",
        "disabled-by-default-v8.cpu_profiler"
      ]
    })
  if (profiled) {
    await cdp.send("Profiler.enable")
    await cdp.send("Profiler.setSamplingInterval", { interval: 100 })
    await cdp.send("Profiler.start")
  }
  const started = performance.now()
  await tab.goto(page, { waitUntil: "commit" })
  await tab.locator(last).waitFor({ state: "attached", timeout: 30_000 })
  const elapsed = performance.now() - started
  if (traced) await browser.stopTracing()
  if (profiled) {
    const { profile } = await cdp.send("Profiler.stop")
    writeFileSync(profilePath!, JSON.stringify(profile))
  }
  const { metrics } = await cdp.send("Performance.getMetrics")
  const metric = (name: string) => Math.round((metrics.find((m) => m.name === name)?.value ?? Number.NaN) * 1000)
  const entries = (await tab.evaluate(
    `(() => performance.getEntriesByType("resource").map((e) => [e.name.replace(location.origin, "").slice(0, 60), Math.round(e.startTime), Math.round(e.requestStart), Math.round(e.responseStart), Math.round(e.responseEnd)]).concat(performance.getEntriesByType("navigation").map((e) => ["(nav)", 0, Math.round(e.requestStart), Math.round(e.responseStart), Math.round(e.responseEnd), Math.round(e.domContentLoadedEventEnd)])).concat(performance.getEntriesByType("mark").map((e) => ["mark " + e.name, Math.round(e.startTime)])).concat([["now", Math.round(performance.now())]]))()`
  )) as Array<Array<unknown>>
  console.log(
    `run ${round}: ${Math.round(elapsed)} ms, task ${metric("TaskDuration")} script ${metric("ScriptDuration")} layout ${metric("LayoutDuration")} style ${metric("RecalcStyleDuration")}`
  )
  if (round > 0) times.push(elapsed)
  if (!quiet) for (const entry of entries) console.log(`   ${entry.join("  ")}`)
  await tab.close()
}
times.sort((a, b) => a - b)
console.log(
  `median of ${times.length}: ${Math.round(times[times.length >> 1]!)} ms (${times.map(Math.round).join(", ")})`
)
const apiRounds = Number(process.env.API_ROUNDS ?? 20)
if (args.includes("--api")) {
  // Each request the page makes, timed alone from this process.
  const cookie = (await session.cookies()).map((c) => `${c.name}=${c.value}`).join("; ")
  const api = [
    "/me",
    "/registries?limit=1",
    `/organizations/${world.organization}/registries/${world.registry}/collections/${collection!.name}`,
    `/organizations/${world.organization}/registries/${world.registry}/collections/${collection!.name}/versions?order=desc&limit=100`
  ]
  for (const path of api) {
    const times: Array<number> = []
    for (let i = 0; i < apiRounds; i++) {
      const started = performance.now()
      const response = await fetch(`${base}${path}`, { headers: { cookie } })
      await response.arrayBuffer()
      if (!response.ok) throw new Error(`${path}: ${response.status}`)
      times.push(performance.now() - started)
    }
    times.sort((a, b) => a - b)
    console.log(
      `${path.slice(0, 70)}: median ${times[times.length >> 1]!.toFixed(1)} ms, min ${times[0]!.toFixed(1)} ms`
    )
  }
}
await browser.close()
await Effect.runPromise(Scope.close(scope, Effect.runSync(Effect.exit(Effect.void))))
await runtime.dispose()
