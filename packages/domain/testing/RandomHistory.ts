/**
 * Test helpers for projections and reads: a recorder that turns domain events into recorded events (as a store
 * would), a feed-only EventStore over them, and a generator of random valid histories, built by applying random
 * commands to the deciders (rejected commands simply record nothing).
 */
import { Effect, Either, FastCheck, HashMap, Option } from "effect"
import type { Actor } from "../src/Access.js"
import { effectiveRole, type RegistryRole, type Visibility } from "../src/Access.js"
import * as Artifact from "../src/Artifact.js"
import * as Collection from "../src/Collection.js"
import type { Decider } from "../src/Decider.js"
import * as Entity from "../src/Entity.js"
import { compareCheckpoints, type EventStoreShape, type RecordedEvent } from "../src/EventStore.js"
import * as Events from "../src/Events.js"
import * as Registry from "../src/Registry.js"

// ---- recording ---------------------------------------------------------------------------------------------------

/** Records domain events as a store would: positions, one transaction per call, minute-spaced times. */
export const makeRecorder = (start = Date.UTC(2025, 0, 1)) => {
  const events: Array<RecordedEvent> = []
  const streams = new Map<string, number>()
  let transaction = 0
  const record = (
    streamId: string,
    domainEvents: ReadonlyArray<Events.DomainEvent>,
    actor = "alice"
  ): ReadonlyArray<RecordedEvent> => {
    const transactionId = ++transaction
    const recordedAt = new Date(start + transactionId * 60_000).toISOString()
    return domainEvents.map((event) => {
      const globalPosition = events.length + 1
      const streamPosition = (streams.get(streamId) ?? 0) + 1
      streams.set(streamId, streamPosition)
      const recorded: RecordedEvent = {
        ...Events.toNewEvent(event, `event-${globalPosition}`, { actor, recordedAt }),
        streamId,
        streamPosition,
        globalPosition,
        transactionId,
        hash: `hash-${globalPosition}`
      }
      events.push(recorded)
      return recorded
    })
  }
  return { events, record }
}

/** An EventStore that only serves the global feed of `events` (which may grow); other operations are not used. */
export const feedOnly = (events: ReadonlyArray<RecordedEvent>): EventStoreShape => ({
  append: () => Effect.dieMessage("feedOnly: append is not used"),
  appendMany: () => Effect.dieMessage("feedOnly: appendMany is not used"),
  readStream: () => Effect.dieMessage("feedOnly: readStream is not used"),
  streamVersion: () => Effect.dieMessage("feedOnly: streamVersion is not used"),
  readAll: ({ after, limit }) =>
    Effect.sync(() => events.filter((event) => compareCheckpoints(event, after) > 0).slice(0, limit)),
  head: Effect.dieMessage("feedOnly: head is not used"),
  waitForAppends: () => Effect.void,
  chainKeying: Effect.dieMessage("feedOnly: chainKeying is not used")
})

// ---- random histories --------------------------------------------------------------------------------------------

/** The users who issue the random commands (alice administers the organization, bob is a member of team ml). */
const users = ["alice", "bob"] as const
const artifacts = [
  { entity: "ml", project: "proj", name: "raw", type: "dataset" },
  { entity: "ml", project: "proj", name: "model", type: "model" },
  { entity: "carol", project: "sandbox", name: "notes", type: "dataset" }
] as const
const registries = ["Golden Datasets", "Models"] as const
const collectionNames = ["raw_images", "finetuned", "Finetuned Llama-3.2"] as const
const aliases = ["production", "staging", "best"] as const
const runs = ["r1", "r2", "r3", "r4"] as const

/** The names random histories use: every user of the world, source artifacts, registries, collections, aliases. */
export const worldNames = {
  users: ["alice", "bob", "carol", "dave"],
  artifacts,
  registries,
  collections: collectionNames,
  aliases
} as const

