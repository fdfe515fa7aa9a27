/**
 * Events and registry state for the benchmarks: an organization with a team, a member and a registry (created
 * through commands), and bulk history (source versions, links) appended as pre-built domain events in big batches
 * through the EventStore, which is much faster than running one command per event and stores the same rows.
 */
import { createHash, randomUUID } from "node:crypto"
import {
  Artifact,
  Collection,
  collectionPath,
  type EventMetadataJson,
  Events,
  type EventStoreShape,
  type JsonObject,
  type NewEvent,
  type RegistrarShape,
  Registry
} from "@registrar/domain"
import { Effect } from "effect"

/** The names every scenario's registry uses. */
export interface World {
  readonly organization: string
  readonly registry: string
  readonly team: string
  readonly admin: string
  readonly member: string
  readonly project: string
  readonly artifactType: string
}

/** A collection of the world's registry: its name, its id (for its stream) and its link target. */
export interface CollectionRef {
  readonly name: string
  readonly id: string
  readonly target: string
}

const digestOf = (text: string): string => createHash("sha256").update(text).digest("hex")

/** Envelope metadata as the application service writes it. */
export const metadataOf = (actor: string): EventMetadataJson => ({
  actor,
  recordedAt: new Date().toISOString(),
  correlationId: randomUUID()
})

const withData = (template: ReturnType<typeof Events.encode>, data: JsonObject, actor: string): NewEvent => ({
  eventId: randomUUID(),
  type: template.type,
  schemaVersion: template.schemaVersion,
  data,
  metadata: metadataOf(actor)
})

const linkedTemplate = Events.encode(
  new Collection.ArtifactLinked({
    organization: "o",
    registry: "r",
    collectionId: "c",
    collection: "c",
    index: 0,
    source: { entity: "e", project: "p", name: "n", index: 0 },
    artifactType: "model",
    digest: digestOf("0")
  })
)

/** An `ArtifactLinked` event as the application service stores it (the payload of the append benchmarks). */
export const linkedEvent = (
  world: World,
  collection: { readonly id: string; readonly name: string },
  index: number,
  source: { readonly entity: string; readonly project: string; readonly name: string; readonly index: number }
): NewEvent =>
  withData(
    linkedTemplate,
    {
      ...linkedTemplate.data,
      organization: world.organization,
      registry: world.registry,
      collectionId: collection.id,
      collection: collection.name,
      index,
      source,
      artifactType: world.artifactType,
      digest: digestOf(`${source.entity}/${source.project}/${source.name}:v${source.index}`)
    },
    world.member
  )

const versionTemplate = Events.encode(
  new Artifact.VersionAssigned({
    entity: "e",
    project: "p",
    name: "n",
    index: 0,
    artifactType: "model",
    digest: digestOf("0"),
    files: [{ path: "model.safetensors", sha256: digestOf("file"), size: 1 }],
    metadata: { epochs: 3, accuracy: 0.91 },
    description: "",
    loggedBy: null
  })
)

/** A `VersionAssigned` event (a logged source version) as the application service stores it. */
export const versionEvent = (world: World, name: string, index: number): NewEvent =>
  withData(
    versionTemplate,
    {
      ...versionTemplate.data,
      entity: world.team,
      project: world.project,
      name,
      index,
      artifactType: world.artifactType,
      digest: digestOf(`${world.team}/${world.project}/${name}:v${index}`),
      files: [{ path: "model.safetensors", sha256: digestOf(`${name}:${index}`), size: 1024 + index }]
    },
    world.member
  )

/** Creates the organization, its team (with the member), the registry and the member's role, by commands. */
export const createWorld = (registrar: RegistrarShape, tag = "bench") =>
  Effect.gen(function* () {
    const world: World = {
      organization: `${tag}-org`,
      registry: "Bench",
      team: `${tag}-team`,
      admin: `${tag}-admin`,
      member: `${tag}-member`,
      project: "models",
      artifactType: "model"
    }
    const admin = world.admin
    yield* registrar.createUser({ actor: admin, user: admin })
    yield* registrar.createOrganization({ actor: admin, organization: world.organization, displayName: "Bench Org" })
    yield* registrar.createUser({
      actor: admin,
      user: world.member,
      organization: world.organization,
      organizationRole: "member"
    })
    yield* registrar.createTeam({ actor: admin, team: world.team, organization: world.organization })
    yield* registrar.addTeamMember({ actor: admin, team: world.team, user: world.member })
    yield* registrar.createRegistry({ actor: admin, organization: world.organization, registry: world.registry })
    yield* registrar.grantRole({
      actor: admin,
      organization: world.organization,
      registry: world.registry,
      principal: { kind: "user", name: world.member },
      role: "member"
    })
    return world
  })

/** Appends `events` to one stream in batches of `batchSize`, each at the stream's exact version. */
export const appendInBatches = (
  store: EventStoreShape,
  streamId: string,
  events: (index: number) => NewEvent,
  count: number,
  batchSize = 5_000
) =>
  Effect.gen(function* () {
    let version = yield* store.streamVersion(streamId)
    for (let start = 0; start < count; start += batchSize) {
      const batch = Array.from({ length: Math.min(batchSize, count - start) }, (_, offset) => events(start + offset))
      version = (yield* store.append(streamId, batch, version === 0 ? "no_stream" : version)).nextExpectedVersion
    }
    return version
  })

/**
 * Logs `artifacts × versions` source versions (artifacts `src-0`, `src-1`, … of the world's team) and returns
 * their references, ordered so that consecutive references belong to different artifacts.
 */
export const seedSources = (store: EventStoreShape, world: World, artifacts: number, versions: number) =>
  Effect.gen(function* () {
    for (let artifact = 0; artifact < artifacts; artifact++) {
      const name = `src-${artifact}`
      yield* appendInBatches(
        store,
        Artifact.streamId(world.team, world.project, name),
        (index) => versionEvent(world, name, index),
        versions
      )
    }
    const references: Array<string> = []
    for (let index = 0; index < versions; index++) {
      for (let artifact = 0; artifact < artifacts; artifact++) {
        references.push(`${world.team}/${world.project}/src-${artifact}:v${index}`)
      }
    }
    return references
  })

/** Creates empty collections by command and finds their ids in the registry's stream. */
export const createCollections = (
  registrar: RegistrarShape,
  store: EventStoreShape,
  world: World,
  names: ReadonlyArray<string>
) =>
  Effect.gen(function* () {
    for (const name of names) {
      yield* registrar.createCollection({
        actor: world.member,
        collection: collectionPath(world.registry, name),
        type: world.artifactType
      })
    }
    const recorded = yield* store.readStream(Registry.streamId(world.organization, world.registry))
    const ids = new Map<string, string>()
    for (const event of recorded) {
      if (event.type === "CollectionCreated") ids.set(String(event.data.collection), String(event.data.collectionId))
    }
    return names.map(
      (name): CollectionRef => ({ name, id: ids.get(name)!, target: collectionPath(world.registry, name) })
    )
  })

/** Appends `count` links of made-up source versions to a collection, as if they had been linked one by one. */
export const seedLinks = (store: EventStoreShape, world: World, collection: CollectionRef, count: number) =>
  appendInBatches(
    store,
    Collection.streamId(collection.id),
    (index) =>
      linkedEvent(world, collection, index, {
        entity: world.team,
        project: "seeded",
        name: `seeded-${index % 1000}`,
        index: Math.floor(index / 1000)
      }),
    count
  )
