/**
 * The dispatcher: follows the global feed from a checkpoint it stores, matches registry events to automations,
 * queues one delivery per match on the automation's deliveries stream (in log order, with an id derived from the
 * automation and the event, so queueing again writes nothing), and delivers each automation's queue in order.
 *
 * Every process of a store may run one. Leases ({@link DispatchStore}) make one process the matcher at a time, and
 * one process deliver for an automation at a time; a process that dies stops renewing its leases, and another takes
 * them over when they expire. Delivery is at least once: a process killed after sending and before recording sends
 * the delivery again, under the same delivery id. Links never wait for any of this: the dispatcher reads committed
 * events only.
 */
import { Duration, Effect, Either, Fiber, FiberMap, Option, Schema, type Scope } from "effect"
import * as Artifact from "../Artifact.js"
import * as Collection from "../Collection.js"
import {
  type Checkpoint,
  compareCheckpoints,
  EventStore,
  type NewEvent,
  Origin,
  type RecordedEvent,
  type StoreUnavailable
} from "../EventStore.js"
import * as Events from "../Events.js"
import { aggregate, AggregateCache, load, loadCollectionFor } from "../internal/Loader.js"
import * as DeliveryStream from "../internal/DeliveryStream.js"
import {
  decideAttempts,
  type DeliveryWriter,
  make as makeWriter,
  type RecordAttempt,
  type RecordFailure
} from "../internal/DeliveryWriter.js"
import { uuidFromText } from "../internal/Uuid.js"
import { ReadModelStore } from "../ReadModelStore.js"
import * as Registry from "../Registry.js"
import type { SnapshotStore } from "../SnapshotStore.js"
import { attempt, defaultRetryPolicy, type RetryPolicy } from "./Attempt.js"
import * as Book from "./Book.js"
import * as Deliveries from "./Deliveries.js"
import * as AutomationEvents from "./Events.js"
import { render, variablesOf } from "./Model.js"
import { DispatchStore, type WebhookTransport } from "./Ports.js"
import { fires, type Trigger, triggersOf } from "./Triggers.js"

/** How a dispatcher runs. */
export interface DispatcherOptions {
  /** Names this process in leases (unique per process). */
  readonly holder: string
  /** How long a lease lasts unless renewed (default 30 s); a dead process's work waits this long. */
  readonly leaseMillis?: number
  /** The longest wait for new events before polling again (default 500 ms). */
  readonly pollMillis?: number
  /** Events read per step (default 500). */
  readonly batchSize?: number
  /** Retries, backoff and the request timeout. */
  readonly retry?: Partial<RetryPolicy>
}

/** What a dispatcher needs. */
export type DispatcherRequirements = EventStore | SnapshotStore | DispatchStore | WebhookTransport

const MATCHER_LEASE = "automations:matcher"
const CHECKPOINT = "automations"

const registrySpec = aggregate(Registry.Event, Registry.decider)
const artifactSpec = aggregate(Artifact.Event, Artifact.decider)
const decodeBook = Schema.decodeUnknownEither(AutomationEvents.BookEvent)

interface CollectionFacts {
  readonly registryId: string
  name: string
  tags: ReadonlyArray<string>
}

/** What one process knows, as of `position` in the feed. */
interface Known {
  position: Checkpoint
  readonly books: Map<string, Book.State>
  readonly registries: Map<string, { organization: string; name: string }>
  readonly automationRegistry: Map<string, string>
  readonly collections: Map<string, CollectionFacts>
  readonly linking: Map<string, Set<string>>
  /** Automations that may have work, with a count of wake-ups (a worker that saw none removes only its own). */
  readonly maybePending: Map<string, number>
  /** Each automation's deliveries stream as far as this process knows it. */
  readonly deliveries: Map<string, DeliveryStream.DeliveryStream>
}

/** An automation's deliveries stream as this process knows it. */
const streamOf = (known: Known, automationId: string) => {
  let stream = known.deliveries.get(automationId)
  if (stream === undefined) {
    stream = DeliveryStream.make()
    known.deliveries.set(automationId, stream)
  }
  return stream
}

/** A delivery queued by this process's matcher, with the event that queues it. */
interface Queued {
  readonly automationId: string
  readonly delivery: AutomationEvents.DeliveryQueued
  readonly newEvent: NewEvent
}

