/**
 * The link workload shared by the PostgreSQL and in-memory link benchmarks: a world with its registry and a pool of
 * logged source versions, and rounds of link commands (1 or 16 clients, into one fresh collection or spread over
 * many fresh collections), each command a full load → decide → append with retries on conflict.
 */
import type { EventStoreShape, RegistrarShape } from "@registrar/domain"
import { Effect, Exit } from "effect"
import { type CollectionRef, createCollections, createWorld, seedSources, type World } from "./Fixtures.js"
import { alternate, done, drive, failed, type Figures, figures, medianOf, totalOf } from "./Measure.js"
import { millis, whole } from "./Report.js"
import type { ConflictCounter } from "./Stores.js"

/** Where the links of a round go. */
export type Spread = "one" | "many"

/** A link configuration. */
export interface LinkConfig {
  readonly clients: number
  readonly spread: Spread
}

/** The four configurations: 1 and 16 clients, into one collection and across many. */
export const linkConfigs: ReadonlyArray<LinkConfig> = [1, 16].flatMap((clients) =>
  (["one", "many"] as const).map((spread) => ({ clients, spread }))
)

/** Collections per round when links are spread. */
export const manyCollections = 64

/** A label for tables and logs. */
export const linkLabel = (config: LinkConfig): string =>
  `${config.clients} client${config.clients === 1 ? "" : "s"}, ${config.spread === "one" ? "one collection" : `${manyCollections} collections`}`

/** A world ready for link rounds. */
export interface LinkBench {
  readonly world: World
  readonly sources: ReadonlyArray<string>
  readonly round: (config: LinkConfig, round: number, seconds: number) => Promise<Figures>
}

/** Seeds a world with `sourceCount` source versions and returns its round runner. */
export const prepare = async (
  registrar: RegistrarShape,
  store: EventStoreShape,
  counter: ConflictCounter,
  sourceCount: number
): Promise<LinkBench> => {
  const world = await Effect.runPromise(createWorld(registrar))
  const artifacts = 50
  const sources = await Effect.runPromise(seedSources(store, world, artifacts, Math.ceil(sourceCount / artifacts)))
  const collections = (names: ReadonlyArray<string>) =>
    Effect.runPromise(createCollections(registrar, store, world, names))

  const linkInto = async (targets: ReadonlyArray<CollectionRef>, clients: number, seconds: number) => {
    const before = counter.conflicts
    const measured = await drive({
      clients,
      seconds,
      maxOperations: sources.length,
      operation: async (_client, ticket) => {
        const exit = await Effect.runPromiseExit(
          registrar.link({
            actor: world.member,
            source: sources[ticket]!,
            target: targets[ticket % targets.length]!.target
          })
        )
        if (Exit.isSuccess(exit)) return exit.value.created ? done(1) : failed("the link already existed")
        return failed(exit.cause._tag === "Fail" ? String(exit.cause.error) : String(exit.cause))
      }
    })
    return { ...figures(measured), conflicts: counter.conflicts - before, links: measured.units }
  }

  // Warm the caches (organization, team, registry, artifacts) the way a running service would have them.
  await linkInto(await collections(["warm-up"]), 1, 0.3)

  return {
    world,
    sources,
    round: async (config, round, seconds) => {
      const prefix = `${config.spread}-${config.clients}-${round}`
      const names =
        config.spread === "one" ? [prefix] : Array.from({ length: manyCollections }, (_, index) => `${prefix}-${index}`)
      return linkInto(await collections(names), config.clients, seconds)
    }
  }
}

/** The table of links/s, latency, retried conflicts and errors per configuration, from alternating rounds. */
export const linkTable = (rounds: Readonly<Record<string, ReadonlyArray<Figures>>>) => ({
  header: ["configuration", "links/s", "p50 ms", "p99 ms", "conflicts retried (all runs)", "errors"],
  rows: linkConfigs.map((config) => {
    const measured = rounds[linkLabel(config)] ?? []
    return [
      linkLabel(config),
      whole(medianOf(measured, "perSecond")),
      millis(medianOf(measured, "p50")),
      millis(medianOf(measured, "p99")),
      whole(totalOf(measured, "conflicts")),
      whole(totalOf(measured, "failures"))
    ]
  })
})

/** Runs every link configuration in alternating rounds, logging each round's links/s under `label`. */
export const measureRounds = (
  bench: Pick<LinkBench, "round">,
  options: { readonly runs: number; readonly seconds: number; readonly log: (line: string) => void },
  label: string
) =>
  alternate(
    options.runs,
    linkConfigs.map((config) => ({
      name: linkLabel(config),
      run: (round: number) => bench.round(config, round, options.seconds)
    })),
    (name, round, measured) =>
      options.log(`  ${label} ${name} round ${round + 1}: ${whole(measured.perSecond ?? 0)} links/s`)
  )
