/**
 * The in-memory stores: link commands per second in one process (the same workload as the PostgreSQL link
 * benchmark: 1 and 16 concurrent fibers, into one collection and across 64).
 */
import * as LinkLoad from "./internal/LinkLoad.js"
import type { Section } from "./internal/Report.js"
import * as Stores from "./internal/Stores.js"

/** Options of the memory-store scenario. */
export interface MemoryStoreOptions {
  readonly runs: number
  readonly seconds: number
  readonly log: (line: string) => void
}

/** Links on the in-memory stores, every configuration in alternating rounds. */
export const run = async (options: MemoryStoreOptions): Promise<Section> => {
  const counter: Stores.ConflictCounter = { conflicts: 0 }
  const runtime = Stores.inMemory(counter)
  try {
    const { registrar, store } = await Stores.servicesOf(runtime)
    const bench = await LinkLoad.prepare(registrar, store, counter, 20_000)
    const rounds = await LinkLoad.measureRounds(bench, options, "memory")
    return {
      title: "6. The memory store: links per second in one process",
      method: [
        `Registrar over \`@registrar/adapters-memory\`, the same world and workload as section 2 (${bench.sources.length.toLocaleString("en-US")} source versions; fresh collections every round; ${options.runs} rounds × ${options.seconds} s per configuration, rotated). Clients are concurrent fibers of this process; a round stops early when it runs out of unlinked source versions.`
      ],
      tables: [LinkLoad.linkTable(rounds)],
      targets: [],
      notes: []
    }
  } finally {
    await runtime.dispose()
  }
}