/** Notes that an automation may have work. */
const wake = (known: Known, automationId: string) =>
  known.maybePending.set(automationId, (known.maybePending.get(automationId) ?? 0) + 1)

const upTo = (event: RecordedEvent, checkpoint: Checkpoint) => compareCheckpoints(event, checkpoint) <= 0

const learnRegistry = (known: Known, registryId: string) =>
  Effect.gen(function* () {
    const loaded = yield* load(registrySpec, Registry.streamIdOf(registryId))
    if (loaded.state._tag !== "Active") return
    known.registries.set(registryId, { organization: loaded.state.organization, name: loaded.state.registry })
    const readModels = yield* Effect.serviceOption(ReadModelStore)
    for (const info of loaded.state.collections.values()) {
      known.collections.set(info.id, { registryId, name: info.name, tags: info.tags })
      if (Option.isSome(readModels)) {
        const rows = yield* readModels.value.list("linked_versions", { collectionId: info.id })
        for (const row of rows) {
          const artifact = String(row.sourceKey ?? "").replace(/:v\d+$/, "")
          const set = known.linking.get(artifact) ?? new Set()
          known.linking.set(artifact, set.add(info.id))
        }
      }
    }
  })

/** Everything the dispatcher needs to know as of a checkpoint: the books as they were then, and pending work. */
const knownAt = (position: Checkpoint) =>
  Effect.gen(function* () {
    const store = yield* EventStore
    const known: Known = {
      position,
      books: new Map(),
      registries: new Map(),
      automationRegistry: new Map(),
      collections: new Map(),
      linking: new Map(),
      maybePending: new Map(),
      deliveries: new Map()
    }
    const index = yield* store.readStream(AutomationEvents.registriesStreamId)
    for (const opened of index) {
      const registryId = String(opened.data.registryId)
      let book = Book.initialState
      for (const stored of yield* store.readStream(AutomationEvents.bookStreamId(registryId))) {
        const decoded = decodeBook({ ...stored.data, _tag: stored.type })
        if (Either.isLeft(decoded)) continue
        if (decoded.right._tag === "AutomationCreated")
          known.automationRegistry.set(decoded.right.automationId, registryId)
        if (upTo(stored, position)) book = Book.evolve(book, decoded.right)
      }
      known.books.set(registryId, book)
      yield* learnRegistry(known, registryId)
    }
    for (const automationId of known.automationRegistry.keys()) wake(known, automationId)
    return known
  })

const sourceOf = (trigger: Trigger) =>
  trigger.source !== null || trigger.index === null
    ? Effect.succeed(trigger.source)
    : Effect.map(loadCollectionFor(trigger.collectionId, { indexes: [trigger.index] }), (loaded) =>
        Option.getOrNull(
          Option.map(
            Collection.findVersion(loaded.state, { _tag: "Index", index: trigger.index! }),
            (linked) => linked.source
          )
        )
      )

const metadataOf = (trigger: Trigger) =>
  Effect.gen(function* () {
    const source = yield* sourceOf(trigger)
    if (source === null) return {}
    const loaded = yield* load(artifactSpec, Artifact.streamId(source.entity, source.project, source.name))
    return loaded.state._tag === "Present" ? (loaded.state.versions.get(source.index)?.metadata ?? {}) : {}
  })

/** The body of one automation's delivery for a trigger. */
const bodyFor = (known: Known, automation: Book.Automation, trigger: Trigger, event: RecordedEvent) =>
  Effect.gen(function* () {
    if (automation.action.kind !== "webhook") return ""
    const collection = known.collections.get(trigger.collectionId)
    const registry = known.registries.get(collection?.registryId ?? "") ?? {
      organization: automation.organization,
      name: automation.registry
    }
    const template = automation.action.payloadTemplate
    const usesMetadata = variablesOf(template).some((variable) => variable.startsWith("artifact_metadata."))
    const project = `wandb-registry-${registry.name}`
    const version = trigger.index ?? trigger.source?.index ?? null
    const body = render(template, {
      event_type: trigger.eventType,
      event_author: event.metadata.actor,
      entity_name: registry.organization,
      project_name: project,
      artifact_collection_name: collection?.name ?? "",
      artifact_version: version === null ? "" : `v${version}`,
      artifact_version_string:
        trigger.index !== null
          ? `${registry.organization}/${project}/${collection?.name ?? ""}:v${trigger.index}`
          : trigger.source !== null
            ? `${trigger.source.entity}/${trigger.source.project}/${trigger.source.name}:v${trigger.source.index}`
            : "",
      alias: trigger.alias,
      tag: trigger.tag,
      artifactMetadata: usesMetadata ? yield* metadataOf(trigger) : {}
    })
    return body.length > AutomationEvents.MAX_BODY_LENGTH ? body.slice(0, AutomationEvents.MAX_BODY_LENGTH) : body
  })

