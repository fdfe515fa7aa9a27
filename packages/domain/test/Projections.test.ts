import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Option } from "effect"
import * as Artifact from "../src/Artifact.js"
import * as Collection from "../src/Collection.js"
import * as Entity from "../src/Entity.js"
import type { RecordedEvent } from "../src/EventStore.js"
import * as Events from "../src/Events.js"
import * as InMemoryTables from "../src/internal/InMemoryTables.js"
import { VersionSelector } from "../src/Paths.js"
import * as Projections from "../src/Projections.js"
import { ReadModelStore } from "../src/ReadModelStore.js"
import * as ReadModels from "../src/ReadModels.js"
import * as Registry from "../src/Registry.js"
import { makeRecorder } from "../testing/RandomHistory.js"

const org = { organization: "acme" }
const golden = { organization: "acme", registry: "Golden Datasets" }
const images = { ...golden, collectionId: "c-images" }
const raw = { entity: "ml", project: "proj", name: "raw" }
const rawKey = "ml/proj/raw"
const run = (runId: string) => ({ entity: "ml", project: "proj", runId })
const files = (content: string) => [{ path: "data.csv", sha256: content, size: content.length }]

const logged = (index: number, loggedBy: ReturnType<typeof run> | null, name = "raw", artifactType = "dataset") =>
  new Artifact.VersionAssigned({
    ...raw,
    name,
    index,
    artifactType,
    digest: `digest-${name}-${index}`,
    files: files(`${name}-${index}`),
    metadata: { rows: 10 * (index + 1) },
    description: `${name} v${index}`,
    loggedBy
  })

const linked = (index: number, sourceIndex: number, collection = images, name = "raw_images") =>
  new Collection.ArtifactLinked({
    ...collection,
    collection: name,
    index,
    source: { ...raw, index: sourceIndex },
    artifactType: "dataset",
    digest: `digest-raw-${sourceIndex}`
  })

/** A fresh read model and a log whose events are projected into it as they are recorded. */
const setup = () => {
  const store = InMemoryTables.make()
  const { record, events } = makeRecorder()
  const projectAll = (recorded: ReadonlyArray<RecordedEvent>) =>
    Effect.forEach(recorded, (event) => {
      const decoded = Either.getOrThrow(Events.decode(event))
      const changes = Option.isSome(decoded) ? Projections.project(event, decoded.value) : []
      return store.apply({ changes, checkpoint: event })
    })
  const given = (streamId: string, domainEvents: ReadonlyArray<Events.DomainEvent>, actor = "alice") =>
    projectAll(record(streamId, domainEvents, actor))
  const query = <A, E>(effect: Effect.Effect<A, E, ReadModelStore>) =>
    Effect.provideService(effect, ReadModelStore, store)
  const table = (name: string) => store.list(name)
  return { store, events, given, query, table }
}

/** The organization, a team with two members, a personal user, one registry and three logged versions of `raw`. */
const world = () =>
  Effect.gen(function* () {
    const t = setup()
    yield* t.given("Entity-alice", [new Entity.UserCreated({ user: "alice" })], "alice")
    yield* t.given("Entity-carol", [new Entity.UserCreated({ user: "carol" })], "carol")
    yield* t.given("Entity-acme", [
      new Entity.OrganizationCreated({ ...org, displayName: "Acme Corp" }),
      new Entity.OrganizationMemberAdded({ ...org, user: "alice", role: "admin" }),
      new Entity.OrganizationMemberAdded({ ...org, user: "bob", role: "member" })
    ])
    yield* t.given("Entity-ml", [
      new Entity.TeamCreated({ team: "ml", ...org }),
      new Entity.TeamMemberAdded({ team: "ml", ...org, user: "alice" }),
      new Entity.TeamMemberAdded({ team: "ml", ...org, user: "bob" })
    ])
    yield* t.given("Registry-acme/Golden Datasets", [
      new Registry.RegistryCreated({
        ...golden,
        visibility: "organization",
        description: "Curated data",
        acceptedTypes: []
      }),
      new Registry.RoleGranted({ ...golden, principal: { kind: "user", name: "alice" }, role: "admin" })
    ])
    yield* t.given("Artifact-ml/proj/raw", [logged(0, run("r1")), logged(1, run("r2")), logged(2, null)], "bob")
    yield* t.given("Registry-acme/Golden Datasets", [
      new Registry.CollectionCreated({
        ...images,
        collection: "raw_images",
        artifactType: "dataset",
        description: "",
        tags: []
      })
    ])
    return t
  })

