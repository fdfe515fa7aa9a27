/**
 * A dispatcher's view of a deliveries stream: queued deliveries that arrive by stream position are folded only once
 * every position before them is known, so a worker never sends a delivery ahead of one queued before it; a gap is
 * filled by reading the stream.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { EventStore } from "../src/EventStore.js"
import * as Deliveries from "../src/Automation/Deliveries.js"
import * as AutomationEvents from "../src/Automation/Events.js"
import * as DeliveryStream from "../src/internal/DeliveryStream.js"

const queued = (deliveryId: string) =>
  new AutomationEvents.DeliveryQueued({
    deliveryId,
    automationId: "automation-1",
    eventType: "LINK_ARTIFACT",
    source: null,
    body: "{}",
    redeliveryOf: null,
    at: "2026-12-06T00:00:00.000Z"
  })

const pendingIds = (stream: DeliveryStream.DeliveryStream) => {
  const folded = DeliveryStream.settle(stream)
  return [...folded.state.order].filter((id) => Deliveries.find(folded.state, id)?.status === "pending")
}

describe("a deliveries stream as a process knows it", () => {
  it("folds arrivals in position order, and none past a position not seen", () => {
    const stream = DeliveryStream.make()
    DeliveryStream.arrive(stream, 2, queued("d2"))
    DeliveryStream.arrive(stream, 3, queued("d3"))
    expect(pendingIds(stream)).toEqual([])
    expect(DeliveryStream.hasGap(stream)).toBe(true)
    DeliveryStream.arrive(stream, 1, queued("d1"))
    expect(pendingIds(stream)).toEqual(["d1", "d2", "d3"])
    expect(DeliveryStream.settle(stream).version).toBe(3)
    expect(DeliveryStream.hasGap(stream)).toBe(false)
    expect(Deliveries.nextPending(DeliveryStream.settle(stream).state)?.deliveryId).toBe("d1")
  })

  it("ignores an arrival at a position already folded (seen again in the feed)", () => {
    const stream = DeliveryStream.make()
    DeliveryStream.arrive(stream, 1, queued("d1"))
    DeliveryStream.settle(stream)
    DeliveryStream.arrive(stream, 1, queued("d1"))
    expect(DeliveryStream.hasGap(stream)).toBe(false)
    expect(DeliveryStream.settle(stream).version).toBe(1)
  })

  it("takes an append's fold and goes on with the arrivals after it", () => {
    const stream = DeliveryStream.make()
    DeliveryStream.arrive(stream, 1, queued("d1"))
    const first = DeliveryStream.settle(stream)
    // Positions 2 and 3 are this process's recorded attempts; 4 was queued after them.
    DeliveryStream.arrive(stream, 4, queued("d4"))
    expect(DeliveryStream.settle(stream).version).toBe(1)
    DeliveryStream.advance(stream, { state: first.state, version: 3 })
    expect(DeliveryStream.settle(stream).version).toBe(4)
    expect(pendingIds(stream)).toEqual(["d1", "d4"])
  })

  it.effect("reads the stream where another writer left a gap", () =>
    Effect.gen(function* () {
      const stream = DeliveryStream.make()
      DeliveryStream.arrive(stream, 2, queued("d2"))
      const stored = [queued("d1"), queued("d2")].map((event, index) => {
        const { _tag, ...data } = event
        return {
          eventId: `e${index + 1}`,
          type: _tag,
          schemaVersion: 1,
          data: JSON.parse(JSON.stringify(data)),
          metadata: { actor: "test", recordedAt: event.at },
          streamId: "AutomationDeliveries-automation-1",
          streamPosition: index + 1,
          globalPosition: index + 1,
          transactionId: 1,
          hash: ""
        }
      })
      const store = {
        readStream: (_streamId: string, options?: { after?: number }) =>
          Effect.succeed(stored.filter((event) => event.streamPosition > (options?.after ?? 0)))
      } as unknown as EventStore["Type"]
      const folded = yield* Effect.provideService(
        DeliveryStream.read(stream, "AutomationDeliveries-automation-1"),
        EventStore,
        store
      )
      expect(folded.version).toBe(2)
      expect(pendingIds(stream)).toEqual(["d1", "d2"])
      expect(DeliveryStream.hasGap(stream)).toBe(false)
    })
  )
})
