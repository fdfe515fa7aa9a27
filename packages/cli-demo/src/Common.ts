/**
 * The options every command takes (who acts, where the store is, how to print), and the `--as-of` option of read
 * commands. Environment variables stand in for the options that are missing.
 */
import * as Options from "@effect/cli/Options"
import { Projector } from "@registrar/domain"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { MissingUser, UsageError } from "./Errors.js"

/** The options shared by every command, as parsed. */
export interface Common {
  readonly as: Option.Option<string>
  readonly json: boolean
  readonly dataDir: Option.Option<string>
  readonly databaseUrl: Option.Option<string>
  readonly memory: boolean
  readonly schema: Option.Option<string>
  readonly server: Option.Option<string>
}

/** The options shared by every command. */
export const options: Options.Options<Common> = Options.all({
  as: Options.text("as").pipe(
    Options.withPseudoName("USER"),
    Options.withDescription("The user who acts (recorded on every event). Default: $REGISTRAR_USER."),
    Options.optional
  ),
  json: Options.boolean("json").pipe(Options.withDescription("Print one JSON document instead of tables.")),
  dataDir: Options.text("data-dir").pipe(
    Options.withPseudoName("DIR"),
    Options.withDescription(
      "Where the embedded store and the file blobs live (created on first use). Default: $REGISTRAR_DATA_DIR or ./.registrar."
    ),
    Options.optional
  ),
  databaseUrl: Options.text("database-url").pipe(
    Options.withPseudoName("URL"),
    Options.withDescription("Use a PostgreSQL server instead of the embedded store. Default: $DATABASE_URL."),
    Options.optional
  ),
  memory: Options.boolean("memory").pipe(
    Options.withDescription("Use a throwaway in-memory store (nothing is kept after the command).")
  ),
  schema: Options.text("schema").pipe(
    Options.withPseudoName("NAME"),
    Options.withDescription("The PostgreSQL schema of the store. Default: $REGISTRAR_SCHEMA or registrar."),
    Options.optional
  ),
  server: Options.text("server").pipe(
    Options.withPseudoName("URL"),
    Options.withDescription(
      "Run the command against a Registrar server (registrar serve) over HTTP, as the user of your API key ($REGISTRAR_API_KEY or `registrar login URL`). Default: $REGISTRAR_SERVER, else the server you logged in to, unless --data-dir, --database-url or --memory is given."
    ),
    Options.optional
  )
})

const fromEnvironment = (name: string): Option.Option<string> =>
  Option.filter(Option.fromNullable(process.env[name]), (value) => value.length > 0)

/** The acting user: `--as`, else `$REGISTRAR_USER`, else a one-line error that says how to give one. */
export const actor = (common: Common): Effect.Effect<string, MissingUser> =>
  Option.match(
    Option.orElse(common.as, () => fromEnvironment("REGISTRAR_USER")),
    {
      onNone: () => Effect.fail(new MissingUser()),
      onSome: Effect.succeed
    }
  )

/** Where the store is, with the environment's defaults applied. */
export interface StoreLocation {
  /** The data directory: the embedded database (unless a server or memory is used) and the file blobs. */
  readonly dataDir: string
  readonly kind: "pglite" | "server" | "memory"
  readonly databaseUrl: string | undefined
  readonly schema: string | undefined
  /** PostgreSQL connections of a server store (default 4: one command at a time needs few). */
  readonly poolSize?: number
}

/** Resolves the store options against the environment. */
export const location = (common: Common): StoreLocation => {
  const dataDir = Option.getOrElse(
    Option.orElse(common.dataDir, () => fromEnvironment("REGISTRAR_DATA_DIR")),
    () => ".registrar"
  )
  const databaseUrl = Option.getOrUndefined(Option.orElse(common.databaseUrl, () => fromEnvironment("DATABASE_URL")))
  const schema = Option.getOrUndefined(Option.orElse(common.schema, () => fromEnvironment("REGISTRAR_SCHEMA")))
  const kind = common.memory ? "memory" : databaseUrl !== undefined ? "server" : "pglite"
  return { dataDir, kind, databaseUrl, schema }
}

/**
 * An integer option that must lie from `min` to `max`: anything else is refused while the command line is read,
 * before the command touches a store, with the range in the message.
 */
export const boundedInteger = (name: string, min: number, max: number): Options.Options<number> =>
  Options.integer(name).pipe(
    Options.filterMap(
      (value) => (value >= min && value <= max ? Option.some(value) : Option.none()),
      `--${name} must be a whole number from ${min} to ${max}`
    )
  )

/** A past point to read at: a global position (digits) or an ISO time. */
export type AsOf = { readonly position: number } | { readonly time: string }

/** The `--as-of` option of read commands. */
export const asOfOption: Options.Options<Option.Option<string>> = Options.text("as-of").pipe(
  Options.withPseudoName("TIME|POSITION"),
  Options.withDescription(
    "Answer as the registry stood then: an ISO time (2025-01-31, 2025-01-31T12:00:00Z) or a global event position."
  ),
  Options.optional
)

/**
 * Parses `--as-of` by the API's own rule (`Projector.parseAsOfTarget`), so that a command answers the same on a store
 * and against a server: digits are a position, anything else must be an ISO date or date-time.
 */
export const parseAsOf = (value: Option.Option<string>): Effect.Effect<AsOf | undefined, UsageError> =>
  Option.match(value, {
    onNone: () => Effect.succeed(undefined),
    onSome: (text) =>
      Option.match(Projector.parseAsOfTarget(text), {
        onSome: (asOf) => Effect.succeed(asOf),
        onNone: () =>
          Effect.fail(
            new UsageError({
              problem: /^\d+$/.test(text)
                ? `--as-of ${text} is larger than any event position`
                : `--as-of "${text}" is neither a position nor a time`,
              fix: "give an event position (e.g. 42) or an ISO time (e.g. 2025-01-31T12:00:00Z)"
            })
          )
      })
  })

/** The `asOf` field of a read request, present only when given. */
export const asOfField = (asOf: AsOf | undefined): { readonly asOf?: AsOf } => (asOf === undefined ? {} : { asOf })
