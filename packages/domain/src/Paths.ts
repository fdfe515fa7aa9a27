/**
 * Paths: parsing and printing the W&B path grammar (docs/concepts.md, "Paths"). A path is split at the first `:` into the path
 * proper and a version or alias; the path proper has 1, 2 or 3 non-empty `/`-separated parts. Every parser is total
 * and every valid path prints back to the string it was parsed from.
 */
import { Data, Either, Option, Schema } from "effect"
import {
  InvalidName,
  isRegistryProject,
  isVersionString,
  parseVersionIndex,
  REGISTRY_PREFIX,
  validateAlias,
  validateArtifactName,
  validateCollectionName,
  registryProjectName,
  validateEntityName,
  validateOrganizationReference,
  validateProjectName,
  validateRegistryProjectName
} from "./Names.js"

const ACCEPTED_FORMS =
  "entity/project/name, entity/project/name:vN or entity/project/name:alias for a logged artifact; " +
  `${REGISTRY_PREFIX}REGISTRY/COLLECTION or ORG/${REGISTRY_PREFIX}REGISTRY/COLLECTION, each optionally with :vN or :alias, for a registry`

/** A string that does not follow the path grammar: the value given and why it was refused. */
export class InvalidPath extends Schema.TaggedError<InvalidPath>()("InvalidPath", {
  value: Schema.String,
  reason: Schema.String
}) {
  /** The value, the reason and the accepted forms, for a person to act on. */
  override get message(): string {
    return `Invalid path ${JSON.stringify(this.value)}: ${this.reason}. Accepted forms: ${ACCEPTED_FORMS}.`
  }
}

/** Which version of an artifact or collection a path selects: an index (`vN`) or an alias. */
export type VersionSelector =
  | { readonly _tag: "Index"; readonly index: number }
  | { readonly _tag: "Alias"; readonly alias: string }

/** Constructors for `VersionSelector` values (structurally equal with `Equal.equals`). */
export const VersionSelector = {
  /** Selects version `v{index}`. */
  index: (index: number): VersionSelector => Data.struct({ _tag: "Index" as const, index }),
  /** Selects the version holding `alias`. */
  alias: (alias: string): VersionSelector => Data.struct({ _tag: "Alias" as const, alias })
}

/** Prints a selector as it appears after the `:` of a path: `vN` or the alias. */
export const printVersionSelector = (selector: VersionSelector): string =>
  selector._tag === "Index" ? `v${selector.index}` : selector.alias

/** Parses the part after the `:`: `vN` is an index, anything else must be a valid alias. */
export const parseVersionSelector = (value: string): Either.Either<VersionSelector, InvalidName> => {
  if (isVersionString(value)) {
    return Option.match(parseVersionIndex(value), {
      onNone: () =>
        Either.left(
          new InvalidName({
            kind: "alias",
            value,
            rule: "it is written like a version but is not one: versions are v0, v1, v2, … without leading zeros"
          })
        ),
      onSome: (index) => Either.right(VersionSelector.index(index))
    })
  }
  return Either.map(validateAlias(value), VersionSelector.alias)
}

/** A logged (source) artifact, optionally with a version or alias: `entity/project/name[:vN|:alias]`. */
export interface SourceRef {
  readonly entity: string
  readonly project: string
  readonly name: string
  readonly version: Option.Option<VersionSelector>
}

/** A registry collection or one of its versions: `[ORG/]wandb-registry-REGISTRY/COLLECTION[:vN|:alias]`. */
export interface RegistryPath {
  readonly org: Option.Option<string>
  /** The registry name, without the `wandb-registry-` prefix. */
  readonly registry: string
  readonly collection: string
  readonly version: Option.Option<VersionSelector>
}

/** A parsed path of either kind. */
export type AnyRef =
  | { readonly _tag: "Source"; readonly ref: SourceRef }
  | { readonly _tag: "Registry"; readonly path: RegistryPath }

type PathError = InvalidPath | InvalidName

interface Split {
  readonly parts: ReadonlyArray<string>
  readonly version: Option.Option<string>
}

const invalid = (value: string, reason: string) => Either.left(new InvalidPath({ value, reason }))

/** Splits at the first `:`, then the path proper at `/` into 1, 2 or 3 non-empty parts. */
const split = (value: string): Either.Either<Split, InvalidPath> => {
  if (value.length === 0) return invalid(value, "it is empty")
  const colon = value.indexOf(":")
  const path = colon === -1 ? value : value.slice(0, colon)
  const version = colon === -1 ? Option.none() : Option.some(value.slice(colon + 1))
  if (path.length === 0) return invalid(value, 'nothing comes before the ":"')
  if (Option.isSome(version) && version.value.length === 0) {
    return invalid(value, 'nothing follows the ":"; give a version (v0, v1, …) or an alias, or drop the ":"')
  }
  const parts = path.split("/")
  if (parts.length > 3) return invalid(value, `it has ${parts.length} parts separated by "/", at most 3 are accepted`)
  const empty = parts.findIndex((part) => part.length === 0)
  if (empty !== -1) return invalid(value, `part ${empty + 1} of ${parts.length} (separated by "/") is empty`)
  return Either.right({ parts, version })
}

const parseVersion = (version: Option.Option<string>): Either.Either<Option.Option<VersionSelector>, InvalidName> =>
  Option.match(version, {
    onNone: () => Either.right(Option.none()),
    onSome: (selector) => Either.map(parseVersionSelector(selector), Option.some)
  })

/** The project part of split path parts, the one that tells registry paths from source refs. */
const projectPart = (parts: ReadonlyArray<string>): string | undefined =>
  parts.length === 3 ? parts[1] : parts.length === 2 ? parts[0] : undefined

