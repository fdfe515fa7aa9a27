/**
 * Automations on the PostgreSQL server: 10 signed webhook automations on LINK_ARTIFACT, a receiver on 127.0.0.1 on
 * a worker thread of this process; from each link's commit (its command returning) to the receipt of each of its 10 deliveries: p50 and
 * p99, and deliveries per second. Four runs of 1,000 links: a flood (as fast as they commit: throughput), the same
 * flood with the receiver on the dispatcher's own thread (for comparison: the setup before 2026-12-06), paced at a
 * fixed rate (latency under steady use), and a flood whose dispatcher restarts in the middle (a new process id: it
 * waits for the old one's leases to expire), counting what arrived. Targets of issue 13: p99 under 500 ms; no
 * delivery lost across a restart.
 */
import { PgStore } from "@registrar/adapters-pg"
import { EventStore, Registrar, type RegistrarShape } from "@registrar/domain"
import { AutomationDispatcher, SecretBox, WebhookTransport } from "@registrar/server"
import { Effect, Exit, Layer, Scope } from "effect"
import { createWorld, seedSources } from "./internal/Fixtures.js"
import * as Postgres from "./internal/Postgres.js"
import { millis, type Section, whole } from "./internal/Report.js"
import * as WebhookReceiver from "./internal/WebhookReceiver.js"

/** Options of the automations scenario. */
export interface AutomationsOptions {
  readonly url: string
  readonly log: (line: string) => void
}

const AUTOMATIONS = 10
const LINKS = 1000
const CONCURRENT_LINKS = 4
const SCHEMA = "registrar_bench_automations"
const LEASE_MILLIS = 2000
/**
 * The paced run's rate: links started at fixed times whatever the ones before are doing (an open loop), well below
 * what the dispatcher sustains, so that latency is measured without a queue built by overload. A registry sees links
 * from people and CI jobs, far fewer than this per second.
 */
const PACED_LINKS_PER_SECOND = 25

const percentile = (sorted: ReadonlyArray<number>, p: number) =>
  sorted.length === 0
    ? Number.NaN
    : (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN)

const dispatcherLayer = (holder: string) =>
  AutomationDispatcher.layer({
    holder,
    leaseMillis: LEASE_MILLIS,
    pollMillis: 200,
    retry: { timeoutMillis: 1000 }
  }).pipe(Layer.provide(WebhookTransport.layer({ hosts: ["127.0.0.1"] })))

