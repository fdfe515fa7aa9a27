/**
 * Laws every decider keeps over any sequence of commands (fast-check): invariants hold after every step, a retried
 * command is a no-op (it emits nothing or is rejected), and replaying the emitted events, as stored (encode → JSON
 * text → decode), rebuilds an identical state. Commands are drawn from small pools of names so that sequences
 * collide often (re-links, moved aliases, unlinked indexes, duplicate names).
 */
import { describe, expect, it } from "@effect/vitest"
import { Either, HashMap, Option } from "effect"
import * as fc from "effect/FastCheck"
import { type Actor, atLeast, canSee, effectiveRole, type Principal, type RegistryRole } from "../src/Access.js"
import * as Artifact from "../src/Artifact.js"
import * as Collection from "../src/Collection.js"
import { type Decider, fold, foldAll } from "../src/Decider.js"
import * as Entity from "../src/Entity.js"
import type { JsonObject } from "../src/EventStore.js"
import * as Events from "../src/Events.js"
import * as Registry from "../src/Registry.js"
import { logVersion, manifest, run } from "./fixtures/Artifacts.js"
import { ALICE, assignAlias, link, personal, removeAlias, source, team, unlink } from "./fixtures/Collections.js"
import { actor, ORG, OTHER_ORG, orgAdmin, orgMember, orgViewer, outsider, TEAM, teamMember } from "./fixtures/People.js"
import { type Body, by } from "./fixtures/Registries.js"

// ---- running a sequence ------------------------------------------------------------------------------------------

/** One accepted command: the state before, the events it emitted, the state after. */
interface Step<Command, Event, State> {
  readonly command: Command
  readonly before: State
  readonly events: ReadonlyArray<Event>
  readonly after: State
}

/** Applies every command in turn; rejected commands leave the state as it was. */
const runAll = <Command, Event, State, Rejection>(
  decider: Decider<Command, Event, State, Rejection>,
  commands: ReadonlyArray<Command>
) => {
  let state = decider.initialState
  const steps: Array<Step<Command, Event, State>> = []
  const rejected: Array<{ readonly command: Command; readonly state: State; readonly rejection: Rejection }> = []
  for (const command of commands) {
    const result = decider.decide(command, state)
    if (Either.isLeft(result)) {
      rejected.push({ command, state, rejection: result.left })
      continue
    }
    const after = fold(decider.evolve, state, result.right)
    steps.push({ command, before: state, events: result.right, after })
    state = after
  }
  return { state, steps, rejected, history: steps.flatMap((step) => step.events) }
}

/**
 * A fold of many events at once (which copies each map or set once and then changes the copy in place) ends where
 * folding them one at a time, each on fresh copies, ends; and the state it started from, a state someone else may
 * hold (a cache), is left as it was. The history is cut at `cut` (a fraction), the first part folded one by one.
 */
const expectFoldLikeOneByOne = <Command, Event, State, Rejection>(
  decider: Decider<Command, Event, State, Rejection>,
  commands: ReadonlyArray<Command>,
  cut: number,
  snapshot: (state: State) => unknown
) => {
  const { history } = runAll(decider, commands)
  const at = Math.floor(cut * history.length)
  const oneByOne = (from: State, events: ReadonlyArray<Event>) => {
    let state = from
    for (const event of events) state = decider.evolve(state, event)
    return state
  }
  const start = oneByOne(decider.initialState, history.slice(0, at))
  const startBefore = snapshot(start)
  const atOnce = foldAll(decider, start, history.slice(at))
  expect(snapshot(atOnce)).toEqual(snapshot(oneByOne(start, history.slice(at))))
  expect(snapshot(start)).toEqual(startBefore)
}

/** The events as a store gives them back: encoded, written as JSON text, read and decoded. */
const throughStorage = <Event extends Events.DomainEvent>(history: ReadonlyArray<Event>): ReadonlyArray<Event> =>
  history.map((event) => {
    const stored = JSON.parse(JSON.stringify(Events.encode(event))) as {
      type: string
      schemaVersion: number
      data: JsonObject
    }
    return Option.getOrThrow(Either.getOrThrow(Events.decode(stored))) as Event
  })

