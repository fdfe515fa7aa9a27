/** `promote`: move several aliases of one registry in one transaction, or none; optionally a compare-and-set. */
import * as Options from "@effect/cli/Options"
import { REGISTRY_PREFIX } from "@registrar/domain"
import * as Effect from "effect/Effect"
import * as Output from "../Output.js"
import { help, leaf } from "../Root.js"
import { asUser } from "../Session.js"

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

/** The governance commands. */
export const commands = [promote] as const
