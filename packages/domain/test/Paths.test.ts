import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, Either, Option, Schema } from "effect"
import * as fc from "effect/FastCheck"
import {
  type InvalidName,
  validateAlias,
  validateCollectionName,
  validateOrganizationReference,
  validateProjectName,
  validateRegistryName
} from "../src/Names.js"
import {
  artifactKey,
  collectionPath,
  fullName,
  type InvalidPath,
  linkedVersionName,
  parseAnyRef,
  parseLinkTarget,
  parseRegistryPath,
  parseSourceRef,
  parseVersionSelector,
  printRegistryPath,
  printSourceRef,
  printVersionSelector,
  qualifiedName,
  type RegistryPath,
  type SourceRef,
  sourceVersionKey,
  VersionSelector
} from "../src/Paths.js"

type Failure = InvalidPath | InvalidName

const refused = <A>(result: Either.Either<A, Failure>): Failure => {
  if (Either.isRight(result)) throw new Error(`expected a refusal, got ${JSON.stringify(result.right)}`)
  return result.left
}

const parsed = <A>(result: Either.Either<A, Failure>): A => {
  if (Either.isLeft(result)) throw new Error(`expected success, got ${result.left.message}`)
  return result.right
}

const expectInvalidPath = <A>(result: Either.Either<A, Failure>, reason: RegExp): InvalidPath => {
  const error = refused(result)
  if (error._tag !== "InvalidPath") throw new Error(`expected InvalidPath, got ${error.message}`)
  expect(error.reason).toMatch(reason)
  return error
}

const expectInvalidName = <A>(
  result: Either.Either<A, Failure>,
  kind: InvalidName["kind"],
  rule: RegExp
): InvalidName => {
  const error = refused(result)
  if (error._tag !== "InvalidName") throw new Error(`expected InvalidName, got ${error.message}`)
  expect(error.kind).toBe(kind)
  expect(error.rule).toMatch(rule)
  return error
}

const source = (entity: string, project: string, name: string, version?: VersionSelector): SourceRef => ({
  entity,
  project,
  name,
  version: Option.fromNullable(version)
})

const registryPath = (
  org: string | undefined,
  registry: string,
  collection: string,
  version?: VersionSelector
): RegistryPath => ({ org: Option.fromNullable(org), registry, collection, version: Option.fromNullable(version) })

describe("version selectors", () => {
  it("vN is an index, anything else an alias", () => {
    expect(parseVersionSelector("v3")).toEqual(Either.right(VersionSelector.index(3)))
    expect(parseVersionSelector("best")).toEqual(Either.right(VersionSelector.alias("best")))
    expect(parseVersionSelector("latest")).toEqual(Either.right(VersionSelector.alias("latest")))
  })

  it("refuses invalid aliases and non-canonical versions", () => {
    expectInvalidName(parseVersionSelector("foo/bar"), "alias", /forbidden characters "\/"/)
    expectInvalidName(parseVersionSelector("v007"), "alias", /without leading zeros/)
    expectInvalidName(parseVersionSelector(""), "alias", /empty/)
  })

  it("prints as written after the colon", () => {
    expect(printVersionSelector(VersionSelector.index(12))).toBe("v12")
    expect(printVersionSelector(VersionSelector.alias("production"))).toBe("production")
  })
})