/** A retried accepted command changes nothing: it emits no event, or it is rejected. */
const expectRetryIsNoOp = <Command, Event, State, Rejection>(
  decider: Decider<Command, Event, State, Rejection>,
  steps: ReadonlyArray<Step<Command, Event, State>>
) => {
  for (const step of steps) {
    const retried = decider.decide(step.command, step.after)
    if (Either.isRight(retried)) expect(retried.right, JSON.stringify(step.command)).toEqual([])
  }
}

const compareKeys = (a: unknown, b: unknown) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0)
/** The entries of a map, in key order: equal maps give equal arrays, however they were built. */
const entries = <K, V>(map: Iterable<readonly [K, V]>) => [...map].sort(([a], [b]) => compareKeys(a, b))

const runs = { numRuns: 100 }

// ---- collections -------------------------------------------------------------------------------------------------

const ALIASES = ["best", "staging", "production", "candidate"] as const
const PROTECTED = ["production"]
const role = fc.oneof(
  { arbitrary: fc.constantFrom<RegistryRole>("member", "admin"), weight: 8 },
  { arbitrary: fc.constantFrom<RegistryRole | null>("restricted_viewer", "viewer", null), weight: 1 }
)
const anySource = fc
  .tuple(fc.constantFrom("llama", "mistral", "gemma"), fc.nat({ max: 2 }))
  .map(([name, index]) => source(name, index))
const index = fc.nat({ max: 5 })
const alias = fc.constantFrom(...ALIASES)

const collectionCommand: fc.Arbitrary<Collection.Command> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .record({
        version: anySource,
        aliases: fc.subarray([...ALIASES], { maxLength: 2 }),
        role,
        sourceType: fc.oneof(
          { arbitrary: fc.constant("model"), weight: 9 },
          { arbitrary: fc.constant("dataset"), weight: 1 }
        ),
        sourceEntity: fc.oneof(
          { arbitrary: fc.constant(team()), weight: 17 },
          { arbitrary: fc.constantFrom(team(["someone-else"]), team([ALICE], OTHER_ORG), personal("bob")), weight: 3 }
        )
      })
      .map(({ version, ...facts }) => link(version, { ...facts, protectedAliases: PROTECTED }))
  },
  {
    weight: 2,
    arbitrary: fc.tuple(index, role).map(([at, r]) => unlink(at, { role: r, protectedAliases: PROTECTED }))
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(alias, index, role)
      .map(([name, at, r]) => assignAlias(name, at, { role: r, protectedAliases: PROTECTED }))
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(alias, index, role)
      .map(([name, at, r]) => removeAlias(name, at, { role: r, protectedAliases: PROTECTED }))
  }
)
const collectionCommands = fc.array(collectionCommand, { maxLength: 40, size: "medium" })

const collectionSnapshot = (state: Collection.State) => ({
  versions: entries(state.versions),
  bySource: entries(state.bySource),
  aliases: entries(state.aliases),
  nextIndex: state.nextIndex,
  latest: state.latest
})