/** Folds one feed event into what the process knows; returns the deliveries it causes (queued by the matcher). */
const observe = (known: Known, event: RecordedEvent) =>
  Effect.gen(function* () {
    const queued: Array<Queued> = []
    if (AutomationEvents.isBookStream(event.streamId)) {
      const registryId = event.streamId.slice("Automations-".length)
      const decoded = decodeBook({ ...event.data, _tag: event.type })
      if (Either.isRight(decoded)) {
        if (!known.books.has(registryId)) yield* learnRegistry(known, registryId)
        known.books.set(registryId, Book.evolve(known.books.get(registryId) ?? Book.initialState, decoded.right))
        if (decoded.right._tag === "AutomationCreated")
          known.automationRegistry.set(decoded.right.automationId, registryId)
      }
      return queued
    }
    if (AutomationEvents.isDeliveriesStream(event.streamId)) {
      // Attempts and their ends (most of the feed under load) change nothing the matcher knows.
      if (event.type !== "DeliveryQueued") return queued
      const decoded = AutomationEvents.decodeDelivery(event)
      if (Either.isRight(decoded) && decoded.right._tag === "DeliveryQueued") {
        DeliveryStream.arrive(streamOf(known, decoded.right.automationId), event.streamPosition, decoded.right)
        wake(known, decoded.right.automationId)
      }
      return queued
    }
    const decoded = Events.decode(event)
    if (Either.isLeft(decoded) || Option.isNone(decoded.right)) return queued
    const domainEvent = decoded.right.value
    const triggers = triggersOf(domainEvent, {
      tagsBefore: (collectionId) => known.collections.get(collectionId)?.tags ?? [],
      collectionsLinking: (artifact) => [...(known.linking.get(artifact) ?? [])]
    })
    // Learn the collection facts this event changes (after computing its triggers, which need the tags before).
    const registryId = event.streamId.startsWith("Registry-") ? Registry.registryIdOf(event.streamId) : undefined
    switch (domainEvent._tag) {
      case "CollectionCreated":
        if (registryId !== undefined && known.books.has(registryId)) {
          known.collections.set(domainEvent.collectionId, {
            registryId,
            name: domainEvent.collection,
            tags: domainEvent.tags
          })
        }
        break
      case "CollectionRenamed": {
        const facts = known.collections.get(domainEvent.collectionId)
        if (facts !== undefined) facts.name = domainEvent.to
        break
      }
      case "CollectionUpdated": {
        const facts = known.collections.get(domainEvent.collectionId)
        if (facts !== undefined) facts.tags = domainEvent.tags
        break
      }
      case "RegistryRenamed":
        if (registryId !== undefined && known.registries.has(registryId)) {
          known.registries.set(registryId, { organization: domainEvent.organization, name: domainEvent.registry })
        }
        break
      case "ArtifactLinked": {
        // Every link, not only those of registries with automations yet: a registry's first automation may come later.
        const artifact = `${domainEvent.source.entity}/${domainEvent.source.project}/${domainEvent.source.name}`
        known.linking.set(artifact, (known.linking.get(artifact) ?? new Set()).add(domainEvent.collectionId))
        break
      }
    }
    for (const [position, trigger] of triggers.entries()) {
      const collection = known.collections.get(trigger.collectionId)
      if (collection === undefined) continue
      const book = known.books.get(collection.registryId)
      if (book === undefined) continue
      for (const automation of book.automations.values()) {
        const inRegistry = (collectionId: string) =>
          known.collections.get(collectionId)?.registryId === collection.registryId
        if (!fires(automation, trigger, inRegistry)) continue
        const deliveryId = uuidFromText(`delivery\n${automation.automationId}\n${event.eventId}\n${position}`)
        const queuedEvent = new AutomationEvents.DeliveryQueued({
          deliveryId,
          automationId: automation.automationId,
          eventType: trigger.eventType,
          source: { eventId: event.eventId, transactionId: event.transactionId, globalPosition: event.globalPosition },
          body: yield* bodyFor(known, automation, trigger, event),
          redeliveryOf: null,
          at: event.metadata.recordedAt
        })
        queued.push({
          automationId: automation.automationId,
          delivery: queuedEvent,
          newEvent: {
            eventId: uuidFromText(`queued\n${deliveryId}`),
            ...AutomationEvents.encodeEvent(queuedEvent, AutomationEvents.DeliveryEvent),
            metadata: {
              actor: AutomationEvents.DISPATCHER_ACTOR,
              recordedAt: event.metadata.recordedAt,
              causationId: event.eventId,
              ...(event.metadata.correlationId === undefined ? {} : { correlationId: event.metadata.correlationId })
            }
          }
        })
      }
    }
    return queued
  })

