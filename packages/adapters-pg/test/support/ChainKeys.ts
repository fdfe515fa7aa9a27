/**
 * Keyed chains on PostgreSQL, for both drivers: appends refused without the recorded key or with another one,
 * `PgChain.rekey` (re-chains everything, refuses a tampered store, leaves the store as it was when interrupted),
 * and the key never written to the database.
 */
import { describe, expect, it } from "@effect/vitest"
import { chainKeyParameter } from "../../src/internal/ChainKeySql.js"
import { type ChainKey, makeChainKey, verifyStore } from "@registrar/domain"
import { newEvent, suiteChainKey } from "@registrar/domain/testing"
import { Effect, Either, Exit, Redacted, type Scope } from "effect"
import type { Database } from "../../src/internal/Database.js"
import type { MigrateTarget } from "../../src/Migrations.js"
import * as PgChain from "../../src/PgChain.js"
import * as PgEventStore from "../../src/PgEventStore.js"

/** A fresh migrated schema, and how `migrate`/`rekey` reach it. */
export interface ChainKeySubject {
  readonly database: Database
  readonly target: MigrateTarget
}

const otherKey: ChainKey = Either.getOrThrow(makeChainKey("another secret of enough length"))

let counter = 0
const streamName = (label: string) => `${label}-${Date.now().toString(36)}-${(counter++).toString(36)}`

/** Two streams (three events and one) appended without a key. */
const unkeyedHistory = (database: Database) =>
  Effect.gen(function* () {
    const store = PgEventStore.make(database)
    const streams = [streamName("first"), streamName("second")] as const
    yield* store.append(streams[0], [newEvent(), newEvent(), newEvent()], "no_stream")
    yield* store.append(streams[1], [newEvent()], "no_stream")
    return { store, streams }
  })

const hashes = (database: Database) =>
  database.driver.query(`SELECT event_id, hash FROM ${database.schema}.events ORDER BY global_position`)

const settings = (database: Database) =>
  database.driver.query(`SELECT key_fingerprint, keyed_at_position FROM ${database.schema}.chain_settings`)

/** Runs the keyed-chain tests on the databases `fresh` makes. */
export const chainKeySuite = (name: string, fresh: Effect.Effect<ChainKeySubject, unknown, Scope.Scope>): void => {
  describe(`${name} keyed chains`, () => {
    it.scopedLive("rekey re-chains every stream under the key; then appends need that key", () =>
      Effect.gen(function* () {
        const { database, target } = yield* fresh
        const { store: unkeyed, streams } = yield* unkeyedHistory(database)
        const before = yield* hashes(database)

        const result = yield* PgChain.rekey({ ...target, key: suiteChainKey }, { batchSize: 2 })
        expect(result).toMatchObject({ rekeyed: true, events: 4, streams: 2 })
        expect(result.keyedAtPosition).toBeGreaterThan(0)
        const after = yield* hashes(database)
        expect(after.map((row) => row.event_id)).toEqual(before.map((row) => row.event_id))
        for (const [index, row] of after.entries()) expect(row.hash).not.toBe(before[index]!.hash)

        const keyed = PgEventStore.make(database, { chainKey: suiteChainKey })
        expect(yield* verifyStore(keyed)).toMatchObject({ firstBroken: null, keyed: true, events: 4, streams: 2 })
        yield* keyed.append(streams[0], [newEvent()], 3)
        expect(yield* verifyStore(keyed)).toMatchObject({ firstBroken: null, keyed: true, events: 5 })

        const missing = yield* Effect.flip(unkeyed.append(streams[1], [newEvent()], 1))
        expect(missing.message).toContain("hash chain is keyed, but no key was given")
        expect((yield* Effect.flip(verifyStore(unkeyed)))._tag).toBe("ChainKeyMissing")
        const wrong = PgEventStore.make(database, { chainKey: otherKey })
        expect((yield* Effect.flip(wrong.append(streams[1], [newEvent()], 1))).message).toContain("is not the key")
        expect((yield* Effect.flip(verifyStore(wrong)))._tag).toBe("ChainKeyMismatch")
        expect(yield* keyed.streamVersion(streams[1])).toBe(1)

        expect(yield* PgChain.rekey({ ...target, key: suiteChainKey })).toMatchObject({ rekeyed: false })
        const refused = yield* Effect.flip(PgChain.rekey({ ...target, key: otherKey }))
        expect(refused._tag).toBe("ChainKeyedWithAnotherKey")
      })
    )

    it.scopedLive("rekey refuses a store whose chain does not verify, and leaves it as it was", () =>
      Effect.gen(function* () {
        const { database, target } = yield* fresh
        const { streams } = yield* unkeyedHistory(database)
        yield* database.driver.query(
          `UPDATE ${database.schema}.events SET data = '{"edited":true}'::jsonb
            WHERE stream_id = $1 AND stream_position = 2`,
          [streams[0]]
        )
        const before = yield* hashes(database)
        const refused = yield* Effect.flip(PgChain.rekey({ ...target, key: suiteChainKey }))
        expect(refused).toMatchObject({ _tag: "ChainBroken", streamId: streams[0], streamPosition: 2 })
        expect(yield* hashes(database)).toEqual(before)
        expect(yield* settings(database)).toEqual([])
      })
    )

    it.scopedLive("an interrupted rekey leaves the store unkeyed and intact", () =>
      Effect.gen(function* () {
        const { database, target } = yield* fresh
        const { store } = yield* unkeyedHistory(database)
        const before = yield* hashes(database)
        const exit = yield* Effect.exit(
          PgChain.rekey({ ...target, key: suiteChainKey }, { batchSize: 2, onProgress: () => Effect.interrupt })
        )
        expect(Exit.isInterrupted(exit)).toBe(true)
        expect(yield* hashes(database)).toEqual(before)
        expect(yield* settings(database)).toEqual([])
        expect(yield* verifyStore(store)).toMatchObject({ firstBroken: null, keyed: false, events: 4 })
      })
    )

    it.scopedLive("an empty store is keyed by its first keyed append; a store with unkeyed events refuses a key", () =>
      Effect.gen(function* () {
        const { database } = yield* fresh
        const keyed = PgEventStore.make(database, { chainKey: suiteChainKey })
        yield* keyed.append(streamName("keyed"), [newEvent()], "no_stream")
        const [recorded] = yield* settings(database)
        expect(recorded).toMatchObject({ keyed_at_position: expect.anything() })
        expect(Number(recorded!.keyed_at_position)).toBe(0)
        expect(yield* verifyStore(keyed)).toMatchObject({ firstBroken: null, keyed: true })

        // the key is not in the database, in any form
        const text = yield* database.driver.query(
          `SELECT string_agg(row_to_json(e)::text, '') AS events,
                  (SELECT string_agg(row_to_json(c)::text, '') FROM ${database.schema}.chain_settings AS c) AS settings
             FROM ${database.schema}.events AS e`
        )
        const stored = `${String(text[0]!.events)}${String(text[0]!.settings)}`
        expect(stored).not.toContain(Redacted.value(suiteChainKey.secret))
        expect(stored).not.toContain(chainKeyParameter(suiteChainKey).slice(0, 32))

        const other = yield* fresh
        const { streams } = yield* unkeyedHistory(other.database)
        const refused = yield* Effect.flip(
          PgEventStore.make(other.database, { chainKey: suiteChainKey }).append(streams[1], [newEvent()], 1)
        )
        expect(refused.message).toContain("registrar chain rekey")
        expect(yield* settings(other.database)).toEqual([])
      })
    )
  })
}
