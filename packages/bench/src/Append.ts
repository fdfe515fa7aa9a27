/**
 * Append throughput on one PostgreSQL server with one pool size: Registrar's EventStore, emmett-postgresql 0.42.0,
 * and a bare single-statement INSERT of the same rows through `pg` (the ceiling: no stream row, no expected-version
 * check, no hash chain, no idempotency check). 1 and 10 events per append, 1 and 16 clients, new streams and four
 * hot streams; events/s, p50/p99 latency and conflicts, in alternating rounds.
 */
import { isExpectedVersionConflictError, NO_CONCURRENCY_CHECK, STREAM_DOES_NOT_EXIST } from "@event-driven-io/emmett"
import { getPostgreSQLEventStore, type PostgresEventStore } from "@event-driven-io/emmett-postgresql"
import { createHash } from "node:crypto"
import { EventStore, type EventStoreShape, type NewEvent } from "@registrar/domain"
import { Effect, Exit } from "effect"
import pg from "pg"
import { linkedEvent, type World } from "./internal/Fixtures.js"
import {
  alternate,
  conflict,
  done,
  drive,
  failed,
  type Figures,
  figures,
  medianOf,
  type Outcome,
  pairedRatio,
  totalOf
} from "./internal/Measure.js"
import * as Cpu from "./internal/Cpu.js"
import * as Postgres from "./internal/Postgres.js"
import { millis, percent, type Section, type Table, times, whole } from "./internal/Report.js"
import * as Stores from "./internal/Stores.js"

/** Options of the append scenario. */
export interface AppendOptions {
  readonly url: string
  readonly cpu: Cpu.CpuMonitor
  readonly poolSize: number
  readonly runs: number
  readonly seconds: number
  readonly log: (line: string) => void
}

type System = "registrar" | "registrar-2" | "registrar-8" | "sql" | "emmett" | "bare"

/**
 * Registrar at appendConcurrency 2 and 8 beside its default (4): the tuning the default was chosen by. Only at 16
 * clients: one client never has a second append in flight, so concurrency cannot matter there.
 */
const tunings: Partial<Record<System, number>> = { "registrar-2": 2, "registrar-8": 8 }

const systemsOf = (config: Config): ReadonlyArray<System> =>
  config.clients > 1
    ? ["registrar", "registrar-2", "registrar-8", "sql", "emmett", "bare"]
    : ["registrar", "sql", "emmett", "bare"]

interface Config {
  readonly batch: number
  readonly clients: number
  readonly streams: "new" | "hot"
}

const hotStreams = 4

const applicationNames: Record<System, string> = {
  registrar: "registrar-bench-registrar",
  "registrar-2": "registrar-bench-registrar-2",
  "registrar-8": "registrar-bench-registrar-8",
  sql: "registrar-bench-sql",
  emmett: "registrar-bench-emmett",
  bare: "registrar-bench-bare"
}

const configs: ReadonlyArray<Config> = [1, 10].flatMap((batch) =>
  [1, 16].flatMap((clients) => (["new", "hot"] as const).map((streams): Config => ({ batch, clients, streams })))
)

const world: World = {
  organization: "bench-org",
  registry: "Bench",
  team: "bench-team",
  admin: "bench-admin",
  member: "bench-member",
  project: "models",
  artifactType: "model"
}

const payload = (count: number, ticket: number): ReadonlyArray<NewEvent> =>
  Array.from({ length: count }, (_, offset) =>
    linkedEvent(world, { id: "00000000-0000-4000-8000-000000000000", name: "bench" }, ticket * count + offset, {
      entity: world.team,
      project: world.project,
      name: "model",
      index: ticket * count + offset
    })
  )

const fixedDigest = "0".repeat(64)

const bareInsert = (count: number): string => {
  const rows = Array.from({ length: count }, (_, row) => {
    const p = row * 8
    return `($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5}, $${p + 6}::jsonb, $${p + 7}::jsonb, $${p + 8}, '${fixedDigest}')`
  })
  return `INSERT INTO ${Postgres.Schemas.bare}.events (stream_id, stream_position, event_id, type, schema_version, data,
    metadata, content_digest, hash) VALUES ${rows.join(", ")}`
}

