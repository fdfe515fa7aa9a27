/** `collection`: create, list, show (versions table, metrics side by side), rename, update and delete collections. */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { collectionPath, REGISTRY_PREFIX } from "@registrar/domain"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { asOfField, asOfOption, parseAsOf } from "../Common.js"
import * as Output from "../Output.js"
import { help, leaf } from "../Root.js"
import { asUser } from "../Session.js"
import * as Snippets from "../Snippets.js"
import { bareName } from "./Registry.js"
import { orgField, orgOption, parseRegistryRef, registryArg } from "./RegistryArgs.js"
import { emitCollections, filterOption, filtering, pageFields, pageOptions, registryFilterOption } from "./Find.js"
import { UsageError } from "../Errors.js"

const pathArg = Args.text({ name: "collection" }).pipe(
  Args.withDescription(`The collection: [ORG/]${REGISTRY_PREFIX}REGISTRY/COLLECTION.`)
)

const create = leaf(
  "create",
  {
    collection: pathArg,
    type: Options.text("type").pipe(
      Options.withPseudoName("TYPE"),
      Options.withDescription("The artifact type it holds (fixed).")
    ),
    description: Options.text("description").pipe(Options.withPseudoName("TEXT"), Options.optional),
    tags: Options.text("tag").pipe(
      Options.withPseudoName("TAG"),
      Options.withDescription("A tag (repeatable)."),
      Options.repeated
    )
  },
  help(
    "Create an empty collection of a type (registry members). Linking into a missing collection also creates it.",
    `registrar collection create "${REGISTRY_PREFIX}Golden Datasets/eval_images" --type dataset --tag eval --as bob`
  ),
  (args, common) =>
    asUser(common, ({ registrar, actor }) =>
      Effect.flatMap(
        registrar.createCollection({
          actor,
          collection: args.collection,
          type: args.type,
          tags: args.tags,
          ...Option.match(args.description, { onNone: () => ({}), onSome: (description) => ({ description }) })
        }),
        (result) => Output.emit(common, result, () => `Created collection ${result.path} (${result.artifactType})`)
      )
    )
)

const list = leaf(
  "list",
  {
    registry: registryArg.pipe(Args.optional),
    organization: orgOption,
    asOf: asOfOption,
    registryFilter: registryFilterOption,
    filter: filterOption(
      "collections (fields id name tag description created_at updated_at type)",
      '{"type": "model", "tag": "vision"}'
    ),
    ...pageOptions("name, created_at, updated_at")
  },
  help(
    "List the collections of a registry with their types and version counts; with --filter, --registry-filter, --order, --page-size or --cursor, one page of the collections (of that registry, or of every registry the registry filter selects) that match a W&B filter.",
    'registrar collection list "Golden Datasets" --as bob',
    `registrar collection list --registry-filter '{"name": {"$in": ["model", "dataset"]}}' --filter '{"name": {"$regex": "^class"}}' --order -created_at --as bob`
  ),
  (args, common) =>
    asUser(common, ({ registrar, actor }) =>
      Effect.gen(function* () {
        const asOf = yield* parseAsOf(args.asOf)
        if (
          filtering(args, ["filter", "registryFilter", "order", "pageSize", "cursor"]) ||
          Option.isNone(args.registry)
        ) {
          const named = Option.isSome(args.registry)
            ? yield* parseRegistryRef(args.registry.value, args.organization)
            : undefined
          const organization =
            named === undefined ? args.organization : Option.orElse(named.organization, () => args.organization)
          const registryFilter =
            named === undefined ? Option.getOrUndefined(args.registryFilter) : { name: named.registry }
          if (named !== undefined && Option.isSome(args.registryFilter)) {
            return yield* Effect.fail(
              new UsageError({ problem: "Both a registry and --registry-filter", fix: "give one of them" })
            )
          }
          const page = yield* registrar.collections({
            actor,
            ...orgField(organization),
            ...(registryFilter === undefined ? {} : { registryFilter }),
            ...Option.match(args.filter, { onNone: () => ({}), onSome: (filter) => ({ filter }) }),
            ...pageFields(args),
            ...asOfField(asOf)
          })
          return yield* emitCollections(common, page)
        }
        const ref = yield* parseRegistryRef(args.registry.value, args.organization)
        const collections = yield* registrar.listCollections({
          actor,
          registry: ref.registry,
          ...orgField(ref.organization),
          ...asOfField(asOf)
        })
        yield* Output.emit(common, collections, () =>
          Output.table(
            ["COLLECTION", "TYPE", "VERSIONS", "TAGS", "DESCRIPTION"],
            collections.map((collection) => [
              collectionPath(collection.registry, collection.name),
              collection.artifactType,
              String(collection.versionCount),
              Output.list(collection.tags),
              collection.description || "-"
            ]),
            "no collections"
          )
        )
      })
    )
)

/** Metadata keys whose values are numbers in at least one version, in first-seen order. */
export const metricKeys = (versions: ReadonlyArray<{ readonly metadata: Readonly<Record<string, unknown>> }>) => {
  const keys: Array<string> = []
  for (const version of versions) {
    for (const [key, value] of Object.entries(version.metadata)) {
      if (typeof value === "number" && !keys.includes(key)) keys.push(key)
    }
  }
  return keys.sort()
}

