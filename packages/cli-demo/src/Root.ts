/**
 * The root `registrar` command and the way every leaf command is declared: each takes the common options (which may
 * also come before the command name, `registrar --as alice link …`), a description and an example for `--help`.
 */
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Span from "@effect/cli/HelpDoc/Span"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Common from "./Common.js"
import * as Output from "./Output.js"

/** The root command, before its subcommands are attached (leaves read its options through it). */
export const root = Command.make("registrar", { common: Common.options }, () =>
  Output.line(
    [
      "registrar — an artifact registry in your terminal, with the semantics of the W&B Registry.",
      "",
      "Start with `registrar demo`, then `registrar --help` or `registrar <command> --help`."
    ].join("\n")
  )
)

/** A command failed: the code (the typed error's `_tag`) and the one-line message to print. */
export class CommandFailed extends Data.TaggedError("CommandFailed")<{
  readonly code: string
  readonly message: string
}> {}

const merge = (outer: Common.Common, inner: Common.Common): Common.Common => ({
  as: Option.orElse(inner.as, () => outer.as),
  json: inner.json || outer.json,
  dataDir: Option.orElse(inner.dataDir, () => outer.dataDir),
  databaseUrl: Option.orElse(inner.databaseUrl, () => outer.databaseUrl),
  memory: inner.memory || outer.memory,
  schema: Option.orElse(inner.schema, () => outer.schema),
  server: Option.orElse(inner.server, () => outer.server)
})

/** A description followed by examples, for `--help`. */
export const help = (description: string, ...examples: ReadonlyArray<string>): HelpDoc.HelpDoc =>
  HelpDoc.blocks([
    HelpDoc.p(description),
    ...(examples.length === 0
      ? []
      : [
          HelpDoc.p(examples.length === 1 ? "Example:" : "Examples:"),
          ...examples.map((example) => HelpDoc.p(Span.code(`  $ ${example}`)))
        ])
  ])

/**
 * A leaf command: `config` plus the common options; the handler gets the parsed config and the common options
 * (merged with those given before the command name).
 */
export const leaf = <Name extends string, Config extends Command.Command.Config, R, E>(
  name: Name,
  config: Config,
  description: HelpDoc.HelpDoc,
  handler: (args: Command.Command.ParseConfig<Config>, common: Common.Common) => Effect.Effect<void, E, R>
) =>
  Command.make(name, { args: config, common: Common.options }, (parsed) =>
    Effect.flatMap(root, (outer) =>
      handler(parsed.args as Command.Command.ParseConfig<Config>, merge(outer.common, parsed.common))
    ).pipe(Effect.mapError((error) => new CommandFailed(Output.describe(error))))
  ).pipe(Command.withDescription(description))