/** The three systems of one configuration, on fresh schemas; `close` releases everything. */
const systems = async (options: AppendOptions, config: Config) => {
  const { url, poolSize } = options
  for (const schema of Object.values(Postgres.Schemas)) await Postgres.dropSchema(url, schema)

  const runtime = Stores.onPostgres({
    url: Cpu.withApplicationName(url, applicationNames.registrar),
    schema: Postgres.Schemas.registrar,
    poolSize
  })
  const registrar: EventStoreShape = await runtime.runPromise(EventStore)
  const tuned = new Map<System, { runtime: Stores.RegistrarRuntime; store: EventStoreShape }>()
  for (const system of systemsOf(config)) {
    const appendConcurrency = tunings[system]
    if (appendConcurrency === undefined) continue
    const tunedRuntime = Stores.onPostgres({
      url: Cpu.withApplicationName(url, applicationNames[system]),
      schema: Postgres.Schemas.registrar,
      poolSize,
      appendConcurrency
    })
    tuned.set(system, { runtime: tunedRuntime, store: await tunedRuntime.runPromise(EventStore) })
  }
  // The adapter's own statement, called directly: what Registrar's append costs without Effect and NOTIFY.
  const sqlPool = Postgres.pool(url, poolSize, applicationNames.sql)
  const listener = new pg.Client({ connectionString: url, application_name: "registrar-bench-listener" })
  listener.on("error", () => {})
  let notifications = 0
  listener.on("notification", () => {
    notifications += 1
  })
  await listener.connect()
  await listener.query(`LISTEN "${Postgres.Schemas.registrar}_appended"`)

  await Postgres.query(url, `CREATE SCHEMA ${Postgres.Schemas.emmett}`)
  const emmettPool = Postgres.pool(url, poolSize, applicationNames.emmett, Postgres.Schemas.emmett)
  const emmett: PostgresEventStore = getPostgreSQLEventStore(url, { connectionOptions: { pool: emmettPool } })
  await emmett.schema.migrate()

  const s = Postgres.Schemas.bare
  await Postgres.query(
    url,
    `CREATE SCHEMA ${s};
     CREATE SEQUENCE ${s}.global_position AS bigint;
     CREATE TABLE ${s}.events (LIKE ${Postgres.Schemas.registrar}.events INCLUDING ALL);
     ALTER TABLE ${s}.events ALTER COLUMN global_position SET DEFAULT nextval('${s}.global_position');`
  )
  const barePool = Postgres.pool(url, poolSize, applicationNames.bare)
  const hotPositions = new Map<string, number>()

  const streamOf = (system: System, round: number, client: number, ticket: number): string =>
    config.streams === "hot" ? `hot-${ticket % hotStreams}` : `bench-${system}-${round}-${client}-${ticket}`

  const appendThrough = async (
    store: EventStoreShape,
    system: System,
    round: number,
    client: number,
    ticket: number
  ): Promise<Outcome> => {
    const exit = await Effect.runPromiseExit(
      store.append(
        streamOf(system, round, client, ticket),
        payload(config.batch, ticket),
        config.streams === "hot" ? "any" : "no_stream"
      )
    )
    if (Exit.isSuccess(exit)) return done(config.batch)
    const error = exit.cause._tag === "Fail" ? exit.cause.error : undefined
    return error?._tag === "VersionConflict" ? conflict : failed(String(error?.message ?? exit.cause))
  }

  const operations: Record<System, (round: number, client: number, ticket: number) => Promise<Outcome>> = {
    registrar: (round, client, ticket) => appendThrough(registrar, "registrar", round, client, ticket),
    "registrar-2": (round, client, ticket) =>
      appendThrough(tuned.get("registrar-2")?.store ?? registrar, "registrar-2", round, client, ticket),
    "registrar-8": (round, client, ticket) =>
      appendThrough(tuned.get("registrar-8")?.store ?? registrar, "registrar-8", round, client, ticket),
    sql: async (round, client, ticket) => {
      const events = payload(config.batch, ticket).map((event) => ({
        ...event,
        digest: createHash("sha256").update(JSON.stringify(event)).digest("hex")
      }))
      try {
        const { rows } = await sqlPool.query(
          `SELECT ${Postgres.Schemas.registrar}.append_events($1, $2, $3::jsonb) AS outcome`,
          [
            streamOf("sql", round, client, ticket),
            config.streams === "hot" ? "any" : "no_stream",
            JSON.stringify(events)
          ]
        )
        const status = (rows[0]?.outcome as { status?: string } | undefined)?.status
        return status === "appended" ? done(config.batch) : status === "conflict" ? conflict : failed(String(status))
      } catch (error) {
        return failed(String(error))
      }
    },
    emmett: async (round, client, ticket) => {
      const events = payload(config.batch, ticket).map((event) => ({
        type: event.type,
        data: event.data,
        metadata: { ...event.metadata, eventId: event.eventId }
      }))
      try {
        await emmett.appendToStream(streamOf("emmett", round, client, ticket), events, {
          expectedStreamVersion: config.streams === "hot" ? NO_CONCURRENCY_CHECK : STREAM_DOES_NOT_EXIST
        })
        return done(config.batch)
      } catch (error) {
        return isExpectedVersionConflictError(error) ? conflict : failed(String(error))
      }
    },
    bare: async (round, client, ticket) => {
      const streamId = streamOf("bare", round, client, ticket)
      const first = (config.streams === "hot" ? (hotPositions.get(streamId) ?? 0) : 0) + 1
      if (config.streams === "hot") hotPositions.set(streamId, first + config.batch - 1)
      const params: Array<unknown> = []
      payload(config.batch, ticket).forEach((event, offset) => {
        params.push(streamId, first + offset, event.eventId, event.type, event.schemaVersion)
        params.push(JSON.stringify(event.data), JSON.stringify(event.metadata), fixedDigest)
      })
      try {
        // Prepared: parsed and planned once per connection, then only bound and executed, one statement per append.
        await barePool.query({ name: `bare-insert-${config.batch}`, text: bareInsert(config.batch), values: params })
        return done(config.batch)
      } catch (error) {
        return (error as { code?: string }).code === "23505" ? conflict : failed(String(error))
      }
    }
  }

  const load = (system: System, round: number, seconds: number) =>
    drive({
      clients: config.clients,
      seconds,
      operation: (client, ticket) => operations[system](round, client, ticket)
    })
  // Warm up: open every pool connection and let the server cache its plans before anything is measured.
  for (const system of systemsOf(config)) await load(system, -1, Math.min(0.3, options.seconds))

  return {
    run: async (system: System, round: number): Promise<Figures> => {
      const stop = await options.cpu.start(applicationNames[system])
      const notifiedBefore = notifications
      const measured = await load(system, round, options.seconds)
      const cpu = await stop()
      return {
        ...figures(measured),
        notifiesPerAppend: ((notifications - notifiedBefore) * config.batch) / measured.units,
        clientMicrosPerEvent: (cpu.clientMillis * 1000) / measured.units,
        serverMicrosPerEvent: (cpu.serverMillis * 1000) / measured.units
      }
    },
    close: async () => {
      await runtime.dispose()
      for (const { runtime: tunedRuntime } of tuned.values()) await tunedRuntime.dispose()
      await emmett.close()
      await listener.end().catch(() => undefined)
      await Promise.all([sqlPool.end(), emmettPool.end(), barePool.end()])
    }
  }
}

