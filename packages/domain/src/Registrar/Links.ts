/**
 * Application handlers for linking: link a source version into a collection (creating the collection on first
 * link), unlink, and move aliases. This is where the linking rules of docs/behaviour.md ("Linking") meet the stores.
 */
import { Effect, Option } from "effect"
import { effectiveRole, type RegistryRole } from "../Access.js"
import * as Collection from "../Collection.js"
import { CannotUnlinkSource, LinkedVersionNotFound, PersonalEntityCannotLink } from "../Errors.js"
import { changeOf, collectionChange, execute, guardOf, loadCollectionFor } from "../internal/Loader.js"
import { randomUuid } from "../internal/Uuid.js"
import { validateUserAlias, validateUserAliases } from "../Names.js"
import {
  fullName,
  parseAnyRef,
  parseLinkTarget,
  parseRegistryPath,
  qualifiedName,
  type RegistryPath
} from "../Paths.js"
import * as Registry from "../Registry.js"
import { type Dependencies, resolveSource, type SourceVersion } from "./Artifacts.js"
import { envelope, findOrganization, idempotent, loadEntity, type Request } from "./Context.js"
import {
  type Authorized,
  authorizedRegistry,
  collectionContext,
  fullNameOf,
  locateVersion,
  registrySpec
} from "./Locate.js"

/** Input of {@link link}. */
export interface Link extends Request {
  /** The source version: `entity/project/name:vN|alias`, or a linked version (its source is linked). */
  readonly source: string
  /** The collection: `[ORG/]wandb-registry-R/C`. */
  readonly target: string
  readonly aliases?: ReadonlyArray<string>
}

/** The linked version a link produced or found. */
export interface LinkResult {
  /** `wandb-registry-R/C:vN` */
  readonly fullName: string
  /** `org/wandb-registry-R/C:vN` */
  readonly qualifiedName: string
  readonly organization: string
  readonly registry: string
  readonly collection: string
  readonly version: number
  readonly aliases: ReadonlyArray<string>
  /** `entity/project/name:vN` */
  readonly source: string
  /** False when the source was already linked there (only aliases changed). */
  readonly created: boolean
}

/** Links a source artifact version into a registry collection (docs/behaviour.md, "Linking", rules 1–11). */
export const link = (deps: Dependencies, input: Link) =>
  idempotent(
    input,
    "link",
    Effect.gen(function* () {
      const aliases = yield* validateUserAliases(input.aliases ?? [])
      const target = yield* parseLinkTarget(input.target)
      const key = `${Option.getOrElse(target.org, () => "")}\n${target.registry}\n${target.collection}`
      return yield* deps.serialize(key, execute(envelope(input), decideLink(deps, input, target, aliases)))
    })
  )

/** A source's entity when it is a team (rule 2: artifacts logged under a personal entity cannot be linked). */
export const linkingTeam = (source: SourceVersion) =>
  Effect.gen(function* () {
    const owner = yield* loadEntity(source.entity)
    if (owner.state._tag !== "Team") {
      const artifact = `${source.entity}/${source.project}/${source.name}`
      return yield* Effect.fail(new PersonalEntityCannotLink({ entity: source.entity, artifact }))
    }
    return {
      kind: "team",
      team: owner.state.name,
      organization: owner.state.organization,
      members: [...owner.state.members]
    } satisfies Collection.SourceEntity
  })

/**
 * Decides a link: the collection's new (or existing) version, and on first link the registry's new collection,
 * created with the source's type. Nothing is appended until every rule has been checked.
 */
const decideLink = (deps: Dependencies, input: Link, target: RegistryPath, aliases: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const source = yield* resolveSource(deps, input.source, input.actor)
    const team = yield* linkingTeam(source)
    const organization = yield* findOrganization(Option.getOrElse(target.org, () => team.organization))
    const authorized = yield* authorizedRegistry(organization, target.registry, input.actor, "see")
    const existing = authorized.registry.collections.get(target.collection)
    const info: Registry.CollectionInfo = existing ?? {
      id: yield* randomUuid,
      name: target.collection,
      artifactType: source.artifactType,
      description: "",
      tags: []
    }

    const linkedSource = { entity: source.entity, project: source.project, name: source.name, index: source.index }
    // Deciding a link reads the summary and whether this source is linked already: only that fact is looked up.
    const loaded = yield* loadCollectionFor(info.id, { sources: [linkedSource] })
    const events = yield* Collection.decide(
      {
        _tag: "Link",
        context: collectionContext(authorized, info),
        source: linkedSource,
        sourceType: source.artifactType,
        sourceDigest: source.version.digest,
        sourceEntity: team,
        aliases
      },
      loaded.state
    )
    const linked = collectionChange(info.id, loaded, events)
    // The registry's new collection (if any) and its first link commit together, and a link into an existing
    // collection commits only while the registry is as it was read (roles, protected aliases, the collection kept).
    const registryChange =
      existing === undefined
        ? yield* createCollectionOnFirstLink(authorized, target.registry, info)
        : registryGuard(authorized)

    const newVersion = events.find((event) => event._tag === "ArtifactLinked")
    const index = yield* Option.match(
      newVersion === undefined ? Collection.findVersionOf(linked.state, source) : Option.some(newVersion.index),
      {
        onNone: () => Effect.fail(new LinkedVersionNotFound({ name: `${source.reference} in ${target.collection}` })),
        onSome: Effect.succeed
      }
    )
    const result: LinkResult = {
      fullName: fullName(authorized.registry.registry, info.name, index),
      qualifiedName: qualifiedName(organization.name, authorized.registry.registry, info.name, index),
      organization: organization.name,
      registry: authorized.registry.registry,
      collection: info.name,
      version: index,
      aliases: Collection.aliasesOf(linked.state, index),
      source: source.reference,
      created: newVersion !== undefined
    }
    return { changes: [registryChange, linked], result }
  })

