/** `resolve`, `lineage`, `history` and `search`: reading the registry, now or as it stood at a past point. */
import * as Args from "@effect/cli/Args"
import * as Options from "@effect/cli/Options"
import { collectionPath, registryProjectName, REGISTRY_PREFIX } from "@registrar/domain"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { asOfField, asOfOption, boundedInteger, parseAsOf } from "../Common.js"
import { UsageError } from "../Errors.js"
import * as LineageFormat from "../LineageFormat.js"
import * as Output from "../Output.js"
import { help, leaf } from "../Root.js"
import { asUser } from "../Session.js"
import { bareName } from "./Registry.js"

const optionalField = <K extends string>(key: K, value: Option.Option<string>) =>
  Option.match(value, { onNone: () => ({}), onSome: (text) => ({ [key]: text }) as { [P in K]: string } })

const resolve = leaf(
  "resolve",
  {
    name: Args.text({ name: "name" }).pipe(
      Args.withDescription(
        `A linked version: [ORG/]${REGISTRY_PREFIX}REGISTRY/COLLECTION[:vN|:alias] (default latest).`
      )
    ),
    asOf: asOfOption
  },
  help(
    "Resolve a linked version's full or qualified name: the version, its source and its files.",
    `registrar resolve "${REGISTRY_PREFIX}Golden Datasets/raw_images:production" --as bob`,
    `registrar resolve "smle-registries-bug-bash/${REGISTRY_PREFIX}Models/Zoo_Classifier_Models:latest" --as-of 2025-01-31 --as bob`
  ),
  (args, common) =>
    asUser(common, ({ registrar, actor }) =>
      Effect.gen(function* () {
        const asOf = yield* parseAsOf(args.asOf)
        const resolved = yield* registrar.resolve({ actor, name: args.name, ...asOfField(asOf) })
        yield* Output.emit(common, resolved, () =>
          [
            Output.fields([
              ["Full name", resolved.fullName],
              ["Qualified name", resolved.qualifiedName],
              ["Type", resolved.artifactType],
              ["Aliases", Output.list(resolved.aliases)],
              ["Source", resolved.source],
              ["Digest", resolved.digest],
              ["Linked", `${Output.time(resolved.linkedAt)} by ${resolved.linkedBy}`],
              ["Description", resolved.description || "-"],
              ["Metadata", Object.keys(resolved.metadata).length === 0 ? "-" : JSON.stringify(resolved.metadata)]
            ]),
            "",
            Output.table(
              ["FILE", "SIZE", "SHA256"],
              resolved.files.map((file) => [file.path, String(file.size), file.sha256])
            )
          ].join("\n")
        )
      })
    )
)

const lineage = leaf(
  "lineage",
  {
    reference: Args.text({ name: "ref" }).pipe(
      Args.withDescription("A source version (entity/project/name:vN) or a linked version's registry path.")
    ),
    format: Options.choice("format", ["tree", "mermaid", "dot"]).pipe(
      Options.withDescription("tree (default), mermaid (paste into Markdown) or dot (Graphviz)."),
      Options.withDefault("tree" as const)
    ),
    depth: boundedInteger("depth", 1, 20).pipe(
      Options.withPseudoName("N"),
      Options.withDescription("How many edges away to go, 1 to 20 (default 4)."),
      Options.withDefault(4)
    ),
    asOf: asOfOption
  },
  help(
    "Show the runs and versions around a version: what produced it, what it used, who used it.",
    `registrar lineage "${REGISTRY_PREFIX}Models/Zoo_Classifier_Models:latest" --as bob`,
    "registrar lineage smle-reg-team-1/registry_quickstart/raw_images:v0 --format mermaid --as bob"
  ),
  (args, common) =>
    asUser(common, ({ registrar, actor }) =>
      Effect.gen(function* () {
        const asOf = yield* parseAsOf(args.asOf)
        const graph = yield* registrar.lineage({
          actor,
          reference: args.reference,
          depth: args.depth,
          ...asOfField(asOf)
        })
        yield* Output.emit(common, graph, () =>
          args.format === "mermaid"
            ? LineageFormat.mermaid(graph)
            : args.format === "dot"
              ? LineageFormat.dot(graph)
              : LineageFormat.tree(graph)
        )
      })
    )
)

const isTime = (text: string) => /^\d{4}-\d{2}-\d{2}/.test(text) && !Number.isNaN(Date.parse(text))

const timeOption = (name: string, description: string) =>
  Options.text(name).pipe(Options.withPseudoName("TIME"), Options.withDescription(description), Options.optional)

