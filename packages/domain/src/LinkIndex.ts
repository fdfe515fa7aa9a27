/**
 * The link index port: finds a collection stream's `ArtifactLinked` events by the version index they linked, or by
 * the source version they linked, without reading the stream. A collection loaded from a summary snapshot learns the
 * facts of just the versions a command names through it, so loading does not grow with the collection.
 *
 * Stores that can index their events provide it (PostgreSQL and PGlite, migration 12); without it the loader scans
 * the stream through the EventStore ({@link scanning}), which is right but reads every event.
 */
import { Context, Effect, Option } from "effect"
import type { EventStoreShape, JsonObject, StoreUnavailable } from "./EventStore.js"

/** An `ArtifactLinked` event as stored: its schema version and data, decoded (and upcast) by the caller. */
export interface StoredLink {
  readonly type: string
  readonly schemaVersion: number
  readonly data: JsonObject
}

/** A source artifact version as links name it. */
export interface LinkedSource {
  readonly entity: string
  readonly project: string
  readonly name: string
  readonly index: number
}

/** The LinkIndex port. */
export interface LinkIndexShape {
  /** The `ArtifactLinked` event of the stream that linked version `index`, if any (indexes are never reused). */
  readonly linkOfIndex: (streamId: string, index: number) => Effect.Effect<Option.Option<StoredLink>, StoreUnavailable>
  /** The `ArtifactLinked` event of the stream with the highest version index below `below` that linked `source`. */
  readonly lastLinkOfSource: (
    streamId: string,
    source: LinkedSource,
    below: number
  ) => Effect.Effect<Option.Option<StoredLink>, StoreUnavailable>
}

/** The LinkIndex service. */
export class LinkIndex extends Context.Tag("@registrar/domain/LinkIndex")<LinkIndex, LinkIndexShape>() {}

const ARTIFACT_LINKED = "ArtifactLinked"

const sourceOf = (data: JsonObject): JsonObject | undefined => {
  const source = data.source
  return typeof source === "object" && source !== null && !Array.isArray(source) ? (source as JsonObject) : undefined
}

/** A LinkIndex that reads the whole stream for every lookup: for stores without an index of their events. */
export const scanning = (store: EventStoreShape): LinkIndexShape => ({
  linkOfIndex: (streamId, index) =>
    Effect.map(store.readStream(streamId), (events) =>
      Option.fromNullable(events.find((event) => event.type === ARTIFACT_LINKED && event.data.index === index))
    ),
  lastLinkOfSource: (streamId, source, below) =>
    Effect.map(store.readStream(streamId), (events) => {
      let found: StoredLink | undefined
      let foundIndex = -1
      for (const event of events) {
        if (event.type !== ARTIFACT_LINKED) continue
        const at = event.data.index
        const linked = sourceOf(event.data)
        if (typeof at !== "number" || at >= below || at <= foundIndex || linked === undefined) continue
        if (
          linked.entity === source.entity &&
          linked.project === source.project &&
          linked.name === source.name &&
          linked.index === source.index
        ) {
          found = event
          foundIndex = at
        }
      }
      return Option.fromNullable(found)
    })
})
