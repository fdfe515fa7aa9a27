/**
 * The snapshot port: the encoded state of an aggregate at a stream version, so that loading a long stream reads
 * only the events after its snapshot. Snapshots are a cache: losing one costs time, never correctness.
 */
import { Context, type Effect, type Option } from "effect"
import type { Json, StoreUnavailable } from "./EventStore.js"

/** An aggregate's encoded state as of `version` of its stream. */
export interface Snapshot {
  readonly streamId: string
  readonly version: number
  /** Identifies the state's shape; a snapshot of another shape is ignored. */
  readonly schemaVersion: number
  readonly state: Json
}

/** The SnapshotStore port. */
export interface SnapshotStoreShape {
  /** The latest snapshot of a stream, if any. */
  readonly load: (streamId: string) => Effect.Effect<Option.Option<Snapshot>, StoreUnavailable>
  /** Stores a snapshot, replacing an older one; never replaces a newer one. */
  readonly save: (snapshot: Snapshot) => Effect.Effect<void, StoreUnavailable>
}

/** The SnapshotStore service. */
export class SnapshotStore extends Context.Tag("@registrar/domain/SnapshotStore")<
  SnapshotStore,
  SnapshotStoreShape
>() {}
