/** `link`, `unlink` and `alias`: put source versions into registry collections and move their aliases. */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import type { LinkResult } from "@registrar/domain"
import { collectionPath, REGISTRY_PREFIX } from "@registrar/domain"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { Common } from "../Common.js"
import { NotAvailableRemotely, UsageError } from "../Errors.js"
import * as Output from "../Output.js"
import { help, leaf } from "../Root.js"
import { asUser } from "../Session.js"
import { chooseLink } from "./InteractiveLink.js"
import type { RegistrarClient } from "../Remote.js"

/** Prints a link's result: the full name on stdout, what happened on stderr; or the JSON document. */
export const printLinked = (common: Common, linked: LinkResult): Effect.Effect<void> =>
  Effect.zipRight(
    common.json
      ? Effect.void
      : Output.note(
          `${linked.created ? "Linked" : "Already linked:"} ${linked.source} as ${linked.fullName} (aliases: ${Output.list(linked.aliases)})`
        ),
    Output.emit(common, linked, () => linked.fullName)
  )

const runLink = (
  registrar: RegistrarClient,
  actor: string,
  source: string,
  target: string,
  aliases: ReadonlyArray<string>
) => registrar.link({ actor, source, target, aliases })

const link = leaf(
  "link",
  {
    source: Args.text({ name: "source-ref" }).pipe(
      Args.withDescription(
        "The source version: entity/project/name:vN (or :alias), or a linked version (its source is linked)."
      ),
      Args.optional
    ),
    target: Args.text({ name: "target-path" }).pipe(
      Args.withDescription(`The collection: [ORG/]${REGISTRY_PREFIX}REGISTRY/COLLECTION (created on first link).`),
      Args.optional
    ),
    aliases: Options.text("alias").pipe(
      Options.withPseudoName("ALIAS"),
      Options.withDescription("An alias for the linked version (repeatable)."),
      Options.repeated
    ),
    interactive: Options.boolean("interactive").pipe(
      Options.withAlias("i"),
      Options.withDescription("Choose team, project, artifact, version, collection and aliases step by step.")
    )
  },
  help(
    "Link a logged artifact version into a registry collection and print its full name. Linking the same version again returns the existing one (only aliases change).",
    `registrar link smle-reg-team-1/registry_quickstart/raw_images:v0 "${REGISTRY_PREFIX}Golden Datasets/raw_images" --alias production --as bob`,
    "registrar link --interactive --as bob"
  ),
  (args, common) =>
    asUser(common, ({ registrar, actor, server }) =>
      Effect.gen(function* () {
        if (args.interactive && server !== undefined) {
          return yield* Effect.fail(
            new NotAvailableRemotely({
              operation: "link --interactive",
              fix: `name the source and the collection: registrar link SOURCE "${collectionPath("R", "C")}"`
            })
          )
        }
        if (args.interactive) {
          const chosen = yield* chooseLink(registrar, actor)
          if (Option.isNone(chosen)) return yield* Output.note("Nothing was linked.")
          const linked = yield* runLink(
            registrar,
            actor,
            chosen.value.source,
            chosen.value.target,
            chosen.value.aliases
          )
          return yield* printLinked(common, linked)
        }
        if (Option.isNone(args.source) || Option.isNone(args.target)) {
          return yield* Effect.fail(
            new UsageError({
              problem: "link needs a source version and a target collection",
              fix: `run \`registrar link SOURCE "${collectionPath("R", "C")}"\` or \`registrar link --interactive\``
            })
          )
        }
        const linked = yield* runLink(registrar, actor, args.source.value, args.target.value, args.aliases)
        yield* printLinked(common, linked)
      })
    )
)

const linkedArg = Args.text({ name: "full-name" }).pipe(
  Args.withDescription(`A linked version: [ORG/]${REGISTRY_PREFIX}REGISTRY/COLLECTION:vN (or :alias).`)
)

const unlink = leaf(
  "unlink",
  { name: linkedArg },
  help(
    "Unlink a linked version from its collection; its index is never reused and its source stays.",
    `registrar unlink "${REGISTRY_PREFIX}Golden Datasets/raw_images:v1" --as bob`
  ),
  (args, common) =>
    asUser(common, ({ registrar, actor }) =>
      Effect.flatMap(registrar.unlink({ actor, name: args.name }), (result) =>
        Output.emit(common, result, () => `Unlinked ${result.fullName}`)
      )
    )
)

const changeAlias = (name: "add" | "remove") =>
  leaf(
    name,
    { name: linkedArg, alias: Args.text({ name: "alias" }) },
    name === "add"
      ? help(
          "Point an alias of the collection at a linked version (moving it from another version).",
          `registrar alias add "${REGISTRY_PREFIX}Models/Zoo_Classifier_Models:v1" staging --as bob`
        )
      : help(
          "Take an alias off a linked version.",
          `registrar alias remove "${REGISTRY_PREFIX}Models/Zoo_Classifier_Models:v1" staging --as bob`
        ),
    (args, common) =>
      asUser(common, ({ registrar, actor }) =>
        Effect.flatMap(
          name === "add"
            ? registrar.addAlias({ actor, name: args.name, alias: args.alias })
            : registrar.removeAlias({ actor, name: args.name, alias: args.alias }),
          (result) => Output.emit(common, result, () => `${result.fullName} (aliases: ${Output.list(result.aliases)})`)
        )
      )
  )

const alias = Command.make("alias").pipe(
  Command.withDescription("Aliases of linked versions (latest is managed for you)."),
  Command.withSubcommands([changeAlias("add"), changeAlias("remove")])
)

/** The `link`, `unlink` and `alias` commands. */
export const commands = [link, unlink, alias] as const
