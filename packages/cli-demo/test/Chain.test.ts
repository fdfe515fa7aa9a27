import * as fs from "node:fs/promises"
import * as path from "node:path"
import { PGlite } from "@electric-sql/pglite"
import { chainHash, contentDigest, GenesisHash } from "@registrar/domain"
import pg from "pg"
import { expect, it } from "vitest"
import { databaseUrl, eachStore, lines, ok, run, type Store, withStore } from "./support/Cli.js"

type Query = (sql: string, params?: ReadonlyArray<unknown>) => Promise<ReadonlyArray<Record<string, unknown>>>

/** Runs `body` with raw SQL on the store's database, as someone who can edit its rows; SCHEMA names the schema. */
const withDatabase = async <A>(store: Store, body: (query: Query) => Promise<A>): Promise<A> => {
  const schema = `"${store.env.REGISTRAR_SCHEMA ?? "registrar"}"`
  if (store.env.DATABASE_URL !== undefined && databaseUrl !== undefined) {
    const client = new pg.Client({ connectionString: databaseUrl })
    await client.connect()
    try {
      return await body(
        async (sql, params) => (await client.query(sql.replaceAll("SCHEMA", schema), [...(params ?? [])])).rows
      )
    } finally {
      await client.end()
    }
  }
  const database = await PGlite.create(path.join(store.dataDir, "db"))
  try {
    return await body(
      async (sql, params) =>
        (await database.query<Record<string, unknown>>(sql.replaceAll("SCHEMA", schema), [...(params ?? [])])).rows
    )
  } finally {
    await database.close()
  }
}

/** The streams with the most events, longest first. */
const longestStreams = (query: Query) =>
  query("SELECT stream_id, version FROM SCHEMA.streams ORDER BY version DESC, stream_id LIMIT 3").then((rows) =>
    rows.map((row) => ({ streamId: String(row.stream_id), version: Number(row.version) }))
  )

/**
 * Edits the actor of a stream's second event and re-chains the stream from there with the public (unkeyed)
 * formula, as someone who knows it would; returns the edited event's id.
 */
const rechain = async (query: Query, streamId: string): Promise<string> => {
  const rows = await query(
    "SELECT event_id, type, schema_version, data, metadata, stream_position, hash FROM SCHEMA.events WHERE stream_id = $1 ORDER BY stream_position",
    [streamId]
  )
  let previous = GenesisHash
  for (const [index, row] of rows.entries()) {
    if (index === 0) {
      previous = String(row.hash)
      continue
    }
    const metadata = { ...(row.metadata as Record<string, string>), ...(index === 1 ? { actor: "mallory" } : {}) }
    const event = {
      eventId: String(row.event_id),
      type: String(row.type),
      schemaVersion: Number(row.schema_version),
      data: row.data as Record<string, never>,
      metadata: metadata as { actor: string; recordedAt: string }
    }
    const digest = contentDigest(event)
    previous = chainHash(previous, streamId, Number(row.stream_position), digest)
    await query("UPDATE SCHEMA.events SET metadata = $2::jsonb, content_digest = $3, hash = $4 WHERE event_id = $1", [
      event.eventId,
      JSON.stringify(metadata),
      digest,
      previous
    ])
  }
  await query("UPDATE SCHEMA.streams SET last_hash = $2 WHERE stream_id = $1", [streamId, previous])
  return String(rows[1]!.event_id)
}

/** Deletes a stream's last event and winds its stream row back to the event before. */
const windBack = async (query: Query, streamId: string): Promise<void> => {
  const [last] = await query(
    "DELETE FROM SCHEMA.events WHERE stream_id = $1 AND stream_position = (SELECT version FROM SCHEMA.streams WHERE stream_id = $1) RETURNING stream_position",
    [streamId]
  )
  const version = Number(last!.stream_position) - 1
  await query(
    "UPDATE SCHEMA.streams SET version = $2, last_hash = (SELECT hash FROM SCHEMA.events WHERE stream_id = $1 AND stream_position = $2) WHERE stream_id = $1",
    [streamId, version]
  )
}