describe("Collection laws, over random command sequences", () => {
  it.prop(
    "indexes are gapless from v0 in link order and never reused",
    [collectionCommands],
    ([commands]) => {
      const { history, state } = runAll(Collection.decider, commands)
      const linkedIndexes = history.flatMap((event) => (event._tag === "ArtifactLinked" ? [event.index] : []))
      expect(linkedIndexes).toEqual(linkedIndexes.map((_, position) => position))
      expect(state.nextIndex).toBe(linkedIndexes.length)
    },
    { fastCheck: runs }
  )

  it.prop(
    "each alias is held by at most one linked version, and moves record where they came from",
    [collectionCommands],
    ([commands]) => {
      const { state, steps } = runAll(Collection.decider, commands)
      for (const name of ALIASES) {
        const holders = [...HashMap.keys(state.versions)].filter((at) => Collection.aliasesOf(state, at).includes(name))
        expect(holders.length).toBeLessThanOrEqual(1)
      }
      for (const [, at] of state.aliases) expect(HashMap.has(state.versions, at)).toBe(true)
      for (const step of steps) {
        let current = step.before
        for (const event of step.events) {
          if (event._tag === "AliasAssigned") {
            expect(event.movedFrom).toEqual(Option.getOrNull(HashMap.get(current.aliases, event.alias)))
            expect(event.movedFrom).not.toBe(event.index)
          }
          current = Collection.evolve(current, event)
        }
      }
    },
    { fastCheck: runs }
  )

  it.prop(
    "latest is the highest linked index, after every step",
    [collectionCommands],
    ([commands]) => {
      for (const step of runAll(Collection.decider, commands).steps) {
        const indexes = [...HashMap.keys(step.after.versions)]
        const highest = indexes.length === 0 ? Option.none() : Option.some(Math.max(...indexes))
        expect(step.after.latest).toEqual(highest)
        expect(
          Option.map(Collection.findVersion(step.after, { _tag: "Alias", alias: "latest" }), (v) => v.index)
        ).toEqual(highest)
      }
    },
    { fastCheck: runs }
  )

  it.prop(
    "a source version is linked at most once, and found at its index",
    [collectionCommands],
    ([commands]) => {
      const { state } = runAll(Collection.decider, commands)
      const sources = [...HashMap.values(state.versions)].map((version) => Collection.sourceKey(version.source))
      expect(new Set(sources).size).toBe(sources.length)
      for (const [at, version] of state.versions) {
        expect(Collection.findVersionOf(state, version.source)).toEqual(Option.some(at))
      }
    },
    { fastCheck: runs }
  )

  it.prop(
    "only members and admins change a collection, and only admins touch protected aliases",
    [collectionCommands],
    ([commands]) => {
      for (const { command, events } of runAll(Collection.decider, commands).steps) {
        if (events.length === 0) continue
        expect(atLeast(command.context.role, "member")).toBe(true)
        const touchesProtected = events.some(
          (event) =>
            (event._tag === "AliasAssigned" || event._tag === "AliasRemoved") && PROTECTED.includes(event.alias)
        )
        if (touchesProtected) expect(atLeast(command.context.role, "admin")).toBe(true)
      }
    },
    { fastCheck: runs }
  )

  it.prop(
    "a retried command is a no-op",
    [collectionCommands],
    ([commands]) => {
      expectRetryIsNoOp(Collection.decider, runAll(Collection.decider, commands).steps)
    },
    { fastCheck: runs }
  )

  it.prop(
    "replaying the stored events rebuilds an identical state",
    [collectionCommands],
    ([commands]) => {
      const { history, state } = runAll(Collection.decider, commands)
      const replayed = fold(Collection.evolve, Collection.initialState, throughStorage(history))
      expect(collectionSnapshot(replayed)).toEqual(collectionSnapshot(state))
    },
    { fastCheck: runs }
  )
})

// ---- registries --------------------------------------------------------------------------------------------------

const gina = actor("gina")
/** Mostly people who may create and manage the registry, so sequences get past its creation. */
const anyActor = fc.oneof(
  { arbitrary: fc.constantFrom<Actor>(orgAdmin, orgMember, teamMember), weight: 3 },
  { arbitrary: fc.constantFrom<Actor>(orgViewer, outsider, gina), weight: 1 }
)
const PRINCIPALS: ReadonlyArray<Principal> = [
  { kind: "user", name: orgMember.username },
  { kind: "user", name: orgViewer.username },
  { kind: "user", name: outsider.username },
  { kind: "user", name: "gina" },
  { kind: "team", name: TEAM }
]
const TYPES = ["model", "dataset", "code"]
const COLLECTIONS = ["Llama", "Mistral", "Golden Datasets"]
const anyRole = fc.constantFrom<RegistryRole>("restricted_viewer", "viewer", "member", "admin")
const collectionName = fc.constantFrom(...COLLECTIONS)
const tags = fc.subarray(["gold", "eval", "llm"])

