/**
 * Typed access to the read-model tables, the access policy as the read models state its facts (a {@link Reader}),
 * and the queries that walk the tables as a whole: lineage (a graph search) and the audit history (a filtered feed).
 * Re-exported by `ReadModels`.
 */
import { Effect, Option } from "effect"
import { type Actor, canSee, canSeeHistory, effectiveRole, type RegistryAccess, type RegistryRole } from "../Access.js"
import type { Checkpoint, StoreUnavailable } from "../EventStore.js"
import { type ListOptions, ReadModelStore, type Where } from "../ReadModelStore.js"
import {
  type AuditRow,
  Key,
  type LineageEdgeRow,
  type LineageKind,
  type OrganizationMemberRow,
  readRow,
  type RegistryGrantRow,
  type RegistryRow,
  Table,
  type TeamMemberRow,
  type TeamRow
} from "./ReadModelSchema.js"

/** A read-model query: reads the ReadModelStore, fails only when the store does. */
export type Query<A> = Effect.Effect<A, StoreUnavailable, ReadModelStore>

/** The rows of a table that match `where`, in key order, as the shape the table holds. */
export const listAs = <A>(table: string, where?: Where, options?: ListOptions): Query<ReadonlyArray<A>> =>
  Effect.flatMap(ReadModelStore, (store) => store.list(table, where, options)).pipe(
    Effect.map((rows) => rows.map(readRow<A>))
  )

/** How many rows of a table match `where` and `prefix`. */
export const countOf = (table: string, where?: Where, prefix?: string): Query<number> =>
  Effect.flatMap(ReadModelStore, (store) => store.count(table, where, prefix))

/** One row by key, as the shape its table holds. */
export const getAs = <A>(table: string, key: string): Query<Option.Option<A>> =>
  Effect.flatMap(ReadModelStore, (store) => store.get(table, key)).pipe(Effect.map(Option.map(readRow<A>)))

// ---- access ------------------------------------------------------------------------------------------------------

/** The facts that decide a user's roles in an organization's registries: their org role and their teams there. */
export const actorIn = (organization: string, user: string): Query<Actor> =>
  Effect.all(
    {
      membership: getAs<OrganizationMemberRow>(Table.organizationMembers, Key.organizationMember(organization, user)),
      teams: listAs<TeamMemberRow>(Table.teamMembers, { organization, user })
    },
    { concurrency: 2 }
  ).pipe(
    Effect.map(({ membership, teams }) => ({
      username: user,
      organizationRole: Option.map(membership, (member) => member.role),
      teams: teams.map((team) => team.team)
    }))
  )

/** A registry's visibility and grants (none when it does not exist). */
export const registryAccess = (organization: string, registry: string): Query<Option.Option<RegistryAccess>> => {
  const registryKey = Key.registry(organization, registry)
  return getAs<RegistryRow>(Table.registries, registryKey).pipe(
    Effect.flatMap(
      Effect.transposeMapOption((row) =>
        Effect.map(listAs<RegistryGrantRow>(Table.registryGrants, { registryKey }), (grants) => ({
          visibility: row.visibility,
          grants: grants.map(({ principal, role }) => ({ principal, role }))
        }))
      )
    )
  )
}

/**
 * A user reading the read models, and what the access policy (`Access`) lets them see there. Its facts come from the
 * store the query runs on (live, or as of a past point) and are read once per organization and registry.
 */
export interface Reader {
  readonly user: string
  /** The reader's role in a registry. */
  readonly roleIn: (organization: string, registry: RegistryAccess) => Query<Option.Option<RegistryRole>>
  /** Whether the reader can see a registry (a restricted one is invisible to non-members). */
  readonly sees: (organization: string, registry: RegistryAccess) => Query<boolean>
  /** Whether the reader may see a registry's events, by name: it exists and they see it, or it is gone and they administer its organization. */
  readonly seesHistoryOf: (organization: string, registry: string) => Query<boolean>
}

/** The reader `user`, for one query. */
export const reader = (user: string): Reader => {
  const actors = new Map<string, Actor>()
  const histories = new Map<string, boolean>()
  const actor = (organization: string): Query<Actor> => {
    const known = actors.get(organization)
    if (known !== undefined) return Effect.succeed(known)
    return Effect.tap(actorIn(organization, user), (found) => Effect.sync(() => actors.set(organization, found)))
  }
  const roleIn = (organization: string, registry: RegistryAccess) =>
    Effect.map(actor(organization), (facts) => effectiveRole(registry, facts))
  return {
    user,
    roleIn,
    sees: (organization, registry) => Effect.map(actor(organization), (facts) => canSee(registry, facts)),
    seesHistoryOf: (organization, registry) => {
      const key = Key.registry(organization, registry)
      const known = histories.get(key)
      if (known !== undefined) return Effect.succeed(known)
      return Effect.zipWith(registryAccess(organization, registry), actor(organization), canSeeHistory).pipe(
        Effect.tap((seen) => Effect.sync(() => histories.set(key, seen)))
      )
    }
  }
}

// ---- lineage -----------------------------------------------------------------------------------------------------

/** A run (`entity/project/runId`) or an artifact version (`entity/project/name:vN`) of the lineage graph. */
export interface LineageNode {
  readonly id: string
  readonly kind: "run" | "version"
  readonly label: string
}

/** An edge in the direction data flows: run → version it produced, version → run that used it. */
export interface LineageEdge {
  readonly from: string
  readonly to: string
  readonly kind: LineageKind
}

/** The part of the lineage graph reachable from one version. */
export interface LineageGraph {
  readonly nodes: ReadonlyArray<LineageNode>
  readonly edges: ReadonlyArray<LineageEdge>
}