const history = leaf(
  "history",
  {
    name: Args.text({ name: "full-name" }).pipe(
      Args.withDescription(
        `A linked version (${REGISTRY_PREFIX}REGISTRY/COLLECTION:vN): its own history (linked, aliases gained and lost, unlinked).`
      ),
      Args.optional
    ),
    alias: Options.text("alias").pipe(
      Options.withPseudoName("ALIAS"),
      Options.withDescription("Every move of this alias (with --registry): from which version to which, who and when."),
      Options.optional
    ),
    organization: Options.text("org").pipe(Options.withPseudoName("ORG"), Options.optional),
    registry: Options.text("registry").pipe(
      Options.withPseudoName("REGISTRY"),
      Options.withDescription("Only events of this registry."),
      Options.optional
    ),
    collection: Options.text("collection").pipe(
      Options.withPseudoName("COLLECTION"),
      Options.withDescription("Only events of this collection (with --registry)."),
      Options.optional
    ),
    actor: Options.text("actor").pipe(
      Options.withPseudoName("USER"),
      Options.withDescription("Only events by this user."),
      Options.optional
    ),
    since: timeOption("since", "Only events at or after this ISO time."),
    until: timeOption("until", "Only events at or before this ISO time."),
    limit: boundedInteger("limit", 1, 1_000_000).pipe(
      Options.withPseudoName("N"),
      Options.withDescription("Only the most recent N events (1 to 1,000,000)."),
      Options.optional
    ),
    asOf: asOfOption
  },
  help(
    "The audit log: every event with its position, time, actor, summary and hash, filtered.",
    'registrar history --registry "Golden Datasets" --collection raw_images --as alice',
    "registrar history --actor bob --since 2025-01-01 --as alice",
    "registrar history --alias production --registry Models --collection Zoo_Classifier_Models --as alice",
    `registrar history "${REGISTRY_PREFIX}Models/Zoo_Classifier_Models:v1" --as alice`
  ),
  (args, common) =>
    asUser(common, ({ registrar, actor }) =>
      Effect.gen(function* () {
        for (const [name, value] of [
          ["--since", args.since],
          ["--until", args.until]
        ] as const) {
          if (Option.isSome(value) && !isTime(value.value)) {
            return yield* Effect.fail(
              new UsageError({
                problem: `${name} "${value.value}" is not a time`,
                fix: "give an ISO time, e.g. 2025-01-31T12:00:00Z"
              })
            )
          }
        }
        if (Option.isSome(args.collection) && Option.isNone(args.registry)) {
          return yield* Effect.fail(
            new UsageError({ problem: "--collection needs its registry", fix: "add --registry REGISTRY" })
          )
        }
        const asOf = yield* parseAsOf(args.asOf)
        if (Option.isSome(args.name)) {
          const version = yield* registrar.versionHistory({ actor, name: args.name.value, ...asOfField(asOf) })
          return yield* Output.emit(common, version, () =>
            Output.table(
              ["POSITION", "TIME", "ACTOR", "CHANGE", "DETAIL"],
              version.entries.map((entry) => [
                String(entry.globalPosition),
                Output.time(entry.recordedAt),
                entry.actor,
                entry.change,
                entry.detail
              ])
            )
          )
        }
        if (Option.isSome(args.alias)) {
          if (Option.isNone(args.registry)) {
            return yield* Effect.fail(
              new UsageError({ problem: "--alias needs its registry", fix: "add --registry REGISTRY" })
            )
          }
          const moves = yield* registrar.aliasHistory({
            actor,
            alias: args.alias.value,
            registry: bareName(args.registry.value),
            ...optionalField("organization", args.organization),
            ...optionalField("collection", args.collection),
            ...asOfField(asOf)
          })
          return yield* Output.emit(common, moves, () =>
            Output.table(
              ["POSITION", "TIME", "ACTOR", "COLLECTION", "FROM", "TO"],
              moves.moves.map((move) => [
                String(move.globalPosition),
                Output.time(move.recordedAt),
                move.actor,
                move.collection,
                move.from === null ? "-" : `v${move.from}`,
                move.to === null ? "-" : `v${move.to}`
              ]),
              `alias ${moves.alias} never moved`
            )
          )
        }
        const events = yield* registrar.history({
          actor,
          ...optionalField("organization", args.organization),
          ...optionalField("registry", Option.map(args.registry, bareName)),
          ...optionalField("collection", args.collection),
          ...optionalField("by", args.actor),
          ...optionalField("since", args.since),
          ...optionalField("until", args.until),
          ...Option.match(args.limit, { onNone: () => ({}), onSome: (limit) => ({ limit }) }),
          ...asOfField(asOf)
        })
        yield* Output.emit(common, events, () =>
          Output.table(
            ["POSITION", "TIME", "ACTOR", "EVENT", "SUMMARY", "HASH"],
            events.map((row) => [
              String(row.globalPosition),
              Output.time(row.recordedAt),
              row.actor,
              row.type,
              row.summary,
              row.hash.slice(0, 12)
            ]),
            "no events"
          )
        )
      })
    )
)

const search = leaf(
  "search",
  {
    text: Args.text({ name: "text" }).pipe(
      Args.withDescription("Words in a name, description or tag (empty: all)."),
      Args.withDefault("")
    ),
    organization: Options.text("org").pipe(Options.withPseudoName("ORG"), Options.optional),
    asOf: asOfOption
  },
  help("Find registries and collections you can see by name, description or tag.", "registrar search images --as bob"),
  (args, common) =>
    asUser(common, ({ registrar, actor }) =>
      Effect.gen(function* () {
        const asOf = yield* parseAsOf(args.asOf)
        const found = yield* registrar.search({
          actor,
          text: args.text,
          ...optionalField("organization", args.organization),
          ...asOfField(asOf)
        })
        yield* Output.emit(common, found, () =>
          Output.table(
            ["KIND", "PATH", "TYPE", "DESCRIPTION"],
            found.map((entry) =>
              entry._tag === "Registry"
                ? [
                    "registry",
                    registryProjectName(entry.registry),
                    Output.list(entry.acceptedTypes, "every type"),
                    entry.description || "-"
                  ]
                : [
                    "collection",
                    collectionPath(entry.registry, entry.name),
                    entry.artifactType,
                    entry.description || "-"
                  ]
            ),
            "nothing found"
          )
        )
      })
    )
)

/** The read commands. */
export const commands = [resolve, lineage, history, search] as const
