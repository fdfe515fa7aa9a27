/** `registry`: create, list and show registries; grant and revoke roles; protected aliases, visibility, types. */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import type { Principal, RegistrarShape } from "@registrar/domain"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { asOfField, asOfOption, parseAsOf } from "../Common.js"
import { UsageError } from "../Errors.js"
import * as Output from "../Output.js"
import { help, leaf } from "../Root.js"
import { asUser } from "../Session.js"
import * as Snippets from "../Snippets.js"

/** A registry name without the `wandb-registry-` prefix (either form is accepted). */
export const bareName = (name: string): string =>
  name.startsWith("wandb-registry-") ? name.slice("wandb-registry-".length) : name

const registryArg = Args.text({ name: "registry" }).pipe(
  Args.withDescription('The registry name, with or without the "wandb-registry-" prefix.')
)

const orgOption = Options.text("org").pipe(
  Options.withPseudoName("ORG"),
  Options.withDescription("The organization (entity or display name); default: your only one, or $REGISTRAR_ORG."),
  Options.optional
)

const orgField = (org: Option.Option<string>) =>
  Option.match(org, { onNone: () => ({}), onSome: (organization) => ({ organization }) })

// The organization entity of a registry the actor can see (the given one, else the actor's only one).
const organizationOf = (registrar: RegistrarShape, actor: string, org: Option.Option<string>, registry: string) =>
  Effect.map(
    registrar.showRegistry({ actor, registry: bareName(registry), ...orgField(org) }),
    (shown) => shown.registry.organization
  )

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
                `wandb-registry-${registry.registry}`,
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
              ["Registry", `wandb-registry-${registry.registry}`],
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

const principalOptions = {
  user: Options.text("user").pipe(
    Options.withPseudoName("USER"),
    Options.withDescription("Grant to this user."),
    Options.optional
  ),
  team: Options.text("team").pipe(
    Options.withPseudoName("TEAM"),
    Options.withDescription("Grant to this team (of the organization)."),
    Options.optional
  )
}

const principalOf = (user: Option.Option<string>, team: Option.Option<string>) =>
  Option.isSome(user) && Option.isNone(team)
    ? Effect.succeed<Principal>({ kind: "user", name: user.value })
    : Option.isSome(team) && Option.isNone(user)
      ? Effect.succeed<Principal>({ kind: "team", name: team.value })
      : Effect.fail(new UsageError({ problem: "Say who", fix: "give exactly one of --user USER or --team TEAM" }))

const grant = leaf(
  "grant",
  {
    registry: registryArg,
    ...principalOptions,
    role: Options.choice("role", ["restricted_viewer", "viewer", "member", "admin"]).pipe(
      Options.withDescription(
        "restricted_viewer: see; viewer: also use/download; member: also link; admin: also manage."
      )
    ),
    organization: orgOption
  },
  help(
    "Grant a user or a team a role in a registry (registry admins).",
    'registrar registry grant "Golden Datasets" --team smle-reg-team-1 --role member --as alice',
    'registrar registry grant "Golden Datasets" --user carol --role viewer --as alice'
  ),
  (args, common) =>
    asUser(common, ({ registrar, actor }) =>
      Effect.gen(function* () {
        const principal = yield* principalOf(args.user, args.team)
        const organization = yield* organizationOf(registrar, actor, args.organization, args.registry)
        const result = yield* registrar.grantRole({
          actor,
          organization,
          registry: bareName(args.registry),
          principal,
          role: args.role
        })
        yield* Output.emit(
          common,
          { ...result, organization, registry: bareName(args.registry), principal, role: args.role },
          () => `${principal.kind} ${principal.name} is ${args.role} of wandb-registry-${bareName(args.registry)}`
        )
      })
    )
)

