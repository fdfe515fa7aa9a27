import { describe, expect, it } from "@effect/vitest"
import { Chunk, Deferred, Duration, Effect, Either, Fiber, Schedule } from "effect"
import * as Entity from "../src/Entity.js"
import { ConflictRetriesExhausted } from "../src/Errors.js"
import * as Events from "../src/Events.js"
import {
  EventStore,
  type EventStoreShape,
  type ExpectedVersion,
  Origin,
  type RecordedEvent,
  VersionConflict
} from "../src/EventStore.js"
import { AggregateCache, aggregate, changeOf, conflictRetries, execute, load } from "../src/internal/Loader.js"

/** Just enough of an EventStore for one writer racing others: streams with optimistic appends. */
const makeStore = () => {
  const streams = new Map<string, Array<RecordedEvent>>()
  let globalPosition = 0
  const versionOf = (streamId: string) => streams.get(streamId)?.length ?? 0
  const satisfies = (expected: ExpectedVersion, actual: number) =>
    expected === "any" ||
    (expected === "no_stream" && actual === 0) ||
    (expected === "stream_exists" && actual > 0) ||
    expected === actual
  const append: EventStoreShape["append"] = (streamId, events, expected) =>
    Effect.suspend(() => {
      const actual = versionOf(streamId)
      if (!satisfies(expected, actual)) return Effect.fail(new VersionConflict({ streamId, expected, actual }))
      const stream = streams.get(streamId) ?? []
      const recorded = events.map((event, index) => ({
        ...event,
        streamId,
        streamPosition: actual + index + 1,
        globalPosition: ++globalPosition,
        transactionId: globalPosition,
        hash: ""
      }))
      streams.set(streamId, [...stream, ...recorded])
      return Effect.succeed({
        streamId,
        nextExpectedVersion: actual + events.length,
        globalPositions: recorded.map((event) => event.globalPosition),
        checkpoint: Origin
      })
    })
  const store: EventStoreShape = {
    append,
    // All or nothing: every write's version is checked before any is appended (a write without events only checks).
    appendMany: (writes) =>
      Effect.suspend(() => {
        for (const { streamId, expected } of writes) {
          const actual = versionOf(streamId)
          if (!satisfies(expected, actual)) return Effect.fail(new VersionConflict({ streamId, expected, actual }))
        }
        return Effect.forEach(writes, ({ streamId, events, expected }) => append(streamId, events, expected))
      }),
    readStream: (streamId, options) =>
      Effect.sync(() => (streams.get(streamId) ?? []).filter((event) => event.streamPosition > (options?.after ?? 0))),
    streamVersion: (streamId) => Effect.sync(() => versionOf(streamId)),
    readAll: () => Effect.succeed([]),
    head: Effect.succeed(Origin),
    waitForAppends: () => Effect.void,
    chainKeying: Effect.dieMessage("the loader does not read the chain's keying")
  }
  return { store, versionOf }
}

/** An aggregate whose state counts the events of its stream. */
const counter = aggregate(Entity.Event, { initialState: 0, evolve: (count: number) => count + 1 })

const envelope = Effect.succeed({ metadata: { actor: "ada", recordedAt: "2025-01-01T00:00:00.000Z" } })

const event = (user: string) => new Entity.OrganizationMemberRemoved({ organization: "acme", user })

/** Another writer appending to the stream between our load and our append. */
const interfere = (streamId: string, user: string) =>
  Effect.flatMap(EventStore, (store) =>
    store.append(
      streamId,
      [Events.toNewEvent(event(user), `${streamId}-${user}`, { actor: "bob", recordedAt: "2025-01-01T00:00:00.000Z" })],
      "any"
    )
  )

/**
 * A command that appends one event to `streamId`; while `racing` says so, another writer appends first. Returns the
 * version each attempt decided at.
 */
