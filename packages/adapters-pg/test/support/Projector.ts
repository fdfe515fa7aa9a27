/**
 * A minimal projector for fault tests: follows the feed from the read models' checkpoint, records each event in
 * table `seen` and keeps a running count, read then written, so a batch applied twice would count twice.
 */
import { Change, type EventStoreShape, type ReadModelStoreShape } from "@registrar/domain"
import { Effect, Option } from "effect"

/** Projects every event after the read models' checkpoint, `pageSize` events per batch. */
export const project = (events: EventStoreShape, readModels: ReadModelStoreShape, pageSize: number) =>
  Effect.gen(function* () {
    while (true) {
      const after = yield* readModels.checkpoint
      const page = yield* events.readAll({ after, limit: pageSize })
      if (page.length === 0) return
      const counted = Option.match(yield* readModels.get("counters", "events"), {
        onNone: () => 0,
        onSome: (row) => Number(row.count)
      })
      const last = page[page.length - 1]!
      yield* readModels.apply({
        changes: [
          ...page.map((event) =>
            Change.put("seen", event.eventId, { streamId: event.streamId, position: event.streamPosition })
          ),
          Change.put("counters", "events", { count: counted + page.length })
        ],
        checkpoint: { transactionId: last.transactionId, globalPosition: last.globalPosition }
      })
    }
  })
