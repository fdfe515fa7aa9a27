/**
 * `verify`, `anchor`, `chain rekey` and `replay`: check the hash chains of the stored history (against an anchor kept
 * elsewhere, when given one), digest them into an anchor, key them, rebuild every read model from the log.
 */
import * as fs from "node:fs/promises"
import * as Options from "@effect/cli/Options"
import {
  type Anchor,
  type AnchorChange,
  InvalidAnchor,
  parseAnchor,
  ReadModelStore,
  type VerificationReport
} from "@registrar/domain"
import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type { Common } from "../Common.js"
import { location } from "../Common.js"
import { UsageError } from "../Errors.js"
import * as Output from "../Output.js"
import * as Progress from "../Progress.js"
import { help, leaf } from "../Root.js"
import { withStore } from "../Session.js"
import * as Store from "../Store.js"

/** The exit code of `verify` when the history was tampered with. */
export const tamperedExitCode = 3

const estimatedEvents = Effect.flatMap(ReadModelStore, (store) => store.checkpoint).pipe(
  Effect.map((checkpoint) => checkpoint.globalPosition)
)

const anchorPrefix = "registrar-anchor:"

/** Reads `--anchor`: the compact line itself, or a file holding it or the full JSON form. */
const readAnchor = (value: string): Effect.Effect<Anchor, InvalidAnchor> =>
  Effect.flatMap(
    value.trim().startsWith(anchorPrefix)
      ? Effect.succeed(value)
      : Effect.tryPromise({
          try: () => fs.readFile(value, "utf8"),
          catch: (cause) =>
            new InvalidAnchor({
              reason: `"${value}" is neither an anchor line nor a readable file (${(cause as { code?: string }).code ?? "unreadable"})`
            })
        }),
    (text) => Either.match(parseAnchor(text), { onLeft: Effect.fail, onRight: Effect.succeed })
  )

const changeJson = (change: AnchorChange) => ({ ...change, code: change._tag, message: change.message })

const printTampered = (common: Common, report: VerificationReport) =>
  Effect.gen(function* () {
    process.exitCode = tamperedExitCode
    const broken = report.firstBroken
    const changes = report.anchor?.changes ?? []
    if (common.json) {
      const first = broken ?? changes[0]!
      return yield* Output.line(
        JSON.stringify({
          events: report.events,
          streams: report.streams,
          keyed: report.keyed,
          tampered: true,
          error: { code: first._tag, message: first.message },
          firstBroken:
            broken === null
              ? null
              : {
                  streamId: broken.streamId,
                  streamPosition: broken.streamPosition,
                  eventId: broken.eventId,
                  reason: broken.reason
                },
          anchor: report.anchor === null ? null : { ...report.anchor, changes: changes.map(changeJson) }
        })
      )
    }
    if (broken !== null) return yield* Output.note(`Error: ${broken.message}`)
    for (const change of changes) yield* Output.note(`Error: ${change.message}`)
  })

const verify = leaf(
  "verify",
  {
    anchor: Options.text("anchor").pipe(
      Options.withPseudoName("FILE|ANCHOR"),
      Options.withDescription(
        "Also check that the store still holds everything this anchor covers (from `registrar anchor`): the JSON file names each stream re-chained, wound back or deleted since; the one-line form says whether anything changed."
      ),
      Options.optional
    )
  },
  help(
    "Recompute every stream's hash chain and name the first tampered (edited or deleted) event; with --anchor, also name the streams re-chained, wound back or deleted since the anchor was made. Exits with 3 when the history was tampered with.",
    "registrar verify",
    "registrar verify --anchor anchor.json"
  ),
  ({ anchor: anchorOption }, common) =>
    Effect.gen(function* () {
      const anchor = Option.isSome(anchorOption) ? yield* readAnchor(anchorOption.value) : undefined
      yield* withStore(common, ({ registrar }) =>
        Effect.gen(function* () {
          yield* registrar.catchUp
          // Only on a terminal: a failed verify prints one line, like every other failure.
          const progress = Progress.bar("verify", yield* estimatedEvents, !common.json && process.stderr.isTTY === true)
          const report = yield* registrar.verify({
            onProgress: progress.update,
            ...(anchor === undefined ? {} : { anchor })
          })
          yield* progress.done
          if (report.firstBroken !== null || (report.anchor?.changes.length ?? 0) > 0) {
            return yield* printTampered(common, report)
          }
          const keyed = report.keyed ? " (keyed)" : ""
          if (!report.keyed && report.events > 0 && (yield* Effect.orElseSucceed(Store.chainKey, () => undefined))) {
            yield* Output.note(
              "Note: REGISTRAR_CHAIN_KEY is set, but this store's hash chain is not keyed: run `registrar chain rekey` to key it."
            )
          }
          const anchored =
            report.anchor === null
              ? ""
              : ` The store still holds everything the anchor at global position ${report.anchor.checkpoint.globalPosition} covers${report.anchor.streams === null ? "" : ` (${report.anchor.streams} streams)`}.`
          return yield* Output.emit(
            common,
            {
              events: report.events,
              streams: report.streams,
              keyed: report.keyed,
              tampered: false,
              anchor: report.anchor === null ? null : { ...report.anchor, changes: [] }
            },
            () =>
              `OK: ${report.events} events in ${report.streams} streams; every hash chain is intact${keyed}.${anchored}`
          )
        })
      )
    })
)