/**
 * The lineage around a source version (`entity/project/name:vN`): every run and version reachable in either
 * direction (its producer, its consumers, their other inputs and outputs, …) within `depth` edges.
 */
export const lineage = (versionKey: string, options: { readonly depth: number }): Query<LineageGraph> =>
  Effect.gen(function* () {
    const start: LineageNode = { id: versionKey, kind: "version", label: versionKey }
    const nodes = new Map<string, LineageNode>([[`version|${versionKey}`, start]])
    const edges = new Map<string, LineageEdge>()
    let frontier: ReadonlyArray<LineageNode> = [start]
    for (let distance = 0; distance < options.depth && frontier.length > 0; distance++) {
      const next: Array<LineageNode> = []
      for (const node of frontier) {
        const where = node.kind === "version" ? { version: node.id } : { run: node.id }
        for (const edge of yield* listAs<LineageEdgeRow>(Table.lineageEdges, where)) {
          const [from, to] = edge.kind === "produced" ? [edge.run, edge.version] : [edge.version, edge.run]
          edges.set(Key.lineageEdge(edge.kind, edge.run, edge.version), { from, to, kind: edge.kind })
          const other: LineageNode =
            node.kind === "version"
              ? { id: edge.run, kind: "run", label: edge.run }
              : { id: edge.version, kind: "version", label: edge.version }
          const id = `${other.kind}|${other.id}`
          if (!nodes.has(id)) {
            nodes.set(id, other)
            next.push(other)
          }
        }
      }
      frontier = next
    }
    return { nodes: [...nodes.values()], edges: [...edges.values()] }
  })

// ---- history -----------------------------------------------------------------------------------------------------

/** Which audit rows to return; every field given must match. */
export interface HistoryFilter {
  /** Events of this organization, its registries and collections, and the artifacts of its teams. */
  readonly organization?: string
  readonly registry?: string
  readonly collectionId?: string
  readonly actor?: string
  /** ISO time, inclusive. */
  readonly since?: string
  /** ISO time, inclusive. */
  readonly until?: string
  /** At most this many rows: the most recent ones (ignored with `pageSize`). */
  readonly limit?: number
  /**
   * A keyset page in feed order: at most this many rows after `after`, read from the store in batches until the
   * page is full, so a page reads the rows up to its end and no further.
   */
  readonly pageSize?: number
  /** The feed position (transaction and global position) of the last row of the previous page. */
  readonly after?: Checkpoint
  /**
   * Only the rows this user may see: the events of a registry they cannot see (its creation, settings, grants,
   * collections, links, aliases) are left out; organization, team, user and artifact events stay.
   */
  readonly reader?: string
}

const narrowest = (filter: HistoryFilter): Where | undefined => {
  if (filter.collectionId !== undefined) return { collectionId: filter.collectionId }
  if (filter.registry !== undefined && filter.organization !== undefined) {
    return { organization: filter.organization, registry: filter.registry }
  }
  if (filter.actor !== undefined) return { actor: filter.actor }
  return undefined
}

const historyBatch = 200

/** The audit history in feed order, filtered; with a limit, the most recent matching rows; or one keyset page. */
export const history = (filter: HistoryFilter = {}): Query<ReadonlyArray<AuditRow>> =>
  Effect.gen(function* () {
    const { organization } = filter
    const teams =
      organization === undefined
        ? new Set<string>()
        : new Set((yield* listAs<TeamRow>(Table.teams, { organization })).map((team) => team.team))
    const since = filter.since === undefined ? undefined : Date.parse(filter.since)
    const until = filter.until === undefined ? undefined : Date.parse(filter.until)
    const wanted = (row: AuditRow) => {
      if (organization !== undefined && row.organization !== organization) {
        if (row.organization !== null || row.entity === null || !teams.has(row.entity)) return false
      }
      if (filter.registry !== undefined && row.registry !== filter.registry) return false
      if (filter.collectionId !== undefined && row.collectionId !== filter.collectionId) return false
      if (filter.actor !== undefined && row.actor !== filter.actor) return false
      const at = Date.parse(row.recordedAt)
      if (since !== undefined && !(at >= since)) return false
      if (until !== undefined && !(at <= until)) return false
      return true
    }
    const { pageSize } = filter
    if (pageSize !== undefined) {
      const found: Array<AuditRow> = []
      let after = filter.after === undefined ? undefined : Key.audit(filter.after)
      const batch = Math.max(pageSize, historyBatch)
      while (found.length < pageSize) {
        const rows = yield* listAs<AuditRow>(Table.audit, narrowest(filter), {
          limit: batch,
          ...(after === undefined ? {} : { after })
        })
        found.push(...(yield* seenBy(filter.reader, rows.filter(wanted))))
        const last = rows[rows.length - 1]
        if (rows.length < batch || last === undefined) break
        after = Key.audit(last)
      }
      return found.slice(0, pageSize)
    }
    const rows = (yield* listAs<AuditRow>(Table.audit, narrowest(filter))).filter(wanted)
    const visible = yield* seenBy(filter.reader, rows)
    return filter.limit === undefined ? visible : visible.slice(Math.max(0, visible.length - filter.limit))
  })

/** The audit rows a reader may see (all of them without a reader). */
const seenBy = (user: string | undefined, rows: ReadonlyArray<AuditRow>): Query<ReadonlyArray<AuditRow>> => {
  if (user === undefined) return Effect.succeed(rows)
  const who = reader(user)
  return Effect.filter(rows, (row) =>
    row.organization === null || row.registry === null
      ? Effect.succeed(true)
      : who.seesHistoryOf(row.organization, row.registry)
  )
}
