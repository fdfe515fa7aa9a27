/**
 * Names: the rules every name in the registry follows (docs/concepts.md, "Names"), as total validators that return the name
 * unchanged or an `InvalidName` saying which value broke which rule and what is allowed.
 *
 * Lengths count Unicode code points, as the W&B SDK (Python `len`) does. "Letters" and "digits" are ASCII.
 */
import { Either, Option, Schema } from "effect"

/** The prefix that turns a project name into a registry project name (`wandb-registry-{NAME}`). */
export const REGISTRY_PREFIX = "wandb-registry-"

/** The alias the system keeps on the highest version; users can neither assign nor remove it. */
export const LATEST_ALIAS = "latest"

/** The longest registry name, without the prefix (128 with it). */
export const MAX_REGISTRY_NAME_LENGTH = 128 - REGISTRY_PREFIX.length

/** The longest name of any other kind (project, collection, artifact, alias, type, tag, entity, run). */
export const MAX_NAME_LENGTH = 128

/** The most top-level keys a metadata object may have. */
export const MAX_METADATA_KEYS = 100

/** The most aliases, or tags, one command may give (a link with thousands would hold the server for seconds). */
export const MAX_NAMES_PER_COMMAND = 100

/** The longest path of a file in a version's manifest, in characters. */
export const MAX_FILE_PATH_LENGTH = 1024

/**
 * How deep metadata may nest objects and arrays: deeper values pass no store (serializing them overflows the stack)
 * and are refused first.
 */
export const MAX_METADATA_DEPTH = 100

/** Artifact types starting with this prefix are reserved for internal use. */
export const RESERVED_TYPE_PREFIX = "wandb-"

/** The name of a registry's project: `wandb-registry-{registry}`. */
export const registryProjectName = (registry: string): string => `${REGISTRY_PREFIX}${registry}`

/** The registry name of a name given with or without the `wandb-registry-` prefix (people write either). */
export const registryNameOf = (nameOrProject: string): string =>
  nameOrProject.startsWith(REGISTRY_PREFIX) ? nameOrProject.slice(REGISTRY_PREFIX.length) : nameOrProject

/** The kinds of names the validators check; each has its own rules. */
export const NameKind = Schema.Literal(
  "project",
  "registry",
  "collection",
  "artifact",
  "alias",
  "type",
  "tag",
  "metadata",
  "entity",
  "run",
  "displayName",
  "description",
  "file"
)

/** One of the kinds of names the validators check. */
export type NameKind = typeof NameKind.Type

const label: Record<NameKind, string> = {
  project: "project name",
  registry: "registry name",
  collection: "collection name",
  artifact: "artifact name",
  alias: "alias",
  type: "artifact type",
  tag: "tag",
  metadata: "metadata",
  entity: "entity name",
  run: "run id",
  displayName: "display name",
  description: "description",
  file: "file"
}

const allowed: Record<NameKind, string> = {
  project: `project names are 1 to 128 characters and cannot contain / \\ # ? % : or line breaks; a project starting with "${REGISTRY_PREFIX}" is a registry project and follows the registry name rules`,
  registry: `registry names are 1 to 113 characters (128 with the "${REGISTRY_PREFIX}" prefix) and cannot contain / \\ # ? % : or line breaks`,
  collection: "collection names are 1 to 128 characters and cannot contain / or :",
  artifact: "artifact names are 1 to 128 characters, only letters, digits, -, _ and .",
  alias:
    'aliases are 1 to 128 characters and cannot contain / or :; v followed by digits in any case is a version (:v0, :v1, …), not an alias, and "latest" in any case is kept by the system',
  type: 'artifact types are 1 to 128 characters and cannot contain / or :; "job", types starting with "wandb-", "run_table" for artifacts named "run-…" and "code" for artifacts named "source-…" are reserved for internal use by W&B-compatible clients',
  tag: "a tag is words of letters, digits, _ and - separated by single spaces, at most 128 characters",
  metadata:
    "metadata has at most 100 top-level keys and holds only JSON values: finite numbers, strings, booleans, null, arrays and plain objects, with no NUL characters or unpaired surrogates in strings or keys",
  entity: "entity names are 1 to 128 characters, only letters, digits, -, _ and .",
  run: "run ids are 1 to 128 characters, only letters, digits, -, _ and .",
  displayName: "display names are 1 to 128 characters, not only spaces, and cannot contain /",
  description: "a description is any text without NUL characters or unpaired surrogates",
  file: `a file of a manifest has a relative path of at most ${MAX_FILE_PATH_LENGTH} characters in segments separated by /, none empty, . or .., without backslashes, named once in the manifest, with a sha256 of 64 lowercase hex digits and a size in whole bytes`
}