const storeNames: Record<System, string> = {
  registrar: "Registrar (EventStore port)",
  "registrar-2": "Registrar, appendConcurrency 2",
  "registrar-8": "Registrar, appendConcurrency 8",
  sql: "its append_events() alone",
  emmett: "emmett 0.42.0",
  bare: "bare INSERT (ceiling)"
}

const label = (config: Config): string =>
  `${config.batch} ev/append, ${config.clients} client${config.clients === 1 ? "" : "s"}, ${config.streams === "new" ? "new streams" : `${hotStreams} hot streams`}`

/** Runs every configuration and reports it. */
export const run = async (options: AppendOptions): Promise<Section> => {
  const rows: Array<Array<string>> = []
  const misses: Array<string> = []
  let emmettAt16 = Number.POSITIVE_INFINITY
  let ceilingAt16 = Number.POSITIVE_INFINITY
  let spuriousHot = 0
  for (const config of configs) {
    options.log(`append: ${label(config)}`)
    const setup = await systems(options, config)
    const rounds = await alternate<System>(
      options.runs,
      systemsOf(config).map((name) => ({ name, run: (round) => setup.run(name, round) })),
      (name, round, measured) => options.log(`  ${name} round ${round + 1}: ${whole(measured.perSecond ?? 0)} events/s`)
    )
    await setup.close()
    const vsEmmett = pairedRatio(rounds.registrar, rounds.emmett, "perSecond")
    const vsBare = pairedRatio(rounds.registrar, rounds.bare, "perSecond")
    if (config.clients === 16) {
      emmettAt16 = Math.min(emmettAt16, vsEmmett)
      ceilingAt16 = Math.min(ceilingAt16, vsBare)
      if (vsEmmett < 2 || vsBare < 0.7) misses.push(label(config))
    }
    if (config.streams === "hot") spuriousHot += totalOf(rounds.registrar, "conflicts")
    for (const system of systemsOf(config)) {
      const measured = rounds[system] ?? []
      rows.push([
        label(config),
        storeNames[system],
        whole(medianOf(measured, "perSecond")),
        millis(medianOf(measured, "p50")),
        millis(medianOf(measured, "p99")),
        whole(medianOf(measured, "clientMicrosPerEvent")),
        whole(medianOf(measured, "serverMicrosPerEvent")),
        `${whole(totalOf(measured, "conflicts"))}${totalOf(measured, "failures") > 0 ? ` (+${whole(totalOf(measured, "failures"))} errors)` : ""}`,
        system === "registrar" ? medianOf(measured, "notifiesPerAppend").toFixed(2) : "",
        system === "registrar"
          ? `${times(vsEmmett)} emmett, ${percent(vsBare)} of ceiling`
          : tunings[system] !== undefined
            ? `${times(pairedRatio(measured, rounds.emmett, "perSecond"))} emmett, ${percent(pairedRatio(measured, rounds.bare, "perSecond"))} of ceiling`
            : system === "sql"
              ? `${percent(pairedRatio(rounds.registrar, rounds.sql, "perSecond"))} of it reached through the adapter`
              : ""
      ])
    }
  }
  const table: Table = {
    header: [
      "configuration",
      "store",
      "events/s",
      "p50 ms",
      "p99 ms",
      "client CPU µs/event",
      "server CPU µs/event",
      "conflicts (all runs)",
      "NOTIFY per append",
      "ratios"
    ],
    rows
  }
  return {
    title: "1. Append throughput (PostgreSQL server)",
    method: [
      `Each configuration starts from freshly dropped and migrated schemas (\`${Postgres.Schemas.registrar}\`, \`${Postgres.Schemas.emmett}\`, \`${Postgres.Schemas.bare}\`), one pool of ${options.poolSize} connections per store.`,
      `${options.runs} rounds × ${options.seconds} s per store; in each round the four contenders run one after another, in an order rotated every round. Figures are medians over the rounds; ratios are medians of the per-round ratios.`,
      "Payload: `ArtifactLinked` events exactly as the application service stores them (about 400 bytes of JSON data and metadata each).",
      "New streams: every append creates a stream (Registrar `no_stream`, emmett `STREAM_DOES_NOT_EXIST`). Hot streams: appends go round-robin to 4 streams with no expected version (Registrar `any`, emmett `NO_CONCURRENCY_CHECK`), so every conflict there is spurious.",
      "Bare INSERT: one prepared multi-row `INSERT … VALUES` per append (a named statement, parsed and planned once per connection), into a copy of Registrar's events table (same columns, keys and indexes); positions numbered by the client, digest and hash fixed strings. Registrar's append statements are prepared the same way.",
      "At 16 clients Registrar also runs with `appendConcurrency` 2 and 8 beside its default of 4, in the same rounds, on its own pool: the measurement the default is chosen by. The group-size limits (64 appends, 2,000 events) are never reached by 16 clients, so they are not varied.",
      "A fourth contender, for profiling: the adapter's statement `SELECT registrar_bench.append_events($1, $2, $3::jsonb)` sent directly through `pg` with the same payload (no Effect, no NOTIFY). NOTIFY per append counts the notifications a LISTEN connection received on the adapter's channel."
    ],
    tables: [table],
    targets: [
      {
        goal: "append ≥ 2× emmett at 16 clients (every 16-client configuration)",
        measured: `worst ${times(emmettAt16)}`,
        met: emmettAt16 >= 2
      },
      {
        goal: "append ≥ 70% of the bare-INSERT ceiling at 16 clients",
        measured: `worst ${percent(ceilingAt16)}${misses.length > 0 ? ` (short: ${misses.join("; ")})` : ""}`,
        met: ceilingAt16 >= 0.7
      },
      {
        goal: "no spurious conflicts on hot streams",
        measured: `${whole(spuriousHot)} conflicts on Registrar's hot streams`,
        met: spuriousHot === 0
      }
    ],
    notes: []
  }
}
