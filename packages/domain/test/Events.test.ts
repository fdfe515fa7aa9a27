/**
 * The stored form of domain events: every event survives encode → decode, old shapes stay decodable forever
 * (upcast on read), and what cannot be decoded is a typed error, never a throw.
 */
import { readFileSync } from "node:fs"
import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, Either, Option, type Schema } from "effect"
import type { JsonObject } from "../src/EventStore.js"
import * as Events from "../src/Events.js"
import * as Registry from "../src/Registry.js"
import { aliasAssigned, linked, source } from "./fixtures/Collections.js"
import { created } from "./fixtures/Registries.js"

interface StoredEvent {
  readonly type: string
  readonly schemaVersion: number
  readonly data: JsonObject
}

const fixture = (name: string): StoredEvent =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8")) as StoredEvent

const undecodable = (stored: StoredEvent) => {
  const result = Events.decode(stored)
  if (Either.isRight(result))
    throw new Error(`expected ${stored.type} not to decode, got ${JSON.stringify(result.right)}`)
  expect(result.left._tag).toBe("UndecodableEvent")
  return result.left
}

type EventSchema = Schema.Schema<Events.DomainEvent, { readonly _tag: string }> & { readonly identifier: string }

/** Every event class of every aggregate. */
const eventTypes = Events.DomainEvent.members.flatMap(
  (aggregate) => aggregate.members as unknown as ReadonlyArray<EventSchema>
)

describe("Events", () => {
  describe("encode → decode", () => {
    it("knows every event type of every aggregate", () => {
      expect(eventTypes.map((schema) => Events.isDomainEventType(schema.identifier))).not.toContain(false)
      expect(eventTypes.map((schema) => schema.identifier)).toEqual(
        expect.arrayContaining(["RegistryCreated", "VersionAssigned", "ArtifactLinked", "AliasAssigned", "TeamCreated"])
      )
    })

    for (const schema of eventTypes) {
      it.prop(`every ${schema.identifier} survives encode → decode`, [Arbitrary.make(schema)], ([event]) => {
        expect(Events.decode(Events.encode(event))).toEqual(Either.right(Option.some(event)))
      })
    }

    it("stores the type in the envelope, not in the data", () => {
      const stored = Events.encode(linked(0, source("llama")))
      expect(stored.type).toBe("ArtifactLinked")
      expect(stored.data).not.toHaveProperty("_tag")
    })

    it("writes RegistryCreated with schema version 2 and every other event with version 1", () => {
      expect(Events.encode(created()).schemaVersion).toBe(2)
      expect(Events.encode(linked(0, source("llama"))).schemaVersion).toBe(1)
      expect(Events.encode(aliasAssigned("best", 0, 1)).schemaVersion).toBe(1)
    })

    it("survives a JSON text round trip, as a stored event does", () => {
      for (const event of [
        created("restricted", ["model"], "ours"),
        linked(3, source("llama", 2)),
        aliasAssigned("best", 3, 1)
      ]) {
        const stored = JSON.parse(JSON.stringify(Events.encode(event))) as StoredEvent
        expect(Events.decode(stored)).toEqual(Either.right(Option.some(event)))
      }
    })
  })

  describe("old stored shapes", () => {
    const v1 = fixture("RegistryCreated.v1.json")

    it("keep their frozen fixture: RegistryCreated v1 had no description and no accepted types", () => {
      expect(v1.type).toBe("RegistryCreated")
      expect(v1.schemaVersion).toBe(1)
      expect(Object.keys(v1.data).sort()).toEqual(["organization", "registry", "visibility"])
    })

    it("decode RegistryCreated v1 to the current shape: empty description, every type accepted", () => {
      const decoded = Events.decode(v1)
      expect(decoded).toEqual(
        Either.right(
          Option.some(
            new Registry.RegistryCreated({
              organization: "smle-registries-bug-bash",
              registry: "Golden Datasets",
              visibility: "restricted",
              description: "",
              acceptedTypes: []
            })
          )
        )
      )
      const event = Option.getOrThrow(Either.getOrThrow(decoded))
      expect(event).toBeInstanceOf(Registry.RegistryCreated)
      const state = Registry.evolve(Registry.initialState, event as Registry.Event) as Registry.Active
      expect(Registry.acceptsType(state, "dataset")).toBe(true)
    })

    it("are upcast on read only: a current-version event without the new fields is refused", () => {
      const error = undecodable({ ...v1, schemaVersion: 2 })
      expect(error.detail).toMatch(/description|acceptedTypes/)
    })
  })

  describe("what cannot be decoded", () => {
    it("answers None for events that are not domain events (written by other services)", () => {
      expect(Events.decode({ type: "SomethingElse", schemaVersion: 1, data: {} })).toEqual(Either.right(Option.none()))
      expect(Events.isDomainEventType("SomethingElse")).toBe(false)
    })

    it("refuses a schema version newer than the code, saying which version it reads", () => {
      const error = undecodable({ ...Events.encode(created()), schemaVersion: 3 })
      expect(error.message).toContain("reads up to version 2")
      expect(error.message).toContain("RegistryCreated")
    })

    it("refuses a schema version it has no upcast from", () => {
      const error = undecodable({ ...Events.encode(linked(0, source("llama"))), schemaVersion: 0 })
      expect(error.detail).toBe("no upcast from version 0")
    })

    it("refuses data that does not match its type, saying what is wrong", () => {
      const { data, ...envelope } = Events.encode(linked(0, source("llama")))
      const error = undecodable({ ...envelope, data: { ...data, index: "zero" } })
      expect(error.eventType).toBe("ArtifactLinked")
      expect(error.detail).toContain("index")
    })
  })
})
