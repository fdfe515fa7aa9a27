/**
 * Group appends: concurrent appends of one process share statements and commits. An append joins a queue; while
 * fewer than `concurrency` groups are in flight, it starts one, which takes every append then waiting (up to the
 * size limits) into one `append_group` statement, and keeps taking groups until the queue is empty. A lone writer
 * therefore runs alone, as before, while under load the appends that arrive during one round trip travel together
 * in the next: one round trip, one transaction and one WAL flush for the lot.
 *
 * Each append keeps its own outcome (a conflict fails only that append) and its own atomicity. When a group fails as
 * a whole (it rolled back, e.g. on a unique violation racing another transaction, or the connection broke), its
 * appends run again one by one, which their event ids make safe: an append that did commit answers as a retry.
 */
import type { EventIdReused, VersionConflict } from "@registrar/domain"
import { Deferred, Effect, Either, Exit, FiberId } from "effect"
import { type AppendOutcome, interpret, type PreparedAppend, runPrepared } from "./Append.js"
import { withChainKey } from "./ChainKeySql.js"
import { type Driver, SqlFailure } from "./Driver.js"

type AppendError = VersionConflict | EventIdReused | SqlFailure

/** How appends are grouped. */
export interface GroupOptions {
  /** Groups (statements) in flight at once. */
  readonly concurrency: number
  /** The most appends in one group. */
  readonly maxAppends?: number
  /** The most events in one group (a single larger append still runs, alone). */
  readonly maxEvents?: number
}

interface Waiting {
  readonly append: PreparedAppend
  readonly done: Deferred.Deferred<AppendOutcome, AppendError>
}

/** Runs prepared appends of schema `s` on `driver`, grouping those that wait for each other. */
export interface AppendGroups {
  readonly append: (append: PreparedAppend) => Effect.Effect<AppendOutcome, AppendError>
}

const groupJson = (group: ReadonlyArray<Waiting>): string =>
  `[${group
    .map(
      ({ append }) =>
        `{"streamId":${JSON.stringify(append.streamId)},"expected":${JSON.stringify(append.expectedText)},"events":${append.events}}`
    )
    .join(",")}]`

export const make = (driver: Driver, s: string, options: GroupOptions): AppendGroups => {
  const concurrency = Math.max(1, Math.floor(options.concurrency))
  const maxAppends = options.maxAppends ?? 64
  const maxEvents = options.maxEvents ?? 2_000
  const groupSql = withChainKey(`SELECT ${s}.append_group($1::jsonb) AS outcomes`, "$2")
  const waiting: Array<Waiting> = []
  let running = 0

  const takeGroup = (): Array<Waiting> => {
    let taken = 0
    let events = 0
    while (taken < waiting.length && taken < maxAppends) {
      const count = waiting[taken]!.append.count
      if (taken > 0 && events + count > maxEvents) break
      events += count
      taken += 1
    }
    return waiting.splice(0, taken)
  }

  const settle = (entry: Waiting, outcome: Either.Either<AppendOutcome, AppendError>) =>
    Deferred.done(entry.done, Either.isRight(outcome) ? Exit.succeed(outcome.right) : Exit.fail(outcome.left))

  const runAlone = (entry: Waiting) =>
    Effect.flatMap(Effect.exit(runPrepared(driver, s, entry.append)), (exit) => Deferred.done(entry.done, exit))

  const runGroup = (group: ReadonlyArray<Waiting>): Effect.Effect<void> =>
    group.length === 1
      ? Effect.asVoid(runAlone(group[0]!))
      : driver.query(groupSql, [groupJson(group), group[0]!.append.chainKey], { prepared: true }).pipe(
          Effect.flatMap((rows) => {
            const outcomes: unknown = rows[0]?.outcomes
            return Array.isArray(outcomes) && outcomes.length === group.length
              ? Effect.forEach(group, (entry, index) => settle(entry, interpret(entry.append, outcomes[index])), {
                  discard: true
                })
              : Effect.fail(new SqlFailure({ code: undefined, message: "append_group returned no outcomes" }))
          }),
          Effect.catchAll(() => Effect.forEach(group, runAlone, { discard: true }))
        )

  const drain: Effect.Effect<void> = Effect.suspend(() => {
    const group = takeGroup()
    if (group.length === 0) {
      running -= 1
      return Effect.void
    }
    return runGroup(group).pipe(
      // A defect must still answer every waiting append rather than leave it hanging.
      Effect.catchAllCause((cause) => Effect.forEach(group, (entry) => Deferred.failCause(entry.done, cause))),
      Effect.zipRight(drain)
    )
  })

  return {
    append: (append) =>
      Effect.suspend(() => {
        const done = Deferred.unsafeMake<AppendOutcome, AppendError>(FiberId.none)
        waiting.push({ append, done })
        if (running >= concurrency) return Deferred.await(done)
        running += 1
        // The group runs on its own fiber: interrupting one waiting writer must not strand the others.
        return Effect.zipRight(Effect.forkDaemon(drain), Deferred.await(done))
      })
  }
}