/** A name that breaks one of the naming rules: which kind of name, the value given, and the rule it broke. */
export class InvalidName extends Schema.TaggedError<InvalidName>()("InvalidName", {
  kind: NameKind,
  value: Schema.String,
  rule: Schema.String
}) {
  /** The value, the rule it broke and what is allowed for its kind, for a person to act on. */
  override get message(): string {
    const subject = this.kind === "metadata" ? `metadata at ${this.value}` : `${label[this.kind]} ${quote(this.value)}`
    return `Invalid ${subject}: ${this.rule}; ${allowed[this.kind]}.`
  }
}

type Validation = Either.Either<string, InvalidName>

/**
 * True for a character no name may hold: C0 and C1 controls and DEL, zero-width characters (U+200B..U+200D, U+2060,
 * U+FEFF), bidirectional marks, embeddings, overrides and isolates (U+061C, U+200E, U+200F, U+202A..U+202E,
 * U+2066..U+2069), and unpaired surrogates. `character` is one code point (as `for…of` over a string yields).
 */
export const isUnsafeCharacter = (character: string): boolean => {
  const code = character.codePointAt(0) ?? 0
  return (
    code <= 0x1f ||
    (code >= 0x7f && code <= 0x9f) ||
    (code >= 0x200b && code <= 0x200f) ||
    (code >= 0x202a && code <= 0x202e) ||
    code === 0x2060 ||
    (code >= 0x2066 && code <= 0x2069) ||
    code === 0x061c ||
    code === 0xfeff ||
    (code >= 0xd800 && code <= 0xdfff)
  )
}

/** `value` with every unsafe character written as a `\uXXXX` escape: safe to show on a terminal or in a log. */
export const escapeUnsafe = (value: string): string => {
  let escaped = ""
  for (const character of value) {
    escaped += isUnsafeCharacter(character) ? `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}` : character
  }
  return escaped
}

/** A value in double quotes, as JSON writes it, with every unsafe character escaped. */
const quote = (value: string): string => escapeUnsafe(JSON.stringify(value))

const fail = (kind: NameKind, value: string, rule: string): Validation =>
  Either.left(new InvalidName({ kind, value, rule }))

const codePointLength = (value: string): number => {
  let length = 0
  for (const _ of value) length++
  return length
}

/** Distinct characters of `value` that `isBad` rejects, in order of first appearance. */
const badCharacters = (value: string, isBad: (character: string) => boolean): ReadonlyArray<string> => {
  const found: Array<string> = []
  for (const character of value) {
    if (isBad(character) && !found.includes(character)) found.push(character)
  }
  return found
}

const showCharacters = (characters: ReadonlyArray<string>): string => characters.map(quote).join(", ")

const unsafeRule = (shown: string) =>
  `it contains control, zero-width or bidirectional characters (${shown}), which could hide or disguise what it says`

/** Checks emptiness, length and characters, in that order; `isBad` picks the characters that are not allowed. */
const checkBasic = (
  kind: NameKind,
  value: string,
  max: number,
  isBad: (character: string) => boolean,
  badRule: (shown: string) => string
): Validation => {
  if (value.length === 0) return fail(kind, value, "it is empty")
  const length = codePointLength(value)
  if (length > max) return fail(kind, value, `it is ${length} characters long, more than ${max}`)
  const bad = badCharacters(value, isBad)
  if (bad.length > 0) return fail(kind, value, badRule(showCharacters(bad)))
  const unsafe = badCharacters(value, isUnsafeCharacter)
  if (unsafe.length > 0) return fail(kind, value, unsafeRule(showCharacters(unsafe)))
  return Either.right(value)
}

const forbidden = (characters: string) => (character: string) => characters.includes(character)
const forbiddenRule = (shown: string) => `it contains forbidden characters ${shown}`
const notIdentifierCharacter = (character: string) => !/^[A-Za-z0-9_.-]$/.test(character)
const notAllowedRule = (shown: string) => `it contains characters that are not allowed ${shown}`

