/**
 * The typed read-model tables on one driver: the tables migration 13 creates are exactly the column specs, every
 * column type round-trips as the projections wrote it, patches touch only their columns, and readers of a rebuild
 * see the old tables or the new ones, never a mix.
 */
import { expect, it } from "@effect/vitest"
import { Change, type Checkpoint, Projections, type Row } from "@registrar/domain"
import { Effect, Fiber, Option, Ref, type Scope, Stream } from "effect"
import type { Database } from "../../src/internal/Database.js"
import { registrarTables } from "../../src/internal/ReadModelTables.js"
import * as PgReadModelStore from "../../src/PgReadModelStore.js"
import { testTables } from "./TestTables.js"

const { Key, Table } = Projections
/** A row as the projections hand it over: JSON (absent, not undefined, fields). */
const toRow = (value: object): Row => JSON.parse(JSON.stringify(value))
const at = (globalPosition: number): Checkpoint => ({ transactionId: 1, globalPosition })

const version: Projections.ArtifactVersionRow = {
  entity: "ml",
  project: "proj",
  name: "raw ✓",
  artifactKey: "ml/proj/raw ✓",
  index: 4_294_967_297,
  artifactType: "dataset",
  digest: "sha256:abc",
  files: [{ path: "a/b.bin", sha256: "f".repeat(64), size: 12 }],
  metadata: { accuracy: 0.93, nested: { list: [1, "two", null, { deep: true }] }, note: "é" },
  description: "",
  loggedBy: null,
  loggedAt: "2026-01-02T03:04:05.678Z",
  loggedByUser: "alice",
  deleted: false,
  tags: ["a", "b"]
}

const registry: Projections.RegistryRow = {
  organization: "acme",
  registry: "Golden Datasets",
  visibility: "restricted",
  description: "gold",
  protectedAliases: [],
  createdAt: "1999-12-31T23:59:59.000Z",
  createdBy: "alice"
}

const audit: Projections.AuditRow = {
  globalPosition: 7,
  transactionId: 9_007_199_254_740_991,
  streamId: "registry-acme/x",
  streamPosition: 1,
  eventId: "e-1",
  type: "RegistryCreated",
  schemaVersion: 2,
  actor: "alice",
  recordedAt: "2026-06-30T12:00:00.001Z",
  hash: "h",
  organization: "acme",
  registry: null,
  collectionId: null,
  entity: null,
  summary: "created"
}

