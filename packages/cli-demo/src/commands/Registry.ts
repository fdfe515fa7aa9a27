/** `registry`: create, list, show and delete registries; members and settings are in `RegistrySettings`. */
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

import { bareName, orgField, orgOption, organizationOf, registryArg } from "./RegistryArgs.js"
import { settings } from "./RegistrySettings.js"

export { bareName } from "./RegistryArgs.js"

const create = leaf(
  "create",
  {
    registry: registryArg,
    organization: Options.text("org").pipe(
      Options.withPseudoName("ORG"),
      Options.withDescription("The organization that owns the registry.")
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
    'registrar registry create "Golden Datasets" --org smle-registries-bug-bash --type dataset --as alice'
  ),
  (args, common) =>
    asUser(common, ({ registrar, actor }) =>
      Effect.flatMap(
        registrar.createRegistry({
          actor,
          organization: args.organization,
          registry: bareName(args.registry),
          visibility: args.visibility,
          acceptedTypes: args.types,
          ...Option.match(args.description, { onNone: () => ({}), onSome: (description) => ({ description }) })
        }),
        (result) =>
          Output.emit(
            common,
            { ...result, visibility: args.visibility, acceptedTypes: args.types },
            () =>
              `Created registry ${result.path} in ${result.organization} (${args.visibility}; accepts ${Output.list(args.types, "every type")})`
          )
      )
    )
)

const list = leaf(
  "list",
  { organization: orgOption, asOf: asOfOption },
  help("List the registries of an organization that you can see.", "registrar registry list --as bob"),
  (args, common) =>
    asUser(common, ({ registrar, actor }) =>
      Effect.gen(function* () {
        const asOf = yield* parseAsOf(args.asOf)
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
        const shown = yield* registrar.showRegistry({
          actor,
          registry: bareName(args.registry),
          ...orgField(args.organization),
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
        const organization = yield* organizationOf(registrar, actor, args.organization, args.registry)
        yield* registrar.deleteRegistry({ actor, organization, registry: bareName(args.registry) })
        yield* Output.emit(
          common,
          { organization, registry: bareName(args.registry), deleted: true },
          () => `Deleted ${registryProjectName(bareName(args.registry))}`
        )
      })
    )
)

/** The `registry` command and its subcommands. */
export const command = Command.make("registry").pipe(
  Command.withDescription("Registries: organization-wide, typed, access-controlled homes for linked versions."),
  Command.withSubcommands([create, list, show, ...settings, remove])
)