const registryBody: fc.Arbitrary<Body> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      _tag: fc.constant("CreateRegistry" as const),
      visibility: fc.constantFrom("organization" as const, "restricted" as const),
      description: fc.constantFrom("", "models we ship"),
      acceptedTypes: fc.subarray(TYPES, { maxLength: 2 })
    })
  },
  {
    weight: 1,
    arbitrary: fc.record({
      _tag: fc.constant("ChangeVisibility" as const),
      visibility: fc.constantFrom("organization" as const, "restricted" as const)
    })
  },
  {
    weight: 1,
    arbitrary: fc.record({ _tag: fc.constant("AcceptTypes" as const), artifactTypes: fc.subarray(TYPES) })
  },
  {
    weight: 3,
    arbitrary: fc.record({
      _tag: fc.constant("GrantRole" as const),
      principal: fc.constantFrom(...PRINCIPALS),
      role: anyRole
    })
  },
  {
    weight: 1,
    arbitrary: fc.record({ _tag: fc.constant("RevokeRole" as const), principal: fc.constantFrom(...PRINCIPALS) })
  },
  {
    weight: 1,
    arbitrary: fc.record({
      _tag: fc.constant("SetProtectedAliases" as const),
      aliases: fc.subarray(["production", "staging", "best"])
    })
  },
  { weight: 1, arbitrary: fc.constant({ _tag: "DeleteRegistry" as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      _tag: fc.constant("RenameRegistry" as const),
      to: fc.constantFrom("Golden Datasets", "Models", "Renamed"),
      nameTaken: fc.boolean()
    })
  },
  {
    weight: 1,
    arbitrary: fc.record({
      _tag: fc.constant("DescribeRegistry" as const),
      description: fc.constantFrom("", "curated", "deprecated")
    })
  },
  {
    weight: 4,
    arbitrary: fc.record({
      _tag: fc.constant("CreateCollection" as const),
      collectionId: fc.uuid(),
      collection: collectionName,
      artifactType: fc.constantFrom(...TYPES),
      description: fc.constantFrom("", "curated"),
      tags,
      implicit: fc.boolean()
    })
  },
  {
    weight: 2,
    arbitrary: fc.record({
      _tag: fc.constant("RenameCollection" as const),
      collection: collectionName,
      to: collectionName
    })
  },
  {
    weight: 2,
    arbitrary: fc.record({
      _tag: fc.constant("UpdateCollection" as const),
      collection: collectionName,
      description: fc.option(fc.constantFrom("", "curated", "deprecated")).map(Option.fromNullable),
      tags: fc.option(tags).map(Option.fromNullable)
    })
  },
  {
    weight: 1,
    arbitrary: fc.record({ _tag: fc.constant("DeleteCollection" as const), collection: collectionName })
  }
)
/** Sequences that mostly start by creating the registry. */
const registryCommands = fc
  .tuple(
    fc.option(
      fc.tuple(
        fc.constantFrom(orgAdmin, orgMember),
        fc.constantFrom("organization" as const, "restricted" as const),
        fc.subarray(TYPES, { maxLength: 2 })
      ),
      { freq: 8 }
    ),
    fc.array(
      fc.tuple(anyActor, registryBody).map(([who, body]) => by(who, body)),
      { maxLength: 40, size: "medium" }
    )
  )
  .map(([creation, rest]) =>
    creation === null
      ? rest
      : [
          by(creation[0], {
            _tag: "CreateRegistry",
            visibility: creation[1],
            description: "",
            acceptedTypes: creation[2]
          }),
          ...rest
        ]
  )

const registrySnapshot = (state: Registry.State) =>
  state._tag === "Active" ? { ...state, collections: entries(state.collections) } : state

const ADMINISTRATION = new Set([
  "RegistryVisibilityChanged",
  "ArtifactTypesAccepted",
  "RoleGranted",
  "RoleRevoked",
  "ProtectedAliasesChanged",
  "RegistryDeleted",
  "RegistryRenamed",
  "RegistryDescribed"
])

