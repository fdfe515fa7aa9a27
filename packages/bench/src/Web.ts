/**
 * The Registry App: time to first render of a collection page with 1,000 linked versions, in Debian's headless
 * Chromium (playwright-core) against the server (`@registrar/server` with the built app, on the PostgreSQL server),
 * and the size of the app's JavaScript, gzipped. Targets of issue 14: first render under 1 s, app under 300 KB gzip.
 */
import { randomBytes } from "node:crypto"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { gzipSync } from "node:zlib"
import { fileURLToPath } from "node:url"
import { PgBlobStore } from "@registrar/adapters-pg"
import { ApiKey, EventStore, Registrar } from "@registrar/domain"
import { Server } from "@registrar/server"
import { Effect, Exit, Layer, Scope } from "effect"
import { chromium } from "playwright-core"
import { createCollections, createWorld, seedLinks } from "./internal/Fixtures.js"
import { median } from "./internal/Measure.js"
import * as Postgres from "./internal/Postgres.js"
import { millis, type Section } from "./internal/Report.js"
import * as Stores from "./internal/Stores.js"

/** Options of the web scenario. */
export interface WebOptions {
  readonly url: string
  readonly poolSize: number
  readonly runs: number
  readonly log: (line: string) => void
}

/** The built app (`pnpm build` makes it). */
export const appDirectory = fileURLToPath(new URL("../../web/dist/app/", import.meta.url))

/** Versions in the measured collection. */
export const VERSIONS = 1000

/** Rows the collection page draws at first (packages/web's VersionsTable PAGE); the rest are behind "Show more". */
const SHOWN = 100

/** The app's JavaScript: every chunk, and the chunks the first page loads (those index.html names). */
export const javaScriptSizes = () => {
  const assets = `${appDirectory}assets/`
  const index = readFileSync(`${appDirectory}index.html`, "utf8")
  const chunks = readdirSync(assets)
    .filter((name) => name.endsWith(".js"))
    .map((name) => {
      const bytes = readFileSync(`${assets}${name}`)
      return { name, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length, entry: index.includes(name) }
    })
  const sum = (list: ReadonlyArray<{ readonly raw: number; readonly gzip: number }>) => ({
    raw: list.reduce((total, chunk) => total + chunk.raw, 0),
    gzip: list.reduce((total, chunk) => total + chunk.gzip, 0)
  })
  return { chunks, all: sum(chunks), entry: sum(chunks.filter((chunk) => chunk.entry)) }
}

