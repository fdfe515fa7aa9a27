/**
 * Read-model lookups the application service does not offer (yet): the teams a user belongs to, the artifacts of an
 * entity, and the facts that decide a user's role in a registry. They read the ReadModelStore directly, after the
 * service has brought it up to date.
 */
import {
  atLeast,
  effectiveRole,
  InsufficientRole,
  type OrganizationRole,
  ReadModelStore,
  type RegistryAccess,
  type RegistryRole,
  type StoreUnavailable
} from "@registrar/domain"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { RegistrarClient } from "./Remote.js"

// The read-model table names of `@registrar/domain` (internal/ReadModelSchema.ts).
const Table = {
  organizationMembers: "organization_members",
  teamMembers: "team_members",
  artifactVersions: "artifact_versions"
} as const

const rows = <A>(table: string, where: Record<string, string>) =>
  Effect.flatMap(ReadModelStore, (store) => store.list(table, where)).pipe(
    Effect.map((found) => found as unknown as ReadonlyArray<A>)
  )

/** A team and its organization. */
export interface TeamMembership {
  readonly team: string
  readonly organization: string
}

/** The teams `user` belongs to, by name. */
export const teamsOf = (
  registrar: RegistrarClient,
  user: string
): Effect.Effect<ReadonlyArray<TeamMembership>, unknown, ReadModelStore> =>
  Effect.zipRight(
    registrar.catchUp,
    Effect.map(rows<TeamMembership & { user: string }>(Table.teamMembers, { user }), (found) =>
      [...found]
        .map(({ team, organization }) => ({ team, organization }))
        .sort((a, b) => (a.team < b.team ? -1 : a.team > b.team ? 1 : 0))
    )
  )

/** An artifact of an entity's project, with its type and version count. */
export interface ArtifactSummary {
  readonly project: string
  readonly name: string
  readonly artifactType: string
  readonly versions: number
}

/** The artifacts logged under `entity` (every project), by project and name. */
export const artifactsOf = (
  registrar: RegistrarClient,
  entity: string
): Effect.Effect<ReadonlyArray<ArtifactSummary>, unknown, ReadModelStore> =>
  Effect.zipRight(
    registrar.catchUp,
    Effect.map(
      rows<{ project: string; name: string; artifactType: string; deleted: boolean }>(Table.artifactVersions, {
        entity
      }),
      (versions) => {
        const byKey = new Map<string, ArtifactSummary>()
        for (const version of versions) {
          if (version.deleted) continue
          const key = `${version.project}/${version.name}`
          const known = byKey.get(key)
          byKey.set(key, {
            project: version.project,
            name: version.name,
            artifactType: version.artifactType,
            versions: (known?.versions ?? 0) + 1
          })
        }
        return [...byKey.values()].sort((a, b) => (`${a.project}/${a.name}` < `${b.project}/${b.name}` ? -1 : 1))
      }
    )
  )

/** The actor's role in a registry (as the access policy decides it), from the read models. */
export const roleIn = (
  registrar: RegistrarClient,
  actor: string,
  organization: string,
  registry: RegistryAccess
): Effect.Effect<Option.Option<RegistryRole>, StoreUnavailable | unknown, ReadModelStore> =>
  Effect.gen(function* () {
    yield* registrar.catchUp
    const membership = yield* rows<{ role: OrganizationRole }>(Table.organizationMembers, {
      organization,
      user: actor
    })
    const teams = yield* rows<{ team: string }>(Table.teamMembers, { organization, user: actor })
    return effectiveRole(registry, {
      username: actor,
      organizationRole: Option.fromNullable(membership[0]?.role),
      teams: teams.map((team) => team.team)
    })
  })

/** Fails unless the actor may use (download) linked versions of the registry: viewer or higher. */
export const requireUse = (
  registrar: RegistrarClient,
  actor: string,
  organization: string,
  registryName: string
): Effect.Effect<void, unknown, ReadModelStore> =>
  Effect.gen(function* () {
    const shown = yield* registrar.showRegistry({ actor, organization, registry: registryName })
    const role = yield* roleIn(registrar, actor, organization, shown.registry)
    if (!atLeast(role, "viewer")) {
      return yield* Effect.fail(
        new InsufficientRole({
          actor,
          registry: registryName,
          action: "use",
          required: "viewer",
          actual: Option.getOrNull(role)
        })
      )
    }
  })
