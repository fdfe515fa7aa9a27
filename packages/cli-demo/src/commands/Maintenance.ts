/** `verify` and `replay`: check the hash chains of the stored history, rebuild every read model from the log. */
import { ReadModelStore } from "@registrar/domain"
import * as Effect from "effect/Effect"
import * as Output from "../Output.js"
import * as Progress from "../Progress.js"
import { help, leaf } from "../Root.js"
import { withStore } from "../Session.js"

/** The exit code of `verify` when the history was tampered with. */
export const tamperedExitCode = 3

const estimatedEvents = Effect.flatMap(ReadModelStore, (store) => store.checkpoint).pipe(
  Effect.map((checkpoint) => checkpoint.globalPosition)
)

const verify = leaf(
  "verify",
  {},
  help(
    "Recompute every stream's hash chain and name the first tampered (edited or deleted) event; exits with 3 when the history was tampered with.",
    "registrar verify"
  ),
  (_, common) =>
    withStore(common, ({ registrar }) =>
      Effect.gen(function* () {
        yield* registrar.catchUp
        // Only on a terminal: a failed verify prints one line, like every other failure.
        const progress = Progress.bar("verify", yield* estimatedEvents, !common.json && process.stderr.isTTY === true)
        const report = yield* registrar.verify({ onProgress: progress.update })
        yield* progress.done
        const broken = report.firstBroken
        if (broken === null) {
          return yield* Output.emit(
            common,
            { events: report.events, streams: report.streams, tampered: false },
            () => `OK: ${report.events} events in ${report.streams} streams; every hash chain is intact.`
          )
        }
        process.exitCode = tamperedExitCode
        if (common.json) {
          return yield* Output.line(
            JSON.stringify({
              events: report.events,
              streams: report.streams,
              tampered: true,
              error: { code: broken._tag, message: broken.message },
              firstBroken: {
                streamId: broken.streamId,
                streamPosition: broken.streamPosition,
                eventId: broken.eventId,
                reason: broken.reason
              }
            })
          )
        }
        yield* Output.note(`Error: ${broken.message}`)
      })
    )
)

const replay = leaf(
  "replay",
  {},
  help(
    "Rebuild every read model from the event log (into fresh tables, swapped in at the end) and report events per second.",
    "registrar replay"
  ),
  (_, common) =>
    withStore(common, ({ registrar }) =>
      Effect.gen(function* () {
        yield* registrar.catchUp
        const progress = Progress.bar("replay", yield* estimatedEvents, !common.json)
        const started = performance.now()
        const events = yield* registrar.rebuild({ onProgress: progress.update })
        const seconds = (performance.now() - started) / 1000
        yield* progress.done
        const eventsPerSecond = seconds > 0 ? Math.round(events / seconds) : events
        yield* Output.emit(
          common,
          { events, seconds: Number(seconds.toFixed(3)), eventsPerSecond },
          () =>
            `Rebuilt every read model from ${events} events in ${seconds.toFixed(2)} s (${eventsPerSecond} events/s).`
        )
      })
    )
)

/** The maintenance commands. */
export const commands = [verify, replay] as const
