/**
 * The entity decider: organizations, teams and users share one namespace of entity names; organization display names
 * are reserved in their own streams.
 */
import { describe, expect, it } from "@effect/vitest"
import { Option } from "effect"
import type { OrganizationRole } from "../src/Access.js"
import * as Entity from "../src/Entity.js"
import { spec } from "../testing/DeciderSpec.js"

const entity = spec(Entity.decider)

const ORG = "smle-registries-bug-bash"
const DISPLAY = "SMLE Registries Bug Bash"
const TEAM = "ml-team"

const role = (value: OrganizationRole | null) => Option.fromNullable(value)

const createOrganization = (organization = ORG, displayName = DISPLAY, actor = "olga"): Entity.Command => ({
  _tag: "CreateOrganization",
  organization,
  displayName,
  actor
})
const setMember = (user: string, memberRole: OrganizationRole, actor = "olga"): Entity.Command => ({
  _tag: "SetOrganizationMember",
  organization: ORG,
  user,
  role: memberRole,
  actor
})
const removeMember = (user: string, actor = "olga"): Entity.Command => ({
  _tag: "RemoveOrganizationMember",
  organization: ORG,
  user,
  actor
})
const createTeam = (
  actorRole: OrganizationRole | null = "admin",
  organization = ORG,
  actor = "olga"
): Entity.Command => ({
  _tag: "CreateTeam",
  team: TEAM,
  organization,
  actor,
  actorRole: role(actorRole)
})
const teamMembership = (
  tag: "AddTeamMember" | "RemoveTeamMember",
  user: string,
  options: {
    readonly actor?: string
    readonly actorRole?: OrganizationRole | null
    readonly userInOrganization?: boolean
  } = {}
): Entity.Command => ({
  _tag: tag,
  team: TEAM,
  user,
  actor: options.actor ?? "olga",
  actorRole: role(options.actorRole === undefined ? "admin" : options.actorRole),
  userInOrganization: options.userInOrganization ?? true
})
/** Creating `user`: by default, as an admin of the organization the new user joins. */
const createUser = (
  user: string,
  options: {
    readonly actor?: string
    readonly storeEmpty?: boolean
    /** The organization the user joins, with the actor's role in it; null: none named. */
    readonly organization?: { readonly name: string; readonly actorRole: OrganizationRole | null } | null
  } = {}
): Entity.Command => ({
  _tag: "CreateUser",
  user,
  actor: options.actor ?? "olga",
  storeEmpty: options.storeEmpty ?? false,
  organization:
    options.organization === null
      ? Option.none()
      : Option.some({
          name: options.organization?.name ?? ORG,
          actorRole: role(options.organization === undefined ? "admin" : options.organization.actorRole)
        })
})

const organizationCreated = new Entity.OrganizationCreated({ organization: ORG, displayName: DISPLAY })
const memberAdded = (user: string, memberRole: OrganizationRole) =>
  new Entity.OrganizationMemberAdded({ organization: ORG, user, role: memberRole })
const teamCreated = new Entity.TeamCreated({ team: TEAM, organization: ORG })
const teamMemberAdded = (user: string) => new Entity.TeamMemberAdded({ team: TEAM, organization: ORG, user })
const teamMemberRemoved = (user: string) => new Entity.TeamMemberRemoved({ team: TEAM, organization: ORG, user })

