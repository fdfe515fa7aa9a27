/**
 * The head is the newest event in feed order, compared as transaction ids, not as their text: on a fresh PGlite
 * the transaction ids cross from three digits to four within a few hundred transactions, and a head sorted as text
 * ("999" after "1000") stayed behind the log, so reads that skip the feed when caught up missed later writes.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { pgliteDatabase } from "../src/internal/Connect.js"
import * as PgEventStore from "../src/PgEventStore.js"
import { createPglite } from "./support/FreshCluster.js"

const event = (n: number) => ({
  eventId: crypto.randomUUID(),
  type: "Numbered",
  schemaVersion: 1,
  data: { n },
  metadata: { actor: "tester", recordedAt: new Date().toISOString() }
})

describe("PgEventStore head (PGlite)", () => {
  it.scopedLive("stays the newest event when transaction ids gain a digit", () =>
    Effect.gen(function* () {
      const client = yield* Effect.acquireRelease(
        Effect.promise(() => createPglite()),
        (pglite) => Effect.promise(() => pglite.close())
      )
      const database = yield* pgliteDatabase(client, "head_digits")
      const store = PgEventStore.make(database)
      const xid = () =>
        Effect.promise(() => client.query<{ x: string }>("SELECT pg_current_xact_id()::text AS x")).pipe(
          Effect.map((result) => result.rows[0]!.x)
        )
      const before = yield* store.append("numbered-1", [event(1)], "any")
      const digits = (yield* xid()).length
      // Each statement outside a transaction block takes a transaction id of its own.
      let burnt = 0
      while ((yield* xid()).length === digits) {
        burnt++
        expect(burnt).toBeLessThan(20_000)
      }
      const after = yield* store.append("numbered-2", [event(2)], "any")
      expect(String(after.checkpoint.transactionId).length).toBeGreaterThan(
        String(before.checkpoint.transactionId).length
      )
      expect(yield* store.head).toEqual(after.checkpoint)
    })
  )
})