const REGISTRY_FORBIDDEN = "/\\#?%:\r\n"

/**
 * Validates the path of a file in a version's manifest: relative, `/`-separated segments that are neither empty, `.`
 * nor `..` (so no download can leave its directory), no backslash (a separator elsewhere), at most
 * {@link MAX_FILE_PATH_LENGTH} characters, and none a name may not hold.
 */
export const validateFilePath = (value: string): Validation => {
  const basic = checkBasic("file", value, MAX_FILE_PATH_LENGTH, forbidden("\\"), forbiddenRule)
  if (Either.isLeft(basic)) return basic
  if (value.startsWith("/")) return fail("file", value, "it starts with /, but a manifest's paths are relative")
  const segments = value.split("/")
  if (segments.some((segment) => segment === "")) {
    return fail("file", value, "it has an empty segment (// or a / at the end)")
  }
  if (segments.some((segment) => segment === "." || segment === "..")) {
    return fail("file", value, "it has a . or .. segment, which could lead a download out of its directory")
  }
  return Either.right(value)
}

/**
 * Validates a version's manifest: every path by {@link validateFilePath} and named once, every sha256 64 lowercase
 * hex digits, every size a whole number of bytes. The first fault found is reported, naming its file.
 */
export const validateManifest = <F extends { readonly path: string; readonly sha256: string; readonly size: number }>(
  files: ReadonlyArray<F>
): Either.Either<ReadonlyArray<F>, InvalidName> => {
  const refuse = (file: F, rule: string) => Either.left(new InvalidName({ kind: "file", value: file.path, rule }))
  const seen = new Set<string>()
  for (const file of files) {
    const path = validateFilePath(file.path)
    if (Either.isLeft(path)) return Either.left(path.left)
    if (seen.has(file.path)) return refuse(file, "it is named twice in the manifest")
    seen.add(file.path)
    if (!/^[0-9a-f]{64}$/.test(file.sha256)) {
      return refuse(file, `its sha256 ${quote(file.sha256.slice(0, 80))} is not 64 lowercase hex digits`)
    }
    if (!Number.isSafeInteger(file.size) || file.size < 0) {
      return refuse(file, `its size ${file.size} is not a whole number of bytes`)
    }
  }
  return Either.right(files)
}

/** Validates a registry name (the part after `wandb-registry-`): 1..113 characters, none of `/ \ # ? % :` CR LF. */
export const validateRegistryName = (value: string): Validation =>
  checkBasic("registry", value, MAX_REGISTRY_NAME_LENGTH, forbidden(REGISTRY_FORBIDDEN), forbiddenRule)

/** True when the project name is a registry project: it starts with the prefix and is longer (case-sensitive). */
export const isRegistryProject = (project: string): boolean =>
  project.startsWith(REGISTRY_PREFIX) && project.length > REGISTRY_PREFIX.length

/** Validates a registry project name (`wandb-registry-{NAME}`) and returns the registry name without the prefix. */
export const validateRegistryProjectName = (project: string): Validation => {
  if (project.length === 0) return fail("project", project, "it is empty")
  if (!project.startsWith(REGISTRY_PREFIX)) {
    return fail("project", project, `it is not a registry project: it does not start with "${REGISTRY_PREFIX}"`)
  }
  if (project.length === REGISTRY_PREFIX.length) {
    return fail(
      "project",
      project,
      `it is only the prefix "${REGISTRY_PREFIX}" with an empty registry name after it, so it is not a registry`
    )
  }
  // With the prefix fixed at 15 characters, the 113-character registry limit is the 128-character project limit.
  return validateRegistryName(project.slice(REGISTRY_PREFIX.length))
}

/** Validates a project name: 1..128 characters without `/ \ # ? % :` or line breaks; registry projects follow registry rules. */
export const validateProjectName = (value: string): Validation => {
  if (value.length === 0) return fail("project", value, "it is empty")
  if (value.startsWith(REGISTRY_PREFIX)) return Either.map(validateRegistryProjectName(value), () => value)
  return checkBasic("project", value, MAX_NAME_LENGTH, forbidden(REGISTRY_FORBIDDEN), forbiddenRule)
}

/** Validates a collection name: 1..128 characters (spaces and dots allowed), no `/` or `:`. */
export const validateCollectionName = (value: string): Validation =>
  checkBasic("collection", value, MAX_NAME_LENGTH, forbidden("/:"), forbiddenRule)