describe("source references", () => {
  it("parses entity/project/name with no version, an index or an alias", () => {
    expect(parseSourceRef("acme/vision/resnet-50")).toEqual(Either.right(source("acme", "vision", "resnet-50")))
    expect(parseSourceRef("acme/vision/resnet-50:v3")).toEqual(
      Either.right(source("acme", "vision", "resnet-50", VersionSelector.index(3)))
    )
    expect(parseSourceRef("acme/vision/resnet-50:best")).toEqual(
      Either.right(source("acme", "vision", "resnet-50", VersionSelector.alias("best")))
    )
  })

  it("accepts projects with spaces", () => {
    expect(parsed(parseSourceRef("acme/my project/model:v0")).project).toBe("my project")
  })

  it("splits at the first colon: what follows it is the alias, / and : included", () => {
    const slash = expectInvalidName(parseSourceRef("acme/vision/name:foo/bar"), "alias", /forbidden characters "\/"/)
    expect(slash.value).toBe("foo/bar")
    const colon = expectInvalidName(parseSourceRef("acme/vision/name:v1:v2"), "alias", /forbidden characters ":"/)
    expect(colon.value).toBe("v1:v2")
  })

  it.each([
    ["", /empty/],
    [":v1", /nothing comes before/],
    ["acme/vision/name:", /nothing follows/],
    ["name", /three parts.*has 1/],
    ["vision/name:v1", /three parts.*has 2/],
    ["a/b/c/d", /4 parts/],
    ["a/b/c/d:v1", /4 parts/],
    ["/vision/name", /part 1 of 3 .* is empty/],
    ["acme//name", /part 2 of 3 .* is empty/],
    ["acme/vision/", /part 3 of 3 .* is empty/]
  ])("refuses the path %j", (value, reason) => {
    const error = expectInvalidPath(parseSourceRef(value), reason)
    expect(error.value).toBe(value)
  })

  it("a registry project is not a source: use a registry path for linked versions", () => {
    expectInvalidPath(parseSourceRef("acme/wandb-registry-model/resnet:v0"), /registry project.*use a registry path/)
    expectInvalidPath(parseSourceRef("wandb-registry-model/resnet:v0"), /use a registry path/)
  })

  it("validates the entity, project, name and alias", () => {
    expectInvalidName(parseSourceRef("ac me/vision/name"), "entity", /not allowed " "/)
    expectInvalidName(parseSourceRef("acme/vi#sion/name"), "project", /forbidden characters "#"/)
    expectInvalidName(parseSourceRef("acme/wandb-registry-/name"), "project", /not a registry/)
    expectInvalidName(parseSourceRef("acme/vision/my model"), "artifact", /not allowed " "/)
    expectInvalidName(parseSourceRef(`acme/vision/${"n".repeat(129)}`), "artifact", /129 characters/)
    expectInvalidName(parseSourceRef("acme/vision/name:v01"), "alias", /leading zeros/)
  })

  it("prints back the string it parsed", () => {
    for (const value of ["acme/vision/resnet-50", "acme/my project/m.1:v0", "a/b/c:latest", "a/b/c:v1a"]) {
      expect(printSourceRef(parsed(parseSourceRef(value)))).toBe(value)
    }
  })

  it("names artifacts and their versions", () => {
    expect(artifactKey("acme", "vision", "resnet")).toBe("acme/vision/resnet")
    expect(sourceVersionKey("acme", "vision", "resnet", 4)).toBe("acme/vision/resnet:v4")
    expect(parsed(parseSourceRef(sourceVersionKey("acme", "vision", "resnet", 4)))).toEqual(
      source("acme", "vision", "resnet", VersionSelector.index(4))
    )
  })
})

