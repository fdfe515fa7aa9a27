/**
 * The read-model store port: tables of JSON rows keyed by string, written only by projections, each batch of
 * changes committed together with the projection's checkpoint (exactly once for database read models).
 */
import { Context, type Effect, type Either, type Option, type Stream } from "effect"
import type { Checkpoint, JsonObject, RecordedEvent, StoreUnavailable } from "./EventStore.js"
import type { Filter, Level, Order, Position } from "./Filter/Ast.js"

/** A row of a read-model table. */
export type Row = JsonObject

/** One change to a read-model table, produced by a pure projection from one event. */
export type Change =
  /** Insert or replace the row at `key`. */
  | { readonly _tag: "Put"; readonly table: string; readonly key: string; readonly row: Row }
  /** Shallow-merge `patch` into the row at `key`, when it exists. */
  | { readonly _tag: "Patch"; readonly table: string; readonly key: string; readonly patch: Row }
  /** Delete the row at `key`, when it exists. */
  | { readonly _tag: "Delete"; readonly table: string; readonly key: string }
  /** Delete every row whose top-level `field` equals `value`. */
  | { readonly _tag: "DeleteWhere"; readonly table: string; readonly field: string; readonly value: string }

/** Constructors for {@link Change}. */
export const Change = {
  put: (table: string, key: string, row: Row): Change => ({ _tag: "Put", table, key, row }),
  patch: (table: string, key: string, patch: Row): Change => ({ _tag: "Patch", table, key, patch }),
  delete: (table: string, key: string): Change => ({ _tag: "Delete", table, key }),
  deleteWhere: (table: string, field: string, value: string): Change => ({ _tag: "DeleteWhere", table, field, value })
}

/** A filter on rows: every listed top-level field must equal the given value. */
export type Where = Readonly<Record<string, string | number | boolean>>

/**
 * Narrows and orders a listing: keys starting with `prefix`, in descending key order, at most `limit` rows, only the
 * keys strictly after `after` in the listing's order (greater ascending, smaller descending) — a keyset page.
 */
export interface ListOptions {
  readonly prefix?: string
  readonly descending?: boolean
  readonly limit?: number
  readonly after?: string
}

/**
 * The fields each table's rows are filtered on (`list`/`count` with `where`, `Change.deleteWhere`), by table: what a
 * database store needs to index. A store may index only these for a table listed here (every field of a table that
 * is not); a filter on another field still answers correctly, but may read every row of its table.
 */
export type IndexedFields = Readonly<Record<string, ReadonlyArray<string>>>

/** A batch of changes and the checkpoint of the last event that produced them. */
export interface ChangeBatch {
  readonly changes: ReadonlyArray<Change>
  readonly checkpoint: Checkpoint
}

/**
 * A filtered, ordered listing of one level of the catalog (docs/search.md), scoped to the registries a reader may
 * see: what `ReadModelStoreShape.search` answers.
 */
export interface SearchQuery {
  readonly level: Level
  readonly organization: string
  /** The ids (row keys) of the registries in scope: the organization's registries the reader can see. */
  readonly registryIds: ReadonlyArray<string>
  /** The registries whose collections (and versions) are listed; ignored for the registries level. */
  readonly registries: Filter
  /** The collections whose versions are listed; only for the versions level. */
  readonly collections: Filter
  /** The filter of the level listed. */
  readonly filter: Filter
  readonly order: Order
  /** At most this many rows, in order. */
  readonly limit: number
  /** Only rows strictly after this position in the order. */
  readonly after?: Position
}

/**
 * One row a search found: the row of the level's table, and for a version its collection's row, its aliases in the
 * collection (`latest` included when it is the highest) and its source version's row (null when missing).
 */
export interface SearchHit {
  readonly row: Row
  readonly collection?: Row
  readonly aliases?: ReadonlyArray<string>
  readonly source?: Row | null
}

/**
 * What a store needs for {@link ReadModelStoreShape.rebuildBesideLog}: the projection of the events it does not
 * project itself (handed over in feed order, in runs of at most `batchSize`), and where to report progress (events
 * replayed so far, those projected in the database included).
 */
export interface RebuildBesideLog<E> {
  readonly project: (events: readonly [RecordedEvent, ...ReadonlyArray<RecordedEvent>]) => Either.Either<ChangeBatch, E>
  readonly batchSize: number
  readonly onProgress: (events: number) => Effect.Effect<void>
}

/** The ReadModelStore port. */
export interface ReadModelStoreShape {
  /** The checkpoint of the last event applied (the origin when none was). */
  readonly checkpoint: Effect.Effect<Checkpoint, StoreUnavailable>
  /**
   * Applies changes and moves the checkpoint in one atomic step. A batch whose checkpoint is not after the stored
   * one was applied already and is ignored, which makes delivery exactly once.
   */
  readonly apply: (batch: ChangeBatch) => Effect.Effect<void, StoreUnavailable>
  /** One row by key. */
  readonly get: (table: string, key: string) => Effect.Effect<Option.Option<Row>, StoreUnavailable>
  /** The rows of a table that match `where` (and `options.prefix`), ordered by key. */
  readonly list: (
    table: string,
    where?: Where,
    options?: ListOptions
  ) => Effect.Effect<ReadonlyArray<Row>, StoreUnavailable>
  /** How many rows of a table match `where` and `prefix`. */
  readonly count: (table: string, where?: Where, prefix?: string) => Effect.Effect<number, StoreUnavailable>
  /**
   * Rebuilds from zero: applies every batch of `batches` to fresh, empty tables, then swaps them in atomically.
   * Readers see the old read models until the swap.
   */
  readonly replaceAll: <E, R>(batches: Stream.Stream<ChangeBatch, E, R>) => Effect.Effect<void, E | StoreUnavailable, R>
  /**
   * Optional, for a store that sits beside the event log (PostgreSQL: the events table is in its schema): rebuilds
   * from zero, as `replaceAll` of the whole feed would, but projects the bulk of the history in the database without
   * reading it out (see {@link RebuildBesideLog}). Answers `None`, having changed nothing, when the history holds
   * something it cannot project that way; the caller then rebuilds through `replaceAll`.
   */
  readonly rebuildBesideLog?: <E>(
    options: RebuildBesideLog<E>
  ) => Effect.Effect<Option.Option<number>, E | StoreUnavailable>
  /**
   * Optional: answers a {@link SearchQuery} natively (SQL with bound parameters). A store without it is searched
   * by the domain's evaluator over `list` and `get`, with the same answers.
   */
  readonly search?: (query: SearchQuery) => Effect.Effect<ReadonlyArray<SearchHit>, StoreUnavailable>
}

/** The ReadModelStore service. */
export class ReadModelStore extends Context.Tag("@registrar/domain/ReadModelStore")<
  ReadModelStore,
  ReadModelStoreShape
>() {}