describe("Entity", () => {
  describe("an unclaimed name", () => {
    const unclaimed = entity.given()

    it("becomes an organization whose creator is its first admin", () => {
      const state = unclaimed.when(createOrganization()).then(organizationCreated, memberAdded("olga", "admin"))
      expect(Entity.organizationRole(state, "olga")).toEqual(Option.some("admin"))
    })

    it("becomes a team created by an organization admin, who joins it", () => {
      unclaimed.when(createTeam("admin")).then(teamCreated, teamMemberAdded("olga"))
    })

    it("refuses a team created by anyone but an organization admin", () => {
      unclaimed.when(createTeam("member")).thenFails("OrganizationRoleRequired", '"olga"', `"${ORG}"`, "create teams")
      unclaimed.when(createTeam(null)).thenFails("OrganizationRoleRequired", "admin")
    })

    it("becomes a user (a personal entity) created by an admin of the organization the user joins", () => {
      unclaimed.when(createUser("bob")).then(new Entity.UserCreated({ user: "bob" }))
    })

    it("becomes the first user of an empty store, who creates themselves", () => {
      unclaimed
        .when(createUser("ada", { actor: "ada", storeEmpty: true, organization: null }))
        .then(new Entity.UserCreated({ user: "ada" }))
    })

    it("refuses a user who creates themselves in a store that is not empty", () => {
      unclaimed
        .when(createUser("mallory", { actor: "mallory", organization: null }))
        .thenFails("UserCreationRefused", '"mallory"', "first user of an empty store", "--org")
    })

    it("refuses a user created by anyone but an admin of the organization they join", () => {
      unclaimed
        .when(createUser("bob", { actor: "omar", organization: { name: ORG, actorRole: "member" } }))
        .thenFails("OrganizationRoleRequired", '"omar"', `"${ORG}"`, "create users")
      unclaimed
        .when(createUser("bob", { actor: "omar", organization: { name: ORG, actorRole: null } }))
        .thenFails("OrganizationRoleRequired", "admin")
    })

    it("is no organization and no team to manage", () => {
      unclaimed.when(setMember("bob", "member")).thenFails("OrganizationNotFound", `"${ORG}"`)
      unclaimed
        .when({ _tag: "BindRegistryName", organization: ORG, registry: "Models", registryId: "x" })
        .thenFails("OrganizationNotFound", `"${ORG}"`)
      unclaimed.when(removeMember("bob")).thenFails("OrganizationNotFound", `"${ORG}"`)
      unclaimed.when(teamMembership("AddTeamMember", "bob")).thenFails("TeamNotFound", `"${TEAM}"`)
      unclaimed.when(teamMembership("RemoveTeamMember", "bob")).thenFails("TeamNotFound", `"${TEAM}"`)
    })

    it("reserves an organization display name", () => {
      unclaimed
        .when({ _tag: "ReserveDisplayName", displayName: DISPLAY, organization: ORG })
        .then(new Entity.DisplayNameReserved({ displayName: DISPLAY, organization: ORG }))
    })
  })

  describe("an organization with admin olga and member bob", () => {
    const organization = entity.given(organizationCreated, memberAdded("olga", "admin"), memberAdded("bob", "member"))

    it("binds a registry name to a registry id, once", () => {
      const bind = {
        _tag: "BindRegistryName",
        organization: ORG,
        registry: "Models",
        registryId: `${ORG}/Old`
      } as const
      const state = organization
        .when(bind)
        .then(new Entity.RegistryNameBound({ organization: ORG, registry: "Models", registryId: `${ORG}/Old` }))
      expect(state._tag === "Organization" && state.registries.get("Models")).toBe(`${ORG}/Old`)
      entity
        .given(
          organizationCreated,
          new Entity.RegistryNameBound({ organization: ORG, registry: "Models", registryId: `${ORG}/Old` })
        )
        .when(bind)
        .thenNothing()
    })

    it("creating it again is idempotent", () => {
      organization.when(createOrganization()).thenNothing()
    })

    it("refuses another organization, a team or a user with its name", () => {
      organization
        .when(createOrganization(ORG, "Another Display Name"))
        .thenFails("EntityNameTaken", `"${ORG}"`, "organization")
      organization.when(createTeam("admin")).thenFails("EntityNameTaken", "organization")
      organization.when(createUser(ORG)).thenFails("EntityNameTaken", "organization")
    })

    it("an admin adds members, changes their role, and removes them", () => {
      organization.when(setMember("carol", "viewer")).then(memberAdded("carol", "viewer"))
      const state = organization.when(setMember("bob", "admin")).then(memberAdded("bob", "admin"))
      expect(Entity.organizationRole(state, "bob")).toEqual(Option.some("admin"))
      const after = organization
        .when(removeMember("bob"))
        .then(new Entity.OrganizationMemberRemoved({ organization: ORG, user: "bob" }))
      expect(Entity.organizationRole(after, "bob")).toEqual(Option.none())
    })

    it("setting a member's current role, or removing a non-member, changes nothing", () => {
      organization.when(setMember("bob", "member")).thenNothing()
      organization.when(removeMember("carol")).thenNothing()
    })

    it("refuses membership changes by anyone but an admin", () => {
      organization.when(setMember("carol", "member", "bob")).thenFails("OrganizationRoleRequired", '"bob"', "admin")
      organization.when(removeMember("olga", "bob")).thenFails("OrganizationRoleRequired", '"bob"', "remove members")
      organization.when(setMember("carol", "member", "stranger")).thenFails("OrganizationRoleRequired")
    })
  })

  describe("a team of the organization with member tina", () => {
    const team = entity.given(teamCreated, teamMemberAdded("tina"))

    it("creating it again in the same organization is idempotent", () => {
      team.when(createTeam("admin")).thenNothing()
    })

    it("refuses the name for a team of another organization, an organization or a user", () => {
      team.when(createTeam("admin", "other-org")).thenFails("EntityNameTaken", `"${TEAM}"`, "team")
      team.when(createOrganization(TEAM)).thenFails("EntityNameTaken", "team")
      team.when(createUser(TEAM)).thenFails("EntityNameTaken", "team")
    })

    it("organization admins and team members add organization members to it", () => {
      team.when(teamMembership("AddTeamMember", "bob")).then(teamMemberAdded("bob"))
      team
        .when(teamMembership("AddTeamMember", "bob", { actor: "tina", actorRole: "member" }))
        .then(teamMemberAdded("bob"))
    })

    it("refuses members added by an organization member outside the team", () => {
      team
        .when(teamMembership("AddTeamMember", "bob", { actor: "omar", actorRole: "member" }))
        .thenFails("OrganizationRoleRequired", '"omar"', `team "${TEAM}"`)
    })

    it("refuses a user who is not a member of the organization", () => {
      team
        .when(teamMembership("AddTeamMember", "xavier", { userInOrganization: false }))
        .thenFails("NotAnOrganizationMember", '"xavier"', `"${ORG}"`)
    })

    it("adding a member again, or removing a non-member, changes nothing", () => {
      team.when(teamMembership("AddTeamMember", "tina")).thenNothing()
      team.when(teamMembership("RemoveTeamMember", "bob")).thenNothing()
    })

    it("removes a member", () => {
      const state = team.when(teamMembership("RemoveTeamMember", "tina")).then(teamMemberRemoved("tina"))
      expect(state._tag === "Team" && [...state.members]).toEqual([])
    })
  })

  describe("a user", () => {
    const user = entity.given(new Entity.UserCreated({ user: "bob" }))

    it("creating it again is idempotent, whoever asks", () => {
      user.when(createUser("bob")).thenNothing()
      user.when(createUser("bob", { actor: "bob", organization: null })).thenNothing()
    })

    it("refuses the name for an organization or a team", () => {
      user.when(createOrganization("bob")).thenFails("EntityNameTaken", '"bob"', "user")
      user.when(createTeam("admin")).thenFails("EntityNameTaken", "user")
    })
  })

  describe("a reserved display name", () => {
    const reserved = entity.given(new Entity.DisplayNameReserved({ displayName: DISPLAY, organization: ORG }))

    it("reserving it again for the same organization is idempotent", () => {
      reserved.when({ _tag: "ReserveDisplayName", displayName: DISPLAY, organization: ORG }).thenNothing()
    })

    it("refuses it to another organization, naming the holder", () => {
      reserved
        .when({ _tag: "ReserveDisplayName", displayName: DISPLAY, organization: "other-org" })
        .thenFails("DisplayNameTaken", `"${DISPLAY}"`, `"${ORG}"`)
    })
  })
})
