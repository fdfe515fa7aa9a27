/**
 * The filter language on the PostgreSQL server (issue 12): one filtered versions query — collection names by
 * `$regex`, aliases by `$in`, a metadata range, ordered by `-created_at`, the first page of 100 — against 1,000 and
 * 100,000 linked versions. The read-model rows are written straight into the store (as the projector writes them,
 * in batches with a checkpoint), so the section measures the query, not the seeding.
 */
import { performance } from "node:perf_hooks"
import { Change, type ChangeBatch, Projections, ReadModelStore } from "@registrar/domain"
import { Effect } from "effect"
import { createWorld, type World } from "./internal/Fixtures.js"
import { alternate, type Figures, median, medianOf, percentile } from "./internal/Measure.js"
import * as Postgres from "./internal/Postgres.js"
import { millis, type Section, times, whole } from "./internal/Report.js"
import * as Stores from "./internal/Stores.js"

/** Options of the search scenario. */
export interface SearchOptions {
  readonly url: string
  readonly poolSize: number
  readonly runs: number
  /** Queries per size per round. */
  readonly queries: number
  readonly log: (line: string) => void
}

const { Key, Table } = Projections
const sizes = [1_000, 100_000] as const
const versionsPerCollection = 1_000
const base = Date.UTC(2025, 0, 1)

/** The rows of `count` linked versions in `count / 1000` collections (at least 10), with sources and aliases. */
const seedRows = (world: World, count: number): ReadonlyArray<Change> => {
  const collections = Math.max(10, Math.ceil(count / versionsPerCollection))
  const changes: Array<Change> = []
  const ids = Array.from({ length: collections }, (_, index) => `search-${String(index).padStart(3, "0")}`)
  for (const [index, collectionId] of ids.entries()) {
    changes.push(
      Change.put(Table.collections, Key.collection(collectionId), {
        organization: world.organization,
        registry: world.registry,
        collectionId,
        name: `model-${String(index).padStart(3, "0")}`,
        artifactType: "model",
        description: "",
        tags: [],
        createdAt: new Date(base).toISOString(),
        createdBy: world.admin
      })
    )
  }
  const artifact = { entity: world.team, project: world.project, name: "searched" }
  const artifactKey = `${artifact.entity}/${artifact.project}/${artifact.name}`
  for (let version = 0; version < count; version++) {
    const collection = version % collections
    const collectionId = ids[collection]!
    const index = Math.floor(version / collections)
    changes.push(
      Change.put(Table.artifactVersions, Key.artifactVersion(artifactKey, version), {
        ...artifact,
        artifactKey,
        index: version,
        artifactType: "model",
        digest: `digest-${version}`,
        files: [],
        metadata: { accuracy: ((version * 37) % 100) / 100, epoch: version },
        description: "",
        loggedBy: null,
        loggedAt: new Date(base + version * 1000).toISOString(),
        loggedByUser: world.member,
        deleted: false,
        tags: version % 10 === 0 ? ["gold"] : []
      }),
      Change.put(Table.linkedVersions, Key.linkedVersion(collectionId, index), {
        organization: world.organization,
        registry: world.registry,
        collectionId,
        index,
        source: { ...artifact, index: version },
        sourceKey: `${artifactKey}:v${version}`,
        artifactType: "model",
        digest: `digest-${version}`,
        linkedAt: new Date(base + version * 1000).toISOString(),
        linkedBy: world.member
      })
    )
    for (const [alias, at] of [
      ["production", 0],
      ["staging", 1]
    ] as const) {
      if (index === at) {
        const linkedVersion = Key.linkedVersion(collectionId, index)
        changes.push(
          Change.put(Table.collectionAliases, Key.collectionAlias(collectionId, alias), {
            collectionId,
            alias,
            index,
            linkedVersion
          })
        )
      }
    }
  }
  return changes
}

const query = (world: World) => ({
  actor: world.member,
  organization: world.organization,
  registryFilter: { name: world.registry },
  collectionFilter: { name: { $regex: "^model-0[0-4]" } },
  filter: { alias: { $in: ["production", "staging", "latest"] }, "metadata.accuracy": { $gte: 0.2, $lt: 0.9 } },
  order: "-created_at",
  pageSize: 100
})

