/** `registry grant / revoke / protect / unprotect / restrict / accept-types`: a registry's members and settings. */
import * as Args from "@effect/cli/Args"
import * as Options from "@effect/cli/Options"
import type { Principal } from "@registrar/domain"
import { registryProjectName } from "@registrar/domain"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { UsageError } from "../Errors.js"
import * as Output from "../Output.js"
import { help, leaf } from "../Root.js"
import { asUser } from "../Session.js"
import { locateRegistry, orgOption, registryArg } from "./RegistryArgs.js"

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
        const { organization, registry } = yield* locateRegistry(registrar, actor, args.registry, args.organization)
        const result = yield* registrar.grantRole({
          actor,
          organization,
          registry,
          principal,
          role: args.role
        })
        yield* Output.emit(
          common,
          { ...result, organization, registry, principal, role: args.role },
          () => `${principal.kind} ${principal.name} is ${args.role} of ${registryProjectName(registry)}`
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
        const { organization, registry } = yield* locateRegistry(registrar, actor, args.registry, args.organization)
        const result = yield* registrar.revokeRole({
          actor,
          organization,
          registry,
          principal
        })
        yield* Output.emit(
          common,
          { ...result, organization, registry, principal },
          () => `${principal.kind} ${principal.name} has no role of its own in ${registryProjectName(registry)} now`
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
          const located = yield* locateRegistry(registrar, actor, args.registry, args.organization)
          const shown = yield* registrar.showRegistry({ actor, ...located })
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
            () => `Protected aliases of ${registryProjectName(shown.registry.registry)}: ${Output.list(aliases)}`
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
        const { organization, registry } = yield* locateRegistry(registrar, actor, args.registry, args.organization)
        const result = yield* registrar.changeVisibility({
          actor,
          organization,
          registry,
          visibility: "restricted"
        })
        yield* Output.emit(
          common,
          { ...result, visibility: "restricted" },
          () => `${registryProjectName(registry)} is restricted`
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
        const { organization, registry } = yield* locateRegistry(registrar, actor, args.registry, args.organization)
        const result = yield* registrar.acceptTypes({
          actor,
          organization,
          registry,
          artifactTypes: args.types
        })
        yield* Output.emit(
          common,
          { ...result, acceptedTypes: args.types },
          () => `${registryProjectName(registry)} accepts ${Output.list(args.types)}`
        )
      })
    )
)

/** The subcommands of `registry` that change members and settings (registry admins). */
export const settings = [
  grant,
  revoke,
  changeProtected("protect"),
  changeProtected("unprotect"),
  restrict,
  acceptTypes
] as const