const pick = <A>(items: ReadonlyArray<A>) => FastCheck.constantFrom(...items)
/** Picks among the existing versions (modulo their count), so that most steps name a version that exists. */
const index = FastCheck.integer({ min: 0, max: 20 })

const choose = (indexes: Iterable<number>, choice: number): number => {
  const existing = [...indexes]
  return existing.length === 0 ? choice : existing[choice % existing.length]!
}

/** One random command of the world (indexes point into the lists above). */
export const Step = FastCheck.oneof(
  {
    weight: 5,
    arbitrary: FastCheck.record({
      _tag: FastCheck.constant("Log" as const),
      artifact: pick(artifacts),
      content: FastCheck.integer({ min: 0, max: 3 }),
      run: FastCheck.option(pick(runs), { nil: null }),
      aliases: FastCheck.subarray([...aliases])
    })
  },
  {
    weight: 2,
    arbitrary: FastCheck.record({
      _tag: FastCheck.constant("Use" as const),
      artifact: pick(artifacts),
      index,
      run: pick(runs)
    })
  },
  {
    weight: 2,
    arbitrary: FastCheck.record({
      _tag: FastCheck.constant("ArtifactAlias" as const),
      artifact: pick(artifacts),
      index,
      alias: pick(aliases),
      remove: FastCheck.boolean()
    })
  },
  {
    weight: 1,
    arbitrary: FastCheck.record({
      _tag: FastCheck.constant("UpdateVersion" as const),
      artifact: pick(artifacts),
      index,
      note: FastCheck.integer({ min: 0, max: 2 })
    })
  },
  {
    weight: 1,
    arbitrary: FastCheck.record({
      _tag: FastCheck.constant("DeleteVersion" as const),
      artifact: pick(artifacts),
      index
    })
  },
  {
    weight: 1,
    arbitrary: FastCheck.record({
      _tag: FastCheck.constant("CreateRegistry" as const),
      registry: pick(registries),
      visibility: pick<Visibility>(["organization", "restricted"]),
      acceptedTypes: FastCheck.subarray(["dataset", "model"])
    })
  },
  {
    weight: 1,
    arbitrary: FastCheck.record({ _tag: FastCheck.constant("Restrict" as const), registry: pick(registries) })
  },
  {
    weight: 1,
    arbitrary: FastCheck.record({ _tag: FastCheck.constant("DeleteRegistry" as const), registry: pick(registries) })
  },
  {
    weight: 2,
    arbitrary: FastCheck.record({
      _tag: FastCheck.constant("Grant" as const),
      registry: pick(registries),
      principal: FastCheck.constantFrom(
        { kind: "user", name: "bob" } as const,
        { kind: "user", name: "dave" } as const,
        { kind: "team", name: "ml" } as const
      ),
      role: FastCheck.option(pick<RegistryRole>(["restricted_viewer", "viewer", "member", "admin"]), { nil: null })
    })
  },
  {
    weight: 1,
    arbitrary: FastCheck.record({
      _tag: FastCheck.constant("ProtectAliases" as const),
      registry: pick(registries),
      aliases: FastCheck.subarray([...aliases])
    })
  },
  {
    weight: 8,
    arbitrary: FastCheck.record({
      _tag: FastCheck.constant("Link" as const),
      registry: pick(registries),
      collection: pick(collectionNames),
      artifact: pick(artifacts),
      index,
      aliases: FastCheck.subarray([...aliases], { maxLength: 2 })
    })
  },
  {
    weight: 2,
    arbitrary: FastCheck.record({
      _tag: FastCheck.constant("Unlink" as const),
      registry: pick(registries),
      collection: pick(collectionNames),
      index
    })
  },
  {
    weight: 3,
    arbitrary: FastCheck.record({
      _tag: FastCheck.constant("CollectionAlias" as const),
      registry: pick(registries),
      collection: pick(collectionNames),
      index,
      alias: pick(aliases),
      remove: FastCheck.boolean()
    })
  },
  {
    weight: 1,
    arbitrary: FastCheck.record({
      _tag: FastCheck.constant("Rename" as const),
      registry: pick(registries),
      collection: pick(collectionNames),
      to: pick(collectionNames)
    })
  },
  {
    weight: 1,
    arbitrary: FastCheck.record({
      _tag: FastCheck.constant("UpdateCollection" as const),
      registry: pick(registries),
      collection: pick(collectionNames),
      tags: FastCheck.subarray(["images", "golden", "llm"])
    })
  },
  {
    weight: 1,
    arbitrary: FastCheck.record({
      _tag: FastCheck.constant("DeleteCollection" as const),
      registry: pick(registries),
      collection: pick(collectionNames)
    })
  }
)
/** One random command of the world. */
export type Step = typeof Step extends FastCheck.Arbitrary<infer A> ? A : never

