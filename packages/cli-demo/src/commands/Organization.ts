/** `org`, `user` and `team`: the organizations, users and teams that own artifacts and registries. */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Output from "../Output.js"
import { help, leaf } from "../Root.js"
import { asUser } from "../Session.js"

const organizationRole = Options.choice("org-role", ["admin", "member", "viewer"]).pipe(
  Options.withDescription("The user's role in the organization."),
  Options.withDefault("member" as const)
)

const orgCreate = leaf(
  "create",
  {
    organization: Args.text({ name: "org-entity" }).pipe(Args.withDescription("The organization's entity name.")),
    displayName: Options.text("display-name").pipe(
      Options.withPseudoName("NAME"),
      Options.withDescription("The name people see; paths accept it as well as the entity name.")
    )
  },
  help(
    "Create an organization; you become its first admin.",
    'registrar org create smle-registries-bug-bash --display-name "SMLE Registries Bug Bash" --as alice'
  ),
  (args, common) =>
    asUser(common, ({ registrar, actor }) =>
      Effect.flatMap(
        registrar.createOrganization({ actor, organization: args.organization, displayName: args.displayName }),
        (result) =>
          Output.emit(
            common,
            result,
            () =>
              `${result.created ? "Created" : "Already existed:"} organization ${result.organization} ("${result.displayName}")`
          )
      )
    )
)

const orgAddMember = leaf(
  "add-member",
  {
    user: Args.text({ name: "user" }),
    organization: Options.text("org").pipe(
      Options.withPseudoName("ORG"),
      Options.withDescription("The organization (entity or display name).")
    ),
    role: Options.choice("role", ["admin", "member", "viewer"]).pipe(Options.withDefault("member" as const))
  },
  help(
    "Add a user to an organization or change their role (organization admins).",
    "registrar org add-member bob --org smle-registries-bug-bash --role member --as alice"
  ),
  (args, common) =>
    asUser(common, ({ registrar, actor }) =>
      Effect.flatMap(
        registrar.setOrganizationMember({ actor, organization: args.organization, user: args.user, role: args.role }),
        (result) =>
          Output.emit(
            common,
            result,
            () => `${result.user} is now ${result.role} of organization ${result.organization}`
          )
      )
    )
)

const org = Command.make("org").pipe(
  Command.withDescription("Organizations: the owners of teams and registries."),
  Command.withSubcommands([orgCreate, orgAddMember])
)

const userCreate = leaf(
  "create",
  {
    user: Args.text({ name: "user" }).pipe(Args.withDescription("The username (also the user's personal entity).")),
    organization: Options.text("org").pipe(
      Options.withPseudoName("ORG"),
      Options.withDescription(
        "The organization the new user joins; you must be its admin (only an empty store's first user needs none)."
      ),
      Options.optional
    ),
    role: organizationRole
  },
  help(
    "Create a user in an organization, as one of its admins. On an empty store, the first user creates themselves without --org.",
    "registrar user create alice --as alice",
    "registrar user create bob --org smle-registries-bug-bash --org-role member --as alice"
  ),
  (args, common) =>
    asUser(common, ({ registrar, actor }) =>
      Effect.flatMap(
        registrar.createUser({
          actor,
          user: args.user,
          ...Option.match(args.organization, {
            onNone: () => ({}),
            onSome: (organization) => ({ organization, organizationRole: args.role })
          })
        }),
        (result) =>
          Output.emit(
            common,
            {
              ...result,
              ...Option.match(args.organization, {
                onNone: () => ({}),
                onSome: (organization) => ({ organization, organizationRole: args.role })
              })
            },
            () =>
              `${result.created ? "Created" : "Already existed:"} user ${result.user}${Option.match(args.organization, {
                onNone: () => "",
                onSome: (organization) => ` (${args.role} of ${organization})`
              })}`
          )
      )
    )
)

const user = Command.make("user").pipe(
  Command.withDescription("Users: people, each with a personal entity."),
  Command.withSubcommands([userCreate])
)

const teamCreate = leaf(
  "create",
  {
    team: Args.text({ name: "team" }).pipe(Args.withDescription("The team's entity name.")),
    organization: Options.text("org").pipe(
      Options.withPseudoName("ORG"),
      Options.withDescription("The organization the team belongs to.")
    )
  },
  help(
    "Create a team in an organization (organization admins); you join it. Only artifacts logged under a team can be linked into the organization's registries.",
    "registrar team create smle-reg-team-1 --org smle-registries-bug-bash --as alice"
  ),
  (args, common) =>
    asUser(common, ({ registrar, actor }) =>
      Effect.flatMap(registrar.createTeam({ actor, team: args.team, organization: args.organization }), (result) =>
        Output.emit(
          common,
          result,
          () => `${result.created ? "Created" : "Already existed:"} team ${result.team} in ${result.organization}`
        )
      )
    )
)

const teamAddMember = leaf(
  "add-member",
  { team: Args.text({ name: "team" }), user: Args.text({ name: "user" }) },
  help(
    "Add a member of the team's organization to the team.",
    "registrar team add-member smle-reg-team-1 bob --as alice"
  ),
  (args, common) =>
    asUser(common, ({ registrar, actor }) =>
      Effect.flatMap(registrar.addTeamMember({ actor, team: args.team, user: args.user }), (result) =>
        Output.emit(common, result, () => `${result.user} is a member of team ${result.team}`)
      )
    )
)

const team = Command.make("team").pipe(
  Command.withDescription("Teams: the entities that log artifacts which can be linked into registries."),
  Command.withSubcommands([teamCreate, teamAddMember])
)

/** The `org`, `user` and `team` commands. */
export const commands = [org, user, team] as const
