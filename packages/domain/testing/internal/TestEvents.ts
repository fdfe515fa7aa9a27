/** Events with fresh ids and a full read of the feed, shared by the EventStore conformance suites. */
import { Effect } from "effect"
import { compareCheckpoints, type EventStoreShape, type NewEvent, Origin, type RecordedEvent } from "../../src/index.js"

let counter = 0

/** A fresh, unique event id. */
export const uuid = (): string => {
  counter += 1
  const random = Math.floor(Math.random() * 0xffffffff)
    .toString(16)
    .padStart(8, "0")
  return `${random}-0000-4000-8000-${counter.toString(16).padStart(12, "0")}`
}

/** A new event with a fresh id. */
export const newEvent = (type = "Tested", data: NewEvent["data"] = {}): NewEvent => ({
  eventId: uuid(),
  type,
  schemaVersion: 1,
  data,
  metadata: { actor: "tester", recordedAt: "2026-01-01T00:00:00.000Z" }
})

/** `count` new events of one type, their data numbering them. */
export const events = (count: number, type = "Tested") =>
  Array.from({ length: count }, (_, index) => newEvent(type, { index }))

/** Every event up to the store's head, in pages of 7 (waiting for events the feed still holds back). */
export const readEverything = (store: EventStoreShape) =>
  Effect.gen(function* () {
    const head = yield* store.head
    const all: Array<RecordedEvent> = []
    let after = Origin
    while (compareCheckpoints(after, head) < 0) {
      const batch = yield* store.readAll({ after, limit: 7 })
      if (batch.length === 0) {
        yield* store.waitForAppends(50)
        continue
      }
      all.push(...batch)
      const last = batch[batch.length - 1]!
      after = { transactionId: last.transactionId, globalPosition: last.globalPosition }
    }
    return all
  })
