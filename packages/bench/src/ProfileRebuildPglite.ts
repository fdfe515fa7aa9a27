/**
 * The rebuild on PGlite, the CLI's embedded store: a history of EVENTS (default 100000, in blocks of 10,000 as section
 * 4's) in an in-memory PGlite, then ROUNDS (default 2) rounds alternating `Projector.rebuild()` beside the log with
 * the plain rebuild (the same store without `rebuildBesideLog`), printing both speeds.
 */
import { performance } from "node:perf_hooks"
import { PGlite } from "@electric-sql/pglite"
import { PgStore } from "@registrar/adapters-pg"
import { EventStore, Projector, ReadModelStore, Registrar } from "@registrar/domain"
import { Effect, Layer, ManagedRuntime } from "effect"
import { createWorld } from "./internal/Fixtures.js"
import { appendBlock } from "./internal/History.js"

const events = Number(process.env.EVENTS ?? 100_000)
const rounds = Number(process.env.ROUNDS ?? 2)

const main = async () => {
  const client = await PGlite.create()
  const runtime = ManagedRuntime.make(Registrar.layer().pipe(Layer.provideMerge(PgStore.layerPglite({ client }))))
  const registrar = await runtime.runPromise(Registrar)
  const store = await runtime.runPromise(EventStore)
  const world = await Effect.runPromise(createWorld(registrar))
  for (let block = 0; block * 10_000 < events; block++) await Effect.runPromise(appendBlock(store, world, block))
  const plain = Effect.flatMap(ReadModelStore, ({ rebuildBesideLog: _, ...rest }) =>
    Projector.rebuild().pipe(Effect.provideService(ReadModelStore, rest))
  )
  const timed = async (name: string, rebuild: Effect.Effect<number, unknown, ReadModelStore | EventStore>) => {
    const began = performance.now()
    const count = await runtime.runPromise(rebuild)
    const seconds = (performance.now() - began) / 1000
    console.log(`${name}: ${count} events in ${seconds.toFixed(2)} s = ${Math.round(count / seconds)} events/s`)
    return seconds
  }
  for (let round = 0; round < rounds; round++) {
    const beside = await timed("beside the log", Projector.rebuild())
    const plainSeconds = await timed("plain", plain)
    console.log(`  beside the log takes ${((100 * beside) / plainSeconds).toFixed(0)}% of the plain rebuild's time`)
  }
  await runtime.dispose()
  await client.close()
}

await main()