const aliasesByIndex = (versions: ReadModels.CollectionVersions) =>
  Object.fromEntries(versions.versions.map((version) => [version.index, version.aliases]))

describe("organizations, teams and users", () => {
  it.effect("rows for organizations, members, teams, team members and users", () =>
    Effect.gen(function* () {
      const t = yield* world()
      expect(yield* t.table("organizations")).toEqual([
        { organization: "acme", displayName: "Acme Corp", createdAt: expect.any(String) }
      ])
      expect((yield* t.table("organization_members")).map((row) => [row.user, row.role])).toEqual([
        ["alice", "admin"],
        ["bob", "member"]
      ])
      expect(yield* t.table("teams")).toEqual([{ team: "ml", organization: "acme" }])
      expect((yield* t.table("team_members")).map((row) => row.user)).toEqual(["alice", "bob"])
      expect(yield* t.table("users")).toEqual([{ user: "alice" }, { user: "carol" }])
      yield* t.given("Entity-acme", [new Entity.OrganizationMemberRemoved({ ...org, user: "bob" })])
      yield* t.given("Entity-ml", [new Entity.TeamMemberRemoved({ team: "ml", ...org, user: "bob" })])
      expect((yield* t.table("organization_members")).map((row) => row.user)).toEqual(["alice"])
      expect((yield* t.table("team_members")).map((row) => row.user)).toEqual(["alice"])
    })
  )

  it.effect("finds an organization by entity or display name, and the organizations of a user", () =>
    Effect.gen(function* () {
      const t = yield* world()
      const byName = yield* t.query(ReadModels.findOrganization("acme"))
      const byDisplayName = yield* t.query(ReadModels.findOrganization("Acme Corp"))
      expect(Option.getOrThrow(byName).displayName).toBe("Acme Corp")
      expect(byDisplayName).toEqual(byName)
      expect(Option.isNone(yield* t.query(ReadModels.findOrganization("Nope")))).toBe(true)
      expect(yield* t.query(ReadModels.organizationsOf("bob"))).toEqual(["acme"])
      expect(yield* t.query(ReadModels.organizationsOf("carol"))).toEqual([])
    })
  )
})

describe("registries", () => {
  it.effect("a registry row with its grants, accepted types, visibility and protected aliases", () =>
    Effect.gen(function* () {
      const t = yield* world()
      const before = Option.getOrThrow(yield* t.query(ReadModels.findRegistry("acme", "Golden Datasets")))
      expect(before).toMatchObject({
        organization: "acme",
        registry: "Golden Datasets",
        visibility: "organization",
        description: "Curated data",
        acceptedTypes: [],
        protectedAliases: [],
        grants: [{ principal: { kind: "user", name: "alice" }, role: "admin" }],
        createdBy: "alice"
      })
      yield* t.given("Registry-acme/Golden Datasets", [
        new Registry.RegistryVisibilityChanged({ ...golden, visibility: "restricted" }),
        new Registry.ArtifactTypesAccepted({ ...golden, artifactTypes: ["dataset"] }),
        new Registry.ArtifactTypesAccepted({ ...golden, artifactTypes: ["model"] }),
        new Registry.RoleGranted({ ...golden, principal: { kind: "team", name: "ml" }, role: "member" }),
        new Registry.RoleGranted({ ...golden, principal: { kind: "team", name: "ml" }, role: "viewer" }),
        new Registry.RoleRevoked({ ...golden, principal: { kind: "user", name: "alice" } }),
        new Registry.ProtectedAliasesChanged({ ...golden, aliases: ["production"] })
      ])
      const after = Option.getOrThrow(yield* t.query(ReadModels.findRegistry("acme", "Golden Datasets")))
      expect(after).toMatchObject({
        visibility: "restricted",
        acceptedTypes: ["dataset", "model"],
        grants: [{ principal: { kind: "team", name: "ml" }, role: "viewer" }],
        protectedAliases: ["production"]
      })
      expect((yield* t.query(ReadModels.listRegistries("acme"))).map((r) => r.registry)).toEqual(["Golden Datasets"])
      expect(Option.isNone(yield* t.query(ReadModels.findRegistry("acme", "Models")))).toBe(true)
    })
  )

  it.effect(
    "deleting a registry removes it, its grants, types, collections, links and aliases, never the sources",
    () =>
      Effect.gen(function* () {
        const t = yield* world()
        yield* t.given("Registry-acme/Golden Datasets", [
          new Registry.ArtifactTypesAccepted({ ...golden, artifactTypes: ["dataset"] })
        ])
        yield* t.given("Collection-c-images", [
          linked(0, 0),
          new Collection.AliasAssigned({ ...images, alias: "production", index: 0, movedFrom: null })
        ])
        yield* t.given("Registry-acme/Golden Datasets", [
          new Registry.RegistryDeleted({ ...golden, collectionIds: ["c-images"] })
        ])
        for (const table of [
          "registries",
          "registry_grants",
          "registry_accepted_types",
          "collections",
          "linked_versions",
          "collection_aliases"
        ]) {
          expect(yield* t.table(table)).toEqual([])
        }
        expect((yield* t.table("artifact_versions")).length).toBe(3)
        expect(yield* t.query(ReadModels.linksOfSource("ml/proj/raw:v0"))).toEqual([])
      })
  )
})