const anchor = leaf(
  "anchor",
  {
    out: Options.text("out").pipe(
      Options.withPseudoName("FILE"),
      Options.withDescription(
        "Also write the full anchor (JSON: every stream's head) to FILE, for `verify --anchor FILE` to name what changed."
      ),
      Options.optional
    )
  },
  help(
    "Verify the store, then print its anchor: one line (the global head and a SHA-256 of every stream's head version and hash) to keep outside the store — a ticket, a commit, a log. With --json, the full form listing every stream head.",
    "registrar anchor",
    "registrar anchor --out anchor.json"
  ),
  ({ out }, common) =>
    withStore(common, ({ registrar }) =>
      Effect.gen(function* () {
        const progress = Progress.bar("anchor", yield* estimatedEvents, !common.json && process.stderr.isTTY === true)
        const document = yield* registrar.anchor({ onProgress: progress.update }).pipe(
          Effect.tapErrorTag("ChainBroken", () =>
            Effect.sync(() => {
              process.exitCode = tamperedExitCode
            })
          )
        )
        yield* progress.done
        if (Option.isSome(out)) {
          yield* Effect.promise(() => fs.writeFile(out.value, `${JSON.stringify(document, null, 2)}\n`))
          if (!common.json) yield* Output.note(`Wrote the full anchor (${document.streams} streams) to ${out.value}.`)
        }
        return yield* common.json ? Output.line(JSON.stringify(document, null, 2)) : Output.line(document.anchor)
      })
    )
)

const rekey = leaf(
  "rekey",
  {
    anchor: Options.text("anchor").pipe(
      Options.withPseudoName("FILE|ANCHOR"),
      Options.withDescription("First check the store against this anchor, and refuse to re-key it when it changed."),
      Options.optional
    )
  },
  help(
    "Key the store's hash chain with $REGISTRAR_CHAIN_KEY: verify every chain (and the anchor, when given), re-compute all of them as HMAC-SHA256 under the key in one transaction, record that the chain is keyed, and rebuild the read models. Interrupted, it leaves the store as it was. Anchors made before no longer match: make a new one.",
    "registrar chain rekey --anchor anchor.json   # with REGISTRAR_CHAIN_KEY set, e.g. to $(cat /secure/chain.key)"
  ),
  ({ anchor: anchorOption }, common) =>
    Effect.gen(function* () {
      const key = yield* Store.chainKey
      if (key === undefined) {
        return yield* Effect.fail(
          new UsageError({
            problem: "No chain key is set",
            fix: "set REGISTRAR_CHAIN_KEY to the key to chain with (at least 16 random characters, e.g. `openssl rand -hex 32`), kept outside the database"
          })
        )
      }
      const anchor = Option.isSome(anchorOption) ? yield* readAnchor(anchorOption.value) : undefined
      const checked = yield* withStore(common, ({ registrar }) =>
        Effect.gen(function* () {
          yield* registrar.catchUp
          const report = yield* registrar.verify(anchor === undefined ? {} : { anchor })
          if (report.firstBroken !== null || (report.anchor?.changes.length ?? 0) > 0) {
            yield* printTampered(common, report)
            return false
          }
          return true
        })
      )
      if (!checked) return
      const progress = Progress.bar("rekey", 0, !common.json && process.stderr.isTTY === true)
      const result = yield* Store.rekey(location(common), key, progress.update)
      yield* progress.done
      if (result.rekeyed) yield* withStore(common, ({ registrar }) => registrar.rebuild())
      yield* Output.emit(common, result, () =>
        result.rekeyed
          ? `Keyed the hash chain of ${result.events} events in ${result.streams} streams (up to global position ${result.keyedAtPosition}) and rebuilt the read models. Anchors made before no longer match: run \`registrar anchor\` for a new one.`
          : "The hash chain is keyed with this key already; nothing changed."
      )
    })
)

/** The `chain` command: keying the hash chain. */
const chain = Command.make("chain").pipe(
  Command.withDescription("The store's hash chain: key it with a secret kept outside the database (rekey)."),
  Command.withSubcommands([rekey])
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
export const commands = [verify, anchor, chain, replay] as const