describe("registry paths", () => {
  it("parses wandb-registry-R/C and ORG/wandb-registry-R/C, with or without a version or alias", () => {
    expect(parseRegistryPath("wandb-registry-model/resnet")).toEqual(
      Either.right(registryPath(undefined, "model", "resnet"))
    )
    expect(parseRegistryPath("ORG/wandb-registry-R/C:v2")).toEqual(
      Either.right(registryPath("ORG", "R", "C", VersionSelector.index(2)))
    )
    expect(parseRegistryPath("wandb-registry-model/resnet:production")).toEqual(
      Either.right(registryPath(undefined, "model", "resnet", VersionSelector.alias("production")))
    )
  })

  it("accepts spaces in registry, collection and org display names, and dots in collections", () => {
    expect(parseRegistryPath("wandb-registry-Golden Datasets/raw_images:v0")).toEqual(
      Either.right(registryPath(undefined, "Golden Datasets", "raw_images", VersionSelector.index(0)))
    )
    expect(parseRegistryPath("SMLE Registries Bug Bash/wandb-registry-model/Finetuned Llama-3.2:latest")).toEqual(
      Either.right(
        registryPath("SMLE Registries Bug Bash", "model", "Finetuned Llama-3.2", VersionSelector.alias("latest"))
      )
    )
  })

  it("splits at the first colon: an alias with / is an invalid alias, not a longer path", () => {
    expectInvalidName(parseRegistryPath("wandb-registry-R/C:foo/bar"), "alias", /forbidden characters "\/"/)
    expectInvalidName(parseRegistryPath("ORG/wandb-registry-R/C:v3/x"), "alias", /forbidden characters "\/"/)
  })

  it.each([
    ["wandb-registry-model", /only one part/],
    ["models/resnet", /"models" is not a registry project/],
    ["wandb-registry-R/C/extra", /"C" is not a registry project/],
    ["Wandb-Registry-R/C", /not a registry project/],
    ["a/b/wandb-registry-R/C", /4 parts/],
    ["wandb-registry-R/", /part 2 of 2 .* is empty/],
    ["wandb-registry-R/C:", /nothing follows/]
  ])("refuses the path %j", (value, reason) => {
    expectInvalidPath(parseRegistryPath(value), reason)
  })

  it("validates the registry and collection names", () => {
    expectInvalidName(parseRegistryPath("wandb-registry-/C"), "project", /not a registry/)
    expectInvalidName(parseRegistryPath("wandb-registry-a#b/C"), "registry", /forbidden characters "#"/)
    expect(Either.isRight(parseRegistryPath(`wandb-registry-${"r".repeat(113)}/C`))).toBe(true)
    expectInvalidName(parseRegistryPath(`wandb-registry-${"r".repeat(114)}/C`), "registry", /114 characters/)
    expectInvalidName(parseRegistryPath(`wandb-registry-R/${"c".repeat(129)}`), "collection", /129 characters/)
  })

  it("validates the organization part: an entity or display name without control or invisible characters", () => {
    expectInvalidName(parseRegistryPath("acme\u0000/wandb-registry-R/C"), "displayName", /control/)
    expectInvalidName(parseRegistryPath("acme\u202e/wandb-registry-R/C:v0"), "displayName", /bidirectional/)
    expectInvalidName(parseLinkTarget("\u001b[2J/wandb-registry-R/C"), "displayName", /\("\\u001b"\)/)
    expectInvalidName(parseRegistryPath("wandb-registry-R\u200b/C"), "registry", /zero-width/)
    expectInvalidName(parseRegistryPath("wandb-registry-R/C\u0085"), "collection", /control/)
    expectInvalidName(parseRegistryPath("wandb-registry-R/C:prod\u2066"), "alias", /bidirectional/)
    expectInvalidName(parseRegistryPath("wandb-registry-R/C:V3"), "alias", /addressed as :vN/)
  })

  it("prints back the string it parsed", () => {
    for (const value of [
      "wandb-registry-model/resnet",
      "ORG/wandb-registry-R/C:v2",
      "wandb-registry-Golden Datasets/raw_images:v0",
      "acme org/wandb-registry-model/Finetuned Llama-3.2:best"
    ]) {
      expect(printRegistryPath(parsed(parseRegistryPath(value)))).toBe(value)
    }
  })

  it("names collections and linked versions", () => {
    expect(collectionPath("Golden Datasets", "raw_images")).toBe("wandb-registry-Golden Datasets/raw_images")
    expect(linkedVersionName("Golden Datasets", "raw_images", VersionSelector.alias("production"))).toBe(
      "wandb-registry-Golden Datasets/raw_images:production"
    )
    expect(linkedVersionName("model", "resnet", VersionSelector.index(3))).toBe(fullName("model", "resnet", 3))
    expect(parsed(parseRegistryPath(collectionPath("Golden Datasets", "raw_images")))).toEqual(
      registryPath(undefined, "Golden Datasets", "raw_images")
    )
    expect(fullName("model", "resnet", 3)).toBe("wandb-registry-model/resnet:v3")
    expect(qualifiedName("acme-org", "model", "resnet", 3)).toBe("acme-org/wandb-registry-model/resnet:v3")
    expect(parsed(parseRegistryPath(qualifiedName("acme-org", "model", "resnet", 3)))).toEqual(
      registryPath("acme-org", "model", "resnet", VersionSelector.index(3))
    )
  })
})

describe("link targets", () => {
  it("are collections, with or without an org", () => {
    expect(parseLinkTarget("wandb-registry-model/resnet")).toEqual(
      Either.right(registryPath(undefined, "model", "resnet"))
    )
    expect(parseLinkTarget("ORG/wandb-registry-R/C")).toEqual(Either.right(registryPath("ORG", "R", "C")))
  })

  it.each(["wandb-registry-R/C:v1", "ORG/wandb-registry-R/C:production"])("refuse a version or alias: %j", (value) => {
    const error = expectInvalidPath(parseLinkTarget(value), /link target is a collection/)
    expect(error.reason).toContain(`drop the "${value.slice(value.indexOf(":"))}" part`)
  })

  it("follow the registry path rules otherwise", () => {
    expectInvalidPath(parseLinkTarget("acme/vision/resnet"), /not a registry project/)
    expectInvalidName(parseLinkTarget("wandb-registry-/C"), "project", /not a registry/)
  })
})

describe("any reference", () => {
  it("a path whose project part is a registry project is a registry path, otherwise a source", () => {
    expect(parseAnyRef("wandb-registry-R/C:v1")).toEqual(
      Either.right({ _tag: "Registry", path: registryPath(undefined, "R", "C", VersionSelector.index(1)) })
    )
    expect(parseAnyRef("ORG/wandb-registry-R/C")).toEqual(
      Either.right({ _tag: "Registry", path: registryPath("ORG", "R", "C") })
    )
    expect(parseAnyRef("acme/vision/resnet:best")).toEqual(
      Either.right({ _tag: "Source", ref: source("acme", "vision", "resnet", VersionSelector.alias("best")) })
    )
    expect(parseAnyRef("wandb-registry-x/vision/resnet")).toEqual(
      Either.right({ _tag: "Source", ref: source("wandb-registry-x", "vision", "resnet") })
    )
  })

  it("refuses what neither accepts", () => {
    expectInvalidPath(parseAnyRef("resnet"), /three parts/)
    expectInvalidName(parseAnyRef("acme/wandb-registry-/resnet"), "project", /not a registry/)
  })
})

