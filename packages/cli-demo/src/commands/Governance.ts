/**
 * `promote`: move several aliases of one registry in one transaction, or none; optionally a compare-and-set.
 * `diff`: what changed in a registry between two points.
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { REGISTRY_PREFIX } from "@registrar/domain"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { parseAsOf } from "../Common.js"
import * as Output from "../Output.js"
import { help, leaf } from "../Root.js"
import { asUser } from "../Session.js"
import { bareName } from "./Registry.js"

const promote = leaf(
  "promote",
  {
    set: Options.text("set").pipe(
      Options.withPseudoName("COLLECTION:ALIAS=vN"),
      Options.withDescription(
        `An alias move: [ORG/]${REGISTRY_PREFIX}REGISTRY/COLLECTION:ALIAS=vN (repeatable; all in one registry).`
      ),
      Options.repeated
    ),
    expect: Options.text("expect").pipe(
      Options.withPseudoName("COLLECTION:ALIAS=vN|none"),
      Options.withDescription(
        "Promote only if this alias still points at vN (none: at no version); otherwise nothing moves and the error says what changed (repeatable)."
      ),
      Options.repeated
    )
  },
  help(
    "Move several aliases across the collections of one registry in one transaction: all of them move, or none does. With --expect it is a compare-and-set. Protected aliases still need a registry admin.",
    `registrar promote --set "${REGISTRY_PREFIX}Models/Classifier:production=v7" --set "${REGISTRY_PREFIX}Models/Ranker:production=v3" --as alice`,
    `registrar promote --set "${REGISTRY_PREFIX}Models/Classifier:production=v7" --expect "${REGISTRY_PREFIX}Models/Classifier:production=v5" --as alice`
  ),
  (args, common) =>
    asUser(common, ({ registrar, actor }) =>
      Effect.gen(function* () {
        const promoted = yield* registrar.promote({ actor, set: args.set, expect: args.expect })
        if (!common.json) {
          yield* Output.note(
            promoted.changed ? "Promoted, in one transaction:" : "Nothing to do: every alias already pointed there."
          )
        }
        yield* Output.emit(common, promoted, () =>
          Output.table(
            ["COLLECTION", "ALIAS", "FROM", "TO", "NOW"],
            promoted.moves.map((move) => [
              move.collection,
              move.alias,
              move.from === null ? "-" : `v${move.from}`,
              `v${move.to}`,
              move.fullName
            ])
          )
        )
      })
    )
)

const point = (name: string, description: string) =>
  Options.text(name).pipe(Options.withPseudoName("TIME|POSITION"), Options.withDescription(description))

const diff = leaf(
  "diff",
  {
    registry: Args.text({ name: "registry" }).pipe(
      Args.withDescription(`The registry: ${REGISTRY_PREFIX}REGISTRY or REGISTRY (as it is named at --to).`)
    ),
    organization: Options.text("org").pipe(Options.withPseudoName("ORG"), Options.optional),
    from: point("from", "Compare from this ISO time or global event position (`history` shows positions)."),
    to: point("to", "Compare up to this time or position (default: now).").pipe(Options.optional)
  },
  help(
    "What changed in a registry between two points: collections created, renamed and deleted; versions linked and unlinked; aliases moved; settings and grants changed.",
    "registrar diff Models --from 2025-01-31 --as alice",
    "registrar diff Models --from 28 --to 32 --json --as alice"
  ),
  (args, common) =>
    asUser(common, ({ registrar, actor }) =>
      Effect.gen(function* () {
        const from = yield* parseAsOf(Option.some(args.from))
        const to = yield* parseAsOf(args.to)
        const changed = yield* registrar.diff({
          actor,
          registry: bareName(args.registry),
          from: from ?? { position: 0 },
          ...(to === undefined ? {} : { to }),
          ...Option.match(args.organization, { onNone: () => ({}), onSome: (organization) => ({ organization }) })
        })
        yield* Output.emit(common, changed, () =>
          Output.table(
            ["CHANGE", "WHAT", "FROM", "TO"],
            changed.changes.map((change) => [change.change, change.subject, change.from ?? "-", change.to ?? "-"]),
            "no change"
          )
        )
      })
    )
)

const revert = leaf(
  "revert",
  {
    registry: Args.text({ name: "registry" }).pipe(
      Args.withDescription(`The registry: ${REGISTRY_PREFIX}REGISTRY or REGISTRY.`)
    ),
    organization: Options.text("org").pipe(Options.withPseudoName("ORG"), Options.optional),
    to: point(
      "to",
      "Bring collections, links and aliases back to how they stood at this ISO time or global event position."
    ),
    dryRun: Options.boolean("dry-run").pipe(Options.withDescription("Print the plan; write nothing.")),
    partial: Options.boolean("partial").pipe(
      Options.withDescription("Revert what can be even if some changes cannot be brought back (they are listed).")
    )
  },
  help(
    "Bring a registry's collections, links and aliases back to a past point by appending new events, in one transaction (history is never rewritten; the revert can itself be reverted). Collections created since are deleted; collections renamed since get their old names back, and their descriptions and tags; collections deleted since are created again (under a new id, their versions numbered from v0) with their links and aliases. Versions linked since are unlinked, versions unlinked since are linked again as new versions, aliases move back. What cannot be brought back (a source deleted since, a change the registry's rules refuse) is listed, and nothing is written unless --partial is given. Try --dry-run first: it prints exactly the steps the revert would take. Registry settings and grants are not reverted (see diff). Registry admins only.",
    "registrar revert Models --to 32 --dry-run --as alice",
    "registrar revert Models --to 2025-01-31T12:00:00Z --partial --as alice"
  ),
  (args, common) =>
    asUser(common, ({ registrar, actor }) =>
      Effect.gen(function* () {
        const to = yield* parseAsOf(Option.some(args.to))
        const reverted = yield* registrar.revert({
          actor,
          registry: bareName(args.registry),
          to: to ?? { position: 0 },
          dryRun: args.dryRun,
          partial: args.partial,
          ...Option.match(args.organization, { onNone: () => ({}), onSome: (organization) => ({ organization }) })
        })
        if (!common.json) {
          yield* Output.note(
            args.dryRun
              ? "Plan (nothing was written):"
              : reverted.applied
                ? "Reverted, in one transaction:"
                : "Nothing to revert."
          )
          for (const item of reverted.unrevertible) yield* Output.note(`cannot be brought back: ${item}`)
        }
        yield* Output.emit(common, reverted, () =>
          Output.table(
            ["STEP", "WHAT", "DETAIL"],
            reverted.steps.map((step) => [step.change, step.subject, step.detail]),
            "no step"
          )
        )
      })
    )
)

const changeTag = (name: "add" | "remove") =>
  leaf(
    name,
    {
      reference: Args.text({ name: "ref" }).pipe(
        Args.withDescription("A source version (entity/project/name:vN), or a linked version (its source is tagged).")
      ),
      tag: Args.text({ name: "tag" })
    },
    name === "add"
      ? help(
          "Put a tag on a source version. Unlike an alias, a tag is not unique: many versions can share it. Every link of the version shows it.",
          "registrar artifact tag add smle-reg-team-1/registry_quickstart/zoo-classifier:v1 reviewed --as bob"
        )
      : help(
          "Take a tag off a source version.",
          `registrar artifact tag remove "${REGISTRY_PREFIX}Models/Zoo_Classifier_Models:v1" reviewed --as bob`
        ),
    (args, common) =>
      asUser(common, ({ registrar, actor }) =>
        Effect.flatMap(
          name === "add"
            ? registrar.tagArtifactVersion({ actor, reference: args.reference, tag: args.tag })
            : registrar.untagArtifactVersion({ actor, reference: args.reference, tag: args.tag }),
          (result) =>
            Output.emit(
              common,
              result,
              () => `${name === "add" ? "Tagged" : "Untagged"} ${result.reference} ${result.tag}`
            )
        )
      )
  )

/** `artifact tag add|remove`: tags of source versions. */
export const tag = Command.make("tag").pipe(
  Command.withDescription("Tags of source versions (not unique; shown on every link)."),
  Command.withSubcommands([changeTag("add"), changeTag("remove")])
)

/** The governance commands. */
export const commands = [promote, diff, revert] as const