/** A random command and the user who issues it. */
export const ActedStep = FastCheck.record({ step: Step, actor: pick(users) })

/**
 * A world of one organization (`acme`: admin alice, member bob, viewer dave; team `ml` of alice and bob; personal
 * user carol outside it) with registries `Golden Datasets` (organization-wide, team ml members) and `Models`
 * (restricted), and its streams.
 */
export const makeWorld = () => {
  const recorder = makeRecorder()
  const entities = new Map<string, Entity.State>()
  const artifactStates = new Map<string, Artifact.State>()
  const registryStates = new Map<string, Registry.State>()
  const collectionStates = new Map<string, Collection.State>()
  let nextCollection = 0

  const run = <C, E, S, R>(
    decider: Decider<C, E, S, R>,
    states: Map<string, S>,
    key: string,
    streamId: string,
    command: C,
    actor: string
  ): boolean => {
    const state = states.get(key) ?? decider.initialState
    const decided = decider.decide(command, state)
    if (Either.isLeft(decided) || decided.right.length === 0) return Either.isRight(decided)
    states.set(key, decided.right.reduce(decider.evolve, state))
    recorder.record(streamId, decided.right as unknown as ReadonlyArray<Events.DomainEvent>, actor)
    return true
  }
  const entity = (name: string, command: Entity.Command, actor: string) =>
    run(Entity.decider, entities, name, Entity.streamId(name), command, actor)

  for (const user of ["alice", "bob", "carol", "dave"]) {
    entity(user, { _tag: "CreateUser", user, actor: user, storeEmpty: true, organization: Option.none() }, user)
  }
  entity(
    "acme",
    { _tag: "CreateOrganization", organization: "acme", displayName: "Acme Corp", actor: "alice" },
    "alice"
  )
  const org = () => entities.get("acme") ?? Entity.initialState
  entity(
    "acme",
    { _tag: "SetOrganizationMember", organization: "acme", user: "bob", role: "member", actor: "alice" },
    "alice"
  )
  entity(
    "acme",
    { _tag: "SetOrganizationMember", organization: "acme", user: "dave", role: "viewer", actor: "alice" },
    "alice"
  )
  entity(
    "ml",
    {
      _tag: "CreateTeam",
      team: "ml",
      organization: "acme",
      actor: "alice",
      actorRole: Entity.organizationRole(org(), "alice")
    },
    "alice"
  )
  const teamCommand = {
    team: "ml",
    user: "bob",
    actor: "alice",
    actorRole: Option.some("admin" as const),
    userInOrganization: true
  }
  entity("ml", { _tag: "AddTeamMember", ...teamCommand }, "alice")

  const actorOf = (username: string): Actor => {
    const team = entities.get("ml")
    return {
      username,
      organizationRole: Entity.organizationRole(org(), username),
      teams: team?._tag === "Team" && team.members.has(username) ? ["ml"] : []
    }
  }
  const registryOf = (registry: string) =>
    registryStates.get(Registry.registryKey("acme", registry)) ?? Registry.initialState
  const registryCommand = (registry: string, actor: string, command: Registry.Command) =>
    run(
      Registry.decider,
      registryStates,
      Registry.registryKey("acme", registry),
      Registry.streamId("acme", registry),
      command,
      actor
    )
  const artifactOf = (a: (typeof artifacts)[number]) =>
    artifactStates.get(Artifact.artifactKey(a.entity, a.project, a.name)) ?? Artifact.initialState
  const versionOf = (a: (typeof artifacts)[number], choice: number) => {
    const state = artifactOf(a)
    return choose(state._tag === "Present" ? state.versions.keys() : [], choice)
  }
  const linkOf = (context: Collection.Context, choice: number) =>
    choose(HashMap.keys((collectionStates.get(context.collectionId) ?? Collection.initialState).versions), choice)
  const artifactCommand = (a: (typeof artifacts)[number], actor: string, command: Artifact.Command) =>
    run(
      Artifact.decider,
      artifactStates,
      Artifact.artifactKey(a.entity, a.project, a.name),
      Artifact.streamId(a.entity, a.project, a.name),
      command,
      actor
    )

  const contextOf = (registry: string, collection: string, actor: string): Collection.Context | undefined => {
    const state = registryOf(registry)
    if (state._tag !== "Active") return undefined
    const info = state.collections.get(collection)
    if (info === undefined) return undefined
    const who = actorOf(actor)
    return {
      organization: "acme",
      registry,
      collectionId: info.id,
      collection: info.name,
      artifactType: info.artifactType,
      acceptedTypes: state.acceptedTypes,
      protectedAliases: state.protectedAliases,
      actor: who,
      role: effectiveRole(state, who)
    }
  }
  const collectionCommand = (context: Collection.Context, command: Collection.Command) =>
    run(
      Collection.decider,
      collectionStates,
      context.collectionId,
      Collection.streamId(context.collectionId),
      command,
      context.actor.username
    )

  const apply = ({ step, actor }: { readonly step: Step; readonly actor: string }): void => {
    const who = actorOf(actor)
    const names = { organization: "acme", actor: who }
    switch (step._tag) {
      case "Log": {
        const a = step.artifact
        const files = [{ path: "data.bin", sha256: `content-${step.content}`, size: step.content }]
        const loggedBy = step.run === null ? null : { entity: a.entity, project: a.project, runId: step.run }
        artifactCommand(a, actor, {
          _tag: "LogVersion",
          entity: a.entity,
          project: a.project,
          name: a.name,
          artifactType: a.type,
          files,
          metadata: { content: step.content },
          description: `content ${step.content}`,
          aliases: step.aliases,
          loggedBy
        })
        return
      }
      case "Use": {
        const a = step.artifact
        artifactCommand(a, actor, {
          _tag: "UseVersion",
          index: versionOf(a, step.index),
          usedBy: { entity: "ml", project: "proj", runId: step.run }
        })
        return
      }
      case "ArtifactAlias":
        artifactCommand(step.artifact, actor, {
          _tag: step.remove ? "RemoveAlias" : "AssignAlias",
          index: versionOf(step.artifact, step.index),
          alias: step.alias
        })
        return
      case "UpdateVersion":
        artifactCommand(step.artifact, actor, {
          _tag: "UpdateVersion",
          index: versionOf(step.artifact, step.index),
          description: `note ${step.note}`,
          metadata: { note: step.note }
        })
        return
      case "DeleteVersion":
        artifactCommand(step.artifact, actor, {
          _tag: "DeleteVersion",
          index: versionOf(step.artifact, step.index),
          protectedLinks: []
        })
        return
      case "CreateRegistry":
        registryCommand(step.registry, actor, {
          _tag: "CreateRegistry",
          ...names,
          registry: step.registry,
          visibility: step.visibility,
          description: `the ${step.registry} registry`,
          acceptedTypes: step.acceptedTypes
        })
        return
      case "Restrict":
        registryCommand(step.registry, actor, {
          _tag: "ChangeVisibility",
          ...names,
          registry: step.registry,
          visibility: "restricted"
        })
        return
      case "DeleteRegistry":
        registryCommand(step.registry, actor, { _tag: "DeleteRegistry", ...names, registry: step.registry })
        return
      case "Grant":
        registryCommand(
          step.registry,
          actor,
          step.role === null
            ? { _tag: "RevokeRole", ...names, registry: step.registry, principal: step.principal }
            : { _tag: "GrantRole", ...names, registry: step.registry, principal: step.principal, role: step.role }
        )
        return
      case "ProtectAliases":
        registryCommand(step.registry, actor, {
          _tag: "SetProtectedAliases",
          ...names,
          registry: step.registry,
          aliases: step.aliases
        })
        return
      case "Link": {
        const source = artifactOf(step.artifact)
        const sourceIndex = versionOf(step.artifact, step.index)
        const version = source._tag === "Present" ? source.versions.get(sourceIndex) : undefined
        if (source._tag !== "Present" || version === undefined || version.deleted) return
        const created = registryCommand(step.registry, actor, {
          _tag: "CreateCollection",
          ...names,
          registry: step.registry,
          collectionId: `collection-${nextCollection++}`,
          collection: step.collection,
          artifactType: source.artifactType,
          description: "",
          tags: [],
          implicit: true
        })
        const context = contextOf(step.registry, step.collection, actor)
        if (!created || context === undefined) return
        const team = entities.get(source.entity)
        const sourceEntity: Collection.SourceEntity =
          team?._tag === "Team"
            ? { kind: "team", team: team.name, organization: team.organization, members: [...team.members] }
            : { kind: "user", user: source.entity }
        collectionCommand(context, {
          _tag: "Link",
          context,
          aliases: step.aliases,
          sourceType: source.artifactType,
          sourceDigest: version.digest,
          sourceEntity,
          source: { entity: source.entity, project: source.project, name: source.name, index: sourceIndex }
        })
        return
      }
      case "Unlink":
      case "CollectionAlias": {
        const context = contextOf(step.registry, step.collection, actor)
        if (context === undefined) return
        collectionCommand(
          context,
          step._tag === "Unlink"
            ? { _tag: "Unlink", context, index: linkOf(context, step.index) }
            : {
                _tag: step.remove ? "RemoveAlias" : "AssignAlias",
                context,
                index: linkOf(context, step.index),
                alias: step.alias
              }
        )
        return
      }
      case "Rename":
        registryCommand(step.registry, actor, {
          _tag: "RenameCollection",
          ...names,
          registry: step.registry,
          collection: step.collection,
          to: step.to
        })
        return
      case "UpdateCollection":
        registryCommand(step.registry, actor, {
          _tag: "UpdateCollection",
          ...names,
          registry: step.registry,
          collection: step.collection,
          description: Option.some(`tagged ${step.tags.join(" ")}`),
          tags: Option.some(step.tags)
        })
        return
      case "DeleteCollection":
        registryCommand(step.registry, actor, {
          _tag: "DeleteCollection",
          ...names,
          registry: step.registry,
          collection: step.collection
        })
        return
    }
  }

  apply({
    actor: "alice",
    step: { _tag: "CreateRegistry", registry: "Golden Datasets", visibility: "organization", acceptedTypes: [] }
  })
  apply({
    actor: "alice",
    step: { _tag: "CreateRegistry", registry: "Models", visibility: "restricted", acceptedTypes: ["model"] }
  })
  const team = { kind: "team", name: "ml" } as const
  apply({ actor: "alice", step: { _tag: "Grant", registry: "Golden Datasets", principal: team, role: "member" } })
  apply({ actor: "alice", step: { _tag: "Log", artifact: artifacts[0], content: 0, run: "r1", aliases: [] } })

  return { events: recorder.events, apply, registryStates, artifactStates, collectionStates, actorOf, registryOf }
}
