/**
 * The filter language on the command line (docs/search.md): the `--filter`, `--order`, `--page-size` and `--cursor`
 * options that `registry list` and `collection list` take, and the `versions` command that lists linked versions
 * across registries and collections, scoped by a registry filter, a collection filter and a version filter at once.
 */
import * as Options from "@effect/cli/Options"
import { collectionPath, type FoundCollection, type FoundPage, type FoundRegistry } from "@registrar/domain"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { asOfField, asOfOption, type Common, parseAsOf } from "../Common.js"
import * as Output from "../Output.js"
import { help, leaf } from "../Root.js"
import { asUser } from "../Session.js"
import { orgField, orgOption } from "./RegistryArgs.js"

const json = (name: string, description: string) =>
  Options.text(name).pipe(Options.withPseudoName("JSON"), Options.withDescription(description), Options.optional)

/** `--filter JSON` for a level. */
export const filterOption = (level: string, example: string) =>
  json("filter", `A W&B filter on ${level}, as JSON, e.g. '${example}' (operators: docs/search.md).`)

/** `--registry-filter JSON`: the registries to look in. */
export const registryFilterOption = json(
  "registry-filter",
  `The registries to look in, as a W&B filter, e.g. '{"name": "model"}' (read as wandb-registry-model).`
)

/** `--order`, `--page-size` and `--cursor`. */
export const pageOptions = (orders: string) => ({
  order: Options.text("order").pipe(
    Options.withPseudoName("ORDER"),
    Options.withDescription(`One of ${orders}; + ascending (the default), - descending.`),
    Options.optional
  ),
  pageSize: Options.integer("page-size").pipe(
    Options.withPseudoName("N"),
    Options.withDescription("Items per page, 1 to 1000 (default 100)."),
    Options.optional
  ),
  cursor: Options.text("cursor").pipe(
    Options.withPseudoName("CURSOR"),
    Options.withDescription("Continue after the previous page: the cursor it printed."),
    Options.optional
  )
})

const field = <K extends string, V>(key: K, value: Option.Option<V>): { [P in K]?: V } =>
  Option.match(value, { onNone: () => ({}), onSome: (found) => ({ [key]: found }) }) as { [P in K]?: V }

/** The request fields of the paging options given. */
export const pageFields = (args: {
  readonly order: Option.Option<string>
  readonly pageSize: Option.Option<number>
  readonly cursor: Option.Option<string>
}) => ({ ...field("order", args.order), ...field("pageSize", args.pageSize), ...field("cursor", args.cursor) })

/** Whether any option of the filter language was given (otherwise a list keeps its plain form). */
export const filtering = (args: Readonly<Record<string, unknown>>, names: ReadonlyArray<string>): boolean =>
  names.some((name) => Option.isOption(args[name]) && Option.isSome(args[name] as Option.Option<unknown>))

const nextLine = (page: { readonly nextCursor: string | null }): ReadonlyArray<string> =>
  page.nextCursor === null ? [] : ["", `More: --cursor ${page.nextCursor}`]

/** Prints a page of registries (the JSON document carries `nextCursor`). */
export const emitRegistries = (common: Common, page: FoundPage<FoundRegistry>) =>
  Output.emit(common, page, () =>
    [
      `Registries of ${page.organization}:`,
      Output.table(
        ["REGISTRY", "VISIBILITY", "CREATED", "DESCRIPTION"],
        page.items.map((item) => [item.path, item.visibility, Output.time(item.createdAt), item.description || "-"]),
        "no registries match"
      ),
      ...nextLine(page)
    ].join("\n")
  )

/** Prints a page of collections. */
export const emitCollections = (common: Common, page: FoundPage<FoundCollection>) =>
  Output.emit(common, page, () =>
    [
      Output.table(
        ["COLLECTION", "TYPE", "TAGS", "CREATED", "DESCRIPTION"],
        page.items.map((item) => [
          collectionPath(item.registry, item.name),
          item.type,
          Output.list(item.tags),
          Output.time(item.createdAt),
          item.description || "-"
        ]),
        "no collections match"
      ),
      ...nextLine(page)
    ].join("\n")
  )

const versions = leaf(
  "versions",
  {
    organization: orgOption,
    registryFilter: registryFilterOption,
    collectionFilter: json("collection-filter", `The collections to look in, e.g. '{"name": {"$regex": "^class"}}'.`),
    filter: filterOption("versions", '{"alias": {"$in": ["production"]}, "metadata.accuracy": {"$gte": 0.9}}'),
    ...pageOptions("version, created_at, updated_at"),
    asOf: asOfOption
  },
  help(
    "List linked versions across the registries and collections you can see, with W&B filters: fields id version tag alias metadata(.KEY) created_at updated_at type source, operators $and $or $nor $not $lt $gt $lte $gte $eq $ne $in $nin $exists $regex $contains $size $all.",
    `registrar versions --registry-filter '{"name": "model"}' --filter '{"alias": {"$in": ["production", "staging"]}, "metadata.accuracy": {"$gte": 0.9}}' --order -created_at --page-size 20 --as bob`,
    'registrar versions --filter \'{"tag": "gold"}\' --cursor CURSOR --as bob'
  ),
  (args, common) =>
    asUser(common, ({ registrar, actor }) =>
      Effect.gen(function* () {
        const asOf = yield* parseAsOf(args.asOf)
        const page = yield* registrar.versions({
          actor,
          ...orgField(args.organization),
          ...field("registryFilter", args.registryFilter),
          ...field("collectionFilter", args.collectionFilter),
          ...field("filter", args.filter),
          ...pageFields(args),
          ...asOfField(asOf)
        })
        yield* Output.emit(common, page, () =>
          [
            Output.table(
              ["VERSION", "ALIASES", "TAGS", "TYPE", "SOURCE", "LINKED", "METADATA"],
              page.items.map((item) => [
                item.path,
                Output.list(item.aliases),
                Output.list(item.tags),
                item.type,
                item.source,
                Output.time(item.createdAt),
                Object.keys(item.metadata).length === 0 ? "-" : JSON.stringify(item.metadata)
              ]),
              "no versions match"
            ),
            ...nextLine(page)
          ].join("\n")
        )
      })
    )
)

/** The top-level `versions` command. */
export const commands = [versions] as const
