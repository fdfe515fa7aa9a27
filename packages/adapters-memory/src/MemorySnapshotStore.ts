/** An in-memory SnapshotStore: the latest snapshot of each stream. */
import { type Snapshot, SnapshotStore, type SnapshotStoreShape } from "@registrar/domain"
import { Effect, Layer, Option } from "effect"

/** Creates an empty in-memory SnapshotStore. */
export const make = Effect.sync((): SnapshotStoreShape => {
  const snapshots = new Map<string, Snapshot>()
  return {
    load: (streamId) => Effect.sync(() => Option.fromNullable(snapshots.get(streamId))),
    save: (snapshot) =>
      Effect.sync(() => {
        const current = snapshots.get(snapshot.streamId)
        if (current === undefined || current.version <= snapshot.version) snapshots.set(snapshot.streamId, snapshot)
      })
  }
})

/** A fresh in-memory SnapshotStore. */
export const layer: Layer.Layer<SnapshotStore> = Layer.effect(SnapshotStore, make)
