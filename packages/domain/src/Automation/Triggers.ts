/**
 * From registry events to automation triggers, and which automations a trigger fires. Pure: the dispatcher gives
 * what it knows of collections (names, tags before a change, which collections link an artifact).
 */
import type { DomainEvent } from "../Events.js"
import { hmacPads, hmacSha256Hex, utf8 } from "../internal/Sha256.js"
import type { Automation } from "./Book.js"
import type { EventType } from "./Model.js"
import { builtIn, type Filter, type TriggerFilter } from "./TriggerFilter.js"

/** One registry event as automations see it, in one collection. */
export interface Trigger {
  readonly eventType: EventType
  readonly collectionId: string
  /** The linked version's index (none for tag changes and new source versions). */
  readonly index: number | null
  /** The source version (for links, unlinks and new source versions). */
  readonly source: {
    readonly entity: string
    readonly project: string
    readonly name: string
    readonly index: number
  } | null
  readonly alias: string
  readonly tag: string
}

/** What the dispatcher knows that events do not carry. */
export interface TriggerContext {
  /** The collection's tags before this event (for a collection's update). */
  readonly tagsBefore: (collectionId: string) => ReadonlyArray<string>
  /** The collections that have linked some version of an artifact (`entity/project/name`). */
  readonly collectionsLinking: (artifact: string) => ReadonlyArray<string>
}

const tagChanges = (
  collectionId: string,
  before: ReadonlyArray<string>,
  after: ReadonlyArray<string>
): Array<Trigger> => [
  ...after
    .filter((tag) => !before.includes(tag))
    .map(
      (tag): Trigger => ({ eventType: "ADD_COLLECTION_TAG", collectionId, index: null, source: null, alias: "", tag })
    ),
  ...before
    .filter((tag) => !after.includes(tag))
    .map(
      (tag): Trigger => ({
        eventType: "REMOVE_COLLECTION_TAG",
        collectionId,
        index: null,
        source: null,
        alias: "",
        tag
      })
    )
]

/** The triggers one registry event causes (none for most events). */
export const triggersOf = (event: DomainEvent, context: TriggerContext): ReadonlyArray<Trigger> => {
  switch (event._tag) {
    case "ArtifactLinked":
    case "ArtifactUnlinked":
      return [
        {
          eventType: event._tag === "ArtifactLinked" ? "LINK_ARTIFACT" : "UNLINK_ARTIFACT",
          collectionId: event.collectionId,
          index: event.index,
          source: event.source,
          alias: "",
          tag: ""
        }
      ]
    case "AliasAssigned":
    case "AliasRemoved":
      return [
        {
          eventType: event._tag === "AliasAssigned" ? "ADD_ARTIFACT_ALIAS" : "REMOVE_ARTIFACT_ALIAS",
          collectionId: event.collectionId,
          index: event.index,
          source: null,
          alias: event.alias,
          tag: ""
        }
      ]
    case "VersionAssigned": {
      const source = { entity: event.entity, project: event.project, name: event.name, index: event.index }
      return context.collectionsLinking(`${event.entity}/${event.project}/${event.name}`).map(
        (collectionId): Trigger => ({
          eventType: "CREATE_ARTIFACT",
          collectionId,
          index: null,
          source,
          alias: "",
          tag: ""
        })
      )
    }
    case "CollectionCreated":
      return tagChanges(event.collectionId, [], event.tags)
    case "CollectionUpdated":
      return tagChanges(event.collectionId, context.tagsBefore(event.collectionId), event.tags)
    default:
      return []
  }
}

const parsed = new Map<string, Filter | null>()

const filterOf = (text: string, language: TriggerFilter): Filter | null => {
  let filter = parsed.get(text)
  if (filter === undefined) {
    const result = language.parse(text)
    filter = result._tag === "Right" ? result.right : null
    if (parsed.size > 10_000) parsed.clear()
    parsed.set(text, filter)
  }
  return filter
}

/**
 * Whether an automation fires for a trigger: enabled, the event type chosen, the collection in scope (a registry
 * scope covers every collection of the registry, given as `registryCollections`), and the filter passing.
 */
export const fires = (
  automation: Automation,
  trigger: Trigger,
  inRegistry: (collectionId: string) => boolean,
  language: TriggerFilter = builtIn
): boolean => {
  if (!automation.enabled || !automation.eventTypes.includes(trigger.eventType)) return false
  const inScope =
    automation.scope.kind === "collection"
      ? automation.scope.collectionId === trigger.collectionId
      : inRegistry(trigger.collectionId)
  if (!inScope) return false
  if (automation.filter === null) return true
  const filter = filterOf(automation.filter, language)
  return filter !== null && language.matches(filter, { alias: trigger.alias, tag: trigger.tag })
}

// ---- signatures ------------------------------------------------------------------------------------------------

/** The text `X-Registrar-Signature` signs: the delivery id, the timestamp (Unix seconds) and the body, joined by `.`. */
export const signedText = (deliveryId: string, timestamp: number, body: string): string =>
  `${deliveryId}.${timestamp}.${body}`

/** HMAC-SHA256 of text under a secret, as lowercase hex. */
export const hmacHex = (secret: string, text: string): string => {
  return hmacSha256Hex(hmacPads(utf8(secret)), text)
}

/**
 * The signature headers of one request: `X-Registrar-Signature: v1=<hex>` over id, timestamp and body (so a
 * replayed or re-dated request does not verify), and W&B's `X-Wandb-Signature: <hex>` over the body alone.
 */
export const signatureHeaders = (
  secret: string,
  deliveryId: string,
  timestamp: number,
  body: string
): Readonly<Record<string, string>> => ({
  "X-Registrar-Signature": `v1=${hmacHex(secret, signedText(deliveryId, timestamp, body))}`,
  "X-Wandb-Signature": hmacHex(secret, body)
})