/** Runs the typed-table tests on fresh databases of one driver. */
export const typedTablesSuite = (database: Effect.Effect<Database, unknown, Scope.Scope>): void => {
  it.scopedLive("the migrations create one table per spec, with exactly its columns, types and indexes", () =>
    Effect.gen(function* () {
      const db = yield* database
      const columns = yield* db.driver.query(
        `SELECT table_name, column_name, CASE WHEN data_type = 'ARRAY' THEN udt_name ELSE data_type END AS type,
                collation_name
         FROM information_schema.columns WHERE table_schema = $1 AND table_name LIKE 'rm\\_%'
         ORDER BY table_name, ordinal_position`,
        [db.schemaName]
      )
      const types = { text: "text", bigint: "bigint", boolean: "boolean", "text[]": "_text", jsonb: "jsonb" }
      const expected = [...registrarTables.values()]
        .sort((a, b) => (a.name < b.name ? -1 : 1))
        .flatMap((spec) => [
          { table_name: spec.name, column_name: "row_key", type: "text", collation_name: "C" },
          ...spec.columns.map((column) => ({
            table_name: spec.name,
            column_name: column.name,
            type: column.type === "timestamptz" ? "timestamp with time zone" : types[column.type],
            collation_name: column.type === "text" || column.type === "text[]" ? "C" : null
          }))
        ])
      expect(columns).toEqual(expected)
      const indexes = yield* db.driver.query(
        `SELECT indexname, substring(indexdef from ' WHERE (.*)$') AS predicate FROM pg_indexes
          WHERE schemaname = $1 AND tablename LIKE 'rm\\_%' ORDER BY indexname`,
        [db.schemaName]
      )
      // Migration 15 leaves the rows without an optional filtered field out of its index.
      expect(indexes).toEqual(
        [...registrarTables.values()]
          .flatMap((spec) => [
            { indexname: `${spec.name}_pkey`, predicate: null },
            ...spec.indexes.map((index) => ({
              indexname: `${spec.name}_${index.suffix}`,
              predicate: index.partialOn === undefined ? null : `(${index.partialOn} IS NOT NULL)`
            }))
          ])
          .sort((a, b) => (a.indexname < b.indexname ? -1 : 1))
      )
      expect(indexes.filter((row) => row.predicate !== null).map((row) => row.indexname)).toEqual([
        "rm_audit_collection_id_idx",
        "rm_audit_organization_idx",
        "rm_audit_registry_idx"
      ])
      // Every field of every row type has its column (the column specs are typed by the row types).
      expect([...registrarTables.keys()].sort()).toEqual([...Projections.allTables].sort())
    })
  )

  it.scopedLive("every column type round-trips, filters by type, and a patch writes only its columns", () =>
    Effect.gen(function* () {
      const db = yield* database
      const store = yield* PgReadModelStore.make(db)
      const versionKey = Key.artifactVersion(version.artifactKey, 1)
      const registryKey = Key.registry("acme", "Golden Datasets")
      const withId = { ...registry, registryId: "r-1" }
      yield* store.apply({
        changes: [
          Change.put(Table.artifactVersions, versionKey, toRow(version)),
          Change.put(Table.artifactVersions, "no-tags", toRow({ ...version, tags: undefined, loggedBy: "ml/p/r1" })),
          Change.put(Table.registries, registryKey, toRow(registry)),
          Change.put(Table.registries, "with-id", toRow(withId)),
          Change.put(Table.audit, "a", toRow(audit))
        ],
        checkpoint: at(1)
      })
      const get = (table: string, key: string) => Effect.map(store.get(table, key), Option.getOrThrow)
      expect(yield* get(Table.artifactVersions, versionKey)).toEqual(version)
      const { tags: _, ...withoutTags } = version
      expect(yield* get(Table.artifactVersions, "no-tags")).toEqual({ ...withoutTags, loggedBy: "ml/p/r1" })
      expect(yield* get(Table.registries, registryKey)).toEqual(registry)
      expect(yield* get(Table.registries, "with-id")).toEqual(withId)
      expect(yield* get(Table.audit, "a")).toEqual(audit)
      // The columns hold typed values, not text.
      const [typed] = yield* db.driver.query(
        `SELECT logged_at = '2026-01-02 03:04:05.678+00'::timestamptz AS at, metadata->'nested'->'list'->>1 AS two,
                "index" + 1 = 4294967298 AS big, tags[2] AS tag, deleted IS FALSE AS bool
         FROM ${db.schema}.rm_artifact_versions WHERE row_key = $1`,
        [versionKey]
      )
      expect(typed).toEqual({ at: true, two: "two", big: true, tag: "b", bool: true })
      const keys = (rows: ReadonlyArray<Row>) => rows.map((row) => row.loggedBy)
      expect(keys(yield* store.list(Table.artifactVersions, { index: version.index, deleted: false }))).toEqual([
        null,
        "ml/p/r1"
      ])
      expect(yield* store.list(Table.artifactVersions, { index: String(version.index) })).toEqual([])
      expect(yield* store.list(Table.artifactVersions, { deleted: "false" })).toEqual([])
      expect(yield* store.count(Table.audit, { organization: "acme", transactionId: audit.transactionId })).toBe(1)
      expect(yield* store.count(Table.audit, { registry: "acme" })).toBe(0)
      yield* store.apply({
        changes: [
          Change.patch(Table.artifactVersions, versionKey, { deleted: true, loggedBy: "ml/p/r2" }),
          Change.patch(Table.registries, registryKey, { protectedAliases: ["production"] })
        ],
        checkpoint: at(2)
      })
      expect(yield* get(Table.artifactVersions, versionKey)).toEqual({ ...version, deleted: true, loggedBy: "ml/p/r2" })
      expect(yield* get(Table.registries, registryKey)).toEqual({ ...registry, protectedAliases: ["production"] })
    })
  )

  it.scopedLive("a rebuild (COPY on a server) writes every column type as apply does, keys put twice included", () =>
    Effect.gen(function* () {
      const db = yield* database
      const store = yield* PgReadModelStore.make(db)
      const awkward = 'tab\there, new\nline, back\\slash \\N, quote " comma , {brace} ✓'
      const rows = [
        toRow(version),
        toRow({ ...version, name: awkward, tags: [awkward, "", "NULL", "a,b"], loggedBy: awkward, deleted: true }),
        toRow({ ...version, metadata: { [awkward]: awkward, list: [awkward] }, tags: [], files: [] })
      ]
      const changes = rows.map((row, index) => Change.put(Table.artifactVersions, `k${index}`, row))
      const audits = Array.from({ length: 6_000 }, (_, n) =>
        Change.put(
          Table.audit,
          Key.audit({ transactionId: 1, globalPosition: n }),
          toRow({ ...audit, globalPosition: n })
        )
      )
      // The second batch puts k1 again after a flush (the store flushes every 5,000 changes): a COPY of it collides.
      const batches = [
        { changes: [...changes, ...audits], checkpoint: at(1) },
        { changes: [Change.put(Table.artifactVersions, "k1", rows[0]!)], checkpoint: at(2) }
      ]
      yield* store.replaceAll(Stream.fromIterable(batches))
      const rebuilt = yield* store.list(Table.artifactVersions)
      expect(rebuilt).toEqual([rows[0], rows[0], rows[2]])
      expect(yield* store.count(Table.audit)).toBe(6_000)
      expect(
        Option.getOrThrow(yield* store.get(Table.audit, Key.audit({ transactionId: 1, globalPosition: 42 })))
      ).toEqual({ ...audit, globalPosition: 42 })
      yield* store.replaceAll(Stream.make({ changes, checkpoint: at(1) }))
      expect(yield* store.list(Table.artifactVersions)).toEqual(rows)
      yield* store.apply({
        changes: rows.map((row, index) => Change.put(Table.artifactVersions, `applied-k${index}`, row)),
        checkpoint: at(2)
      })
      expect(yield* store.list(Table.artifactVersions, undefined, { prefix: "applied-" })).toEqual(rows)
    })
  )

  it.scopedLive("readers see the old tables until the swap, then the new ones, never a mix", () =>
    Effect.gen(function* () {
      const db = yield* database
      const store = yield* PgReadModelStore.make(db, { tables: testTables })
      yield* store.apply({
        changes: Array.from({ length: 300 }, (_, n) => Change.put("things", `k${n}`, { group: "old", n })),
        checkpoint: at(1)
      })
      const seen = yield* Ref.make<ReadonlyArray<string>>([])
      const reader = yield* Effect.fork(
        Effect.forever(
          Effect.gen(function* () {
            const rows = yield* store.list("things")
            const groups = new Set(rows.map((row) => `${row.group}:${rows.length}`))
            yield* Ref.update(seen, (list) => [...list, [...groups].join(",")])
            yield* Effect.sleep("2 millis")
          })
        )
      )
      // Several flushes, the stream paced so the reader reads in between.
      const batches = Stream.range(1, 24).pipe(
        Stream.map((batch) => ({
          changes: Array.from({ length: 500 }, (_, n) =>
            Change.put("things", `k${batch * 1_000 + n}`, { group: "new", n })
          ),
          checkpoint: at(batch)
        })),
        Stream.tap(() => Effect.sleep("5 millis"))
      )
      yield* store.replaceAll(batches)
      const afterSwap = (yield* Ref.get(seen)).length
      while ((yield* Ref.get(seen)).length < afterSwap + 3) yield* Effect.sleep("5 millis")
      yield* Fiber.interrupt(reader)
      const observed = yield* Ref.get(seen)
      expect(new Set(observed)).toEqual(new Set(["old:300", "new:12000"]))
      expect(observed[0]).toBe("old:300")
      expect(observed[observed.length - 1]).toBe("new:12000")
      expect(observed.indexOf("new:12000")).toBeGreaterThan(observed.lastIndexOf("old:300"))
      expect(yield* store.checkpoint).toEqual(at(24))
    })
  )
}