/** Runs the scenario. */
export const run = async (options: AutomationsOptions): Promise<Section> => {
  await Postgres.dropSchema(options.url, SCHEMA)
  const scope = Effect.runSync(Scope.make())
  const hook = await WebhookReceiver.start()
  const hookInThread = await WebhookReceiver.startInThisThread()
  let dispatcher: Scope.CloseableScope | undefined
  try {
    const stores = PgStore.layer({ url: options.url, schema: SCHEMA, poolSize: 16 })
    const services = Registrar.layer().pipe(
      Layer.provideMerge(SecretBox.layer("bench-secrets-key-0123456789abcdef-0123")),
      Layer.provideMerge(stores)
    )
    const context = await Effect.runPromise(Layer.buildWithScope(services, scope))
    const registrar: RegistrarShape = Effect.runSync(Effect.provide(Registrar, context))
    options.log("automations: seeding the world, sources and automations")
    const world = await Effect.runPromise(createWorld(registrar, "auto"))
    const eventStore = Effect.runSync(Effect.provide(EventStore, context))
    const sources = await Effect.runPromise(seedSources(eventStore, world, 10, (4 * LINKS) / 10 + 10))
    const request = { actor: world.admin, organization: world.organization, registry: world.registry }
    await Effect.runPromise(
      registrar.setAutomationSecret({ ...request, name: "signing", value: "bench-signing-secret" })
    )
    const action = (url: string) =>
      ({
        kind: "webhook",
        url,
        signingSecret: "signing",
        payloadTemplate: '{"v": "${artifact_version_string}"}'
      }) as const
    for (let index = 0; index < AUTOMATIONS; index++) {
      await Effect.runPromise(
        registrar.createAutomation({
          ...request,
          name: `hook-${index}`,
          eventTypes: ["LINK_ARTIFACT"],
          action: action(hook.url)
        })
      )
    }
    /** Points every automation at `receiver` (the dispatcher applies it in log order, before later links). */
    const pointAt = async (receiver: WebhookReceiver.WebhookReceiver) => {
      for (let index = 0; index < AUTOMATIONS; index++) {
        await Effect.runPromise(
          registrar.updateAutomation({ ...request, automation: `hook-${index}`, action: action(receiver.url) })
        )
      }
    }
    let nextSource = 0
    /** Links `count` versions, `CONCURRENT_LINKS` at a time over as many collections; the commit time of each. */
    const linkAll = async (count: number, onHalf?: () => Promise<void>) => {
      const committed = new Map<string, number>()
      let started = 0
      let halfway: Promise<void> | undefined
      const worker = async (lane: number) => {
        while (started < count) {
          started += 1
          if (started === Math.floor(count / 2) && onHalf !== undefined) halfway = onHalf()
          const source = sources[nextSource++] ?? ""
          const linked = await Effect.runPromise(
            registrar.link({
              actor: world.member,
              source,
              target: `${world.organization}/wandb-registry-${world.registry}/lane-${lane}`
            })
          )
          committed.set(linked.qualifiedName, WebhookReceiver.now())
        }
      }
      await Promise.all(Array.from({ length: CONCURRENT_LINKS }, (_, lane) => worker(lane)))
      await halfway
      return committed
    }
    /** Links `count` versions at `perSecond`, each started at its time (open loop); the commit time of each. */
    const linkPaced = async (count: number, perSecond: number) => {
      const committed = new Map<string, number>()
      const begin = WebhookReceiver.now()
      const links: Array<Promise<void>> = []
      for (let index = 0; index < count; index++) {
        const due = begin + (index * 1000) / perSecond
        const wait = due - WebhookReceiver.now()
        if (wait > 0) await new Promise((r) => setTimeout(r, wait))
        const source = sources[nextSource++] ?? ""
        links.push(
          Effect.runPromise(
            registrar.link({
              actor: world.member,
              source,
              target: `${world.organization}/wandb-registry-${world.registry}/lane-${index % CONCURRENT_LINKS}`
            })
          ).then((linked) => {
            committed.set(linked.qualifiedName, WebhookReceiver.now())
          })
        )
      }
      await Promise.all(links)
      return committed
    }
    const waitForAll = async (expected: number, seconds: number, receiver = hook) => {
      const deadline = Date.now() + seconds * 1000
      while (receiver.firstArrival.size < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    }
    /** Each arrival's time from its link's commit, sorted. */
    const latenciesOf = (arrivals: ReadonlyArray<WebhookReceiver.Arrival>, committed: Map<string, number>) =>
      arrivals
        .map((arrival) => arrival.at - (committed.get(arrival.version) ?? Number.NaN))
        .filter(Number.isFinite)
        .sort((a, b) => a - b)

    // Run 1: a flood of links.
    dispatcher = Effect.runSync(Scope.make())
    await Effect.runPromise(Layer.buildWithScope(dispatcherLayer("bench-a"), dispatcher).pipe(Effect.provide(context)))
    options.log("automations: 1,000 links, as fast as they commit")
    const startedAt = WebhookReceiver.now()
    const steady = await linkAll(LINKS)
    options.log(
      `automations: links committed in ${millis(WebhookReceiver.now() - startedAt)} ms; ${whole(hook.firstArrival.size)} deliveries received by then`
    )
    await waitForAll(LINKS * AUTOMATIONS, 120)
    const arrivals = [...hook.firstArrival.values()]
    const finishedAt = Math.max(...arrivals.map((arrival) => arrival.at))
    const latencies = latenciesOf(arrivals, steady)
    const steadyDelivered = hook.firstArrival.size
    const rate = steadyDelivered / ((finishedAt - startedAt) / 1000)

    // Run 1b, for comparison: the same flood with the receiver on the dispatcher's thread, as this benchmark ran
    // before 2026-12-06 (each delivery then waits a turn of the busy loop for the receiver's answer).
    await pointAt(hookInThread)
    options.log("automations: 1,000 links, as fast as they commit, the receiver on the dispatcher's thread")
    const inThreadStartedAt = WebhookReceiver.now()
    const inThreadCommitted = await linkAll(LINKS)
    await waitForAll(LINKS * AUTOMATIONS, 120, hookInThread)
    const inThreadArrivals = [...hookInThread.firstArrival.values()]
    const inThreadLatencies = latenciesOf(inThreadArrivals, inThreadCommitted)
    const inThreadRate =
      inThreadArrivals.length / ((Math.max(...inThreadArrivals.map((a) => a.at)) - inThreadStartedAt) / 1000)
    await pointAt(hook)

    // Run 2: links paced at a fixed rate.
    options.log(`automations: 1,000 links at ${PACED_LINKS_PER_SECOND}/s`)
    const pacedBefore = hook.firstArrival.size
    const pacedStartedAt = WebhookReceiver.now()
    const paced = await linkPaced(LINKS, PACED_LINKS_PER_SECOND)
    await waitForAll(pacedBefore + LINKS * AUTOMATIONS, 120)
    const pacedArrivals = [...hook.firstArrival.values()].slice(pacedBefore)
    const pacedLatencies = latenciesOf(pacedArrivals, paced)
    const pacedDelivered = pacedArrivals.length
    const pacedRate = pacedDelivered / ((Math.max(...pacedArrivals.map((a) => a.at)) - pacedStartedAt) / 1000)

    // Run 3: the dispatcher restarts halfway (a new holder, as a new process would be).
    options.log("automations: 1,000 links, the dispatcher restarted halfway")
    const before = hook.firstArrival.size
    const requestsBefore = hook.requests()
    const restarted = await linkAll(LINKS, async () => {
      if (dispatcher !== undefined) await Effect.runPromise(Scope.close(dispatcher, Exit.void))
      dispatcher = Effect.runSync(Scope.make())
      await Effect.runPromise(
        Layer.buildWithScope(dispatcherLayer("bench-b"), dispatcher).pipe(Effect.provide(context))
      )
    })
    await waitForAll(before + LINKS * AUTOMATIONS, 120)
    const secondArrivals = [...hook.firstArrival.values()].slice(before)
    const secondLatencies = latenciesOf(secondArrivals, restarted)
    const delivered = hook.firstArrival.size - before
    const copies = hook.requests() - requestsBefore - delivered
    await Effect.runPromise(Scope.close(dispatcher, Exit.void))
    dispatcher = undefined

    const p99 = percentile(latencies, 99)
    const pacedP99 = percentile(pacedLatencies, 99)
    return {
      title: "11. Automations: commit to webhook receipt",
      method: [
        `PostgreSQL server, schema ${SCHEMA}; the service and the dispatcher in this process (as in \`registrar serve\`), webhooks to a receiver on 127.0.0.1 on a worker thread of this process (as a receiver elsewhere, it takes no turn of the dispatcher's event loop) that answers 200 at once; the comparison row runs the same receiver code on the dispatcher's thread (the automations pointed at it for that run).`,
        `${AUTOMATIONS} automations on LINK_ARTIFACT over the whole registry, each signed (HMAC-SHA256) with a template. Flood: ${LINKS} links as fast as they commit, ${CONCURRENT_LINKS} at a time into ${CONCURRENT_LINKS} collections (about 1,200 deliveries/s asked for while the same process runs the links; deliveries queue whenever the dispatcher falls behind: a throughput test; the first flood also warms the process up). Paced: ${LINKS} links started at ${PACED_LINKS_PER_SECOND} per second whatever the earlier ones are doing (an open loop, ${whole(PACED_LINKS_PER_SECOND * AUTOMATIONS)} deliveries/s asked for), into the same collections: the latency a registry sees under steady heavy use.`,
        "Latency: from a link's command returning (its commit) to the first receipt of each of its deliveries; deliveries/s: deliveries received over the time from the first link to the last receipt.",
        `Restart run: another flood of ${LINKS} links; halfway, the dispatcher's scope is closed (its fibers interrupted mid-delivery) and a dispatcher with a new holder id starts, which waits for the old leases to expire (${LEASE_MILLIS} ms).`
      ],
      tables: [
        {
          header: [
            "run",
            "received within 120 s of the last link",
            "p50",
            "p99",
            "max",
            "deliveries/s",
            "duplicate copies"
          ],
          rows: [
            [
              "flood",
              `${whole(steadyDelivered)} / ${whole(LINKS * AUTOMATIONS)}`,
              `${millis(percentile(latencies, 50))} ms`,
              `${millis(p99)} ms`,
              `${millis(latencies.at(-1) ?? Number.NaN)} ms`,
              whole(rate),
              "0"
            ],
            [
              "flood, the receiver on the dispatcher's thread (for comparison)",
              `${whole(inThreadArrivals.length)} / ${whole(LINKS * AUTOMATIONS)}`,
              `${millis(percentile(inThreadLatencies, 50))} ms`,
              `${millis(percentile(inThreadLatencies, 99))} ms`,
              `${millis(inThreadLatencies.at(-1) ?? Number.NaN)} ms`,
              whole(inThreadRate),
              "0"
            ],
            [
              `paced, ${PACED_LINKS_PER_SECOND} links/s`,
              `${whole(pacedDelivered)} / ${whole(LINKS * AUTOMATIONS)}`,
              `${millis(percentile(pacedLatencies, 50))} ms`,
              `${millis(pacedP99)} ms`,
              `${millis(pacedLatencies.at(-1) ?? Number.NaN)} ms`,
              whole(pacedRate),
              "0"
            ],
            [
              "flood, restart halfway",
              `${whole(delivered)} / ${whole(LINKS * AUTOMATIONS)}`,
              `${millis(percentile(secondLatencies, 50))} ms`,
              `${millis(percentile(secondLatencies, 99))} ms`,
              `${millis(secondLatencies.at(-1) ?? Number.NaN)} ms`,
              "-",
              whole(copies)
            ]
          ]
        }
      ],
      targets: [
        {
          goal: `automations: commit to receipt p99 under 500 ms (1,000 links × 10 automations, links paced at ${PACED_LINKS_PER_SECOND}/s)`,
          measured: `${millis(pacedP99)} ms`,
          met: pacedP99 < 500
        },
        {
          goal: "automations: commit to receipt p99 under 500 ms (1,000 links × 10 automations, links as fast as they commit)",
          measured: `${millis(p99)} ms`,
          met: p99 < 500
        },
        {
          goal: "automations: no delivery lost across a restart",
          measured: `${whole(delivered)} of ${whole(LINKS * AUTOMATIONS)} delivered`,
          met: delivered === LINKS * AUTOMATIONS
        }
      ],
      notes: [
        "Copies sent again after the restart carry their delivery id (the receiver counts first arrivals by id); the restart run's latencies include the lease hand-over.",
        "Deliveries not received within the cutoff were still queued (the run stops waiting), not lost: losing one would need its DeliveryQueued event to be skipped, which the kill -9 and three-server tests check."
      ]
    }
  } finally {
    // A run that failed midway stops its dispatcher before the store's pool closes under it.
    if (dispatcher !== undefined) await Effect.runPromise(Scope.close(dispatcher, Exit.void))
    await hook.close()
    await hookInThread.close()
    await Effect.runPromise(Scope.close(scope, Exit.void))
  }
}