describe("collections and linked versions", () => {
  it.effect("a link: the linked version with its source's metadata, latest, and the collections of the source", () =>
    Effect.gen(function* () {
      const t = yield* world()
      yield* t.given("Collection-c-images", [linked(0, 2)], "bob")
      expect(yield* t.table("linked_versions")).toEqual([
        {
          ...images,
          index: 0,
          source: { ...raw, index: 2 },
          sourceKey: "ml/proj/raw:v2",
          artifactType: "dataset",
          digest: "digest-raw-2",
          linkedAt: expect.any(String),
          linkedBy: "bob"
        }
      ])
      const versions = yield* t.query(ReadModels.listVersions("c-images"))
      expect(versions.latest).toEqual(Option.some(0))
      expect(versions.versions[0]).toMatchObject({
        index: 0,
        sourceKey: "ml/proj/raw:v2",
        aliases: ["latest"],
        description: "raw v2",
        metadata: { rows: 30 },
        linkedBy: "bob"
      })
      expect(yield* t.query(ReadModels.linksOfSource("ml/proj/raw:v2"))).toEqual([
        { ...golden, collection: "raw_images", collectionId: "c-images", index: 0, aliases: ["latest"] }
      ])
      const audit = yield* t.table("audit")
      expect(audit[audit.length - 1]).toMatchObject({
        type: "ArtifactLinked",
        summary: "linked ml/proj/raw:v2 as wandb-registry-Golden Datasets/raw_images:v0",
        actor: "bob",
        ...images
      })
    })
  )

  it.effect("an alias moves between versions (movedFrom) and resolves by alias, index and latest", () =>
    Effect.gen(function* () {
      const t = yield* world()
      yield* t.given("Collection-c-images", [
        linked(0, 0),
        new Collection.AliasAssigned({ ...images, alias: "production", index: 0, movedFrom: null }),
        linked(1, 1),
        new Collection.AliasAssigned({ ...images, alias: "production", index: 1, movedFrom: 0 })
      ])
      expect(yield* t.table("collection_aliases")).toEqual([
        { collectionId: "c-images", alias: "production", index: 1, linkedVersion: `c-images/${Projections.pad(1)}` }
      ])
      expect(aliasesByIndex(yield* t.query(ReadModels.listVersions("c-images")))).toEqual({
        0: [],
        1: ["latest", "production"]
      })
      const resolve = (selector: VersionSelector) =>
        t.query(ReadModels.resolveLinked("acme", "Golden Datasets", "raw_images", selector))
      const production = Option.getOrThrow(yield* resolve(VersionSelector.alias("production")))
      expect(production.version.index).toBe(1)
      expect(production.collection.collectionId).toBe("c-images")
      expect(production.sourceVersion).toMatchObject({ artifactKey: rawKey, index: 1, aliases: [] })
      expect(Option.getOrThrow(yield* resolve(VersionSelector.alias("latest"))).version.index).toBe(1)
      expect(Option.getOrThrow(yield* resolve(VersionSelector.index(0))).version.sourceKey).toBe("ml/proj/raw:v0")
      expect(Option.isNone(yield* resolve(VersionSelector.index(7)))).toBe(true)
      expect(Option.isNone(yield* resolve(VersionSelector.alias("staging")))).toBe(true)
      const audit = yield* t.table("audit")
      expect(audit[audit.length - 1]?.summary).toContain("(moved from v0)")
    })
  )

  it.effect("unlinking the latest version removes its aliases and moves latest back; indexes are not reused", () =>
    Effect.gen(function* () {
      const t = yield* world()
      yield* t.given("Collection-c-images", [
        linked(0, 0),
        linked(1, 1),
        new Collection.AliasAssigned({ ...images, alias: "production", index: 1, movedFrom: null }),
        new Collection.AliasAssigned({ ...images, alias: "staging", index: 1, movedFrom: null })
      ])
      // the decider removes aliases first; the projection also drops any alias left on an unlinked version
      yield* t.given("Collection-c-images", [
        new Collection.AliasRemoved({ ...images, alias: "production", index: 1 }),
        new Collection.ArtifactUnlinked({ ...images, index: 1, source: { ...raw, index: 1 } })
      ])
      const versions = yield* t.query(ReadModels.listVersions("c-images"))
      expect(versions.latest).toEqual(Option.some(0))
      expect(aliasesByIndex(versions)).toEqual({ 0: ["latest"] })
      expect(yield* t.table("collection_aliases")).toEqual([])
      expect(yield* t.query(ReadModels.linksOfSource("ml/proj/raw:v1"))).toEqual([])
      yield* t.given("Collection-c-images", [
        new Collection.ArtifactUnlinked({ ...images, index: 0, source: { ...raw, index: 0 } })
      ])
      expect((yield* t.query(ReadModels.listVersions("c-images"))).latest).toEqual(Option.none())
    })
  )

  it.effect("renaming and updating a collection; the catalog finds it by name, description and tags", () =>
    Effect.gen(function* () {
      const t = yield* world()
      yield* t.given("Collection-c-images", [linked(0, 0), linked(1, 1)])
      yield* t.given("Registry-acme/Golden Datasets", [
        new Registry.CollectionRenamed({ ...images, from: "raw_images", to: "Golden Images" }),
        new Registry.CollectionUpdated({ ...images, description: "Hand-checked photos", tags: ["vision", "golden"] })
      ])
      expect(Option.isNone(yield* t.query(ReadModels.findCollection("acme", "Golden Datasets", "raw_images")))).toBe(
        true
      )
      const found = Option.getOrThrow(
        yield* t.query(ReadModels.findCollection("acme", "Golden Datasets", "Golden Images"))
      )
      expect(found).toMatchObject({
        collectionId: "c-images",
        description: "Hand-checked photos",
        tags: ["vision", "golden"]
      })
      expect(yield* t.query(ReadModels.listCollections("acme", "Golden Datasets"))).toEqual([
        { ...found, versionCount: 2 }
      ])
      const search = (text: string) =>
        Effect.map(t.query(ReadModels.searchCatalog("acme", text)), (entries) =>
          entries.map((entry) =>
            entry._tag === "Registry" ? `registry ${entry.registry}` : `collection ${entry.name} ${entry.versionCount}`
          )
        )
      expect(yield* search("VISION")).toEqual(["collection Golden Images 2"])
      expect(yield* search("photos")).toEqual(["collection Golden Images 2"])
      expect(yield* search("golden")).toEqual(["registry Golden Datasets", "collection Golden Images 2"])
      expect(yield* search("curated")).toEqual(["registry Golden Datasets"])
      expect(yield* search("nothing like it")).toEqual([])
      expect((yield* t.query(ReadModels.linksOfSource("ml/proj/raw:v0")))[0]?.collection).toBe("Golden Images")
    })
  )

  it.effect("deleting a collection removes its links and aliases, never the source versions", () =>
    Effect.gen(function* () {
      const t = yield* world()
      yield* t.given("Collection-c-images", [
        linked(0, 0),
        new Collection.AliasAssigned({ ...images, alias: "production", index: 0, movedFrom: null })
      ])
      yield* t.given("Registry-acme/Golden Datasets", [
        new Registry.CollectionDeleted({ ...images, collection: "raw_images" })
      ])
      expect(yield* t.table("collections")).toEqual([])
      expect(yield* t.table("linked_versions")).toEqual([])
      expect(yield* t.table("collection_aliases")).toEqual([])
      expect(yield* t.query(ReadModels.listCollections("acme", "Golden Datasets"))).toEqual([])
      expect((yield* t.query(ReadModels.listArtifactVersions("ml", "proj", "raw"))).versions.length).toBe(3)
    })
  )
})

