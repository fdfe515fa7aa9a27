/**
 * The access policy of docs/behaviour.md ("Access"): who holds which role in a registry, and which role each action needs.
 * Pure: the caller gathers the facts (org role, team memberships, grants) and this module decides.
 */
import { Option, Schema } from "effect"

/** A role inside an organization. */
export const OrganizationRole = Schema.Literal("admin", "member", "viewer")
/** A role inside an organization. */
export type OrganizationRole = typeof OrganizationRole.Type

/** A role inside a registry, from least to most powerful. */
export const RegistryRole = Schema.Literal("restricted_viewer", "viewer", "member", "admin")
/** A role inside a registry. */
export type RegistryRole = typeof RegistryRole.Type

/** A registry's visibility: every org member can see it, or only its members. */
export const Visibility = Schema.Literal("organization", "restricted")
/** A registry's visibility. */
export type Visibility = typeof Visibility.Type

/** Someone a registry role can be granted to. */
export const Principal = Schema.Struct({ kind: Schema.Literal("user", "team"), name: Schema.String })
/** A user or a team. */
export type Principal = typeof Principal.Type

const rank: Record<RegistryRole, number> = { restricted_viewer: 0, viewer: 1, member: 2, admin: 3 }

/** Whether `role` is at least `required`. */
export const atLeast = (role: Option.Option<RegistryRole>, required: RegistryRole): boolean =>
  Option.isSome(role) && rank[role.value] >= rank[required]

/** The higher of two roles. */
export const highest = (a: Option.Option<RegistryRole>, b: Option.Option<RegistryRole>): Option.Option<RegistryRole> =>
  Option.isNone(a) ? b : Option.isNone(b) ? a : rank[a.value] >= rank[b.value] ? a : b

/** What a registry action requires. */
export type Action = "see" | "use" | "write" | "administer"

/** The least role each action requires (the access table of docs/behaviour.md, "Access"). */
export const requiredRole: Record<Action, RegistryRole> = {
  see: "restricted_viewer",
  use: "viewer",
  write: "member",
  administer: "admin"
}

/** Describes an action for error messages. */
export const describeAction: Record<Action, string> = {
  see: "see this registry",
  use: "use or download linked versions",
  write: "create collections, link, unlink, change aliases, tags and descriptions",
  administer: "change protected aliases, visibility, accepted types, members and roles"
}

/** The facts about an actor that decide their role in a registry. */
export interface Actor {
  readonly username: string
  /** The actor's role in the registry's organization, when they belong to it. */
  readonly organizationRole: Option.Option<OrganizationRole>
  /** The teams of the registry's organization that the actor belongs to. */
  readonly teams: ReadonlyArray<string>
}

/** The facts about a registry that decide roles in it. */
export interface RegistryAccess {
  readonly visibility: Visibility
  readonly grants: ReadonlyArray<{ readonly principal: Principal; readonly role: RegistryRole }>
}

/**
 * The actor's effective role: the highest of org admin → admin; grants to the user; grants to any of the user's
 * teams; and, in an `organization`-visibility registry, viewer for every org member. Someone outside the
 * organization has no role, whatever grants remain from before they left.
 */
export const effectiveRole = (registry: RegistryAccess, actor: Actor): Option.Option<RegistryRole> => {
  // Only members of the registry's organization hold roles in it: grants lapse when a user leaves.
  if (Option.isNone(actor.organizationRole)) return Option.none()
  if (actor.organizationRole.value === "admin") return Option.some("admin")
  let role: Option.Option<RegistryRole> = registry.visibility === "organization" ? Option.some("viewer") : Option.none()
  for (const grant of registry.grants) {
    const applies =
      grant.principal.kind === "user"
        ? grant.principal.name === actor.username
        : actor.teams.includes(grant.principal.name)
    if (applies) role = highest(role, Option.some(grant.role))
  }
  return role
}

/** Whether the actor can see the registry at all; a registry they cannot see answers as if it did not exist. */
export const canSee = (registry: RegistryAccess, actor: Actor): boolean =>
  atLeast(effectiveRole(registry, actor), "restricted_viewer")

/**
 * Whether the actor may see what happened in a registry (its audit history): whoever can see it while it exists;
 * once it is gone (`none`), only admins of its organization, since nobody else holds a role in it any more.
 */
export const canSeeHistory = (registry: Option.Option<RegistryAccess>, actor: Actor): boolean =>
  Option.match(registry, {
    onNone: () => Option.contains(actor.organizationRole, "admin"),
    onSome: (access) => canSee(access, actor)
  })
