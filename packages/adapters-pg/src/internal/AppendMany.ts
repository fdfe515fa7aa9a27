/**
 * A multi-stream append as one statement: `SELECT append_many(writes)`, all or nothing in one transaction (see the
 * migration's `appendManyFunction`). Each write is prepared as a single append would be; the batch is checked for a
 * stream named twice and for event ids repeated across writes before it reaches the database.
 */
import {
  type AppendResult,
  EventIdReused,
  StreamRepeatedInAppend,
  type StreamWrite,
  VersionConflict
} from "@registrar/domain"
import { Effect, Either } from "effect"
import { interpret, type PreparedAppend, prepare, uniqueViolation } from "./Append.js"
import { withChainKey } from "./ChainKeySql.js"
import { type Connection, SqlFailure } from "./Driver.js"

/** What a multi-stream append did: one result per write, and whether it wrote events now (a retry did not). */
export interface AppendManyOutcome {
  readonly results: ReadonlyArray<AppendResult>
  readonly wrote: boolean
}

type AppendManyError = VersionConflict | EventIdReused | StreamRepeatedInAppend | SqlFailure

/** What `append_many` answers. */
type Answer =
  | { readonly status: "appended" | "retried"; readonly outcomes: ReadonlyArray<unknown> }
  | { readonly status: "conflict"; readonly index: number; readonly actual: number }
  | { readonly status: "reused"; readonly eventId: string; readonly streamId: string }
  | { readonly status: "refused"; readonly index: number; readonly outcome: unknown }

const prepareAll = (
  writes: ReadonlyArray<StreamWrite>,
  chainKey: string
): Either.Either<ReadonlyArray<PreparedAppend>, EventIdReused | StreamRepeatedInAppend | SqlFailure> => {
  const streams = new Set<string>()
  const ids = new Set<string>()
  for (const write of writes) {
    if (streams.size === streams.add(write.streamId).size) {
      return Either.left(new StreamRepeatedInAppend({ streamId: write.streamId }))
    }
    for (const event of write.events) {
      if (ids.size === ids.add(event.eventId).size) {
        return Either.left(new EventIdReused({ eventId: event.eventId, streamId: write.streamId }))
      }
    }
  }
  return Either.all(writes.map((write) => prepare(write.streamId, write.events, write.expected, chainKey)))
}

const writesJson = (appends: ReadonlyArray<PreparedAppend>): string =>
  `[${appends
    .map(
      (append) =>
        `{"streamId":${JSON.stringify(append.streamId)},"expected":${JSON.stringify(append.expectedText)},"events":${append.events}}`
    )
    .join(",")}]`

const interpretAll = (
  appends: ReadonlyArray<PreparedAppend>,
  value: unknown
): Either.Either<AppendManyOutcome, AppendManyError> => {
  const answer = value as Answer | undefined
  if (typeof answer !== "object" || answer === null) {
    return Either.left(new SqlFailure({ code: undefined, message: "append_many returned no outcome" }))
  }
  switch (answer.status) {
    case "conflict": {
      const append = appends[Number(answer.index)]!
      return Either.left(
        new VersionConflict({ streamId: append.streamId, expected: append.expected, actual: Number(answer.actual) })
      )
    }
    case "reused":
      return Either.left(new EventIdReused({ eventId: answer.eventId, streamId: answer.streamId }))
    case "refused":
      return Either.flatMap(interpret(appends[Number(answer.index)]!, answer.outcome), () =>
        Either.left(new SqlFailure({ code: undefined, message: "append_many refused an append it then reported" }))
      )
    default: {
      if (!Array.isArray(answer.outcomes) || answer.outcomes.length !== appends.length) {
        return Either.left(new SqlFailure({ code: undefined, message: "append_many returned no outcomes" }))
      }
      return Either.map(
        Either.all(appends.map((append, index) => interpret(append, answer.outcomes[index]))),
        (outcomes) => ({
          results: outcomes.map((outcome) => outcome.result),
          wrote: outcomes.some((outcome) => outcome.wrote)
        })
      )
    }
  }
}

/** Appends to several streams of schema `s` on `connection`, in one statement and one transaction. */
export const appendManyOn = (
  connection: Connection,
  s: string,
  writes: ReadonlyArray<StreamWrite>,
  chainKey = ""
): Effect.Effect<AppendManyOutcome, AppendManyError> =>
  Effect.suspend(() =>
    Effect.flatMap(prepareAll(writes, chainKey), (appends) => {
      if (appends.length === 0) return Effect.succeed({ results: [], wrote: false })
      const run = connection.query(
        withChainKey(`SELECT ${s}.append_many($1::jsonb) AS outcome`, "$2"),
        [writesJson(appends), chainKey],
        { prepared: true }
      )
      // As for a single append: a unique violation means another transaction took one of these event ids
      // concurrently; once it has committed, running again answers EventIdReused or the original results.
      return run.pipe(
        Effect.catchIf(
          (failure) => failure.code === uniqueViolation,
          () => run
        ),
        Effect.flatMap((rows) => interpretAll(appends, rows[0]?.outcome))
      )
    })
  )
