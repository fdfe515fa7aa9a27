/** Reading the whole feed in tests, tolerating transactions of other sessions that briefly hold it back. */
import { type Checkpoint, type EventStoreShape, Origin, type RecordedEvent } from "@registrar/domain"
import { Effect } from "effect"

/** Every event of the feed after `after`, page by page. */
export const readFeed = (store: EventStoreShape, after: Checkpoint = Origin, pageSize = 100) =>
  Effect.gen(function* () {
    const all: Array<RecordedEvent> = []
    let checkpoint = after
    while (true) {
      const page = yield* store.readAll({ after: checkpoint, limit: pageSize })
      if (page.length === 0) return all
      all.push(...page)
      const last = page[page.length - 1]!
      checkpoint = { transactionId: last.transactionId, globalPosition: last.globalPosition }
    }
  })

/** Reads the feed until it holds `count` events (other sessions' transactions may hold it back for a moment). */
export const readFeedUntil = (store: EventStoreShape, count: number, timeoutMillis = 15_000, pageSize = 100) =>
  Effect.gen(function* () {
    const deadline = Date.now() + timeoutMillis
    while (true) {
      const all = yield* readFeed(store, Origin, pageSize)
      if (all.length >= count || Date.now() > deadline) return all
      yield* Effect.sleep("50 millis")
    }
  })
