/** `registry`: create, list, show and delete registries; members and settings are in `RegistrySettings`. */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { registryProjectName } from "@registrar/domain"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { asOfField, asOfOption, parseAsOf } from "../Common.js"
import * as Output from "../Output.js"
import { help, leaf } from "../Root.js"
import { asUser } from "../Session.js"
import * as Snippets from "../Snippets.js"

import { UsageError } from "../Errors.js"
import { locateRegistry, orgField, orgOption, parseRegistryRef, registryArg } from "./RegistryArgs.js"
import { settings } from "./RegistrySettings.js"
import { emitRegistries, filterOption, filtering, pageFields, pageOptions } from "./Find.js"

export { bareName } from "./RegistryArgs.js"

const create = leaf(
  "create",
  {
    registry: registryArg,
    organization: Options.text("org").pipe(
      Options.withPseudoName("ORG"),
      Options.withDescription(
        "The organization that owns the registry (or give it in the path: ORG/wandb-registry-NAME)."
      ),
      Options.optional
    ),
    visibility: Options.choice("visibility", ["organization", "restricted"]).pipe(
      Options.withDescription("organization: every member sees it; restricted: only those granted a role."),
      Options.withDefault("organization" as const)
    ),
    types: Options.text("type").pipe(
      Options.withPseudoName("TYPE"),
      Options.withDescription("An accepted artifact type (repeatable; none: every type)."),
      Options.repeated
    ),
    description: Options.text("description").pipe(Options.withPseudoName("TEXT"), Options.optional)
  },
  help(
    "Create a registry in an organization; you become its admin. Registries are never created implicitly.",
    'registrar registry create "Golden Datasets" --org smle-registries-bug-bash --type dataset --as alice',
    'registrar registry create "smle-registries-bug-bash/wandb-registry-Golden Datasets" --as alice'
  ),
  (args, common) =>
    asUser(common, ({ registrar, actor }) =>
      Effect.flatMap(
        Effect.flatMap(parseRegistryRef(args.registry, args.organization), (ref) =>
          Option.isSome(ref.organization)
            ? Effect.succeed({ organization: ref.organization.value, registry: ref.registry })
            : Effect.fail(
                new UsageError({
                  problem: "Which organization owns the registry?",
                  fix: "pass --org ORG, or name it ORG/wandb-registry-NAME"
                })
              )
        ),
        (ref) =>
          registrar.createRegistry({
            actor,
            organization: ref.organization,
            registry: ref.registry,
            visibility: args.visibility,
            acceptedTypes: args.types,
            ...Option.match(args.description, { onNone: () => ({}), onSome: (description) => ({ description }) })
          })
      ).pipe(
        Effect.flatMap((result) =>
          Output.emit(
            common,
            { ...result, visibility: args.visibility, acceptedTypes: args.types },
            () =>
              `Created registry ${result.path} in ${result.organization} (${args.visibility}; accepts ${Output.list(args.types, "every type")})`
          )
        )
      )
    )
)

const list = leaf(
  "list",
  {
    organization: orgOption,
    asOf: asOfOption,
    filter: filterOption(
      "registries (fields id name description created_at updated_at)",
      '{"name": {"$in": ["model", "dataset"]}}'
    ),
    ...pageOptions("name, created_at, updated_at")
  },
  help(
    "List the registries of an organization that you can see; with --filter, --order, --page-size or --cursor, one page of those that match a W&B filter (a name is read as wandb-registry-NAME).",
    "registrar registry list --as bob",
    `registrar registry list --filter '{"name": {"$regex": "^wandb-registry-M"}, "created_at": {"$gte": "2025-01-01"}}' --order -created_at --page-size 10 --as bob`
  ),
  (args, common) =>
    asUser(common, ({ registrar, actor }) =>
      Effect.gen(function* () {
        const asOf = yield* parseAsOf(args.asOf)
        if (filtering(args, ["filter", "order", "pageSize", "cursor"])) {
          const page = yield* registrar.registries({
            actor,
            ...orgField(args.organization),
            ...Option.match(args.filter, { onNone: () => ({}), onSome: (filter) => ({ filter }) }),
            ...pageFields(args),
            ...asOfField(asOf)
          })
          return yield* emitRegistries(common, page)
        }
        const listed = yield* registrar.listRegistries({ actor, ...orgField(args.organization), ...asOfField(asOf) })
        yield* Output.emit(common, listed, () =>
          [
            `Registries of ${listed.organization}:`,
            Output.table(
              ["REGISTRY", "VISIBILITY", "ACCEPTS", "DESCRIPTION"],
              listed.registries.map((registry) => [
                registryProjectName(registry.registry),
                registry.visibility,
                Output.list(registry.acceptedTypes, "every type"),
                registry.description || "-"
              ]),
              "no registries you can see"
            )
          ].join("\n")
        )
      })
    )
)

