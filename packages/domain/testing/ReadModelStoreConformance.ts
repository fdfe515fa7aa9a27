/**
 * The ReadModelStore and SnapshotStore conformance suites, written once and run by every adapter.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option, type Scope, Stream } from "effect"
import {
  Change,
  type Checkpoint,
  Origin,
  type ReadModelStoreShape,
  type Row,
  type SnapshotStoreShape
} from "../src/index.js"

const at = (globalPosition: number): Checkpoint => ({ transactionId: globalPosition, globalPosition })

/** Runs the ReadModelStore conformance suite against the adapter behind `makeStore` (a fresh, empty store each time). */
export const readModelStoreConformance = (
  name: string,
  makeStore: Effect.Effect<ReadModelStoreShape, unknown, Scope.Scope>
): void => {
  describe(`${name} ReadModelStore conformance`, () => {
    it.scopedLive("starts empty at the origin", () =>
      Effect.gen(function* () {
        const store = yield* makeStore
        expect(yield* store.checkpoint).toEqual(Origin)
        expect(yield* store.list("things")).toEqual([])
        expect(Option.isNone(yield* store.get("things", "a"))).toBe(true)
      })
    )

    it.scopedLive("applies put, patch, delete and deleteWhere, and lists rows in key order", () =>
      Effect.gen(function* () {
        const store = yield* makeStore
        yield* store.apply({
          changes: [
            Change.put("things", "b", { name: "b", group: "x", size: 2 }),
            Change.put("things", "a", { name: "a", group: "x", size: 1 }),
            Change.put("things", "c", { name: "c", group: "y", size: 3 }),
            Change.put("others", "a", { name: "other" }),
            Change.patch("things", "b", { size: 20, extra: true }),
            Change.patch("things", "missing", { size: 0 })
          ],
          checkpoint: at(1)
        })
        expect(yield* store.list("things")).toEqual([
          { name: "a", group: "x", size: 1 },
          { name: "b", group: "x", size: 20, extra: true },
          { name: "c", group: "y", size: 3 }
        ])
        expect((yield* store.list("things", { group: "x", size: 20 })).map((row) => row.name)).toEqual(["b"])
        expect(Option.getOrThrow(yield* store.get("others", "a"))).toEqual({ name: "other" })
        yield* store.apply({
          changes: [Change.delete("things", "a"), Change.deleteWhere("things", "group", "y")],
          checkpoint: at(2)
        })
        expect((yield* store.list("things")).map((row) => row.name)).toEqual(["b"])
        expect(yield* store.checkpoint).toEqual(at(2))
      })
    )

    it.scopedLive("lists by key prefix, in either order, with a limit, and counts", () =>
      Effect.gen(function* () {
        const store = yield* makeStore
        yield* store.apply({
          changes: [
            Change.put("links", "c1/000000000002", { n: 2, kind: "even" }),
            Change.put("links", "c1/000000000001", { n: 1, kind: "odd" }),
            Change.put("links", "c1/000000000003", { n: 3, kind: "odd" }),
            Change.put("links", "c10/000000000001", { n: 10, kind: "odd" }),
            Change.put("links", "c0/000000000009", { n: 9, kind: "odd" })
          ],
          checkpoint: at(1)
        })
        const numbers = (rows: ReadonlyArray<Row>) => rows.map((row) => row.n)
        expect(numbers(yield* store.list("links", undefined, { prefix: "c1/" }))).toEqual([1, 2, 3])
        expect(numbers(yield* store.list("links", undefined, { prefix: "c1/", descending: true, limit: 1 }))).toEqual([
          3
        ])
        expect(numbers(yield* store.list("links", { kind: "odd" }, { prefix: "c1/", descending: true }))).toEqual([
          3, 1
        ])
        expect(numbers(yield* store.list("links", undefined, { limit: 2 }))).toEqual([9, 1])
        expect(yield* store.count("links", undefined, "c1/")).toBe(3)
        expect(yield* store.count("links", { kind: "odd" })).toBe(4)
        expect(yield* store.count("links")).toBe(5)
        expect(yield* store.count("missing")).toBe(0)
      })
    )

    it.scopedLive("pages by key: rows strictly after a key, in either order, without skips or repeats", () =>
      Effect.gen(function* () {
        const store = yield* makeStore
        const key = (n: number) => `c1/${String(n).padStart(12, "0")}`
        yield* store.apply({
          changes: [1, 2, 3, 4, 5].map((n) => Change.put("pages", key(n), { n, kind: n % 2 === 0 ? "even" : "odd" })),
          checkpoint: at(1)
        })
        const numbers = (rows: ReadonlyArray<Row>) => rows.map((row) => row.n)
        expect(numbers(yield* store.list("pages", undefined, { prefix: "c1/", after: key(2), limit: 2 }))).toEqual([
          3, 4
        ])
        expect(
          numbers(yield* store.list("pages", undefined, { prefix: "c1/", after: key(4), descending: true }))
        ).toEqual([3, 2, 1])
        expect(numbers(yield* store.list("pages", { kind: "odd" }, { after: key(1) }))).toEqual([3, 5])
        // A key that is not a row's still pages from where it would sort.
        expect(numbers(yield* store.list("pages", undefined, { after: `${key(2)}~`, limit: 1 }))).toEqual([3])
        // Walk the table a page at a time while rows are inserted before and after the cursor.
        const seen: Array<unknown> = []
        let after: string | undefined
        for (let round = 0; round < 10; round++) {
          const page = yield* store.list("pages", undefined, {
            prefix: "c1/",
            limit: 2,
            ...(after === undefined ? {} : { after })
          })
          if (page.length === 0) break
          seen.push(...numbers(page))
          after = key(page[page.length - 1]?.n as number)
          if (round === 0) {
            yield* store.apply({
              changes: [Change.put("pages", key(0), { n: 0 }), Change.put("pages", key(9), { n: 9 })],
              checkpoint: at(2)
            })
          }
        }
        expect(seen).toEqual([1, 2, 3, 4, 5, 9])
      })
    )

    it.scopedLive("ignores a batch at or before its checkpoint (exactly once)", () =>
      Effect.gen(function* () {
        const store = yield* makeStore
        yield* store.apply({ changes: [Change.put("counters", "n", { value: 1 })], checkpoint: at(5) })
        yield* store.apply({ changes: [Change.put("counters", "n", { value: 2 })], checkpoint: at(5) })
        yield* store.apply({ changes: [Change.put("counters", "n", { value: 3 })], checkpoint: at(4) })
        expect(Option.getOrThrow(yield* store.get("counters", "n"))).toEqual({ value: 1 })
        expect(yield* store.checkpoint).toEqual(at(5))
      })
    )

    it.scopedLive("keys and values keep unicode, spaces and nested JSON", () =>
      Effect.gen(function* () {
        const store = yield* makeStore
        const row = { name: "Golden Datasets", nested: { list: [1, "two", null, { deep: true }] }, emoji: "✓ é" }
        yield* store.apply({
          changes: [Change.put("things", "wandb-registry-Golden Datasets/ä:1", row)],
          checkpoint: at(1)
        })
        expect(Option.getOrThrow(yield* store.get("things", "wandb-registry-Golden Datasets/ä:1"))).toEqual(row)
      })
    )

    it.scopedLive("a rebuild replaces every table at once and sets the checkpoint", () =>
      Effect.gen(function* () {
        const store = yield* makeStore
        yield* store.apply({ changes: [Change.put("things", "old", { name: "old" })], checkpoint: at(9) })
        yield* store.replaceAll(
          Stream.fromIterable([
            { changes: [Change.put("things", "new-1", { name: "n1" })], checkpoint: at(1) },
            {
              changes: [Change.put("things", "new-2", { name: "n2" }), Change.delete("things", "new-1")],
              checkpoint: at(2)
            }
          ])
        )
        expect((yield* store.list("things")).map((row) => row.name)).toEqual(["n2"])
        expect(yield* store.checkpoint).toEqual(at(2))
      })
    )

    it.scopedLive("a failed rebuild leaves the old read models in place", () =>
      Effect.gen(function* () {
        const store = yield* makeStore
        yield* store.apply({ changes: [Change.put("things", "kept", { name: "kept" })], checkpoint: at(3) })
        const failed = yield* Effect.either(
          store.replaceAll(
            Stream.concat(
              Stream.make({ changes: [Change.put("things", "partial", { name: "partial" })], checkpoint: at(1) }),
              Stream.fail("boom")
            )
          )
        )
        expect(failed._tag).toBe("Left")
        expect((yield* store.list("things")).map((row) => row.name)).toEqual(["kept"])
        expect(yield* store.checkpoint).toEqual(at(3))
      })
    )
  })
}