const show = leaf(
  "show",
  {
    collection: pathArg,
    metrics: Options.boolean("metrics").pipe(
      Options.withDescription("Compare the numeric metadata (metrics) of the versions side by side.")
    ),
    asOf: asOfOption
  },
  help(
    "Show a collection: every linked version (index, aliases, source, linked at and by), the target path and a snippet to link into it.",
    `registrar collection show "${REGISTRY_PREFIX}Models/Zoo_Classifier_Models" --metrics --as bob`
  ),
  (args, common) =>
    asUser(common, ({ registrar, actor }) =>
      Effect.gen(function* () {
        const asOf = yield* parseAsOf(args.asOf)
        const listed = yield* registrar.listVersions({ actor, collection: args.collection, ...asOfField(asOf) })
        const { collection, versions } = listed
        const snippets = Snippets.forCollection(
          listed.organization,
          listed.registry,
          collection.name,
          collection.artifactType
        )
        const keys = metricKeys(versions)
        const metrics = Object.fromEntries(
          keys.map((key) => [
            key,
            Object.fromEntries(versions.map((version) => [`v${version.index}`, version.metadata[key] ?? null]))
          ])
        )
        yield* Output.emit(common, { ...listed, snippets, ...(args.metrics ? { metrics } : {}) }, () => {
          const versionTable = Output.table(
            ["VERSION", "ALIASES", "SOURCE", "LINKED AT", "BY"],
            versions.map((version) => [
              `v${version.index}`,
              Output.list(version.aliases),
              version.sourceKey,
              Output.time(version.linkedAt),
              version.linkedBy
            ]),
            "no linked versions"
          )
          const metricTable = Output.table(
            ["METRIC", ...versions.map((version) => `v${version.index}`)],
            keys.map((key) => [key, ...versions.map((version) => Output.value(version.metadata[key]))]),
            "no numeric metadata to compare"
          )
          return [
            Output.fields([
              ["Collection", listed.path],
              ["Organization", listed.organization],
              ["Type", collection.artifactType],
              ["Description", collection.description || "-"],
              ["Tags", Output.list(collection.tags)],
              ["Created", `${Output.time(collection.createdAt)} by ${collection.createdBy}`]
            ]),
            "",
            versionTable,
            ...(args.metrics ? ["", "Metrics:", metricTable] : []),
            "",
            Snippets.render(snippets)
          ].join("\n")
        })
      })
    )
)

const rename = leaf(
  "rename",
  { collection: pathArg, to: Args.text({ name: "new-name" }) },
  help(
    "Rename a collection; its versions, aliases and type stay (registry members).",
    `registrar collection rename "${REGISTRY_PREFIX}Golden Datasets/raw_images" raw_images_v2 --as bob`
  ),
  (args, common) =>
    asUser(common, ({ registrar, actor }) =>
      Effect.flatMap(registrar.renameCollection({ actor, collection: args.collection, to: args.to }), (result) =>
        Output.emit(common, result, () => `Renamed to ${result.path}`)
      )
    )
)

const update = leaf(
  "update",
  {
    collection: pathArg,
    description: Options.text("description").pipe(Options.withPseudoName("TEXT"), Options.optional),
    tags: Options.text("tag").pipe(
      Options.withPseudoName("TAG"),
      Options.withDescription("The new tags (repeatable; replaces them)."),
      Options.repeated
    )
  },
  help(
    "Change a collection's description and tags (registry members).",
    `registrar collection update "${REGISTRY_PREFIX}Golden Datasets/raw_images" --description "Unlabelled camera images" --tag raw --as bob`
  ),
  (args, common) =>
    asUser(common, ({ registrar, actor }) =>
      Effect.flatMap(
        registrar.updateCollection({
          actor,
          collection: args.collection,
          ...Option.match(args.description, { onNone: () => ({}), onSome: (description) => ({ description }) }),
          ...(args.tags.length === 0 ? {} : { tags: args.tags })
        }),
        (result) =>
          Output.emit(common, result, () => (result.changed ? `Updated ${args.collection}` : "Nothing changed"))
      )
    )
)

const remove = leaf(
  "delete",
  { collection: pathArg },
  help(
    "Delete a collection and its links; the source artifacts stay (registry members).",
    `registrar collection delete "${REGISTRY_PREFIX}Golden Datasets/scratch" --as bob`
  ),
  (args, common) =>
    asUser(common, ({ registrar, actor }) =>
      Effect.flatMap(registrar.deleteCollection({ actor, collection: args.collection }), (result) =>
        Output.emit(
          common,
          { ...result, deleted: true },
          () => `Deleted ${collectionPath(bareName(result.registry), result.collection)}`
        )
      )
    )
)

/** The `collection` command and its subcommands. */
export const command = Command.make("collection").pipe(
  Command.withDescription("Collections: typed sets of linked versions inside a registry, with aliases."),
  Command.withSubcommands([create, list, show, rename, update, remove])
)
