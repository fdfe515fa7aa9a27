/**
 * One append as one statement: `SELECT append_events(stream, expected, events)` on any connection, so the store
 * runs it on its own and tests can run it inside a transaction they hold open. Announcing the append to readers
 * is the caller's job, after the commit.
 */
import {
  type AppendResult,
  EventIdReused,
  type ExpectedVersion,
  type NewEvent,
  VersionConflict
} from "@registrar/domain"
import { Effect } from "effect"
import { contentDigest } from "./Digest.js"
import { type Connection, SqlFailure, toJson } from "./Driver.js"

type Outcome =
  | {
      readonly status: "appended" | "retried"
      readonly version: number
      readonly positions: ReadonlyArray<number>
      readonly transactionId: string
    }
  | { readonly status: "conflict"; readonly actual: number }
  | { readonly status: "reused"; readonly eventId: string }

const uniqueViolation = "23505"

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

/** The statement that appends to a stream of schema `s` (quoted). */
export const appendStatement = (s: string): string => `SELECT ${s}.append_events($1, $2, $3::jsonb) AS outcome`

/** What an append did: its result, and whether it wrote events now (a retry or an empty append did not). */
export interface AppendOutcome {
  readonly result: AppendResult
  readonly wrote: boolean
}

/** Appends on `connection`, in one statement. */
export const appendOn = (
  connection: Connection,
  s: string,
  streamId: string,
  events: ReadonlyArray<NewEvent>,
  expected: ExpectedVersion
): Effect.Effect<AppendOutcome, VersionConflict | EventIdReused | SqlFailure> =>
  Effect.suspend((): Effect.Effect<AppendOutcome, VersionConflict | EventIdReused | SqlFailure> => {
    const duplicate = duplicateId(events)
    if (duplicate !== undefined) return Effect.fail(new EventIdReused({ eventId: duplicate, streamId }))
    const payload = toJson(
      events.map((event) => ({
        eventId: event.eventId,
        type: event.type,
        schemaVersion: event.schemaVersion,
        data: event.data,
        metadata: event.metadata,
        digest: contentDigest(event)
      }))
    )
    const run = Effect.flatMap(payload, (json) =>
      connection.query(appendStatement(s), [streamId, expectedText(expected), json])
    )
    // A unique violation means another stream took one of these event ids concurrently: once it has committed,
    // running again answers EventIdReused (or the original result, for a retry racing its original).
    return run.pipe(
      Effect.catchIf(
        (failure) => failure.code === uniqueViolation,
        () => run
      ),
      Effect.flatMap((rows): Effect.Effect<AppendOutcome, VersionConflict | EventIdReused | SqlFailure> => {
        const outcome = rows[0]?.outcome as Outcome | undefined
        if (typeof outcome !== "object" || outcome === null) {
          return Effect.fail(new SqlFailure({ code: undefined, message: "append_events returned no outcome" }))
        }
        switch (outcome.status) {
          case "conflict":
            return Effect.fail(new VersionConflict({ streamId, expected, actual: Number(outcome.actual) }))
          case "reused":
            return Effect.fail(new EventIdReused({ eventId: outcome.eventId, streamId }))
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
            return Effect.succeed({ result, wrote: outcome.status === "appended" && globalPositions.length > 0 })
          }
        }
      })
    )
  })
