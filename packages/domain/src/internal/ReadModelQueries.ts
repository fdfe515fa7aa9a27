/**
 * Typed access to the read-model tables, and the queries that walk them as a whole: lineage (a graph search) and
 * the audit history (a filtered feed). Re-exported by `ReadModels`.
 */
import { Effect, Option } from "effect"
import type { StoreUnavailable } from "../EventStore.js"
import { type ListOptions, ReadModelStore, type Where } from "../ReadModelStore.js"
import {
  type AuditRow,
  Key,
  type LineageEdgeRow,
  type LineageKind,
  readRow,
  Table,
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
  /** At most this many rows: the most recent ones. */
  readonly limit?: number
}

const narrowest = (filter: HistoryFilter): Where | undefined => {
  if (filter.collectionId !== undefined) return { collectionId: filter.collectionId }
  if (filter.registry !== undefined && filter.organization !== undefined) {
    return { organization: filter.organization, registry: filter.registry }
  }
  if (filter.actor !== undefined) return { actor: filter.actor }
  return undefined
}

/** The audit history in feed order, filtered; with a limit, the most recent matching rows. */
export const history = (filter: HistoryFilter = {}): Query<ReadonlyArray<AuditRow>> =>
  Effect.gen(function* () {
    const { organization } = filter
    const teams =
      organization === undefined
        ? new Set<string>()
        : new Set((yield* listAs<TeamRow>(Table.teams, { organization })).map((team) => team.team))
    const since = filter.since === undefined ? undefined : Date.parse(filter.since)
    const until = filter.until === undefined ? undefined : Date.parse(filter.until)
    const rows = (yield* listAs<AuditRow>(Table.audit, narrowest(filter))).filter((row) => {
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
    })
    return filter.limit === undefined ? rows : rows.slice(Math.max(0, rows.length - filter.limit))
  })
