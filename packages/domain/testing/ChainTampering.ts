/**
 * Tampering by someone who knows the hash formula, written once and run by every adapter: a stream re-chained from
 * an edited event onward, a stream wound back (last events deleted, stream row rewritten), a stream deleted whole.
 * The chains alone cannot see these; an anchor names them, and a keyed chain catches re-chaining without the key.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, type Scope } from "effect"
import {
  type Anchor,
  type AnchorDocument,
  anchorStore,
  type ChainKey,
  chainHashWith,
  contentDigest,
  type EventStoreShape,
  GenesisHash,
  makeChainKey,
  parseAnchor,
  type RecordedEvent,
  verifyStore
} from "../src/index.js"
import { newEvent } from "./EventStoreConformance.js"

/** An event an attacker keeps when rewriting a stream, with its new data and hash. */
export interface KeptEvent {
  readonly eventId: string
  readonly data: RecordedEvent["data"]
  readonly hash: string
}

/** A fresh store under test, and an attacker's way to rewrite its rows (events and stream row). */
export interface TamperSubject {
  readonly store: EventStoreShape
  /**
   * Keeps only the listed events of the stream (with the data and hash given), deletes its other events, and sets
   * its stream row to the last kept event (deleting the row when none is kept).
   */
  readonly rewriteStream: (streamId: string, keep: ReadonlyArray<KeptEvent>) => Effect.Effect<void, unknown>
}

/** Options a subject is made with. */
export interface TamperSubjectOptions {
  readonly chainKey?: ChainKey
}

const key = (secret: string): ChainKey => Either.getOrThrow(makeChainKey(secret))

/** The key the keyed stores of the suite use. */
export const suiteChainKey = key("the suite's secret chain key")

let counter = 0
const streamName = (label: string) => `${label}-${Date.now().toString(36)}-${(counter++).toString(36)}`

/**
 * Re-chains `events` (a whole stream, in order) as an attacker who knows the formula: the event at `editAt` (index)
 * gets `data`, and every hash from there on is recomputed with `attackerKey` (null: the public unkeyed formula).
 */
export const rechained = (
  events: ReadonlyArray<RecordedEvent>,
  editAt: number,
  data: RecordedEvent["data"],
  attackerKey: ChainKey | null = null
): ReadonlyArray<KeptEvent> => {
  const hashOf = chainHashWith(attackerKey)
  let previous = GenesisHash
  return events.map((event, index) => {
    if (index < editAt) {
      previous = event.hash
      return { eventId: event.eventId, data: event.data, hash: event.hash }
    }
    const edited = index === editAt ? { ...event, data } : event
    const hash = hashOf(previous, event.streamId, event.streamPosition, contentDigest(edited))
    previous = hash
    return { eventId: event.eventId, data: edited.data, hash }
  })
}

const anchorOf = (document: AnchorDocument, form: "full" | "compact"): Anchor =>
  Either.getOrThrow(parseAnchor(form === "full" ? JSON.stringify(document) : document.anchor))

/** Three streams of three events, anchored; returns their ids and the anchor. */
const anchoredHistory = (subject: TamperSubject) =>
  Effect.gen(function* () {
    const streams = [streamName("a"), streamName("b"), streamName("c")] as const
    for (const streamId of streams) {
      yield* subject.store.append(
        streamId,
        [0, 1, 2].map((index) => newEvent("Tested", { index })),
        "no_stream"
      )
    }
    const document = yield* anchorStore(subject.store)
    return { streams, document }
  })

