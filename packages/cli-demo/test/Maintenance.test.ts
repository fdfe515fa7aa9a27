import * as path from "node:path"
import { PGlite } from "@electric-sql/pglite"
import pg from "pg"
import { expect, it } from "vitest"
import { databaseUrl, eachStore, ok, run, type Store, withStore } from "./support/Cli.js"

const tamper = `
  UPDATE SCHEMA.events SET metadata = jsonb_set(metadata, '{actor}', '"mallory"')
  WHERE global_position = (SELECT min(global_position) + 5 FROM SCHEMA.events)
  RETURNING stream_id, event_id`

/** Edits one stored event behind the store's back; returns its stream and id. */
const tamperWith = async (store: Store): Promise<{ stream_id: string; event_id: string }> => {
  const schema = store.env.REGISTRAR_SCHEMA ?? "registrar"
  const sql = tamper.replaceAll("SCHEMA", `"${schema}"`)
  if (store.env.DATABASE_URL !== undefined && databaseUrl !== undefined) {
    const client = new pg.Client({ connectionString: databaseUrl })
    await client.connect()
    try {
      return (await client.query<{ stream_id: string; event_id: string }>(sql)).rows[0]!
    } finally {
      await client.end()
    }
  }
  const database = await PGlite.create(path.join(store.dataDir, "db"))
  try {
    return (await database.query<{ stream_id: string; event_id: string }>(sql)).rows[0]!
  } finally {
    await database.close()
  }
}

eachStore("verify and replay", (fresh) => {
  it("replay rebuilds the read models with a progress bar; verify names the first tampered event", () =>
    withStore(fresh, async (s) => {
      const replayed = await run(s, "replay")
      expect(replayed.code, replayed.stderr).toBe(0)
      expect(replayed.stdout).toMatch(/^Rebuilt every read model from \d+ events in [\d.]+ s \(\d+ events\/s\)\.\n$/)
      expect(replayed.stderr).toMatch(/replay \[#+\] \d+\/\d+ events/)
      expect(await ok(s, "resolve", "wandb-registry-Golden Datasets/raw_images:production", "--as", "bob")).toContain(
        "smle-reg-team-1/registry_quickstart/raw_images:v0"
      )

      expect(await ok(s, "verify")).toMatch(/^OK: \d+ events in \d+ streams; every hash chain is intact\.\n$/)
      const edited = await tamperWith(s)
      const verified = await run(s, "verify")
      expect(verified.code).toBe(3)
      expect(verified.stdout).toBe("")
      const errors = verified.stderr.split("\n").filter((line) => line !== "")
      expect(errors).toHaveLength(1)
      expect(errors[0]).toMatch(/^Error: Tampered history/)
      expect(errors[0]).toContain(`stream "${edited.stream_id}"`)
      expect(errors[0]).toContain(edited.event_id)
      const document = JSON.parse((await run(s, "verify", "--json")).stdout) as {
        tampered: boolean
        error: { code: string }
      }
      expect(document).toMatchObject({ tampered: true, error: { code: "ChainBroken" } })
    }))
})