/**
 * Appends queued deliveries, one write per automation; a write stored before (a takeover) is skipped. Each delivery
 * appended arrives at its stream's position in what this process knows, so its worker need not read the stream.
 */
const queueAll = (known: Known, queued: ReadonlyArray<Queued>) =>
  Effect.gen(function* () {
    if (queued.length === 0) return
    const store = yield* EventStore
    const byAutomation = new Map<string, Array<Queued>>()
    for (const item of queued) {
      const items = byAutomation.get(item.automationId)
      if (items === undefined) byAutomation.set(item.automationId, [item])
      else items.push(item)
    }
    const groups = [...byAutomation.values()]
    const writes = groups.map((items) => ({
      streamId: AutomationEvents.deliveriesStreamId(items[0]!.automationId),
      events: items.map((item) => item.newEvent),
      expected: "any" as const
    }))
    /** An append of `items` left their stream at version `last`: they hold the positions up to it. */
    const arrived = (items: ReadonlyArray<Queued>, last: number) => {
      for (const [index, item] of items.entries()) {
        DeliveryStream.arrive(streamOf(known, item.automationId), last - items.length + 1 + index, item.delivery)
      }
    }
    yield* store.appendMany(writes).pipe(
      Effect.flatMap((results) =>
        Effect.sync(() => {
          for (const [index, result] of results.entries()) arrived(groups[index]!, result.nextExpectedVersion)
        })
      ),
      Effect.catchTag("EventIdReused", () =>
        // Part of this batch was queued by a process that held the matcher lease before: queue event by event (the
        // ones stored before arrive from the feed).
        Effect.forEach(
          groups,
          (items, index) =>
            Effect.forEach(
              items,
              (item) =>
                store.append(writes[index]!.streamId, [item.newEvent], "any").pipe(
                  Effect.map((result) => arrived([item], result.nextExpectedVersion)),
                  Effect.catchTag("EventIdReused", () => Effect.void)
                ),
              { discard: true }
            ),
          { discard: true }
        )
      ),
      Effect.catchTag("VersionConflict", () => Effect.void),
      Effect.catchTag("StreamRepeatedInAppend", () => Effect.void)
    )
  })

/**
 * Delivers one automation's queue in order while this process holds its lease: each delivery is sent once the one
 * before it has ended here (received or given up), taken from the stream as this process knows it (deliveries queued
 * here or seen in the feed arrive there by stream position; it is read only where a position is unknown). Attempts
 * are recorded behind the sending, one append at a time with every attempt made since the last one began, so the
 * next delivery does not wait for a commit; all of them are recorded before a lease decision, a wait for a retry,
 * and the worker's end. A process that dies with attempts not yet recorded leaves those deliveries pending, and they
 * are sent again under the same ids: at least once, in order.
 */