const kilobytes = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`

/** Measures first render and sizes. */
export const run = async (options: WebOptions): Promise<Section> => {
  if (!existsSync(`${appDirectory}index.html`)) throw new Error("the web app is not built: run `pnpm build` first")
  const sizes = javaScriptSizes()
  await Postgres.dropSchema(options.url, Postgres.Schemas.web)
  const runtime = Stores.onPostgres({ url: options.url, schema: Postgres.Schemas.web, poolSize: options.poolSize })
  const scope = Effect.runSync(Scope.make())
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run"]
  })
  try {
    const { registrar, store } = await Stores.servicesOf(runtime)
    options.log(`web: seeding a collection of ${VERSIONS} versions`)
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
        Server.layer({ port: 0, host: "127.0.0.1", log: () => Effect.void, webRoot: appDirectory }).pipe(
          Layer.provide(Layer.succeed(Registrar, registrar)),
          Layer.provide(Layer.succeed(EventStore, store)),
          Layer.provide(PgBlobStore.layer({ url: options.url, schema: Postgres.Schemas.web, poolSize: 2 }))
        ),
        scope
      )
    )
    const base = `http://127.0.0.1:${Effect.runSync(Effect.provide(Server.boundPort, context))}`
    const page = `${base}/ui/r/${world.registry}/c/${collection!.name}`
    const last = `tr[data-version="v${VERSIONS - 1}"]`

    // One session for every run; each run opens the page in a new tab, with the assets cached as a returning
    // visitor's are (they are immutable); the first, cold run is reported apart.
    const session = await browser.newContext()
    const signedIn = await session.request.post(`${base}/session`, { data: { key } })
    if (!signedIn.ok()) throw new Error(`signing in failed: ${signedIn.status()}`)
    // Where the time of the last run went, by the page's own clock (ms since navigation start).
    let breakdown = { script: 0, me: 0, versionsAsked: 0, versions: 0, rendered: 0 }
    const mainThread: Array<number> = []
    const once = async () => {
      const tab = await session.newPage()
      const cdp = await session.newCDPSession(tab)
      await cdp.send("Performance.enable")
      const started = performance.now()
      await tab.goto(page, { waitUntil: "commit" })
      await tab.locator(last).waitFor({ state: "attached", timeout: 30_000 })
      const elapsed = performance.now() - started
      // How long the renderer's main thread was busy (Chromium's TaskDuration: wall time inside tasks, so the
      // machine's load stretches it too, but network waits are left out).
      const { metrics } = await cdp.send("Performance.getMetrics")
      const taskSeconds = metrics.find((metric) => metric.name === "TaskDuration")?.value ?? Number.NaN
      mainThread.push(taskSeconds * 1000)
      const rows = await tab.locator("tr[data-version]").count()
      // A string, not a function: tsx would wrap a function with helpers the page does not have.
      breakdown = (await tab.evaluate(`(() => {
        const entry = (part) => performance.getEntriesByType("resource").find((found) => found.name.includes(part))
        const ends = (part) => Math.round(entry(part)?.responseEnd ?? -1)
        return { script: ends("/assets/index-"), me: ends("/me"), versionsAsked: Math.round(entry("/versions?")?.startTime ?? -1), versions: ends("/versions?"), rendered: Math.round(performance.now()) }
      })()`)) as typeof breakdown
      await tab.close()
      // The table draws the newest rows first and the rest behind "Show more".
      if (rows !== Math.min(VERSIONS, SHOWN)) throw new Error(`the page drew ${rows} rows, not ${SHOWN}`)
      return elapsed
    }
    const cold = await once()
    const warm: Array<number> = []
    for (let round = 0; round < options.runs; round++) warm.push(await once())
    options.log(
      `web: first render cold ${millis(cold)} ms, warm median ${millis(median(warm))} ms, main thread ${millis(median(mainThread.slice(1)))} ms; last run ${JSON.stringify(breakdown)}`
    )
    const firstRender = median(warm)
    return {
      title: "10. The Registry App",
      method: [
        `A collection of ${VERSIONS} linked versions on the PostgreSQL server, served by \`@registrar/server\` with the built app (packages/web/dist/app) in this process; Debian's headless Chromium driven by playwright-core, signed in once (POST /session).`,
        `First render: from \`page.goto\` of the collection page to the row of v${VERSIONS - 1} in the DOM (index.html, the script, GET /me and the organization (asked together), then the collection with its version count and its newest ${SHOWN} versions (asked together), then React's render of the table: ${SHOWN} rows, the older versions behind "Show more"). The first run has a cold cache; the reported figure is the median of ${options.runs} runs after it, each in a new tab of the same session (the hashed assets cached, as for a returning visitor).`,
        "JavaScript size: every .js file the build wrote (the lazily loaded version page and lineage layout included), gzip level 9; the entry row is what the first page loads."
      ],
      tables: [
        {
          header: ["measure", "value"],
          rows: [
            [`first render, ${VERSIONS} versions (median of ${options.runs})`, `${millis(firstRender)} ms`],
            ["first render, cold cache (one run)", `${millis(cold)} ms`],
            ["every run (ms)", warm.map((value) => millis(value)).join(", ")],
            [
              "the page's main thread busy until then (median; Chromium's TaskDuration, wall time inside tasks)",
              `${millis(median(mainThread.slice(1)))} ms`
            ],
            ["app JavaScript, all chunks (gzip / raw)", `${kilobytes(sizes.all.gzip)} / ${kilobytes(sizes.all.raw)}`],
            ["loaded by the first page (gzip / raw)", `${kilobytes(sizes.entry.gzip)} / ${kilobytes(sizes.entry.raw)}`]
          ]
        },
        {
          header: ["chunk", "gzip", "raw"],
          rows: sizes.chunks.map((chunk) => [
            `${chunk.name}${chunk.entry ? " (entry)" : ""}`,
            kilobytes(chunk.gzip),
            kilobytes(chunk.raw)
          ])
        }
      ],
      targets: [
        {
          goal: `Registry App: first render of a collection with ${VERSIONS} versions < 1 s`,
          measured: `${millis(firstRender)} ms`,
          met: firstRender < 1000
        },
        {
          goal: "Registry App: JavaScript < 300 KB gzip",
          measured: kilobytes(sizes.all.gzip),
          met: sizes.all.gzip < 300 * 1024
        }
      ],
      notes: [
        `Where the last run's time went (the page's clock, ms from navigation): the entry script loaded at ${breakdown.script}, GET /me answered at ${breakdown.me}, the ${VERSIONS} versions were asked for at ${breakdown.versionsAsked} and arrived at ${breakdown.versions}, the table was in the DOM at ${breakdown.rendered}.`
      ]
    }
  } finally {
    await browser.close()
    await Effect.runPromise(Scope.close(scope, Exit.void))
    await runtime.dispose()
  }
}