describe("Registry laws, over random command sequences", () => {
  it.prop(
    "visibility only goes organization → restricted, accepted types only grow, collection types never change",
    [registryCommands],
    ([commands]) => {
      for (const { before, after } of runAll(Registry.decider, commands).steps) {
        if (before._tag !== "Active" || after._tag !== "Active") continue
        if (before.visibility === "restricted") expect(after.visibility).toBe("restricted")
        expect(after.acceptedTypes.slice(0, before.acceptedTypes.length)).toEqual(before.acceptedTypes)
        for (const info of before.collections.values()) {
          const now = [...after.collections.values()].find((candidate) => candidate.id === info.id)
          if (now !== undefined) expect(now.artifactType).toBe(info.artifactType)
        }
        const ids = [...after.collections.values()].map((info) => info.id)
        expect(new Set(ids).size).toBe(ids.length)
      }
    },
    { fastCheck: runs }
  )

  it.prop(
    "the collections' names by id name exactly the registry's collections, so a lookup by id finds what a scan finds",
    [registryCommands],
    ([commands]) => {
      for (const { after } of runAll(Registry.decider, commands).steps) {
        if (after._tag !== "Active") continue
        const scanned = [...after.collections.values()].map((info) => [info.id, info.name] as const)
        expect(new Map(scanned)).toEqual(after.collectionNames)
        for (const [id] of scanned) expect(Registry.collectionById(after, id)?.id).toBe(id)
      }
    },
    { fastCheck: runs }
  )

  it.prop(
    "only admins administer, only members write, and no one acts on a registry they cannot see",
    [registryCommands],
    ([commands]) => {
      for (const { command, before, events } of runAll(Registry.decider, commands).steps) {
        if (command._tag === "CreateRegistry" || before._tag !== "Active") continue
        const held = effectiveRole(before, command.actor)
        for (const event of events) {
          expect(atLeast(held, ADMINISTRATION.has(event._tag) ? "admin" : "member")).toBe(true)
        }
      }
    },
    { fastCheck: runs }
  )

  it.prop(
    "an outsider of the organization is told so; a registry a member cannot see answers RegistryNotFound, never InsufficientRole",
    [registryCommands],
    ([commands]) => {
      for (const { command, state, rejection } of runAll(Registry.decider, commands).rejected) {
        if (Option.isNone(command.actor.organizationRole)) expect(rejection._tag).toBe("NotAnOrganizationMember")
        else if (command._tag === "CreateRegistry") continue
        else if (state._tag !== "Active" || !canSee(state, command.actor))
          expect(rejection._tag).toBe("RegistryNotFound")
        else expect(rejection._tag).not.toBe("RegistryNotFound")
      }
    },
    { fastCheck: runs }
  )

  it.prop(
    "a retried command is a no-op",
    [registryCommands],
    ([commands]) => {
      expectRetryIsNoOp(Registry.decider, runAll(Registry.decider, commands).steps)
    },
    { fastCheck: runs }
  )

  it.prop(
    "replaying the stored events rebuilds an identical state",
    [registryCommands],
    ([commands]) => {
      const { history, state } = runAll(Registry.decider, commands)
      const replayed = fold(Registry.evolve, Registry.initialState, throughStorage(history))
      expect(registrySnapshot(replayed)).toEqual(registrySnapshot(state))
    },
    { fastCheck: runs }
  )

  it.prop(
    "a fold of many events at once ends where one-by-one folds end, and leaves its starting state as it was",
    [registryCommands, fc.double({ min: 0, max: 1, noNaN: true })],
    ([commands, cut]) => expectFoldLikeOneByOne(Registry.decider, commands, cut, registrySnapshot),
    { fastCheck: runs }
  )
})

// ---- artifacts ---------------------------------------------------------------------------------------------------

const CONTENTS = ["weights-a", "weights-b", "weights-c"]
const versionIndex = fc.nat({ max: 3 })
const artifactAlias = fc.constantFrom("best", "staging", "candidate")