/** Deletes a stream whole: its events and its stream row. */
const deleteStream = async (query: Query, streamId: string): Promise<void> => {
  await query("DELETE FROM SCHEMA.events WHERE stream_id = $1", [streamId])
  await query("DELETE FROM SCHEMA.streams WHERE stream_id = $1", [streamId])
}

eachStore("anchor and keyed chains", (fresh) => {
  it("verify --anchor names the streams re-chained, wound back and deleted since the anchor", () =>
    withStore(fresh, async (s) => {
      const file = path.join(s.dataDir, "anchor.json")
      const line = (await ok(s, "anchor", "--out", file)).trim()
      expect(line).toMatch(/^registrar-anchor:v1:\d+:\d+:[0-9a-f]{64}$/)
      const document = JSON.parse(await fs.readFile(file, "utf8")) as { anchor: string; heads: Array<unknown> }
      expect(document.anchor).toBe(line)
      expect(document.heads.length).toBeGreaterThan(3)
      // events appended after the anchor are not a change
      await ok(s, "--as", "alice", "org", "create", "later-org", "--display-name", "Later Org")
      expect(await ok(s, "verify", "--anchor", file)).toContain("still holds everything the anchor")

      const [rechained, woundBack, deleted] = await withDatabase(s, async (query) => {
        const [a, b, c] = await longestStreams(query)
        await rechain(query, a!.streamId)
        await windBack(query, b!.streamId)
        await deleteStream(query, c!.streamId)
        return [a!.streamId, b!.streamId, c!.streamId]
      })

      const named = await run(s, "verify", "--anchor", file)
      expect(named.code).toBe(3)
      const errors = lines(named.stderr)
      expect(errors).toHaveLength(3)
      expect(errors.some((e) => e.includes(`Stream "${rechained}" was re-chained since the anchor`))).toBe(true)
      expect(errors.some((e) => e.includes(`Stream "${woundBack}" was wound back since the anchor`))).toBe(true)
      expect(errors.some((e) => e.includes(`Stream "${deleted}" was deleted since the anchor`))).toBe(true)

      const compact = await run(s, "verify", "--anchor", line)
      expect(compact.code).toBe(3)
      expect(lines(compact.stderr)).toEqual([
        expect.stringMatching(/^Error: The history up to global position \d+ no longer matches the anchor/)
      ])

      const json = JSON.parse((await run(s, "verify", "--anchor", file, "--json")).stdout) as {
        tampered: boolean
        anchor: { changes: Array<{ code: string; streamId: string }> }
      }
      expect(json.tampered).toBe(true)
      expect(json.anchor.changes.map((change) => [change.code, change.streamId]).sort()).toEqual(
        [
          ["StreamDeleted", deleted],
          ["StreamRechained", rechained],
          ["StreamWoundBack", woundBack]
        ].sort()
      )
    }))

  it("chain rekey keys the chain; re-chaining without the key is then caught by plain verify", () =>
    withStore(fresh, async (unkeyed) => {
      const s: Store = { ...unkeyed, env: { ...unkeyed.env, REGISTRAR_CHAIN_KEY: "a test key kept outside the db" } }
      const missing = await run(unkeyed, "chain", "rekey")
      expect(missing.code).toBe(1)
      expect(missing.stderr).toContain("REGISTRAR_CHAIN_KEY")

      const hinted = await run(s, "verify")
      expect(hinted.code).toBe(0)
      expect(hinted.stderr).toContain("not keyed: run `registrar chain rekey`")

      expect(await ok(s, "chain", "rekey")).toMatch(/^Keyed the hash chain of \d+ events in \d+ streams/)
      expect(await ok(s, "verify")).toMatch(/every hash chain is intact \(keyed\)\.$/m)
      const withoutKey = await run(unkeyed, "--as", "alice", "org", "create", "no-key-org", "--display-name", "No Key")
      expect(withoutKey.code).toBe(1)
      expect(withoutKey.stderr).toContain("hash chain is keyed, but no key was given")

      const edited = await withDatabase(s, async (query) => rechain(query, (await longestStreams(query))[0]!.streamId))
      const verified = await run(s, "verify")
      expect(verified.code).toBe(3)
      expect(lines(verified.stderr)).toEqual([expect.stringContaining(edited)])
    }))
})
