/**
 * The access policy of docs/behaviour.md ("Access"): the effective role is the highest of org admin → admin, grants to the user,
 * grants to the user's teams, and viewer for org members of an organization-visibility registry.
 */
import { describe, expect, it } from "@effect/vitest"
import { Option } from "effect"
import * as fc from "effect/FastCheck"
import {
  type Actor,
  atLeast,
  canSee,
  effectiveRole,
  highest,
  type OrganizationRole,
  type Principal,
  type RegistryAccess,
  type RegistryRole,
  requiredRole,
  type Visibility
} from "../src/Access.js"
import { actor, orgAdmin, orgMember, orgViewer, outsider, TEAM, teamMember } from "./fixtures/People.js"

const ROLES: ReadonlyArray<RegistryRole> = ["restricted_viewer", "viewer", "member", "admin"]

const registry = (
  visibility: Visibility,
  ...grants: ReadonlyArray<readonly [Principal, RegistryRole]>
): RegistryAccess => ({ visibility, grants: grants.map(([principal, role]) => ({ principal, role })) })

const user = (name: string): Principal => ({ kind: "user", name })
const team = (name: string): Principal => ({ kind: "team", name })

describe("the roles", () => {
  it("are ordered restricted_viewer < viewer < member < admin", () => {
    ROLES.forEach((role, rank) => {
      ROLES.forEach((required, requiredRank) => {
        expect(atLeast(Option.some(role), required)).toBe(rank >= requiredRank)
      })
    })
  })

  it("no role is below every role", () => {
    for (const required of ROLES) expect(atLeast(Option.none(), required)).toBe(false)
  })

  it("highest keeps the more powerful of two roles", () => {
    expect(highest(Option.some("viewer"), Option.some("member"))).toEqual(Option.some("member"))
    expect(highest(Option.some("admin"), Option.some("restricted_viewer"))).toEqual(Option.some("admin"))
    expect(highest(Option.none(), Option.some("viewer"))).toEqual(Option.some("viewer"))
    expect(highest(Option.some("viewer"), Option.none())).toEqual(Option.some("viewer"))
    expect(highest(Option.none(), Option.none())).toEqual(Option.none())
  })

  it("each action needs the role of the docs/behaviour.md access table", () => {
    expect(requiredRole).toEqual({ see: "restricted_viewer", use: "viewer", write: "member", administer: "admin" })
  })
})