describe("source artifact versions", () => {
  it.effect("logged versions with aliases; latest is the highest not deleted; updates show on their links", () =>
    Effect.gen(function* () {
      const t = yield* world()
      expect(yield* t.table("artifact_versions")).toContainEqual({
        ...raw,
        artifactKey: rawKey,
        index: 0,
        artifactType: "dataset",
        digest: "digest-raw-0",
        files: files("raw-0"),
        metadata: { rows: 10 },
        description: "raw v0",
        loggedBy: "ml/proj/r1",
        loggedAt: expect.any(String),
        loggedByUser: "bob",
        deleted: false,
        tags: []
      })
      yield* t.given("Artifact-ml/proj/raw", [
        new Artifact.ArtifactAliasAssigned({ artifact: rawKey, alias: "best", index: 0, movedFrom: null }),
        new Artifact.ArtifactAliasAssigned({ artifact: rawKey, alias: "best", index: 1, movedFrom: 0 }),
        new Artifact.ArtifactVersionUpdated({
          artifact: rawKey,
          index: 1,
          description: "cleaned",
          metadata: { rows: 5 }
        })
      ])
      yield* t.given("Collection-c-images", [linked(0, 1)])
      const listed = yield* t.query(ReadModels.listArtifactVersions("ml", "proj", "raw"))
      expect(listed.latest).toEqual(Option.some(2))
      expect(listed.versions.map((version) => version.aliases)).toEqual([[], ["best"], ["latest"]])
      expect((yield* t.query(ReadModels.listVersions("c-images"))).versions[0]).toMatchObject({
        description: "cleaned",
        metadata: { rows: 5 }
      })
      yield* t.given("Artifact-ml/proj/raw", [new Artifact.SourceVersionDeleted({ artifact: rawKey, index: 2 })])
      const find = (selector: VersionSelector) => t.query(ReadModels.findArtifactVersion("ml", "proj", "raw", selector))
      expect(Option.getOrThrow(yield* find(VersionSelector.alias("latest"))).index).toBe(1)
      expect(Option.getOrThrow(yield* find(VersionSelector.alias("latest"))).aliases).toEqual(["latest", "best"])
      expect(Option.getOrThrow(yield* find(VersionSelector.index(2))).deleted).toBe(true)
      expect(Option.getOrThrow(yield* find(VersionSelector.alias("best"))).index).toBe(1)
      yield* t.given("Artifact-ml/proj/raw", [
        new Artifact.ArtifactAliasRemoved({ artifact: rawKey, alias: "best", index: 1 })
      ])
      expect(Option.isNone(yield* find(VersionSelector.alias("best")))).toBe(true)
      expect(Option.isNone(yield* find(VersionSelector.index(9)))).toBe(true)
    })
  )

  it.effect("lineage in both directions: producer, consumers and their other inputs and outputs, up to a depth", () =>
    Effect.gen(function* () {
      const t = yield* world()
      // r1 produced raw:v0; r2 produced raw:v1 and used raw:v0; r3 used raw:v1 and produced model:v0; r4 used model:v0
      yield* t.given("Artifact-ml/proj/raw", [
        new Artifact.ArtifactUsed({ artifact: rawKey, index: 0, usedBy: run("r2") })
      ])
      yield* t.given("Artifact-ml/proj/raw", [
        new Artifact.ArtifactUsed({ artifact: rawKey, index: 1, usedBy: run("r3") })
      ])
      yield* t.given("Artifact-ml/proj/model", [logged(0, run("r3"), "model", "model")])
      yield* t.given("Artifact-ml/proj/model", [
        new Artifact.ArtifactUsed({ artifact: "ml/proj/model", index: 0, usedBy: run("r4") })
      ])
      expect(yield* t.table("lineage_edges")).toContainEqual({
        kind: "used",
        run: "ml/proj/r2",
        version: "ml/proj/raw:v0"
      })
      const ids = (graph: ReadModels.LineageGraph) => graph.nodes.map((node) => node.id).sort()
      const around = (version: string, depth: number) => t.query(ReadModels.lineage(version, { depth }))
      expect(ids(yield* around("ml/proj/raw:v0", 0))).toEqual(["ml/proj/raw:v0"])
      expect(ids(yield* around("ml/proj/raw:v0", 1))).toEqual(["ml/proj/r1", "ml/proj/r2", "ml/proj/raw:v0"])
      expect(ids(yield* around("ml/proj/raw:v0", 2))).toEqual([
        "ml/proj/r1",
        "ml/proj/r2",
        "ml/proj/raw:v0",
        "ml/proj/raw:v1"
      ])
      const deep = yield* around("ml/proj/raw:v0", 5)
      expect(ids(deep)).toEqual([
        "ml/proj/model:v0",
        "ml/proj/r1",
        "ml/proj/r2",
        "ml/proj/r3",
        "ml/proj/r4",
        "ml/proj/raw:v0",
        "ml/proj/raw:v1"
      ])
      expect(deep.edges).toContainEqual({ from: "ml/proj/r3", to: "ml/proj/model:v0", kind: "produced" })
      expect(deep.edges).toContainEqual({ from: "ml/proj/raw:v0", to: "ml/proj/r2", kind: "used" })
      expect(deep.nodes.find((node) => node.id === "ml/proj/r3")?.kind).toBe("run")
      // upstream from the model: its producer, the producer's inputs and their producers
      expect(ids(yield* around("ml/proj/model:v0", 2))).toEqual([
        "ml/proj/model:v0",
        "ml/proj/r3",
        "ml/proj/r4",
        "ml/proj/raw:v1"
      ])
    })
  )
})