const fromSplit = (value: string, { parts, version }: Split): Either.Either<SourceRef, PathError> => {
  const project = projectPart(parts)
  if (project !== undefined && isRegistryProject(project)) {
    return invalid(
      value,
      `"${project}" is a registry project, not a source artifact; use a registry path (${REGISTRY_PREFIX}REGISTRY/COLLECTION[:vN|:alias]) for linked versions`
    )
  }
  const [entity, projectName, name] = parts
  if (entity === undefined || projectName === undefined || name === undefined) {
    return invalid(
      value,
      `a logged artifact path has three parts, entity/project/name, and this one has ${parts.length}`
    )
  }
  return Either.gen(function* () {
    yield* validateEntityName(entity)
    yield* validateProjectName(projectName)
    yield* validateArtifactName(name)
    const selector = yield* parseVersion(version)
    return Data.struct({ entity, project: projectName, name, version: selector })
  })
}

/** Parses a logged artifact path: `entity/project/name`, optionally `:vN` or `:alias`. */
export const parseSourceRef = (value: string): Either.Either<SourceRef, PathError> =>
  Either.flatMap(split(value), (parts) => fromSplit(value, parts))

/** Prints a logged artifact path; `parseSourceRef` gives the same reference back. */
export const printSourceRef = (ref: SourceRef): string =>
  `${artifactKey(ref.entity, ref.project, ref.name)}${Option.match(ref.version, {
    onNone: () => "",
    onSome: (selector) => `:${printVersionSelector(selector)}`
  })}`

/** The path of one logged artifact: `entity/project/name`. */
export const artifactKey = (entity: string, project: string, name: string): string => `${entity}/${project}/${name}`

/** The path of one logged artifact version: `entity/project/name:vN`. */
export const sourceVersionKey = (entity: string, project: string, name: string, index: number): string =>
  `${artifactKey(entity, project, name)}:v${index}`

const registryFromSplit = (value: string, { parts, version }: Split): Either.Either<RegistryPath, PathError> => {
  const [org, project, collection] =
    parts.length === 3 ? [Option.fromNullable(parts[0]), parts[1], parts[2]] : [Option.none(), parts[0], parts[1]]
  if (project === undefined || collection === undefined) {
    return invalid(
      value,
      `a registry path names a registry and a collection (${REGISTRY_PREFIX}REGISTRY/COLLECTION), and this one has only one part`
    )
  }
  if (!project.startsWith(REGISTRY_PREFIX)) {
    return invalid(
      value,
      `"${project}" is not a registry project: registry paths name a project "${REGISTRY_PREFIX}REGISTRY"`
    )
  }
  return Either.gen(function* () {
    if (Option.isSome(org)) yield* validateOrganizationReference(org.value)
    const registry = yield* validateRegistryProjectName(project)
    yield* validateCollectionName(collection)
    const selector = yield* parseVersion(version)
    return Data.struct({ org, registry, collection, version: selector })
  })
}

/** Parses a registry path: `[ORG/]wandb-registry-REGISTRY/COLLECTION`, optionally `:vN` or `:alias`. */
export const parseRegistryPath = (value: string): Either.Either<RegistryPath, PathError> =>
  Either.flatMap(split(value), (parts) => registryFromSplit(value, parts))

/** Parses a link target, always a collection: `[ORG/]wandb-registry-REGISTRY/COLLECTION` with no `:` part. */
export const parseLinkTarget = (value: string): Either.Either<RegistryPath, PathError> =>
  Either.flatMap(split(value), (parts) =>
    Option.isSome(parts.version)
      ? invalid(
          value,
          `a link target is a collection, not a version or alias: drop the ":${parts.version.value}" part and pass aliases separately`
        )
      : registryFromSplit(value, parts)
  )

/** Prints a registry path; `parseRegistryPath` gives the same path back. */
export const printRegistryPath = (path: RegistryPath): string => {
  const org = Option.match(path.org, { onNone: () => "", onSome: (org) => `${org}/` })
  const version = Option.match(path.version, { onNone: () => "", onSome: (v) => `:${printVersionSelector(v)}` })
  return `${org}${collectionPath(path.registry, path.collection)}${version}`
}

/** The path of a collection: `wandb-registry-REGISTRY/COLLECTION`. */
export const collectionPath = (registry: string, collection: string): string =>
  `${registryProjectName(registry)}/${collection}`

/** A linked version of a collection by index or alias: `wandb-registry-REGISTRY/COLLECTION:vN` or `…:alias`. */
export const linkedVersionName = (registry: string, collection: string, selector: VersionSelector): string =>
  `${collectionPath(registry, collection)}:${printVersionSelector(selector)}`

/** The full name of a linked version, as shown to people: `wandb-registry-REGISTRY/COLLECTION:vN`. */
export const fullName = (registry: string, collection: string, index: number): string =>
  `${collectionPath(registry, collection)}:v${index}`

/** The qualified name of a linked version: `orgEntity/wandb-registry-REGISTRY/COLLECTION:vN`. */
export const qualifiedName = (orgEntity: string, registry: string, collection: string, index: number): string =>
  `${orgEntity}/${fullName(registry, collection, index)}`

/** Parses either kind of path: one whose project part starts with `wandb-registry-` is a registry path. */
export const parseAnyRef = (value: string): Either.Either<AnyRef, PathError> =>
  Either.flatMap(split(value), (parts): Either.Either<AnyRef, PathError> => {
    const project = projectPart(parts.parts)
    return project?.startsWith(REGISTRY_PREFIX)
      ? Either.map(registryFromSplit(value, parts), (path) => ({ _tag: "Registry" as const, path }))
      : Either.map(fromSplit(value, parts), (ref) => ({ _tag: "Source" as const, ref }))
  })
