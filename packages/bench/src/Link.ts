/**
 * Link commands end to end on PostgreSQL (load, decide, append, retries): links/s and latency at 1 and 16 clients,
 * into one collection (every client contends for one stream) and across 64 collections.
 */
import * as LinkLoad from "./internal/LinkLoad.js"
import * as Postgres from "./internal/Postgres.js"
import type { Section } from "./internal/Report.js"
import * as Stores from "./internal/Stores.js"

/** Options of the link scenario. */
export interface LinkOptions {
  readonly url: string
  readonly poolSize: number
  readonly runs: number
  readonly seconds: number
  readonly log: (line: string) => void
}

/** Links on a PostgreSQL server, every configuration in alternating rounds. */
export const run = async (options: LinkOptions): Promise<Section> => {
  await Postgres.dropSchema(options.url, Postgres.Schemas.registrar)
  const counter: Stores.ConflictCounter = { conflicts: 0 }
  const runtime = Stores.onPostgres(
    { url: options.url, schema: Postgres.Schemas.registrar, poolSize: options.poolSize },
    counter
  )
  try {
    const { registrar, store } = await Stores.servicesOf(runtime)
    options.log("link: seeding source versions")
    const bench = await LinkLoad.prepare(registrar, store, counter, 4_000)
    const rounds = await LinkLoad.measureRounds(bench, options, "link")
    return {
      title: "2. Link commands end to end (PostgreSQL server)",
      method: [
        `Registrar over \`PgStore.layer\` (schema \`${Postgres.Schemas.registrar}\`, pool ${options.poolSize}), one organization, team, member and registry made by commands; ${bench.sources.length.toLocaleString("en-US")} source versions appended as \`VersionAssigned\` events.`,
        `Each round links fresh source versions into fresh collections for ${options.seconds} s per configuration; configurations alternate in a rotated order. A link is the whole command: parse, load organization/team/registry/artifact/collection (cached in process, only new events read), decide, append with the expected version, retry on conflict.`,
        "Conflicts are the VersionConflicts the EventStore answered (each one a retry inside the command)."
      ],
      tables: [LinkLoad.linkTable(rounds)],
      targets: [],
      notes: []
    }
  } finally {
    await runtime.dispose()
  }
}
