/**
 * Where a rebuild spends its time: grows a history once in schema `registrar_bench_rebuild_profile` (kept between
 * runs), then alternates `Projector.rebuild()` with the bare read of section 4 and prints both speeds. Run under
 * `node --cpu-prof` to see the rebuild's CPU. EVENTS (default 200000), ROUNDS (default 2); STAGES=1 logs when each stage of the rebuild ends.
 */
import { performance } from "node:perf_hooks"
import { Projector } from "@registrar/domain"
import { Logger, LogLevel } from "effect"
import * as Cpu from "./internal/Cpu.js"
import * as History from "./internal/History.js"
import * as Postgres from "./internal/Postgres.js"
import * as Stores from "./internal/Stores.js"
import { readFeed } from "./Rebuild.js"

const url = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test"
const schema = "registrar_bench_rebuild_profile"
const events = Number(process.env.EVENTS ?? 200_000)
const rounds = Number(process.env.ROUNDS ?? 2)
const stages = process.env.STAGES === "1"

const stored = async (): Promise<number> => {
  try {
    return Number((await Postgres.query(url, `SELECT count(*) AS n FROM "${schema}".events`)).rows[0]?.n ?? 0)
  } catch {
    return 0
  }
}

const main = async () => {
  if ((await stored()) < events) {
    const history = await History.start(url, schema, 4)
    await history.growTo(events, console.log)
    await history.close()
  }
  const runtime = Stores.onPostgres({
    url: Cpu.withApplicationName(url, "registrar-bench-rebuild"),
    schema,
    poolSize: 4
  })
  const cpu = await Cpu.monitor(url)
  const reader = Postgres.pool(url, 4, "registrar-bench-read")
  const bareRead = () => readFeed(reader, schema)
  const timed = async (name: string, body: () => Promise<number>) => {
    const stop = await cpu.start(name === "read" ? "registrar-bench-read" : "registrar-bench-rebuild")
    const began = performance.now()
    const count = await body()
    const seconds = (performance.now() - began) / 1000
    const used = await stop()
    console.log(
      `${name}: ${count} events in ${seconds.toFixed(2)} s = ${Math.round(count / seconds)} events/s; CPU µs/event node ${((1000 * used.clientMillis) / count).toFixed(1)}, server ${((1000 * used.serverMillis) / count).toFixed(1)}`
    )
    return count / seconds
  }
  for (let round = 0; round < rounds; round++) {
    const rebuilt = await timed("rebuild", () =>
      runtime.runPromise(Projector.rebuild().pipe(Logger.withMinimumLogLevel(stages ? LogLevel.Debug : LogLevel.Info)))
    )
    const read = await timed("read", bareRead)
    console.log(`  ratio ${((100 * rebuilt) / read).toFixed(1)}%`)
  }
  await reader.end()
  await cpu.close()
  await runtime.dispose()
}

await main()
