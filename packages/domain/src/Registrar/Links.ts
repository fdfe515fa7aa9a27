/**
 * Application handlers for linking: link a source version into a collection (creating the collection on first
 * link), unlink, and move aliases. This is where the linking rules of docs/behaviour.md ("Linking") meet the stores.
 */
import { Effect, Option } from "effect"
import { effectiveRole } from "../Access.js"
import * as Collection from "../Collection.js"
import { PersonalEntityCannotLink } from "../Errors.js"
import { appendAll, loadCollection, rememberCollection, retryOnConflict } from "../internal/Loader.js"
import { randomUuid } from "../internal/Uuid.js"
import { validateUserAlias } from "../Names.js"
import { CannotUnlinkSource } from "../Errors.js"
import { fullName, parseAnyRef, parseLinkTarget, parseRegistryPath, qualifiedName } from "../Paths.js"
import * as Registry from "../Registry.js"
import { type Dependencies, resolveSource } from "./Artifacts.js"
import { envelope, findOrganization, idempotent, loadEntity, type Request } from "./Context.js"
import { authorizedRegistry, collectionContext, fullNameOf, locateVersion } from "./Locate.js"

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
      const aliases = yield* Effect.forEach(input.aliases ?? [], (alias) => validateUserAlias(alias))
      const target = yield* parseLinkTarget(input.target)
      const key = `${Option.getOrElse(target.org, () => "")}\n${target.registry}\n${target.collection}`
      return yield* deps.serialize(
        key,
        retryOnConflict(
          Effect.gen(function* () {
            const source = yield* resolveSource(deps, input.source, input.actor)
            const owner = yield* loadEntity(source.entity)
            const sourceEntity: Collection.SourceEntity =
              owner.state._tag === "Team"
                ? {
                    kind: "team",
                    team: owner.state.name,
                    organization: owner.state.organization,
                    members: [...owner.state.members]
                  }
                : { kind: "user", user: source.entity }
            if (sourceEntity.kind === "user") {
              return yield* Effect.fail(
                new PersonalEntityCannotLink({
                  entity: source.entity,
                  artifact: `${source.entity}/${source.project}/${source.name}`
                })
              )
            }
            const organization = Option.isSome(target.org)
              ? yield* findOrganization(target.org.value)
              : yield* findOrganization(sourceEntity.organization)
            const authorized = yield* authorizedRegistry(organization, target.registry, input.actor, "see")
            const command = (context: Collection.Context): Collection.Command => ({
              _tag: "Link",
              context,
              source: { entity: source.entity, project: source.project, name: source.name, index: source.index },
              sourceType: source.artifactType,
              sourceDigest: source.version.digest,
              sourceEntity,
              aliases
            })
            let info = authorized.registry.collections.get(target.collection)
            let registry = authorized.registry
            let created: ReadonlyArray<Registry.Event> = []
            if (info === undefined) {
              // Check every link rule against the collection it would become before creating it.
              const collectionId = yield* randomUuid
              const provisional: Registry.CollectionInfo = {
                id: collectionId,
                name: target.collection,
                artifactType: source.artifactType,
                description: "",
                tags: []
              }
              yield* Collection.decide(command(collectionContext(authorized, provisional)), Collection.initialState)
              created = yield* Registry.decide(
                {
                  _tag: "CreateCollection",
                  organization: organization.name,
                  registry: target.registry,
                  actor: authorized.actor,
                  collectionId,
                  collection: target.collection,
                  artifactType: source.artifactType,
                  description: "",
                  tags: [],
                  implicit: true
                },
                authorized.registry
              )
              let state: Registry.State = authorized.registry
              for (const event of created) state = Registry.evolve(state, event)
              registry = state as Registry.Active
              info = registry.collections.get(target.collection)!
            }
            const context = collectionContext({ ...authorized, registry }, info)
            const loaded = yield* loadCollection(info.id)
            const events = yield* Collection.decide(command(context), loaded.state)
            // The registry's new collection (if any) and its first link commit together, and a link commits only
            // while the registry is as it was read (roles, protected aliases, the collection not deleted).
            const [, version] = yield* appendAll(
              [
                {
                  streamId: Registry.streamId(organization.name, target.registry),
                  version: authorized.version,
                  events: created
                },
                { streamId: Collection.streamId(info.id), version: loaded.version, events }
              ],
              yield* envelope(input)
            )
            const state = yield* rememberCollection(info.id, loaded, events, version!)
            const linked = events.find((event) => event._tag === "ArtifactLinked")
            const index = linked?.index ?? Option.getOrThrow(Collection.findVersionOf(state, source))
            return {
              fullName: fullName(registry.registry, info.name, index),
              qualifiedName: qualifiedName(organization.name, registry.registry, info.name, index),
              organization: organization.name,
              registry: registry.registry,
              collection: info.name,
              version: index,
              aliases: Collection.aliasesOf(state, index),
              source: source.reference,
              created: linked !== undefined
            } satisfies LinkResult
          })
        )
      )
    })
  )