const countedCommand = (streamId: string, racing: (attempt: number) => boolean) => {
  const decidedAt: Array<number> = []
  const decide = Effect.gen(function* () {
    const loaded = yield* load(counter, streamId)
    decidedAt.push(loaded.version)
    if (racing(decidedAt.length)) yield* interfere(streamId, `rival-${decidedAt.length}`)
    const change = changeOf(counter, streamId, loaded, [event("ada")])
    return { changes: [change], result: change.state }
  })
  return { decide, decidedAt }
}

describe("Loader.execute", () => {
  it.effect("a writer that loses a race to a concurrent writer reloads, decides again and appends", () =>
    Effect.gen(function* () {
      const { store, versionOf } = makeStore()
      const command = countedCommand("Entity-race", (attempt) => attempt <= 2)
      const result = yield* execute(envelope, command.decide, Schedule.recurs(5)).pipe(
        Effect.provideService(EventStore, store)
      )
      // Two rivals got in first; the third attempt decided on their events and won.
      expect(command.decidedAt).toEqual([0, 1, 2])
      expect(result).toBe(3)
      expect(versionOf("Entity-race")).toBe(3)
    })
  )

  it.effect("stops when the schedule ends, with ConflictRetriesExhausted naming the stream and the attempts", () =>
    Effect.gen(function* () {
      const { store, versionOf } = makeStore()
      const command = countedCommand("Entity-busy", () => true)
      const outcome = yield* execute(envelope, command.decide, Schedule.recurs(3)).pipe(
        Effect.provideService(EventStore, store),
        Effect.either
      )
      expect(outcome).toEqual(Either.left(new ConflictRetriesExhausted({ streamId: "Entity-busy", attempts: 4 })))
      expect(command.decidedAt).toEqual([0, 1, 2, 3])
      // Only the rivals' events were written.
      expect(versionOf("Entity-busy")).toBe(4)
    })
  )

  it.effect("the default schedule is bounded and jittered: 100 retries, each after a pause of 0 to 50 ms", () =>
    Effect.gen(function* () {
      const delays = yield* Schedule.run(
        Schedule.delays(conflictRetries),
        0,
        Array.from({ length: 500 }, () => null)
      )
      // One output per step: 100 that continue (a retry after that pause), then the step at which it stops.
      expect(delays.length).toBe(101)
      const millis = Chunk.toReadonlyArray(delays).slice(0, 100).map(Duration.toMillis)
      for (const [attempt, delay] of millis.entries()) {
        expect(delay).toBeGreaterThanOrEqual(0)
        expect(delay).toBeLessThanOrEqual(Math.min(2 * (attempt + 1), 50))
      }
      // Jitter: racing writers do not all wait the same time.
      expect(new Set(millis).size).toBeGreaterThan(50)
    })
  )

  it.effect("a failure of the decision itself is not retried", () =>
    Effect.gen(function* () {
      const { store } = makeStore()
      let attempts = 0
      const decide = Effect.suspend(() => {
        attempts++
        return Effect.fail("rejected" as const)
      })
      const outcome = yield* execute(envelope, decide, Schedule.recurs(5)).pipe(
        Effect.provideService(EventStore, store),
        Effect.either
      )
      expect(outcome).toEqual(Either.left("rejected"))
      expect(attempts).toBe(1)
    })
  )
})

/**
 * The store of `makeStore` whose reads of a stream count themselves, and whose first read, once it has read the
 * stream, waits for `release` before answering: a read in flight while other things happen.
 */
const makeHeldStore = () => {
  const { store, versionOf } = makeStore()
  const release = Effect.runSync(Deferred.make<void>())
  let reads = 0
  const held: EventStoreShape = {
    ...store,
    readStream: (streamId, options) =>
      Effect.flatMap(store.readStream(streamId, options), (events) =>
        ++reads === 1 ? Effect.as(Deferred.await(release), events) : Effect.succeed(events)
      )
  }
  return {
    store: held,
    versionOf,
    reads: () => reads,
    release: Deferred.succeed(release, undefined),
    /** Until the first read has been sent. */
    firstReadSent: Effect.suspend(function wait(): Effect.Effect<void> {
      return reads > 0 ? Effect.void : Effect.zipRight(Effect.yieldNow(), Effect.suspend(wait))
    })
  }
}