const artifactCommand: fc.Arbitrary<Artifact.Command> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .record({
        content: fc.constantFrom(...CONTENTS),
        reversed: fc.boolean(),
        artifactType: fc.oneof(
          { arbitrary: fc.constant("model"), weight: 9 },
          { arbitrary: fc.constant("dataset"), weight: 1 }
        ),
        aliases: fc.subarray(["best", "staging", "candidate"], { maxLength: 2 }),
        metadata: fc.constantFrom({}, { lr: 0.1 }, { lr: 0.2, tags: ["a"] }),
        loggedBy: fc.option(fc.constantFrom(run("run-1"), run("run-2")), { nil: null })
      })
      .map(({ content, reversed, ...facts }) => {
        const files = manifest(content)
        return logVersion(reversed ? [...files].reverse() : files, facts)
      })
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(versionIndex, artifactAlias)
      .map(([at, name]) => ({ _tag: "AssignAlias" as const, index: at, alias: name }))
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(versionIndex, artifactAlias)
      .map(([at, name]) => ({ _tag: "RemoveAlias" as const, index: at, alias: name }))
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(versionIndex, fc.constantFrom(run("run-1"), run("run-3")))
      .map(([at, usedBy]) => ({ _tag: "UseVersion" as const, index: at, usedBy }))
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(versionIndex, fc.constantFrom("", "tuned"), fc.constantFrom({}, { accuracy: 0.9 }))
      .map(([at, description, metadata]) => ({ _tag: "UpdateVersion" as const, index: at, description, metadata }))
  },
  {
    weight: 1,
    arbitrary: fc.tuple(versionIndex, fc.boolean()).map(([at, guarded]) => ({
      _tag: "DeleteVersion" as const,
      index: at,
      protectedLinks: guarded ? [{ linkedVersion: "wandb-registry-model/Llama:v0", alias: "production" }] : []
    }))
  }
)
const artifactCommands = fc.array(artifactCommand, { maxLength: 40, size: "medium" })

const artifactSnapshot = (state: Artifact.State) =>
  state._tag === "Present" ? { ...state, versions: entries(state.versions), aliases: entries(state.aliases) } : state

describe("Artifact laws, over random command sequences", () => {
  it.prop(
    "versions are gapless from v0, the type is the first version's, and aliases point at live versions",
    [artifactCommands],
    ([commands]) => {
      const { history, state } = runAll(Artifact.decider, commands)
      const assigned = history.flatMap((event) => (event._tag === "VersionAssigned" ? [event] : []))
      expect(assigned.map((event) => event.index)).toEqual(assigned.map((_, position) => position))
      if (state._tag !== "Present") return
      expect(assigned.every((event) => event.artifactType === state.artifactType)).toBe(true)
      for (const [, at] of state.aliases) expect(state.versions.get(at)?.deleted).toBe(false)
    },
    { fastCheck: runs }
  )

  it.prop(
    "after a log, the newest live version has the logged content (identical content returns it)",
    [artifactCommands],
    ([commands]) => {
      for (const { command, before, after, events } of runAll(Artifact.decider, commands).steps) {
        if (command._tag !== "LogVersion") continue
        const newest = Option.getOrThrow(Artifact.latest(after))
        expect(newest.digest).toBe(Artifact.manifestDigest(command.files))
        for (const name of command.aliases)
          expect(after._tag === "Present" && after.aliases.get(name)).toBe(newest.index)
        const created = events.some((event) => event._tag === "VersionAssigned")
        if (!created)
          expect(Option.map(Artifact.latest(before), (version) => version.index)).toEqual(Option.some(newest.index))
      }
    },
    { fastCheck: runs }
  )

  it.prop(
    "a version with a protected link is never deleted",
    [artifactCommands],
    ([commands]) => {
      for (const { command, events } of runAll(Artifact.decider, commands).steps) {
        if (command._tag === "DeleteVersion" && command.protectedLinks.length > 0) expect(events).toEqual([])
      }
    },
    { fastCheck: runs }
  )

  it.prop(
    "a retried command is a no-op",
    [artifactCommands],
    ([commands]) => {
      expectRetryIsNoOp(Artifact.decider, runAll(Artifact.decider, commands).steps)
    },
    { fastCheck: runs }
  )

  it.prop(
    "replaying the stored events rebuilds an identical state",
    [artifactCommands],
    ([commands]) => {
      const { history, state } = runAll(Artifact.decider, commands)
      const replayed = fold(Artifact.evolve, Artifact.initialState, throughStorage(history))
      expect(artifactSnapshot(replayed)).toEqual(artifactSnapshot(state))
    },
    { fastCheck: runs }
  )

  it.prop(
    "a fold of many events at once ends where one-by-one folds end, and leaves its starting state as it was",
    [artifactCommands, fc.double({ min: 0, max: 1, noNaN: true })],
    ([commands, cut]) => expectFoldLikeOneByOne(Artifact.decider, commands, cut, artifactSnapshot),
    { fastCheck: runs }
  )
})