const deliverFor = (
  known: Known,
  writer: DeliveryWriter,
  automationId: string,
  options: Required<Omit<DispatcherOptions, "retry">>,
  policy: RetryPolicy
) =>
  Effect.gen(function* () {
    const leases = yield* DispatchStore
    const lease = `automation:${automationId}`
    const streamId = AutomationEvents.deliveriesStreamId(automationId)
    const stream = streamOf(known, automationId)
    // The lease is renewed before an attempt whenever less of it is left than an attempt may take; while it is held
    // without a break, this worker is the stream's only deliverer, so the only events others add to the stream are
    // newly queued deliveries (which arrive from the feed, or are read where a position is unknown).
    const renewAfter = Math.max(0, Math.min(options.leaseMillis / 3, options.leaseMillis - policy.timeoutMillis - 500))
    let renewedAt = Number.NEGATIVE_INFINITY
    // Attempts made and not recorded yet: those being appended, and those made since that append began.
    let inFlight: ReadonlyArray<RecordAttempt> = []
    let unrecorded: Array<RecordAttempt> = []
    let recording: Fiber.RuntimeFiber<void, RecordFailure> | undefined
    /** Records `inFlight` (with other automations' attempts waiting at the time). */
    const recordInFlight = Effect.suspend(() =>
      writer.record({
        stream,
        streamId,
        commands: inFlight,
        onRecorded: () => {
          inFlight = []
        }
      })
    )
    /** Starts recording the attempts made since the last append began, unless an append is under way. */
    const recordBehind = Effect.gen(function* () {
      if (recording !== undefined && recording.unsafePoll() === null) return
      if (recording !== undefined) yield* Fiber.join(recording)
      recording = undefined
      if (unrecorded.length === 0) return
      inFlight = unrecorded
      unrecorded = []
      recording = yield* Effect.forkDaemon(recordInFlight)
    })
    /** Waits until every attempt made is recorded. */
    const recordNow = Effect.gen(function* () {
      if (recording !== undefined) yield* Fiber.join(recording)
      recording = undefined
      if (unrecorded.length === 0) return
      inFlight = unrecorded
      unrecorded = []
      yield* recordInFlight
    })
    // The stream as known plus the attempts not recorded yet, folded again only when the fold or the append under
    // way changed (otherwise only the attempts made since are added).
    let ahead = { folded: stream.folded, inFlight, added: 0, state: stream.folded.state }
    /** The first delivery not finished, as recorded plus the attempts not recorded yet. */
    const nextPending = () => {
      const folded = DeliveryStream.settle(stream)
      if (ahead.folded !== folded || ahead.inFlight !== inFlight) {
        ahead = { folded, inFlight, added: 0, state: decideAttempts(folded.state, inFlight).state }
      }
      if (ahead.added < unrecorded.length) {
        ahead.state = decideAttempts(ahead.state, unrecorded.slice(ahead.added)).state
        ahead.added = unrecorded.length
      }
      return Deliveries.nextPending(ahead.state)
    }
    const worker = Effect.gen(function* () {
      while (true) {
        if (Date.now() - renewedAt > renewAfter) {
          yield* recordNow
          const taken = Date.now()
          if (!(yield* leases.acquireLease(lease, options.holder, options.leaseMillis))) return
          // Taken afresh (not renewed in time): another process may have delivered since; read on from the stream.
          if (taken - renewedAt > options.leaseMillis) yield* DeliveryStream.read(stream, streamId)
          renewedAt = taken
        }
        const wakes = known.maybePending.get(automationId)
        let next = nextPending()
        if (next === undefined) {
          // Positions beyond what is known hold something from another writer (or arrivals were dropped): read them.
          yield* recordNow
          DeliveryStream.settle(stream)
          if (DeliveryStream.hasGap(stream)) yield* DeliveryStream.read(stream, streamId)
          next = nextPending()
        }
        if (next === undefined) {
          // Woken meanwhile (a delivery queued after the check): leave the wake-up for the next worker.
          if (known.maybePending.get(automationId) === wakes) known.maybePending.delete(automationId)
          yield* leases.releaseLease(lease, options.holder)
          return
        }
        const wait = next.retryAt === null ? 0 : Date.parse(next.retryAt) - Date.now()
        if (wait > 0) {
          yield* recordNow
          yield* Effect.sleep(Duration.millis(Math.min(wait, options.leaseMillis / 3)))
          continue
        }
        const registryId = known.automationRegistry.get(automationId)
        const book = registryId === undefined ? undefined : known.books.get(registryId)
        const automation = book?.automations.get(automationId)
        const result =
          automation === undefined || book === undefined
            ? {
                status: null,
                durationMillis: 0,
                response: "",
                error: null,
                outcome: { _tag: "GiveUp", reason: "the automation was deleted" } as const
              }
            : yield* attempt(automation, book.secrets, next, policy)
        unrecorded.push({ _tag: "RecordAttempt", deliveryId: next.deliveryId, ...result, at: new Date().toISOString() })
        yield* recordBehind
      }
    })
    // Attempts already sent are recorded even when the worker is interrupted (its process shutting down) or fails.
    yield* worker.pipe(Effect.ensuring(Effect.ignore(Effect.timeout(recordNow, Duration.seconds(5)))))
  }).pipe(
    Effect.catchAll((error) => Effect.logWarning(`automation ${automationId}: delivery paused: ${String(error)}`)),
    Effect.provideService(AggregateCache, AggregateCache.make(1000))
  )