/** Validates a source artifact name: 1..128 letters, digits, `-`, `_` or `.`. */
export const validateArtifactName = (value: string): Validation =>
  checkBasic("artifact", value, MAX_NAME_LENGTH, notIdentifierCharacter, notAllowedRule)

/** Validates an entity (user, team or org entity) name: 1..128 letters, digits, `-`, `_` or `.`. */
export const validateEntityName = (value: string): Validation =>
  checkBasic("entity", value, MAX_NAME_LENGTH, notIdentifierCharacter, notAllowedRule)

/** Validates a run id: 1..128 letters, digits, `-`, `_` or `.`. */
export const validateRunId = (value: string): Validation =>
  checkBasic("run", value, MAX_NAME_LENGTH, notIdentifierCharacter, notAllowedRule)

/** True when the string is written as a version: `v` followed by one or more digits. */
export const isVersionString = (value: string): boolean => /^v[0-9]+$/.test(value)

/** The index of a canonical version string (`v0`, `v12`; no leading zeros, a safe integer), or none. */
export const parseVersionIndex = (value: string): Option.Option<number> => {
  if (!/^v(0|[1-9][0-9]*)$/.test(value)) return Option.none()
  const index = Number(value.slice(1))
  return Number.isSafeInteger(index) ? Option.some(index) : Option.none()
}

/** True when an alias is shaped like a version in any letter case (`v3`, `V3`): such a string is never an alias. */
const looksLikeVersion = (value: string): boolean => /^v[0-9]+$/i.test(value)

/** Validates an alias: 1..128 characters, no `/` or `:`, not shaped like a version (`vN`, `VN`); `latest` is accepted here. */
export const validateAlias = (value: string): Validation => {
  const basic = checkBasic("alias", value, MAX_NAME_LENGTH, forbidden("/:"), forbiddenRule)
  if (Either.isLeft(basic)) return basic
  if (looksLikeVersion(value)) {
    return fail(
      "alias",
      value,
      "it is shaped like a version (v followed by digits): versions are addressed as :vN and cannot be aliases"
    )
  }
  return basic
}

/** True when an alias is the system's `latest`, in any letter case (`LATEST`, `Latest`). */
export const isLatestAlias = (value: string): boolean => value.toLowerCase() === LATEST_ALIAS

/** Validates an alias a user assigns or removes: `validateAlias`, and `latest` in any case is refused (the system manages it). */
export const validateUserAlias = (value: string): Validation => {
  const alias = validateAlias(value)
  if (Either.isLeft(alias)) return alias
  if (isLatestAlias(value)) {
    return fail(
      "alias",
      value,
      `"${LATEST_ALIAS}" is reserved in every letter case: the system keeps it on the newest version, and users cannot assign or remove it`
    )
  }
  return alias
}

/**
 * Validates the names of one kind that one command gives: at most {@link MAX_NAMES_PER_COMMAND}, each by `validate`;
 * returns them unchanged, or the first fault.
 */
const validateEach =
  (kind: "alias" | "tag", validate: (value: string) => Validation) =>
  (names: ReadonlyArray<string>): Either.Either<ReadonlyArray<string>, InvalidName> => {
    if (names.length > MAX_NAMES_PER_COMMAND) {
      return Either.left(
        new InvalidName({
          kind,
          value: `${names.slice(0, 3).join(", ")}, …`,
          rule: `${names.length} were given at once, more than ${MAX_NAMES_PER_COMMAND}`
        })
      )
    }
    for (const name of names) {
      const checked = validate(name)
      if (Either.isLeft(checked)) return Either.left(checked.left)
    }
    return Either.right(names)
  }

/** Validates the aliases one command gives: at most {@link MAX_NAMES_PER_COMMAND}, each by {@link validateUserAlias}. */
export const validateUserAliases = validateEach("alias", validateUserAlias)