/** Runs the SnapshotStore conformance suite against the adapter behind `makeStore`. */
export const snapshotStoreConformance = (
  name: string,
  makeStore: Effect.Effect<SnapshotStoreShape, unknown, Scope.Scope>
): void => {
  describe(`${name} SnapshotStore conformance`, () => {
    it.scopedLive("keeps the newest snapshot of each stream", () =>
      Effect.gen(function* () {
        const store = yield* makeStore
        expect(Option.isNone(yield* store.load("s-1"))).toBe(true)
        yield* store.save({ streamId: "s-1", version: 5, schemaVersion: 1, state: { n: 5 } })
        yield* store.save({ streamId: "s-1", version: 3, schemaVersion: 1, state: { n: 3 } })
        yield* store.save({ streamId: "s-2", version: 1, schemaVersion: 2, state: [1, 2] })
        expect(Option.getOrThrow(yield* store.load("s-1"))).toEqual({
          streamId: "s-1",
          version: 5,
          schemaVersion: 1,
          state: { n: 5 }
        })
        yield* store.save({ streamId: "s-1", version: 8, schemaVersion: 1, state: { n: 8 } })
        expect(Option.getOrThrow(yield* store.load("s-1")).version).toBe(8)
        expect(Option.getOrThrow(yield* store.load("s-2")).state).toEqual([1, 2])
      })
    )
  })
}