/** The filtered versions query at 1,000 and 100,000 linked versions, alternating sizes within every round. */
export const run = async (options: SearchOptions): Promise<Section> => {
  const { url } = options
  const prepared: Array<{
    readonly size: number
    readonly runtime: Stores.RegistrarRuntime
    readonly registrar: Awaited<ReturnType<typeof Stores.servicesOf>>["registrar"]
    readonly world: World
  }> = []
  for (const size of sizes) {
    prepared.push(
      await (async () => {
        const schema = size === 1_000 ? Postgres.Schemas.searchSmall : Postgres.Schemas.search
        await Postgres.dropSchema(url, schema)
        const runtime = Stores.onPostgres({ url, schema, poolSize: options.poolSize })
        const { registrar } = await Stores.servicesOf(runtime)
        const world = await Effect.runPromise(createWorld(registrar, `search${size}`))
        // A read catches the read models up to the head (waiting for any event the feed holds back) before the
        // seeded rows move their checkpoint far past it.
        const seen = await Effect.runPromise(
          registrar.listRegistries({ actor: world.member, organization: world.organization })
        )
        if (seen.registries.length !== 1) throw new Error("search: the world's registry is not in the read models")
        options.log(`search: seeding ${whole(size)} linked versions`)
        const changes = seedRows(world, size)
        await runtime.runPromise(
          Effect.flatMap(ReadModelStore, (store) =>
            Effect.forEach(
              Array.from({ length: Math.ceil(changes.length / 5_000) }, (_, batch) => batch),
              (batch) => {
                const slice: ChangeBatch = {
                  changes: changes.slice(batch * 5_000, (batch + 1) * 5_000),
                  checkpoint: { transactionId: 1_000_000_000 + batch, globalPosition: 1_000_000_000 + batch }
                }
                return store.apply(slice)
              },
              { discard: true }
            )
          )
        )
        for (const table of [
          "rm_registries",
          "rm_collections",
          "rm_linked_versions",
          "rm_collection_aliases",
          "rm_artifact_versions"
        ]) {
          await Postgres.query(url, `ANALYZE "${schema}"."${table}"`)
        }
        return { size, runtime, registrar, world }
      })()
    )
  }
  try {
    const found = new Map<number, number>()
    const rounds = await alternate(
      options.runs,
      prepared.map(({ size, registrar, world }) => ({
        name: String(size),
        run: async (): Promise<Figures> => {
          const latencies: Array<number> = []
          for (let turn = 0; turn < options.queries + 1; turn++) {
            const began = performance.now()
            const page = await Effect.runPromise(registrar.versions(query(world)))
            if (turn > 0) latencies.push(performance.now() - began)
            found.set(size, page.items.length)
          }
          latencies.sort((a, b) => a - b)
          return { p50: percentile(latencies, 50), p99: percentile(latencies, 99) }
        }
      })),
      (name, round, measured) =>
        options.log(`  ${name} versions round ${round + 1}: p50 ${millis(measured.p50 ?? 0)} ms`)
    )
    const small = rounds["1000"] ?? []
    const large = rounds["100000"] ?? []
    const ratio = median(large.map((measured, round) => measured.p50! / small[round]!.p50!))
    const largeP50 = medianOf(large, "p50")
    return {
      title: "9. Filtered versions query (PostgreSQL server)",
      method: [
        "Read-model rows written straight into the typed tables through `ReadModelStore.apply` (batches of 5,000 changes, as the projector writes them): linked versions spread over collections of 1,000 (at least 10 collections), each version's source with metadata `{accuracy, epoch}` (accuracy spread as (37 × n mod 100) / 100), aliases `production` and `staging` on each collection's first two versions; then `ANALYZE`.",
        `The query, through \`registrar.versions\` (access check and read-your-writes included): registries \`{"name": "Bench"}\`, collections \`{"name": {"$regex": "^model-0[0-4]"}}\`, versions \`{"alias": {"$in": ["production", "staging", "latest"]}, "metadata.accuracy": {"$gte": 0.2, "$lt": 0.9}}\`, order \`-created_at\`, first page of 100.`,
        `${options.runs} rounds; in each, one warm-up query then ${options.queries} timed ones per size, sizes in a rotated order; p50/p99 over the timed queries, medians over rounds; the ratio is taken within each round.`
      ],
      tables: [
        {
          header: ["linked versions", "rows on the page", "p50 ms", "p99 ms", "p50 vs 1,000"],
          rows: sizes.map((size) => {
            const measured = rounds[String(size) as "1000" | "100000"] ?? []
            return [
              whole(size),
              whole(found.get(size) ?? 0),
              millis(medianOf(measured, "p50")),
              millis(medianOf(measured, "p99")),
              times(median(measured.map((m, round) => m.p50! / small[round]!.p50!)))
            ]
          })
        }
      ],
      targets: [
        {
          goal: "filtered versions query p50 at 100,000 linked versions under 20 ms",
          measured: `${millis(largeP50)} ms`,
          met: largeP50 < 20
        },
        {
          goal: "filtered versions query p50 at 100,000 within 2× of that at 1,000",
          measured: times(ratio),
          met: ratio <= 2
        }
      ],
      notes: []
    }
  } finally {
    for (const { runtime } of prepared) await runtime.dispose()
  }
}