const appendEvents = (streamId: string, count: number) =>
  Effect.forEach(
    Array.from({ length: count }, (_, index) => `user-${index}`),
    (user) => interfere(streamId, user),
    { discard: true }
  )

/** Until every one of `fibers` has run as far as it can: waiting (on a read in flight, or for the next one) or done. */
const suspended = (fibers: ReadonlyArray<Fiber.RuntimeFiber<unknown, unknown>>): Effect.Effect<void> =>
  Effect.flatMap(Effect.forEach(fibers, Fiber.status), (statuses) =>
    statuses.every((status) => status._tag !== "Running")
      ? Effect.void
      : Effect.zipRight(
          Effect.yieldNow(),
          Effect.suspend(() => suspended(fibers))
        )
  )

/** Runs `body` over a held store and a fresh aggregate cache, as a service's loads run. */
const withHeldStore = <A, E>(body: (held: ReturnType<typeof makeHeldStore>) => Effect.Effect<A, E, EventStore>) =>
  Effect.suspend(() => {
    const held = makeHeldStore()
    return body(held).pipe(
      Effect.provideService(EventStore, held.store),
      Effect.provideService(AggregateCache, AggregateCache.make())
    )
  })

describe("Loader.load, concurrent loads of one stream", () => {
  it.effect("share their reads: 32 loads asked for together read the stream twice, and all see every event", () =>
    withHeldStore((held) =>
      Effect.gen(function* () {
        const streamId = "Entity-shared"
        yield* appendEvents(streamId, 50)
        const first = yield* Effect.fork(load(counter, streamId))
        yield* held.firstReadSent
        // Asked for while the first read is in flight: they go together, once it has answered.
        const others = yield* Effect.forEach(Array.from({ length: 31 }), () => Effect.fork(load(counter, streamId)))
        yield* suspended(others)
        yield* held.release
        const loads = [yield* Fiber.join(first), ...(yield* Fiber.joinAll(others))]
        expect(loads.map((loaded) => [loaded.state, loaded.version])).toEqual(
          Array.from({ length: 32 }, () => [50, 50])
        )
        expect(held.reads()).toBe(2)
      })
    )
  )

  it.effect("a load asked for after an append sees it, though a load sent before the append is still in flight", () =>
    withHeldStore((held) =>
      Effect.gen(function* () {
        const streamId = "Entity-fresh"
        yield* appendEvents(streamId, 3)
        const before = yield* Effect.fork(load(counter, streamId))
        yield* held.firstReadSent
        // Committed after that read was sent: the load asked for now must see it.
        yield* interfere(streamId, "late")
        const after = yield* Effect.fork(load(counter, streamId))
        yield* suspended([after])
        yield* held.release
        expect((yield* Fiber.join(before)).version).toBe(3)
        const seen = yield* Fiber.join(after)
        expect([seen.state, seen.version]).toEqual([4, 4])
        expect(held.versionOf(streamId)).toBe(4)
      })
    )
  )

  it.effect("without a cache each load reads for itself", () =>
    Effect.gen(function* () {
      const held = makeHeldStore()
      const streamId = "Entity-uncached"
      const loads = yield* Effect.gen(function* () {
        yield* appendEvents(streamId, 5)
        const first = yield* Effect.fork(load(counter, streamId))
        yield* held.firstReadSent
        const second = yield* Effect.fork(load(counter, streamId))
        yield* suspended([second])
        yield* held.release
        return [yield* Fiber.join(first), yield* Fiber.join(second)]
      }).pipe(Effect.provideService(EventStore, held.store))
      expect(loads.map((loaded) => loaded.version)).toEqual([5, 5])
      expect(held.reads()).toBe(2)
    })
  )
})
