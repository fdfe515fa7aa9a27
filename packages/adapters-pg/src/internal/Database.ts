/**
 * What every store of one schema shares: the driver, the quoted schema name, and how appends are announced to
 * waiting readers (in process for PGlite; in process plus NOTIFY/LISTEN for a server).
 */
import { Effect } from "effect"
import * as AppendSignal from "./AppendSignal.js"
import type { Driver } from "./Driver.js"

/** The database of one Registrar schema. */
export interface Database {
  readonly driver: Driver
  /** The schema name, unquoted (validated by {@link schemaName}). */
  readonly schemaName: string
  /** The schema name quoted for SQL text, e.g. `"registrar"`. */
  readonly schema: string
  /** Tells waiting readers that an append committed; call only after the commit. */
  readonly announceAppend: Effect.Effect<void>
  /** Completes when an append may have committed since the call began, or after `timeoutMillis`. */
  readonly awaitAppend: (timeoutMillis: number) => Effect.Effect<void>
  /** The versions of the migrations applied when this process opened the schema (none when it was up to date). */
  readonly migrated?: ReadonlyArray<number>
}

/** The schema used when none is configured. */
export const defaultSchema = "registrar"

/** Schema names are plain lowercase identifiers, short enough for the notification channel derived from them. */
export const schemaNamePattern = /^[a-z_][a-z0-9_]{0,39}$/

/** Quotes a validated identifier for SQL text. */
export const quote = (identifier: string): string => `"${identifier.replaceAll('"', '""')}"`

/** The NOTIFY channel that announces appends to a schema. */
export const channelOf = (schemaName: string): string => `${schemaName}_appended`

/** A database whose appends are announced in process only (PGlite: one process owns the data). */
export const inProcess = (driver: Driver, schemaName: string): Database => {
  const signal = AppendSignal.make()
  return {
    driver,
    schemaName,
    schema: quote(schemaName),
    announceAppend: Effect.sync(signal.unsafeWake),
    awaitAppend: signal.await
  }
}