describe("effectiveRole", () => {
  describe("in an organization-visibility registry", () => {
    it("makes every organization member, of any organization role, at least a viewer", () => {
      const open = registry("organization")
      expect(effectiveRole(open, orgMember)).toEqual(Option.some("viewer"))
      expect(effectiveRole(open, orgViewer)).toEqual(Option.some("viewer"))
    })

    it("gives nothing to people outside the organization", () => {
      expect(effectiveRole(registry("organization"), outsider)).toEqual(Option.none())
      expect(canSee(registry("organization"), outsider)).toBe(false)
    })

    it("ignores grants left over for someone who has left the organization", () => {
      const granted = registry("restricted", [user(outsider.username), "admin"])
      expect(effectiveRole(granted, outsider)).toEqual(Option.none())
      expect(canSee(granted, outsider)).toBe(false)
    })

    it("raises members above viewer with a grant, and never lowers them below viewer", () => {
      const open = registry(
        "organization",
        [user(orgMember.username), "member"],
        [user(orgViewer.username), "restricted_viewer"]
      )
      expect(effectiveRole(open, orgMember)).toEqual(Option.some("member"))
      expect(effectiveRole(open, orgViewer)).toEqual(Option.some("viewer"))
    })
  })

  describe("in a restricted registry", () => {
    it("gives organization members without a grant no role: they cannot see it", () => {
      expect(effectiveRole(registry("restricted"), orgMember)).toEqual(Option.none())
      expect(canSee(registry("restricted"), orgMember)).toBe(false)
    })

    it("makes organization admins registry admins without any grant", () => {
      expect(effectiveRole(registry("restricted"), orgAdmin)).toEqual(Option.some("admin"))
      expect(effectiveRole(registry("restricted", [user(orgAdmin.username), "viewer"]), orgAdmin)).toEqual(
        Option.some("admin")
      )
    })

    it.each(ROLES)("gives a user granted %s exactly that role", (role) => {
      const granted = registry("restricted", [user(orgMember.username), role])
      expect(effectiveRole(granted, orgMember)).toEqual(Option.some(role))
      expect(canSee(granted, orgMember)).toBe(true)
    })

    it("applies a team's grant to the team's members, and not to others", () => {
      const teamGranted = registry("restricted", [team(TEAM), "member"])
      expect(effectiveRole(teamGranted, teamMember)).toEqual(Option.some("member"))
      expect(effectiveRole(teamGranted, orgMember)).toEqual(Option.none())
    })

    it("does not confuse a user and a team with the same name", () => {
      const sameName = actor(TEAM, "member")
      expect(effectiveRole(registry("restricted", [team(TEAM), "admin"]), sameName)).toEqual(Option.none())
      expect(effectiveRole(registry("restricted", [user("tina"), "admin"]), actor("tina", "member", []))).toEqual(
        Option.some("admin")
      )
    })

    it("takes the highest of the user's grant and their teams' grants", () => {
      const both = registry(
        "restricted",
        [user(teamMember.username), "viewer"],
        [team(TEAM), "member"],
        [team("other"), "admin"]
      )
      expect(effectiveRole(both, teamMember)).toEqual(Option.some("member"))
    })
  })

  it.prop(
    "is the highest of every source, and a new grant never lowers it",
    {
      visibility: fc.constantFrom<Visibility>("organization", "restricted"),
      organizationRole: fc.option(fc.constantFrom<OrganizationRole>("admin", "member", "viewer"), { nil: null }),
      teams: fc.subarray(["red", "blue", "green"]),
      grants: fc.array(
        fc.tuple(
          fc.constantFrom<Principal>(user("me"), user("you"), team("red"), team("blue"), team("green")),
          fc.constantFrom(...ROLES)
        ),
        { maxLength: 6 }
      ),
      extra: fc.tuple(fc.constantFrom<Principal>(user("me"), team("red"), team("blue")), fc.constantFrom(...ROLES))
    },
    ({ extra, grants, organizationRole, teams, visibility }) => {
      const me: Actor = actor("me", organizationRole, teams)
      // The last grant to a principal replaces earlier ones, as RoleGranted does.
      const latestGrants = [
        ...new Map(
          grants.map(([principal, role]) => [`${principal.kind}:${principal.name}`, [principal, role] as const])
        ).values()
      ]
      const access = registry(visibility, ...latestGrants)
      const sources: Array<RegistryRole> = [
        ...(organizationRole === "admin" ? (["admin"] as const) : []),
        ...(organizationRole !== null && visibility === "organization" ? (["viewer"] as const) : []),
        ...latestGrants
          .filter(([principal]) =>
            principal.kind === "user" ? principal.name === "me" : teams.includes(principal.name)
          )
          .map(([, role]) => role)
      ]
      // Outside the organization nobody holds a role, whatever grants remain.
      const expected =
        sources.length === 0 || organizationRole === null
          ? Option.none()
          : Option.some(sources.reduce((a, b) => (ROLES.indexOf(a) >= ROLES.indexOf(b) ? a : b)))
      const role = effectiveRole(access, me)
      expect(role).toEqual(expected)
      const [extraPrincipal] = extra
      const isNew = !latestGrants.some(([p]) => p.kind === extraPrincipal.kind && p.name === extraPrincipal.name)
      if (isNew && Option.isSome(role)) {
        expect(atLeast(effectiveRole(registry(visibility, ...latestGrants, extra), me), role.value)).toBe(true)
      }
    }
  )
})
