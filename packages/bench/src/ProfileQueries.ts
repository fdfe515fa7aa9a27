/**
 * Where a resolve, an authentication and a link spend their time: every call they make on the EventStore and the
 * ReadModelStore, counted and timed, one operation at a time, on the PostgreSQL server (schema
 * `registrar_bench_profile`). Run: `pnpm --filter @registrar/bench profile` (KEEP=0: resolve with `keepAnswers: false`).
 */
import { randomBytes } from "node:crypto"
import { PgStore } from "@registrar/adapters-pg"
import { ApiKey, EventStore, ReadModelStore, Registrar, SnapshotStore } from "@registrar/domain"
import { Context, Effect, Layer, ManagedRuntime } from "effect"
import { createCollections, createWorld, seedSources } from "./internal/Fixtures.js"
import * as Postgres from "./internal/Postgres.js"

const url = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test"
const schema = "registrar_bench_profile"
const calls = new Map<string, { n: number; ms: number }>()
let recording = false
const wrap = <S extends object>(name: string, service: S): S => {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(service)) {
    if (typeof value === "function") {
      out[key] = (...args: Array<unknown>) => {
        const label = `${name}.${key}${key === "get" || key === "list" || key === "count" ? `(${String(args[0])})` : ""}`
        const effect = (value as (...a: Array<unknown>) => Effect.Effect<unknown>)(...args)
        return Effect.suspend(() => {
          const start = performance.now()
          return Effect.ensuring(
            effect,
            Effect.sync(() => {
              if (!recording) return
              const entry = calls.get(label) ?? { n: 0, ms: 0 }
              entry.n++
              entry.ms += performance.now() - start
              calls.set(label, entry)
            })
          )
        })
      }
    } else if (Effect.isEffect(value)) {
      const label = `${name}.${key}`
      out[key] = Effect.suspend(() => {
        const start = performance.now()
        return Effect.ensuring(
          value,
          Effect.sync(() => {
            if (!recording) return
            const entry = calls.get(label) ?? { n: 0, ms: 0 }
            entry.n++
            entry.ms += performance.now() - start
            calls.set(label, entry)
          })
        )
      })
    } else out[key] = value
  }
  return out as S
}

const instrumented = Layer.effectContext(
  Effect.map(Effect.context<EventStore | ReadModelStore | SnapshotStore>(), (context) =>
    Context.make(EventStore, wrap("events", Context.get(context, EventStore)))
      .pipe(Context.add(ReadModelStore, wrap("readModels", Context.get(context, ReadModelStore))))
      .pipe(Context.add(SnapshotStore, Context.get(context, SnapshotStore)))
  )
)

const report = (what: string, runs: number, elapsed: number) => {
  console.log(`\n== ${what}: ${(elapsed / runs).toFixed(2)} ms per op over ${runs}`)
  for (const [label, { n, ms }] of [...calls.entries()].sort((a, b) => b[1].ms - a[1].ms)) {
    console.log(`  ${label.padEnd(60)} ${(n / runs).toFixed(2)}/op ${(ms / runs).toFixed(2)} ms/op`)
  }
  calls.clear()
}

const main = async () => {
  await Postgres.dropSchema(url, schema)
  const runtime = ManagedRuntime.make(
    Registrar.layer({ keepAnswers: process.env.KEEP !== "0" }).pipe(
      Layer.provideMerge(instrumented),
      Layer.provideMerge(PgStore.layer({ url, schema, poolSize: 16 }))
    )
  )
  const { registrar, store } = await runtime.runPromise(Effect.all({ registrar: Registrar, store: EventStore }))
  const world = await Effect.runPromise(createWorld(registrar, "prof"))
  const sources = await Effect.runPromise(seedSources(store, world, 10, 100))
  const [collection] = await Effect.runPromise(createCollections(registrar, store, world, ["resolve"]))
  for (let i = 0; i < 50; i++) {
    await Effect.runPromise(registrar.link({ actor: world.member, source: sources[i]!, target: collection!.target }))
  }
  const key = (
    await Effect.runPromise(
      registrar.createApiKey({ actor: world.member, user: world.member, random: randomBytes(ApiKey.RANDOM_BYTES) })
    )
  ).key
  await Effect.runPromise(registrar.catchUp)
  const name = (i: number) => `${world.organization}/wandb-registry-${world.registry}/resolve:v${i % 50}`
  for (let i = 0; i < 50; i++) await Effect.runPromise(registrar.resolve({ actor: world.member, name: name(i) }))
  const runs = 200
  recording = true
  let start = performance.now()
  for (let i = 0; i < runs; i++) await Effect.runPromise(registrar.resolve({ actor: world.member, name: name(i) }))
  report("resolve", runs, performance.now() - start)
  start = performance.now()
  for (let i = 0; i < runs; i++) await Effect.runPromise(registrar.authenticate(key))
  report("authenticate", runs, performance.now() - start)
  const targets = await Effect.runPromise(createCollections(registrar, store, world, ["l0", "l1", "l2", "l3"]))
  start = performance.now()
  for (let i = 0; i < runs; i++) {
    await Effect.runPromise(
      registrar.link({ actor: world.member, source: sources[100 + i]!, target: targets[i % 4]!.target })
    )
  }
  report("link", runs, performance.now() - start)
  await runtime.dispose()
}
main().catch((error) => {
  console.error(error)
  process.exit(1)
})