describe("InvalidPath", () => {
  it("names the value and the reason and shows the accepted forms", () => {
    const error = refused(parseSourceRef("a/b/c/d"))
    expect(error.message).toMatch(
      /^Invalid path "a\/b\/c\/d": it has 4 parts separated by "\/", at most 3 are accepted\./
    )
    expect(error.message).toContain("entity/project/name:vN")
    expect(error.message).toContain("ORG/wandb-registry-REGISTRY/COLLECTION")
  })
})

const identifier = Arbitrary.make(Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9_.-]{1,30}$/)))
const validBy =
  (validate: (value: string) => Either.Either<string, InvalidName>) =>
  (value: string): boolean =>
    Either.isRight(validate(value))
const anyText = fc.oneof(
  fc.string({ minLength: 1, maxLength: 40 }),
  fc.fullUnicodeString({ minLength: 1, maxLength: 20 })
)
const selector = fc.option(
  fc.oneof(fc.nat().map(VersionSelector.index), anyText.filter(validBy(validateAlias)).map(VersionSelector.alias)),
  { nil: undefined }
)

const sourceRef = fc
  .record({
    entity: identifier,
    project: anyText.filter(
      (project) => validBy(validateProjectName)(project) && !project.startsWith("wandb-registry-")
    ),
    name: identifier,
    version: selector
  })
  .map(({ entity, name, project, version }) => source(entity, project, name, version))

const registryPathArbitrary = fc
  .record({
    org: fc.option(
      anyText.filter((org) => !org.includes(":") && validBy(validateOrganizationReference)(org)),
      { nil: undefined }
    ),
    registry: anyText.filter(validBy(validateRegistryName)),
    collection: anyText.filter(validBy(validateCollectionName)),
    version: selector
  })
  .map(({ collection, org, registry, version }) => registryPath(org, registry, collection, version))

/** Strings built from the pieces paths are made of, so the parsers see many valid and nearly valid paths. */
const pathLike = fc
  .array(fc.constantFrom("a", "B", "/", ":", "v", "1", "0", " ", ".", "#", "wandb-registry-", "latest", "\n"), {
    maxLength: 12
  })
  .map((pieces) => pieces.join(""))

const parsers = [parseSourceRef, parseRegistryPath, parseLinkTarget, parseAnyRef, parseVersionSelector]

describe("laws", () => {
  it.prop("a valid source reference prints and parses back to itself", [sourceRef], ([ref]) => {
    const printed = printSourceRef(ref)
    expect(parseSourceRef(printed)).toEqual(Either.right(ref))
    expect(parseAnyRef(printed)).toEqual(Either.right({ _tag: "Source", ref }))
  })

  it.prop("a valid registry path prints and parses back to itself", [registryPathArbitrary], ([path]) => {
    const printed = printRegistryPath(path)
    expect(parseRegistryPath(printed)).toEqual(Either.right(path))
    expect(parseAnyRef(printed)).toEqual(Either.right({ _tag: "Registry", path }))
    if (Option.isNone(path.version)) expect(parseLinkTarget(printed)).toEqual(Either.right(path))
  })

  it.prop(
    "no parser throws on any string, and whatever parses prints back to the same string",
    [fc.oneof(fc.string(), fc.fullUnicodeString(), fc.string({ unit: "binary" }), pathLike)],
    ([value]) => {
      for (const parse of parsers) expect(() => parse(value)).not.toThrow()
      const printed = Either.map(parseAnyRef(value), (any) =>
        any._tag === "Source" ? printSourceRef(any.ref) : printRegistryPath(any.path)
      )
      if (Either.isRight(printed)) expect(printed.right).toBe(value)
      else expect(typeof printed.left.message).toBe("string")
      const registry = parseRegistryPath(value)
      if (Either.isRight(registry)) expect(printRegistryPath(registry.right)).toBe(value)
      const ref = parseSourceRef(value)
      if (Either.isRight(ref)) expect(printSourceRef(ref.right)).toBe(value)
      const version = parseVersionSelector(value)
      if (Either.isRight(version)) expect(printVersionSelector(version.right)).toBe(value)
    },
    { fastCheck: { numRuns: 500 } }
  )
})