/** Runs the tampering suite against the adapter behind `makeSubject`. */
export const chainTamperingSuite = (
  name: string,
  makeSubject: (options: TamperSubjectOptions) => Effect.Effect<TamperSubject, unknown, Scope.Scope>
): void => {
  describe(`${name} chain tampering`, () => {
    it.scopedLive("an anchor of untouched history still matches after more appends", () =>
      Effect.gen(function* () {
        const subject = yield* makeSubject({})
        const { streams, document } = yield* anchoredHistory(subject)
        expect(document.streams).toBe(3)
        expect(document.events).toBe(9)
        expect(document.anchor).toMatch(/^registrar-anchor:v1:\d+:\d+:[0-9a-f]{64}$/)
        yield* subject.store.append(streams[0], [newEvent()], 3)
        yield* subject.store.append(streamName("later"), [newEvent()], "no_stream")
        for (const form of ["full", "compact"] as const) {
          const report = yield* verifyStore(subject.store, { anchor: anchorOf(document, form) })
          expect(report.firstBroken).toBeNull()
          expect(report.anchor?.changes).toEqual([])
        }
      })
    )

    it.scopedLive("(a) a stream re-chained from an edited event onward is named by the anchor", () =>
      Effect.gen(function* () {
        const subject = yield* makeSubject({})
        const { streams, document } = yield* anchoredHistory(subject)
        const stored = yield* subject.store.readStream(streams[1])
        yield* subject.rewriteStream(streams[1], rechained(stored, 1, { index: 99 }))

        const plain = yield* verifyStore(subject.store)
        expect(plain.firstBroken).toBeNull() // the chains alone cannot see it

        const full = yield* verifyStore(subject.store, { anchor: anchorOf(document, "full") })
        expect(full.anchor?.changes.map((change) => change._tag)).toEqual(["StreamRechained"])
        expect(full.anchor?.changes[0]).toMatchObject({ streamId: streams[1], version: 3 })
        expect(full.anchor?.changes[0]?.message).toContain(`Stream "${streams[1]}" was re-chained`)

        const compact = yield* verifyStore(subject.store, { anchor: anchorOf(document, "compact") })
        expect(compact.anchor?.changes.map((change) => change._tag)).toEqual(["AnchorDigestMismatch"])
      })
    )

    it.scopedLive("(b) a stream wound back (last events and stream row) is named by the anchor", () =>
      Effect.gen(function* () {
        const subject = yield* makeSubject({})
        const { streams, document } = yield* anchoredHistory(subject)
        const stored = yield* subject.store.readStream(streams[2])
        yield* subject.rewriteStream(
          streams[2],
          stored.slice(0, 1).map((event) => ({ eventId: event.eventId, data: event.data, hash: event.hash }))
        )

        expect((yield* verifyStore(subject.store)).firstBroken).toBeNull()
        const full = yield* verifyStore(subject.store, { anchor: anchorOf(document, "full") })
        expect(full.anchor?.changes).toHaveLength(1)
        expect(full.anchor?.changes[0]).toMatchObject({
          _tag: "StreamWoundBack",
          streamId: streams[2],
          anchoredVersion: 3,
          storedVersion: 1
        })
        const compact = yield* verifyStore(subject.store, { anchor: anchorOf(document, "compact") })
        expect(compact.anchor?.changes.map((change) => change._tag)).toEqual(["AnchorDigestMismatch"])
      })
    )

    it.scopedLive("(c) a stream deleted whole is named by the anchor", () =>
      Effect.gen(function* () {
        const subject = yield* makeSubject({})
        const { streams, document } = yield* anchoredHistory(subject)
        yield* subject.rewriteStream(streams[0], [])

        const plain = yield* verifyStore(subject.store)
        expect(plain.firstBroken).toBeNull()
        expect(plain.streams).toBe(2)
        const full = yield* verifyStore(subject.store, { anchor: anchorOf(document, "full") })
        expect(full.anchor?.changes).toHaveLength(1)
        expect(full.anchor?.changes[0]).toMatchObject({
          _tag: "StreamDeleted",
          streamId: streams[0],
          anchoredVersion: 3
        })
        const compact = yield* verifyStore(subject.store, { anchor: anchorOf(document, "compact") })
        expect(compact.anchor?.changes.map((change) => change._tag)).toEqual(["AnchorDigestMismatch"])
      })
    )

    it.scopedLive("a store whose chain is broken is not anchored", () =>
      Effect.gen(function* () {
        const subject = yield* makeSubject({})
        const streamId = streamName("broken")
        yield* subject.store.append(streamId, [newEvent(), newEvent()], "no_stream")
        const stored = yield* subject.store.readStream(streamId)
        yield* subject.rewriteStream(
          streamId,
          stored.map((event, index) => ({
            eventId: event.eventId,
            data: index === 0 ? { edited: true } : event.data,
            hash: event.hash
          }))
        )
        const refused = yield* Effect.flip(anchorStore(subject.store))
        expect(refused).toMatchObject({ _tag: "ChainBroken", streamId, streamPosition: 1 })
      })
    )

    it.scopedLive("a keyed chain verifies, and re-chaining without the key is detected without an anchor", () =>
      Effect.gen(function* () {
        const subject = yield* makeSubject({ chainKey: suiteChainKey })
        const streamId = streamName("keyed")
        const other = streamName("keyed-other")
        yield* subject.store.append(
          streamId,
          [0, 1, 2].map((index) => newEvent("Tested", { index })),
          "no_stream"
        )
        yield* subject.store.append(other, [newEvent()], "no_stream")
        const intact = yield* verifyStore(subject.store)
        expect(intact).toMatchObject({ firstBroken: null, keyed: true, events: 4 })

        const stored = yield* subject.store.readStream(streamId)
        // with the public formula, as an attacker without the key would
        yield* subject.rewriteStream(streamId, rechained(stored, 1, { index: 99 }))
        const unkeyed = yield* verifyStore(subject.store)
        expect(unkeyed.firstBroken).toMatchObject({ streamId, streamPosition: 2, eventId: stored[1]!.eventId })

        // with a guessed key
        yield* subject.rewriteStream(streamId, rechained(stored, 1, { index: 99 }, key("a guess at the secret key")))
        const guessed = yield* verifyStore(subject.store)
        expect(guessed.firstBroken).toMatchObject({ streamId, streamPosition: 2 })
      })
    )
  })
}
