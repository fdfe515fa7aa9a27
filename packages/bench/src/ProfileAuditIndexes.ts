/**
 * What the audit history beside the log costs appends: link commands (section 2's, across 64 collections at 1 and
 * 16 clients) into two schemas of the same server, one as migration 16 leaves it and one without its three partial
 * indexes of the events table (as the store was before), in alternating rounds. Prints links/s per round and the
 * medians and their ratio. ROUNDS (default 5), RUN_SECONDS (default 0.6), SOURCES (default 12000).
 *
 *   node --conditions=@registrar/source --import tsx src/ProfileAuditIndexes.ts
 */
import * as LinkLoad from "./internal/LinkLoad.js"
import { alternate, type Figures, medianOf } from "./internal/Measure.js"
import * as Postgres from "./internal/Postgres.js"
import * as Stores from "./internal/Stores.js"

const url = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test"
const rounds = Number(process.env.ROUNDS ?? 5)
const seconds = Number(process.env.RUN_SECONDS ?? 0.6)
const sources = Number(process.env.SOURCES ?? 12_000)
const served = ["events_audit_collection_idx", "events_audit_registry_idx", "events_audit_actor_idx"]

const contender = async (schema: string, withIndexes: boolean) => {
  await Postgres.dropSchema(url, schema)
  const counter: Stores.ConflictCounter = { conflicts: 0 }
  const runtime = Stores.onPostgres({ url, schema, poolSize: 16 }, counter)
  const { registrar, store } = await Stores.servicesOf(runtime)
  if (!withIndexes) for (const index of served) await Postgres.query(url, `DROP INDEX "${schema}".${index}`)
  const bench = await LinkLoad.prepare(registrar, store, counter, sources)
  return { runtime, bench }
}

const main = async () => {
  const kinds = [
    { name: "with the audit indexes", schema: "registrar_bench_audit_with", withIndexes: true },
    { name: "without them", schema: "registrar_bench_audit_without", withIndexes: false }
  ] as const
  const prepared = await Promise.all(kinds.map((kind) => contender(kind.schema, kind.withIndexes)))
  const configs = LinkLoad.linkConfigs.filter((config) => config.spread === "many")
  const results = await alternate(
    rounds,
    kinds.flatMap((kind, n) =>
      configs.map((config) => ({
        name: `${kind.name}, ${LinkLoad.linkLabel(config)}`,
        run: (round: number): Promise<Figures> => prepared[n]!.bench.round(config, round, seconds)
      }))
    ),
    (name, round, measured) => console.log(`${name} round ${round + 1}: ${Math.round(measured.perSecond ?? 0)} links/s`)
  )
  for (const config of configs) {
    const label = LinkLoad.linkLabel(config)
    const [withThem, without] = kinds.map((kind) => medianOf(results[`${kind.name}, ${label}`] ?? [], "perSecond")) as [
      number,
      number
    ]
    console.log(
      `${label}: ${Math.round(withThem)} against ${Math.round(without)} links/s = ${((100 * withThem) / without).toFixed(1)}%`
    )
  }
  for (const { runtime } of prepared) await runtime.dispose()
  for (const kind of kinds) await Postgres.dropSchema(url, kind.schema)
}

await main()