// ---- entities ----------------------------------------------------------------------------------------------------

const PEOPLE = ["olga", "omar", "tina"]
const person = fc.constantFrom(...PEOPLE)
const organizationRole = fc.constantFrom("admin" as const, "member" as const, "viewer" as const)
const entityCommand: fc.Arbitrary<Entity.Command> = fc.oneof(
  fc.tuple(person, fc.constantFrom("Display", "Other Display")).map(([who, displayName]) => ({
    _tag: "CreateOrganization" as const,
    organization: ORG,
    displayName,
    actor: who
  })),
  fc.tuple(person, person, organizationRole).map(([who, user, memberRole]) => ({
    _tag: "SetOrganizationMember" as const,
    organization: ORG,
    user,
    role: memberRole,
    actor: who
  })),
  fc.tuple(person, person).map(([who, user]) => ({
    _tag: "RemoveOrganizationMember" as const,
    organization: ORG,
    user,
    actor: who
  })),
  fc.tuple(person, fc.option(organizationRole)).map(([who, held]) => ({
    _tag: "CreateTeam" as const,
    team: ORG,
    organization: "parent-org",
    actor: who,
    actorRole: Option.fromNullable(held)
  })),
  fc
    .tuple(
      fc.constantFrom("AddTeamMember" as const, "RemoveTeamMember" as const),
      person,
      person,
      fc.option(organizationRole),
      fc.boolean()
    )
    .map(([tag, who, user, held, userInOrganization]) => ({
      _tag: tag,
      team: ORG,
      user,
      actor: who,
      actorRole: Option.fromNullable(held),
      userInOrganization
    })),
  fc
    .tuple(person, fc.boolean(), fc.boolean(), fc.option(organizationRole))
    .map(([who, storeEmpty, forOrganization, held]) => ({
      _tag: "CreateUser" as const,
      user: ORG,
      actor: who,
      storeEmpty,
      organization: forOrganization
        ? Option.some({ name: "parent-org", actorRole: Option.fromNullable(held) })
        : Option.none()
    })),
  fc.constantFrom("Golden Datasets", "Models").map((registry) => ({
    _tag: "BindRegistryName" as const,
    organization: ORG,
    registry,
    registryId: `${ORG}/${registry}#1`
  }))
)
const entityCommands = fc.array(entityCommand, { maxLength: 30, size: "medium" })

const entitySnapshot = (state: Entity.State) =>
  state._tag === "Organization"
    ? { ...state, members: entries(state.members), registries: entries(state.registries) }
    : state._tag === "Team"
      ? { ...state, members: [...state.members].sort() }
      : state

describe("Entity laws, over random command sequences", () => {
  it.prop(
    "a name is claimed once: by an organization, a team or a user",
    [entityCommands],
    ([commands]) => {
      const { steps } = runAll(Entity.decider, commands)
      const claims = steps.flatMap((step) =>
        step.events.filter((event) => ["OrganizationCreated", "TeamCreated", "UserCreated"].includes(event._tag))
      )
      expect(claims.length).toBeLessThanOrEqual(1)
    },
    { fastCheck: runs }
  )

  it.prop(
    "a retried command is a no-op",
    [entityCommands],
    ([commands]) => {
      expectRetryIsNoOp(Entity.decider, runAll(Entity.decider, commands).steps)
    },
    { fastCheck: runs }
  )

  it.prop(
    "replaying the stored events rebuilds an identical state",
    [entityCommands],
    ([commands]) => {
      const { history, state } = runAll(Entity.decider, commands)
      const replayed = fold(Entity.evolve, Entity.initialState, throughStorage(history))
      expect(entitySnapshot(replayed)).toEqual(entitySnapshot(state))
    },
    { fastCheck: runs }
  )

  it.prop(
    "a fold of many events at once ends where one-by-one folds end, and leaves its starting state as it was",
    [entityCommands, fc.double({ min: 0, max: 1, noNaN: true })],
    ([commands, cut]) => expectFoldLikeOneByOne(Entity.decider, commands, cut, entitySnapshot),
    { fastCheck: runs }
  )
})
