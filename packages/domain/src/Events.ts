/**
 * The stored form of domain events: every event type with its schema, its current schema version, and the upcasts
 * that turn older stored shapes into the current one. Stored events are decoded forever: never edit a shape in
 * place; add a version, freeze the old shape's upcast here, and keep a JSON fixture of it in the tests.
 */
import { Either, Option, ParseResult, Schema } from "effect"
import * as Artifact from "./Artifact.js"
import * as Collection from "./Collection.js"
import * as Entity from "./Entity.js"
import type { EventMetadataJson, JsonObject, NewEvent } from "./EventStore.js"
import * as Registry from "./Registry.js"

/** Every domain event. */
export const DomainEvent = Schema.Union(Entity.Event, Artifact.Event, Registry.Event, Collection.Event)
/** Every domain event. */
export type DomainEvent = typeof DomainEvent.Type

/** The type names of domain events. */
export type EventType = DomainEvent["_tag"]

type AnySchema = Schema.Schema<DomainEvent, { readonly _tag: string }>

const schemas = new Map<string, AnySchema>(
  DomainEvent.members.flatMap((union) =>
    union.members.map((member) => [member.identifier, member as unknown as AnySchema] as const)
  )
)

/** The decoder of each event type, built once (a rebuild decodes every stored event through these). */
const decoders = new Map([...schemas].map(([type, schema]) => [type, Schema.decodeUnknownEither(schema)] as const))

/** The schema version new events of each type are written with (1 unless listed). */
export const currentSchemaVersion: Readonly<Record<string, number>> = { RegistryCreated: 2 }

/**
 * Upcasts from old stored shapes, by type and stored version: each turns version `n` data into version `n + 1`.
 * - RegistryCreated v1 → v2: v1 had no description and no accepted types (every type was accepted).
 */
export const upcasts: Readonly<Record<string, Readonly<Record<number, (data: JsonObject) => JsonObject>>>> = {
  RegistryCreated: { 1: (data) => ({ ...data, description: "", acceptedTypes: [] }) }
}

/** A stored event's data could not be decoded as its type says. */
export class UndecodableEvent extends Schema.TaggedError<UndecodableEvent>()("UndecodableEvent", {
  eventType: Schema.String,
  schemaVersion: Schema.Number,
  detail: Schema.String
}) {
  override get message() {
    return `Stored event of type ${this.eventType} (schema version ${this.schemaVersion}) cannot be decoded: ${this.detail}. The code is older than the data, or the data was edited; upgrade Registrar or run verify.`
  }
}

/** Whether a stored type is a domain event type. */
export const isDomainEventType = (type: string): boolean => schemas.has(type)

/** The stored form of a domain event: type, schema version and JSON data. */
export const encode = (event: DomainEvent): { type: EventType; schemaVersion: number; data: JsonObject } => {
  const schema = schemas.get(event._tag)!
  const { _tag, ...data } = Schema.encodeSync(schema)(event) as { _tag: string } & JsonObject
  return { type: event._tag, schemaVersion: currentSchemaVersion[event._tag] ?? 1, data }
}

/** A new event ready to append: the domain event in its stored form, with an id and metadata. */
export const toNewEvent = (event: DomainEvent, eventId: string, metadata: EventMetadataJson): NewEvent => ({
  eventId,
  ...encode(event),
  metadata
})

/**
 * Decodes a stored event, upcasting old shapes. Events of other types (written by other services or by
 * infrastructure) decode to `None`.
 */
export const decode = (stored: {
  readonly type: string
  readonly schemaVersion: number
  readonly data: JsonObject
}): Either.Either<Option.Option<DomainEvent>, UndecodableEvent> => {
  const decodeEither = decoders.get(stored.type)
  if (decodeEither === undefined) return Either.right(Option.none())
  const target = currentSchemaVersion[stored.type] ?? 1
  let data = stored.data
  for (let version = stored.schemaVersion; version < target; version++) {
    const upcast = upcasts[stored.type]?.[version]
    if (upcast === undefined) {
      return Either.left(
        new UndecodableEvent({
          eventType: stored.type,
          schemaVersion: stored.schemaVersion,
          detail: `no upcast from version ${version}`
        })
      )
    }
    data = upcast(data)
  }
  if (stored.schemaVersion > target) {
    return Either.left(
      new UndecodableEvent({
        eventType: stored.type,
        schemaVersion: stored.schemaVersion,
        detail: `this code reads up to version ${target}`
      })
    )
  }
  return decodeEither({ ...data, _tag: stored.type }).pipe(
    Either.map(Option.some),
    Either.mapLeft(
      (error) =>
        new UndecodableEvent({
          eventType: stored.type,
          schemaVersion: stored.schemaVersion,
          detail: ParseResult.TreeFormatter.formatErrorSync(error)
        })
    )
  )
}