/**
 * Runs the dispatcher until interrupted: matches when it holds the matcher lease, and delivers for every automation
 * with work whose lease it can take.
 */
export const run = (
  options: DispatcherOptions
): Effect.Effect<never, StoreUnavailable | Events.UndecodableEvent, DispatcherRequirements | Scope.Scope> =>
  Effect.gen(function* () {
    const settings = {
      holder: options.holder,
      leaseMillis: options.leaseMillis ?? 30_000,
      pollMillis: options.pollMillis ?? 500,
      batchSize: options.batchSize ?? 500
    }
    const policy: RetryPolicy = { ...defaultRetryPolicy, ...options.retry }
    const store = yield* EventStore
    const leases = yield* DispatchStore
    const workers = yield* FiberMap.make<string>()
    const cache = AggregateCache.make(1000)
    const writer = yield* makeWriter(settings.holder)
    let matcher = false
    let known = yield* knownAt((yield* leases.checkpoint(CHECKPOINT)) ?? Origin)
    const spawn = Effect.suspend(() =>
      Effect.forEach(
        [...known.maybePending.keys()],
        (automationId) =>
          FiberMap.run(workers, automationId, deliverFor(known, writer, automationId, settings, policy), {
            onlyIfMissing: true
          }),
        { discard: true }
      )
    )
    // The matcher renews its lease once a third of it has passed, and another process asks for it as often: not on
    // every step, which follows every append (each ask is a write; with several processes, one per append each). A
    // matcher that dies is then replaced within the lease and a third of it.
    // Its checkpoint is saved on every step that queued work, and otherwise at most once a third of the lease: a
    // takeover from an older one observes the events since again (nothing matched them then, nothing will now) and
    // re-queues event by event, so a store without automations does not write a checkpoint per append.
    let leaseAskedAt = Number.NEGATIVE_INFINITY
    let checkpointSavedAt = Number.NEGATIVE_INFINITY
    const step = Effect.gen(function* () {
      const now = Date.now()
      if (now - leaseAskedAt > settings.leaseMillis / 3) {
        leaseAskedAt = now
        const holds = yield* leases.acquireLease(MATCHER_LEASE, settings.holder, settings.leaseMillis)
        if (holds && !matcher) {
          // Taking the matcher over: start from the stored checkpoint, whatever this process saw before. Workers
          // already delivering keep going (interrupting one between sending and recording would send again).
          known = yield* knownAt((yield* leases.checkpoint(CHECKPOINT)) ?? Origin)
        }
        matcher = holds
      }
      const batch = yield* store.readAll({ after: known.position, limit: settings.batchSize })
      const queued: Array<Queued> = []
      for (const event of batch) {
        if (compareCheckpoints(event, known.position) <= 0) continue
        queued.push(...(yield* Effect.provideService(observe(known, event), AggregateCache, cache)))
        known.position = { transactionId: event.transactionId, globalPosition: event.globalPosition }
      }
      if (matcher && queued.length > 0) {
        yield* writer.exclusive(queueAll(known, queued))
        for (const { automationId } of queued) wake(known, automationId)
      }
      if (matcher && batch.length > 0 && (queued.length > 0 || now - checkpointSavedAt > settings.leaseMillis / 3)) {
        yield* leases.saveCheckpoint(CHECKPOINT, known.position)
        checkpointSavedAt = now
      }
      yield* spawn
      if (batch.length < settings.batchSize) yield* store.waitForAppends(settings.pollMillis)
    }).pipe(
      Effect.catchAll((error) =>
        Effect.zipRight(
          Effect.logWarning(`automations: dispatcher step failed, retrying: ${error.message}`),
          Effect.sleep(Duration.millis(settings.pollMillis))
        )
      )
    )
    return yield* Effect.forever(step)
  })
