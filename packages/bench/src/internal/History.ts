/**
 * A long history for the rebuild and catch-up benchmarks: the world made by commands, then blocks of 10,000
 * events, half logged source versions (100 per artifact, one append each) and half links (1,000 per collection in
 * appends of 1,000), appended through the EventStore by two writers at a time.
 */
import { randomUUID } from "node:crypto"
import { Artifact, Collection, type EventStoreShape } from "@registrar/domain"
import { Effect } from "effect"
import { appendInBatches, createWorld, linkedEvent, versionEvent, type World } from "./Fixtures.js"
import * as Postgres from "./Postgres.js"
import * as Stores from "./Stores.js"

const block = 10_000
const versionsPerArtifact = 100
const linksPerCollection = 1_000

/** A history being grown in one schema. */
export interface History {
  readonly schema: string
  /** Events stored so far (the world's setup included). */
  readonly events: () => number
  /** Appends blocks until the store holds at least `target` events. */
  readonly growTo: (target: number, log: (line: string) => void) => Promise<void>
  readonly runtime: Stores.RegistrarRuntime
  readonly close: () => Promise<void>
}

/** Appends one block of 10,000 events (half version logs, half links) for `world`, two appends at a time. */
export const appendBlock = (store: EventStoreShape, world: World, blockIndex: number) => {
  const artifacts = Array.from({ length: block / 2 / versionsPerArtifact }, (_, index) => `hist-${blockIndex}-${index}`)
  const collections = Array.from({ length: block / 2 / linksPerCollection }, () => ({
    id: randomUUID(),
    name: `history-${blockIndex}`
  }))
  const writes = [
    ...artifacts.map((name) =>
      appendInBatches(
        store,
        Artifact.streamId(world.team, world.project, name),
        (index) => versionEvent(world, name, index),
        versionsPerArtifact
      )
    ),
    ...collections.map((collection) =>
      appendInBatches(
        store,
        Collection.streamId(collection.id),
        (index) =>
          linkedEvent(world, collection, index, {
            entity: world.team,
            project: world.project,
            name: artifacts[index % artifacts.length]!,
            index: index % versionsPerArtifact
          }),
        linksPerCollection
      )
    )
  ]
  return Effect.all(writes, { concurrency: 2, discard: true })
}

/** Drops `schema` and starts a history in it. */
export const start = async (url: string, schema: string, poolSize: number): Promise<History> => {
  await Postgres.dropSchema(url, schema)
  const runtime = Stores.onPostgres({ url, schema, poolSize })
  const { registrar, store } = await Stores.servicesOf(runtime)
  const world = await Effect.runPromise(createWorld(registrar))
  let events = Number((await Postgres.query(url, `SELECT count(*) AS n FROM "${schema}".events`)).rows[0]?.n ?? 0)
  let blocks = 0
  return {
    schema,
    events: () => events,
    growTo: async (target, log) => {
      while (events < target) {
        await Effect.runPromise(appendBlock(store, world, blocks))
        blocks += 1
        events += block
        if (blocks % 10 === 0) log(`  history ${schema}: ${events.toLocaleString("en-US")} events`)
      }
    },
    runtime,
    close: () => runtime.dispose()
  }
}
