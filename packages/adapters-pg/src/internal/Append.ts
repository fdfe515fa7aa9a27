/**
 * One append as one statement: `SELECT append_events(stream, expected, events)` on any connection, so the store
 * runs it on its own and tests can run it inside a transaction they hold open. An append is prepared first
 * (checked, digested and encoded once), so the same prepared append can also travel in a group
 * (see `AppendGroups`). Announcing the append to readers is the caller's job, after the commit.
 */
import {
  type AppendResult,
  contentDigest,
  EventIdReused,
  type ExpectedVersion,
  type NewEvent,
  VersionConflict
} from "@registrar/domain"
import { Effect, Either } from "effect"
import { type ChainKeyRefusal, chainKeyRefusal, withChainKey } from "./ChainKeySql.js"
import { type Connection, notJson, SqlFailure } from "./Driver.js"

/** What `append_events` answers for one append. */
type Outcome =
  | {
      readonly status: "appended" | "retried"
      readonly version: number
      readonly positions: ReadonlyArray<number>
      readonly transactionId: string
    }
  | { readonly status: "conflict"; readonly actual: number }
  | { readonly status: "reused"; readonly eventId: string }
  | { readonly status: ChainKeyRefusal }

/** The SQLSTATE of a unique violation. */
export const uniqueViolation = "23505"

const expectedText = (expected: ExpectedVersion): string =>
  typeof expected !== "number" ? expected : Number.isSafeInteger(expected) && expected >= 0 ? String(expected) : "never"

const duplicateId = (events: ReadonlyArray<NewEvent>): string | undefined => {
  const seen = new Set<string>()
  for (const event of events) {
    if (seen.has(event.eventId)) return event.eventId
    seen.add(event.eventId)
  }
  return undefined
}

/** An append checked and encoded for `append_events`: `events` is the JSON text of its events with digests. */
export interface PreparedAppend {
  readonly streamId: string
  readonly expected: ExpectedVersion
  readonly expectedText: string
  readonly events: string
  readonly count: number
  /** The store's chain key as `append_events` reads it (see `ChainKeySql`); empty for an unkeyed store. */
  readonly chainKey: string
}

/** Checks and encodes an append; fails without touching the database when it cannot be stored. */
export const prepare = (
  streamId: string,
  events: ReadonlyArray<NewEvent>,
  expected: ExpectedVersion,
  chainKey = ""
): Either.Either<PreparedAppend, EventIdReused | SqlFailure> => {
  const duplicate = duplicateId(events)
  if (duplicate !== undefined) return Either.left(new EventIdReused({ eventId: duplicate, streamId }))
  return Either.try({
    // The digest reads the events as canonical JSON too, so it fails on the same values JSON cannot hold.
    try: (): PreparedAppend => ({
      streamId,
      expected,
      expectedText: expectedText(expected),
      events: JSON.stringify(
        events.map((event) => ({
          eventId: event.eventId,
          type: event.type,
          schemaVersion: event.schemaVersion,
          data: event.data,
          metadata: event.metadata,
          digest: contentDigest(event)
        }))
      ),
      count: events.length,
      chainKey
    }),
    catch: notJson
  })
}

/** What an append did: its result, and whether it wrote events now (a retry or an empty append did not). */
export interface AppendOutcome {
  readonly result: AppendResult
  readonly wrote: boolean
}

/** Turns what `append_events` answered for `append` into its result or typed error. */
export const interpret = (
  append: PreparedAppend,
  answer: unknown
): Either.Either<AppendOutcome, VersionConflict | EventIdReused | SqlFailure> => {
  const outcome = answer as Outcome | undefined
  if (typeof outcome !== "object" || outcome === null) {
    return Either.left(new SqlFailure({ code: undefined, message: "append_events returned no outcome" }))
  }
  const { streamId, expected } = append
  switch (outcome.status) {
    case "conflict":
      return Either.left(new VersionConflict({ streamId, expected, actual: Number(outcome.actual) }))
    case "reused":
      return Either.left(new EventIdReused({ eventId: outcome.eventId, streamId }))
    case "key_missing":
    case "wrong_key":
    case "not_keyed":
      return Either.left(new SqlFailure({ code: undefined, message: chainKeyRefusal(outcome.status) }))
    default: {
      const globalPositions = outcome.positions.map(Number)
      const result: AppendResult = {
        streamId,
        nextExpectedVersion: Number(outcome.version),
        globalPositions,
        checkpoint: {
          transactionId: Number(outcome.transactionId),
          globalPosition: globalPositions[globalPositions.length - 1] ?? 0
        }
      }
      return Either.right({ result, wrote: outcome.status === "appended" && globalPositions.length > 0 })
    }
  }
}

/** The statement that appends to a stream of schema `s` (quoted). */
export const appendStatement = (s: string): string =>
  withChainKey(`SELECT ${s}.append_events($1, $2, $3::jsonb) AS outcome`, "$4")

/** Runs a prepared append on `connection`, in one statement. */
export const runPrepared = (
  connection: Connection,
  s: string,
  append: PreparedAppend
): Effect.Effect<AppendOutcome, VersionConflict | EventIdReused | SqlFailure> => {
  const run = connection.query(
    appendStatement(s),
    [append.streamId, append.expectedText, append.events, append.chainKey],
    { prepared: true }
  )
  // A unique violation means another stream took one of these event ids concurrently: once it has committed,
  // running again answers EventIdReused (or the original result, for a retry racing its original).
  return run.pipe(
    Effect.catchIf(
      (failure) => failure.code === uniqueViolation,
      () => run
    ),
    Effect.flatMap((rows) => interpret(append, rows[0]?.outcome))
  )
}

/** Appends on `connection`, in one statement. */
export const appendOn = (
  connection: Connection,
  s: string,
  streamId: string,
  events: ReadonlyArray<NewEvent>,
  expected: ExpectedVersion
): Effect.Effect<AppendOutcome, VersionConflict | EventIdReused | SqlFailure> =>
  Effect.suspend(() =>
    Effect.flatMap(prepare(streamId, events, expected), (append) => runPrepared(connection, s, append))
  )