/** The registry's change that creates a collection implicitly, on the first link into it (rule 4). */
const createCollectionOnFirstLink = (authorized: Authorized, registry: string, info: Registry.CollectionInfo) =>
  Effect.map(
    Registry.decide(
      {
        _tag: "CreateCollection",
        organization: authorized.organization.name,
        registry,
        actor: authorized.actor,
        collectionId: info.id,
        collection: info.name,
        artifactType: info.artifactType,
        description: info.description,
        tags: info.tags,
        implicit: true
      },
      authorized.registry
    ),
    (events) =>
      changeOf(
        registrySpec,
        Registry.streamIdOf(authorized.registryId),
        { state: authorized.registry, version: authorized.version },
        events
      )
  )

/** A change that holds the registry at the version it was authorized against, appending nothing. */
const registryGuard = (authorized: Authorized) =>
  guardOf(Registry.streamIdOf(authorized.registryId), { version: authorized.version })

/** What an unlink or an alias change did to a linked version. */
export interface LinkedVersionChange {
  /** `wandb-registry-R/C:vN` */
  readonly fullName: string
  readonly version: number
  /** The version's aliases afterwards. */
  readonly aliases: ReadonlyArray<string>
  /** False when the version already was as asked. */
  readonly changed: boolean
  /** The actor's effective role in the registry (null when they have none). */
  readonly role: RegistryRole | null
}

/** Input of {@link unlink}. */
export interface Unlink extends Request {
  /** The linked version: `[ORG/]wandb-registry-R/C:vN` (or `:alias`). */
  readonly name: string
}

const changeLinked = (
  deps: Dependencies,
  input: Request & { readonly name: string },
  command: (index: number, context: Collection.Context) => Collection.Command
) =>
  execute(
    envelope(input),
    Effect.gen(function* () {
      const parsed = yield* parseAnyRef(input.name)
      if (parsed._tag === "Source") return yield* Effect.fail(new CannotUnlinkSource({ reference: input.name }))
      const path = yield* parseRegistryPath(input.name)
      const located = yield* locateVersion(path, input.actor, "see", deps.defaults)
      const context = collectionContext(located.authorized, located.info)
      const loaded = yield* loadCollectionFor(located.info.id, { indexes: [located.linked.index] })
      const events = yield* Collection.decide(command(located.linked.index, context), loaded.state)
      const change = collectionChange(located.info.id, loaded, events)
      const result: LinkedVersionChange = {
        fullName: fullNameOf(located),
        version: located.linked.index,
        aliases: Collection.aliasesOf(change.state, located.linked.index),
        changed: events.length > 0,
        role: Option.getOrNull(effectiveRole(located.authorized.registry, located.authorized.actor))
      }
      // Commits only while the registry is as it was read: the actor's role and the protected aliases still hold.
      return { changes: [registryGuard(located.authorized), change], result }
    })
  )

/** Unlinks a linked version; its index is never reused, its source stays. */
export const unlink = (deps: Dependencies, input: Unlink) =>
  changeLinked(deps, input, (index, context) => ({ _tag: "Unlink", index, context }))

/** Input of {@link addAlias} and {@link removeAlias}. */
export interface LinkedAlias extends Request {
  readonly name: string
  readonly alias: string
}

/** Points an alias of the collection at a linked version, moving it from another version. */
export const addAlias = (deps: Dependencies, input: LinkedAlias) =>
  Effect.flatMap(validateUserAlias(input.alias), (alias) =>
    changeLinked(deps, input, (index, context) => ({ _tag: "AssignAlias", index, alias, context }))
  )

/** Takes an alias off a linked version. */
export const removeAlias = (deps: Dependencies, input: LinkedAlias) =>
  Effect.flatMap(validateUserAlias(input.alias), (alias) =>
    changeLinked(deps, input, (index, context) => ({ _tag: "RemoveAlias", index, alias, context }))
  )