/** Why a type is reserved for an artifact named `artifactName` (or for any artifact, without a name), if it is. */
const reservedTypeRule = (type: string, artifactName: string | undefined): string | undefined => {
  const instead = 'use a type of your own, such as "model" or "dataset"'
  if (type.startsWith(RESERVED_TYPE_PREFIX)) {
    return `types starting with "${RESERVED_TYPE_PREFIX}" are reserved for internal use by W&B-compatible clients; ${instead}`
  }
  if (type === "job") {
    return `the type "job" is reserved for internal use by W&B-compatible clients (it marks launch jobs); ${instead}`
  }
  if (type === "run_table" && artifactName?.startsWith("run-") === true) {
    return `the type "run_table" is reserved for internal use by W&B-compatible clients for artifacts named "run-…" (the tables of a run); ${instead}, or a name that does not start with "run-"`
  }
  if (type === "code" && artifactName?.startsWith("source-") === true) {
    return `the type "code" is reserved for internal use by W&B-compatible clients for artifacts named "source-…" (a run's source code); ${instead}, or a name that does not start with "source-"`
  }
  return undefined
}

/**
 * Validates an artifact type: 1..128 characters, no `/` or `:`, and not reserved for internal use by W&B-compatible
 * clients: `job` and types starting with `wandb-` always; `run_table` for an artifact named `run-…` and `code` for
 * one named `source-…` (only checked when `artifactName` is given: collections and accepted types have no artifact).
 */
export const validateArtifactType = (value: string, artifactName?: string): Validation => {
  const basic = checkBasic("type", value, MAX_NAME_LENGTH, forbidden("/:"), forbiddenRule)
  if (Either.isLeft(basic)) return basic
  const reserved = reservedTypeRule(value, artifactName)
  return reserved === undefined ? basic : fail("type", value, reserved)
}

/** Validates an organization's display name: 1..128 characters, not only spaces, no `/` (spaces allowed). */
export const validateDisplayName = (value: string): Validation => {
  if (value.trim().length === 0)
    return fail("displayName", value, value.length === 0 ? "it is empty" : "it is only spaces")
  return checkBasic("displayName", value, MAX_NAME_LENGTH, forbidden("/"), forbiddenRule)
}

/** Validates the organization part of a path: an entity name or a display name (either may name an organization). */
export const validateOrganizationReference = (value: string): Validation =>
  Either.isRight(validateEntityName(value)) ? Either.right(value) : validateDisplayName(value)

/** Characters stored text cannot hold: NUL (PostgreSQL text and jsonb refuse it) and unpaired surrogates (not Unicode). */
const unstorable = (character: string): boolean => {
  const code = character.codePointAt(0) ?? 0
  return code === 0 || (code >= 0xd800 && code <= 0xdfff)
}

const unstorableCharacters = (shown: string) =>
  `characters no store can hold (${shown}): NUL characters and unpaired surrogates`
const unstorableRule = (shown: string) => `it contains ${unstorableCharacters(shown)}`

/**
 * Refuses a name holding characters no store can hold (NUL, unpaired surrogates), and nothing else: for looking up
 * names that older rules may have allowed, where the full rules would hide existing things.
 */
export const validateStorableName = (kind: NameKind, value: string): Validation => {
  const bad = badCharacters(value, unstorable)
  return bad.length === 0 ? Either.right(value) : fail(kind, value, unstorableRule(showCharacters(bad)))
}

/** Validates free text (a description): anything but NUL characters and unpaired surrogates, which no store can hold. */
export const validateDescription = (value: string): Validation => {
  const bad = badCharacters(value, unstorable)
  return bad.length === 0 ? Either.right(value) : fail("description", value, unstorableRule(showCharacters(bad)))
}

/** Validates a tag: words of letters, digits, `_`, `-` separated by single spaces, 1..128 characters. */
export const validateTag = (value: string): Validation => {
  const basic = checkBasic(
    "tag",
    value,
    MAX_NAME_LENGTH,
    (character) => !/^[A-Za-z0-9_ -]$/.test(character),
    notAllowedRule
  )
  if (Either.isLeft(basic)) return basic
  if (!/^[A-Za-z0-9_-]+( [A-Za-z0-9_-]+)*$/.test(value)) {
    return fail("tag", value, "it has a leading, trailing or repeated space")
  }
  return basic
}

/** Validates the tags one command gives: at most {@link MAX_NAMES_PER_COMMAND}, each by {@link validateTag}. */
export const validateTags = validateEach("tag", validateTag)

