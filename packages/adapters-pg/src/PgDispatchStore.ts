/**
 * The automations dispatcher's checkpoint and leases in PostgreSQL (migration 14), shared by every server process of
 * a schema: one process matches events at a time, one delivers for each automation at a time, and a process that
 * dies loses its leases when they expire (the database's clock decides, so processes' clocks need not agree).
 */
import type { DispatchStoreShape } from "@registrar/domain"
import { Effect } from "effect"
import type { Database } from "./internal/Database.js"
import { toUnavailable } from "./internal/Driver.js"

/** The DispatchStore over one schema's database. */
export const make = (database: Database): DispatchStoreShape => {
  const { driver, schema: s } = database
  return {
    checkpoint: (name) =>
      driver
        .query(
          `SELECT transaction_id::text AS transaction_id, global_position FROM ${s}.automation_checkpoints WHERE name = $1`,
          [name]
        )
        .pipe(
          Effect.map((rows) =>
            rows[0] === undefined
              ? null
              : { transactionId: Number(rows[0].transaction_id), globalPosition: Number(rows[0].global_position) }
          ),
          Effect.mapError(toUnavailable("read the automations checkpoint"))
        ),
    saveCheckpoint: (name, checkpoint) =>
      driver
        .query(
          `INSERT INTO ${s}.automation_checkpoints (name, transaction_id, global_position) VALUES ($1, $2::text::xid8, $3)
           ON CONFLICT (name) DO UPDATE SET transaction_id = EXCLUDED.transaction_id, global_position = EXCLUDED.global_position
           WHERE (automation_checkpoints.transaction_id, automation_checkpoints.global_position)
               < (EXCLUDED.transaction_id, EXCLUDED.global_position)`,
          [name, String(checkpoint.transactionId), checkpoint.globalPosition]
        )
        .pipe(Effect.asVoid, Effect.mapError(toUnavailable("save the automations checkpoint"))),
    acquireLease: (name, holder, ttlMillis) =>
      driver
        .query(
          `INSERT INTO ${s}.automation_leases (name, holder, expires_at)
             VALUES ($1, $2, clock_timestamp() + $3 * interval '1 millisecond')
           ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
           WHERE automation_leases.holder = EXCLUDED.holder OR automation_leases.expires_at < clock_timestamp()
           RETURNING holder`,
          [name, holder, ttlMillis]
        )
        .pipe(
          Effect.map((rows) => rows.length === 1),
          Effect.mapError(toUnavailable("take an automations lease"))
        ),
    releaseLease: (name, holder) =>
      driver
        .query(`DELETE FROM ${s}.automation_leases WHERE name = $1 AND holder = $2`, [name, holder])
        .pipe(Effect.asVoid, Effect.mapError(toUnavailable("release an automations lease")))
  }
}
