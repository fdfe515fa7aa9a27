/**
 * Link latency against collection size: one client links into collections that already hold 10, 1,000 and
 * 100,000 versions (seeded as `ArtifactLinked` events in batches of 5,000 through the EventStore). Each round uses
 * a fresh Registrar instance (an empty aggregate cache, as after a restart): its first link into each collection
 * is the cold load (the summary snapshot, written every 100 events, plus the events after it, and a lookup of the
 * linked source through the LinkIndex), the next ones are the steady state.
 */
import { performance } from "node:perf_hooks"
import { Effect, Exit } from "effect"
import { type CollectionRef, createCollections, createWorld, seedLinks, seedSources } from "./internal/Fixtures.js"
import { alternate, type Figures, median, medianOf, percentile } from "./internal/Measure.js"
import * as Postgres from "./internal/Postgres.js"
import { millis, type Section, times, whole } from "./internal/Report.js"
import * as Stores from "./internal/Stores.js"

/** Options of the collection-size scenario. */
export interface CollectionSizeOptions {
  readonly url: string
  readonly poolSize: number
  readonly runs: number
  /** Versions already linked in each collection, smallest first. */
  readonly sizes: ReadonlyArray<number>
  /** Links per collection per round after the first (cold) one. */
  readonly links: number
  readonly log: (line: string) => void
}

/** Link latency per collection size, alternating sizes within every round. */
export const run = async (options: CollectionSizeOptions): Promise<Section> => {
  const { url } = options
  const schema = Postgres.Schemas.registrar
  await Postgres.dropSchema(url, schema)
  const seeding = Stores.onPostgres({ url, schema, poolSize: options.poolSize })
  const perRound = options.links + 1
  const { world, sources, collections } = await (async () => {
    try {
      const { registrar, store } = await Stores.servicesOf(seeding)
      const world = await Effect.runPromise(createWorld(registrar))
      const sources = await Effect.runPromise(
        seedSources(store, world, 20, Math.ceil((perRound * options.runs + options.sizes.length) / 20))
      )
      const collections = await Effect.runPromise(
        createCollections(
          registrar,
          store,
          world,
          options.sizes.map((size) => `size-${size}`)
        )
      )
      for (const [index, size] of options.sizes.entries()) {
        options.log(`collection size: seeding ${size.toLocaleString("en-US")} links`)
        await Effect.runPromise(seedLinks(store, world, collections[index]!, size))
        // One link by command loads the collection and writes its snapshot, as a collection grown by commands has.
        const source = sources[sources.length - 1 - index]!
        await Effect.runPromise(registrar.link({ actor: world.member, source, target: collections[index]!.target }))
      }
      return { world, sources, collections }
    } finally {
      await seeding.dispose()
    }
  })()

  // One Registrar instance per round, shared by the sizes of that round, so every size starts cold in it.
  const instances = new Map<number, Promise<Stores.RegistrarRuntime>>()
  const instance = (round: number) => {
    let found = instances.get(round)
    if (found === undefined) {
      found = Promise.resolve(Stores.onPostgres({ url, schema, poolSize: options.poolSize }))
      instances.set(round, found)
    }
    return found
  }
  const linkRound = async (collection: CollectionRef, sizeIndex: number, round: number): Promise<Figures> => {
    const { registrar } = await Stores.servicesOf(await instance(round))
    const latencies: Array<number> = []
    let failures = 0
    for (let link = 0; link < perRound; link++) {
      const source = sources[(round * perRound + link) % sources.length]!
      const began = performance.now()
      const exit = await Effect.runPromiseExit(
        registrar.link({ actor: world.member, source, target: collection.target })
      )
      if (Exit.isSuccess(exit)) latencies.push(performance.now() - began)
      else failures += 1
    }
    const [cold = Number.NaN, ...warm] = latencies
    warm.sort((a, b) => a - b)
    return { cold, p50: percentile(warm, 50), p99: percentile(warm, 99), failures, size: options.sizes[sizeIndex]! }
  }
  try {
    const rounds = await alternate(
      options.runs,
      options.sizes.map((size, index) => ({
        name: String(size),
        run: (round: number) => linkRound(collections[index]!, index, round)
      })),
      (name, round, measured) =>
        options.log(
          `  ${name} versions round ${round + 1}: p50 ${millis(measured.p50 ?? 0)} ms, cold ${millis(measured.cold ?? 0)} ms`
        )
    )
    const smallest = rounds[String(options.sizes[0])] ?? []
    const largest = rounds[String(options.sizes[options.sizes.length - 1])] ?? []
    const ratio = median(largest.map((measured, round) => measured.p50! / smallest[round]!.p50!))
    // The cold first link against the warm p50 of the same collection, in the same round (paired).
    const coldRatio = median(largest.map((measured) => measured.cold! / measured.p50!))
    const largestSize = whole(options.sizes[options.sizes.length - 1]!)
    return {
      title: "3. Link latency against collection size (PostgreSQL server)",
      method: [
        `Collections seeded with ${options.sizes.map((size) => size.toLocaleString("en-US")).join(", ")} linked versions by appending pre-built \`ArtifactLinked\` events (5,000 per append) through the EventStore.`,
        `${options.runs} rounds; in each a fresh Registrar instance (empty in-process cache) links ${perRound} new source versions into every collection, one client, sizes in a rotated order. The first link of a round is reported as cold (it loads the summary snapshot, written every 100 events, plus the events after it, and looks the source up through the LinkIndex); p50/p99 are over the other ${options.links}.`
      ],
      tables: [
        {
          header: [
            "versions already linked",
            "p50 ms",
            "p99 ms",
            "cold first link ms",
            "cold vs warm p50",
            "p50 vs smallest"
          ],
          rows: options.sizes.map((size) => {
            const measured = rounds[String(size)] ?? []
            return [
              whole(size),
              millis(medianOf(measured, "p50")),
              millis(medianOf(measured, "p99")),
              millis(medianOf(measured, "cold")),
              times(median(measured.map((m) => m.cold! / m.p50!))),
              times(median(measured.map((m, round) => m.p50! / smallest[round]!.p50!)))
            ]
          })
        }
      ],
      targets: [
        {
          goal: `link p50 at ${largestSize} versions within 1.5× of that at ${whole(options.sizes[0]!)}`,
          measured: times(ratio),
          met: ratio <= 1.5
        },
        {
          goal: `cold first link at ${largestSize} versions within 5× the warm p50 (ratio per round, median)`,
          measured: times(coldRatio),
          met: coldRatio <= 5
        }
      ],
      notes: []
    }
  } finally {
    for (const runtime of instances.values()) await (await runtime).dispose()
  }
}