const showKey = (key: string): string =>
  /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`

const isPlainObject = (value: object): boolean => {
  const prototype = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}

/** Why `value` is not a JSON value (without looking inside it), or undefined when it may be one. */
const notJson = (value: unknown): string | undefined => {
  switch (typeof value) {
    case "string": {
      const bad = badCharacters(value, unstorable)
      return bad.length === 0 ? undefined : unstorableRule(showCharacters(bad))
    }
    case "boolean":
      return undefined
    case "number":
      if (Number.isNaN(value)) return "it is NaN, which is not a JSON number"
      if (!Number.isFinite(value)) return `it is ${value}, which is not a JSON number`
      return undefined
    case "undefined":
      return "it is undefined, which is not a JSON value"
    case "bigint":
      return "it is a bigint, which is not a JSON number"
    case "symbol":
      return "it is a symbol, which is not a JSON value"
    case "function":
      return "it is a function, which is not a JSON value"
    case "object":
      if (value === null || Array.isArray(value)) return undefined
      if (!isPlainObject(value)) return "it is an object of a class, not a plain JSON object"
      if (Object.getOwnPropertySymbols(value).length > 0) return "it has symbol keys, which JSON cannot hold"
      for (const key of Object.keys(value)) {
        const bad = badCharacters(key, unstorable)
        if (bad.length > 0) return `its key ${quote(key)} contains ${unstorableCharacters(showCharacters(bad))}`
      }
      return undefined
  }
  return "it is not a JSON value"
}

/**
 * Walks a value without recursion (deep values cannot overflow the stack); returns the first problem found, among them
 * objects and arrays nested deeper than {@link MAX_METADATA_DEPTH}.
 */
const findJsonProblem = (root: object): InvalidName | undefined => {
  type Frame = { readonly value: unknown; readonly path: string; readonly depth: number } | { readonly leave: object }
  const stack: Array<Frame> = [{ value: root, path: "$", depth: 1 }]
  const ancestors = new Set<object>()
  while (stack.length > 0) {
    const frame = stack.pop()!
    if ("leave" in frame) {
      ancestors.delete(frame.leave)
      continue
    }
    const { path, value, depth } = frame
    const problem = notJson(value)
    if (problem !== undefined) return new InvalidName({ kind: "metadata", value: path, rule: problem })
    if (typeof value !== "object" || value === null) continue
    if (depth > MAX_METADATA_DEPTH) {
      return new InvalidName({
        kind: "metadata",
        value: `${path.slice(0, 40)}…`,
        rule: `it nests objects and arrays more than ${MAX_METADATA_DEPTH} levels deep`
      })
    }
    if (ancestors.has(value)) {
      return new InvalidName({ kind: "metadata", value: path, rule: "it contains itself, which JSON cannot hold" })
    }
    ancestors.add(value)
    stack.push({ leave: value })
    const children: Array<Frame> = Array.isArray(value)
      ? Array.from({ length: value.length }, (_, index) => ({
          value: value[index],
          path: `${path}[${index}]`,
          depth: depth + 1
        }))
      : Object.keys(value).map((key) => ({
          value: (value as Record<string, unknown>)[key],
          path: path + showKey(key),
          depth: depth + 1
        }))
    for (let index = children.length - 1; index >= 0; index--) stack.push(children[index]!)
  }
  return undefined
}

/**
 * Validates metadata: at most 100 top-level keys, only JSON values (no ±Infinity, NaN, undefined, bigint, symbol,
 * function), nested at most 100 levels deep.
 */
export const validateMetadata = (
  metadata: Readonly<Record<string, unknown>>
): Either.Either<Record<string, unknown>, InvalidName> => {
  const checked = Either.try({
    try: (): InvalidName | undefined => {
      if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) {
        return new InvalidName({ kind: "metadata", value: "$", rule: "it is not an object of keys and values" })
      }
      const keys = Object.keys(metadata).length
      if (keys > MAX_METADATA_KEYS) {
        return new InvalidName({
          kind: "metadata",
          value: "$",
          rule: `it has ${keys} top-level keys, more than ${MAX_METADATA_KEYS}`
        })
      }
      return findJsonProblem(metadata)
    },
    // Proxies and getters can throw while being read; such a value is not plain JSON either.
    catch: () => new InvalidName({ kind: "metadata", value: "$", rule: "it could not be read as plain JSON" })
  })
  if (Either.isLeft(checked)) return Either.left(checked.left)
  return checked.right === undefined ? Either.right(metadata as Record<string, unknown>) : Either.left(checked.right)
}