describe("audit history", () => {
  const historyWorld = Effect.gen(function* () {
    const t = yield* world()
    yield* t.given("Collection-c-images", [linked(0, 0)], "bob")
    yield* t.given(
      "Artifact-carol/sandbox/notes",
      [
        new Artifact.VersionAssigned({
          entity: "carol",
          project: "sandbox",
          name: "notes",
          index: 0,
          artifactType: "dataset",
          digest: "digest-notes-0",
          files: files("notes"),
          metadata: {},
          description: "",
          loggedBy: null
        })
      ],
      "carol"
    )
    return t
  })

  it.effect("every event with its envelope, in feed order", () =>
    Effect.gen(function* () {
      const t = yield* historyWorld
      const all = yield* t.query(ReadModels.history())
      expect(all.map((row) => row.globalPosition)).toEqual(t.events.map((event) => event.globalPosition))
      const created = all.find((row) => row.type === "RegistryCreated")
      expect(created).toMatchObject({
        schemaVersion: 2,
        streamId: "Registry-acme/Golden Datasets",
        streamPosition: 1,
        actor: "alice",
        ...golden,
        collectionId: null,
        summary: "created registry wandb-registry-Golden Datasets in acme (visibility organization, accepts every type)"
      })
      const event = t.events.find((e) => e.type === "RegistryCreated")!
      expect(created).toMatchObject({ eventId: event.eventId, hash: event.hash, recordedAt: event.metadata.recordedAt })
    })
  )

  it.effect("filters by organization (with its teams' artifacts), registry, collection, actor, time and limit", () =>
    Effect.gen(function* () {
      const t = yield* historyWorld
      const types = (filter: ReadModels.HistoryFilter) =>
        Effect.map(t.query(ReadModels.history(filter)), (rows) => rows.map((row) => row.type))
      const acme = yield* types({ organization: "acme" })
      expect(acme).toContain("VersionAssigned")
      expect(acme).toContain("TeamCreated")
      expect((yield* t.query(ReadModels.history({ organization: "acme" }))).some((row) => row.entity === "carol")).toBe(
        false
      )
      expect(yield* types({ organization: "acme", registry: "Golden Datasets" })).toEqual([
        "RegistryCreated",
        "RoleGranted",
        "CollectionCreated",
        "ArtifactLinked"
      ])
      expect(yield* types({ collectionId: "c-images" })).toEqual(["CollectionCreated", "ArtifactLinked"])
      expect(yield* types({ actor: "bob" })).toEqual([
        "VersionAssigned",
        "VersionAssigned",
        "VersionAssigned",
        "ArtifactLinked"
      ])
      const link = t.events.find((event) => event.type === "ArtifactLinked")!
      expect(yield* types({ since: link.metadata.recordedAt })).toEqual(["ArtifactLinked", "VersionAssigned"])
      expect(yield* types({ until: link.metadata.recordedAt, limit: 2 })).toEqual([
        "CollectionCreated",
        "ArtifactLinked"
      ])
      expect(yield* types({ since: link.metadata.recordedAt, until: link.metadata.recordedAt })).toEqual([
        "ArtifactLinked"
      ])
    })
  )
})