const revoke = leaf(
  "revoke",
  { registry: registryArg, ...principalOptions, organization: orgOption },
  help(
    "Revoke a user's or a team's role in a registry (registry admins).",
    'registrar registry revoke "Golden Datasets" --user carol --as alice'
  ),
  (args, common) =>
    asUser(common, ({ registrar, actor }) =>
      Effect.gen(function* () {
        const principal = yield* principalOf(args.user, args.team)
        const organization = yield* organizationOf(registrar, actor, args.organization, args.registry)
        const result = yield* registrar.revokeRole({
          actor,
          organization,
          registry: bareName(args.registry),
          principal
        })
        yield* Output.emit(
          common,
          { ...result, organization, registry: bareName(args.registry), principal },
          () =>
            `${principal.kind} ${principal.name} has no role of its own in wandb-registry-${bareName(args.registry)} now`
        )
      })
    )
)

const changeProtected = (name: "protect" | "unprotect") =>
  leaf(
    name,
    {
      registry: registryArg,
      aliases: Args.text({ name: "alias" }).pipe(Args.atLeast(1)),
      organization: orgOption
    },
    name === "protect"
      ? help(
          "Protect aliases in a registry: only registry admins may then assign or remove them.",
          "registrar registry protect Models production --as alice"
        )
      : help(
          "Stop protecting aliases in a registry (registry admins).",
          "registrar registry unprotect Models staging --as alice"
        ),
    (args, common) =>
      asUser(common, ({ registrar, actor }) =>
        Effect.gen(function* () {
          const shown = yield* registrar.showRegistry({
            actor,
            registry: bareName(args.registry),
            ...orgField(args.organization)
          })
          const current = shown.registry.protectedAliases
          const aliases =
            name === "protect"
              ? [...current, ...args.aliases.filter((alias) => !current.includes(alias))]
              : current.filter((alias) => !args.aliases.includes(alias))
          yield* registrar.setProtectedAliases({
            actor,
            organization: shown.registry.organization,
            registry: shown.registry.registry,
            aliases
          })
          yield* Output.emit(
            common,
            { registry: shown.registry.registry, protectedAliases: aliases },
            () => `Protected aliases of wandb-registry-${shown.registry.registry}: ${Output.list(aliases)}`
          )
        })
      )
  )

const restrict = leaf(
  "restrict",
  { registry: registryArg, organization: orgOption },
  help(
    "Make a registry restricted: only users and teams granted a role see it (organization → restricted only).",
    "registrar registry restrict Models --as alice"
  ),
  (args, common) =>
    asUser(common, ({ registrar, actor }) =>
      Effect.gen(function* () {
        const organization = yield* organizationOf(registrar, actor, args.organization, args.registry)
        const result = yield* registrar.changeVisibility({
          actor,
          organization,
          registry: bareName(args.registry),
          visibility: "restricted"
        })
        yield* Output.emit(
          common,
          { ...result, visibility: "restricted" },
          () => `wandb-registry-${bareName(args.registry)} is restricted`
        )
      })
    )
)

const acceptTypes = leaf(
  "accept-types",
  { registry: registryArg, types: Args.text({ name: "type" }).pipe(Args.atLeast(1)), organization: orgOption },
  help(
    "Accept more artifact types in a registry (types are never removed; registry admins).",
    "registrar registry accept-types Models checkpoint --as alice"
  ),
  (args, common) =>
    asUser(common, ({ registrar, actor }) =>
      Effect.gen(function* () {
        const organization = yield* organizationOf(registrar, actor, args.organization, args.registry)
        const result = yield* registrar.acceptTypes({
          actor,
          organization,
          registry: bareName(args.registry),
          artifactTypes: args.types
        })
        yield* Output.emit(
          common,
          { ...result, acceptedTypes: args.types },
          () => `wandb-registry-${bareName(args.registry)} accepts ${Output.list(args.types)}`
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
          () => `Deleted wandb-registry-${bareName(args.registry)}`
        )
      })
    )
)

/** The `registry` command and its subcommands. */
export const command = Command.make("registry").pipe(
  Command.withDescription("Registries: organization-wide, typed, access-controlled homes for linked versions."),
  Command.withSubcommands([
    create,
    list,
    show,
    grant,
    revoke,
    changeProtected("protect"),
    changeProtected("unprotect"),
    restrict,
    acceptTypes,
    remove
  ])
)