const show = leaf(
  "show",
  { registry: registryArg, organization: orgOption, asOf: asOfOption },
  help(
    "Show a registry: settings, members and roles, collections, and the target path and snippet to link into it.",
    'registrar registry show "Golden Datasets" --as bob'
  ),
  (args, common) =>
    asUser(common, ({ registrar, actor }) =>
      Effect.gen(function* () {
        const asOf = yield* parseAsOf(args.asOf)
        const ref = yield* parseRegistryRef(args.registry, args.organization)
        const shown = yield* registrar.showRegistry({
          actor,
          registry: ref.registry,
          ...orgField(ref.organization),
          ...asOfField(asOf)
        })
        const { registry, collections } = shown
        const snippets = Snippets.forRegistry(registry.organization, registry.registry)
        yield* Output.emit(common, { ...shown, snippets }, () =>
          [
            Output.fields([
              ["Registry", registryProjectName(registry.registry)],
              ["Organization", registry.organization],
              ["Visibility", registry.visibility],
              ["Accepts", Output.list(registry.acceptedTypes, "every type")],
              ["Protected aliases", Output.list(registry.protectedAliases)],
              ["Description", registry.description || "-"],
              ["Created", `${Output.time(registry.createdAt)} by ${registry.createdBy}`]
            ]),
            "",
            "Members:",
            Output.table(
              ["KIND", "NAME", "ROLE"],
              registry.grants.map((grant) => [grant.principal.kind, grant.principal.name, grant.role]),
              registry.visibility === "organization" ? "every organization member is a viewer" : "no grants"
            ),
            "",
            "Collections:",
            Output.table(
              ["COLLECTION", "TYPE", "VERSIONS", "TAGS", "DESCRIPTION"],
              collections.map((collection) => [
                collection.name,
                collection.artifactType,
                String(collection.versionCount),
                Output.list(collection.tags),
                collection.description || "-"
              ]),
              "no collections yet: linking creates one"
            ),
            "",
            Snippets.render(snippets)
          ].join("\n")
        )
      })
    )
)

const remove = leaf(
  "delete",
  { registry: registryArg, organization: orgOption },
  help(
    "Delete a registry and its collections; source artifacts stay (registry admins).",
    "registrar registry delete Scratch --as alice"
  ),
  (args, common) =>
    asUser(common, ({ registrar, actor }) =>
      Effect.gen(function* () {
        const { organization, registry } = yield* locateRegistry(registrar, actor, args.registry, args.organization)
        yield* registrar.deleteRegistry({ actor, organization, registry })
        yield* Output.emit(
          common,
          { organization, registry, deleted: true },
          () => `Deleted ${registryProjectName(registry)}`
        )
      })
    )
)

const rename = leaf(
  "rename",
  {
    registry: registryArg,
    to: Args.text({ name: "new-name" }).pipe(
      Args.withDescription(
        'The new name, with or without the "wandb-registry-" prefix (at most 113 characters without it).'
      )
    ),
    organization: orgOption
  },
  help(
    "Rename a registry (registry admins). Its collections, links, members and protected aliases stay; the old name is free afterwards, and reads as of earlier times still use it.",
    'registrar registry rename "Golden Datasets" "Curated Datasets" --as alice'
  ),
  (args, common) =>
    asUser(common, ({ registrar, actor }) =>
      Effect.gen(function* () {
        const { organization, registry } = yield* locateRegistry(registrar, actor, args.registry, args.organization)
        const result = yield* registrar.renameRegistry({ actor, organization, registry, to: args.to })
        yield* Output.emit(common, result, () =>
          result.changed
            ? `Renamed ${registryProjectName(registry)} to ${result.path}`
            : `${registryProjectName(registry)} already has that name`
        )
      })
    )
)

const update = leaf(
  "update",
  {
    registry: registryArg,
    description: Options.text("description").pipe(
      Options.withPseudoName("TEXT"),
      Options.withDescription("The new description."),
      Options.optional
    ),
    visibility: Options.choice("visibility", ["organization", "restricted"]).pipe(
      Options.withDescription("restricted: only those granted a role see it (a registry never goes back)."),
      Options.optional
    ),
    organization: orgOption
  },
  help(
    "Change a registry's description or visibility (registry admins).",
    'registrar registry update Models --description "Models ready for deployment" --as alice'
  ),
  (args, common) =>
    asUser(common, ({ registrar, actor }) =>
      Effect.gen(function* () {
        if (Option.isNone(args.description) && Option.isNone(args.visibility)) {
          return yield* Effect.fail(
            new UsageError({ problem: "Nothing to change", fix: "give --description TEXT and/or --visibility" })
          )
        }
        const { organization, registry } = yield* locateRegistry(registrar, actor, args.registry, args.organization)
        const result = yield* registrar.updateRegistry({
          actor,
          organization,
          registry,
          ...Option.match(args.description, { onNone: () => ({}), onSome: (description) => ({ description }) }),
          ...Option.match(args.visibility, { onNone: () => ({}), onSome: (visibility) => ({ visibility }) })
        })
        yield* Output.emit(common, { ...result, organization }, () =>
          result.changed ? `Updated ${registryProjectName(registry)}` : `${registryProjectName(registry)} is already so`
        )
      })
    )
)

/** The `registry` command and its subcommands. */
export const command = Command.make("registry").pipe(
  Command.withDescription("Registries: organization-wide, typed, access-controlled homes for linked versions."),
  Command.withSubcommands([create, list, show, rename, update, ...settings, remove])
)
