/** What the audit beside the log keeps and what it leaves to the events table (the rows themselves: NativeRebuild). */
import { describe, expect, it } from "@effect/vitest"
import { Change, Projections } from "@registrar/domain"
import { servedFromLog } from "../src/internal/AuditFromLog.js"
import { auditBesideLog } from "../src/internal/MigrationScripts.js"
import { nativeEvents } from "../src/internal/NativeProjection.js"

const auditPut = (type: string, schemaVersion: number) =>
  Change.put(Projections.Table.audit, "000000000001/000000000001", { type, schemaVersion, summary: "" })

describe("The audit beside the log", () => {
  it("serves exactly the event types and schema versions migration 16 indexed", () => {
    // A new schema version of a served event needs a migration that indexes it (and the old rows stay kept).
    const indexed = [...auditBesideLog('"s"').matchAll(/type = '(\w+)' AND schema_version = (\d+)/g)].map(
      ([, type, version]) => ({ type, schemaVersion: Number(version) })
    )
    expect(new Set(indexed.map((event) => JSON.stringify(event)))).toEqual(
      new Set(nativeEvents.map((event) => JSON.stringify(event)))
    )
  })

  it("keeps every other audit row, and every change to another table", () => {
    for (const { type, schemaVersion } of nativeEvents) {
      expect(servedFromLog(auditPut(type, schemaVersion))).toBe(true)
      expect(servedFromLog(auditPut(type, schemaVersion + 1))).toBe(false)
    }
    expect(servedFromLog(auditPut("CollectionCreated", 1))).toBe(false)
    expect(
      servedFromLog(Change.put(Projections.Table.linkedVersions, "c/000000000000", { type: "ArtifactLinked" }))
    ).toBe(false)
  })
})