/** Input of {@link unlink}. */
export interface Unlink extends Request {
  /** The linked version: `[ORG/]wandb-registry-R/C:vN` (or `:alias`). */
  readonly name: string
}

const changeLinked = (
  deps: Dependencies,
  input: Request & { readonly name: string },
  command: (
    index: number
  ) => Extract<Collection.Command, { _tag: "Unlink" | "AssignAlias" | "RemoveAlias" }> extends infer C
    ? Omit<Extract<C, object>, "context">
    : never
) =>
  retryOnConflict(
    Effect.gen(function* () {
      const parsed = yield* parseAnyRef(input.name)
      if (parsed._tag === "Source") return yield* Effect.fail(new CannotUnlinkSource({ reference: input.name }))
      const path = yield* parseRegistryPath(input.name)
      const located = yield* locateVersion(path, input.actor, "see", deps.defaults)
      const context = collectionContext(located.authorized, located.info)
      const loaded = yield* loadCollection(located.info.id)
      const events = yield* Collection.decide(
        { ...command(located.linked.index), context } as Collection.Command,
        loaded.state
      )
      // Commits only while the registry is as it was read: the actor's role and the protected aliases still hold.
      const { authorized } = located
      const [, version] = yield* appendAll(
        [
          {
            streamId: Registry.streamId(authorized.organization.name, authorized.registry.registry),
            version: authorized.version,
            events: []
          },
          { streamId: Collection.streamId(located.info.id), version: loaded.version, events }
        ],
        yield* envelope(input)
      )
      const state = yield* rememberCollection(located.info.id, loaded, events, version!)
      return {
        fullName: fullNameOf(located),
        version: located.linked.index,
        aliases: Collection.aliasesOf(state, located.linked.index),
        changed: events.length > 0,
        role: Option.getOrNull(effectiveRole(located.authorized.registry, located.authorized.actor))
      }
    })
  )

/** Unlinks a linked version; its index is never reused, its source stays. */
export const unlink = (deps: Dependencies, input: Unlink) =>
  changeLinked(deps, input, (index) => ({ _tag: "Unlink", index }))

/** Input of {@link addAlias} and {@link removeAlias}. */
export interface LinkedAlias extends Request {
  readonly name: string
  readonly alias: string
}

/** Points an alias of the collection at a linked version, moving it from another version. */
export const addAlias = (deps: Dependencies, input: LinkedAlias) =>
  Effect.flatMap(validateUserAlias(input.alias), (alias) =>
    changeLinked(deps, input, (index) => ({ _tag: "AssignAlias", index, alias }))
  )

/** Takes an alias off a linked version. */
export const removeAlias = (deps: Dependencies, input: LinkedAlias) =>
  Effect.flatMap(validateUserAlias(input.alias), (alias) =>
    changeLinked(deps, input, (index) => ({ _tag: "RemoveAlias", index, alias }))
  )
