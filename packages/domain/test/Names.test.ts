import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, Either, Option } from "effect"
import * as fc from "effect/FastCheck"
import {
  InvalidName,
  isRegistryProject,
  isVersionString,
  parseVersionIndex,
  REGISTRY_PREFIX,
  validateAlias,
  validateArtifactName,
  validateArtifactType,
  validateCollectionName,
  validateEntityName,
  validateFilePath,
  validateManifest,
  validateMetadata,
  validateProjectName,
  validateRegistryName,
  validateRegistryProjectName,
  validateRunId,
  validateTag,
  validateTags,
  validateUserAlias,
  validateUserAliases,
  escapeUnsafe,
  isLatestAlias,
  isUnsafeCharacter,
  registryNameOf,
  registryProjectName,
  validateDescription,
  validateDisplayName,
  validateOrganizationReference,
  validateStorableName
} from "../src/Names.js"

const refused = <A>(result: Either.Either<A, InvalidName>): InvalidName => {
  if (Either.isRight(result)) throw new Error(`expected a refusal, got ${JSON.stringify(result.right)}`)
  return result.left
}

const expectRule = <A>(result: Either.Either<A, InvalidName>, kind: InvalidName["kind"], rule: string | RegExp) => {
  const error = refused(result)
  expect(error._tag).toBe("InvalidName")
  expect(error.kind).toBe(kind)
  if (typeof rule === "string") expect(error.rule).toBe(rule)
  else expect(error.rule).toMatch(rule)
  return error
}

const accepted = (result: Either.Either<string, InvalidName>, value: string) =>
  expect(result).toEqual(Either.right(value))

const FORBIDDEN_IN_REGISTRY = ["/", "\\", "#", "?", "%", ":", "\r", "\n"] as const

describe("InvalidName", () => {
  it("tells which value broke which rule and what is allowed", () => {
    const error = refused(validateRegistryName("a/b"))
    expect(error.message).toBe(
      'Invalid registry name "a/b": it contains forbidden characters "/"; registry names are 1 to 113 characters (128 with the "wandb-registry-" prefix) and cannot contain / \\ # ? % : or line breaks.'
    )
  })

  it("names the metadata location instead of quoting a value", () => {
    const error = refused(validateMetadata({ score: Number.POSITIVE_INFINITY }))
    expect(error.message).toMatch(
      /^Invalid metadata at \$\.score: it is Infinity, which is not a JSON number; metadata has/
    )
  })

  it.prop("every message quotes the value and states the rule", [Arbitrary.make(InvalidName)], ([error]) => {
    expect(error.message).toContain(error.rule)
    if (error.kind !== "metadata") expect(error.message).toContain(JSON.stringify(error.value))
  })
})

describe("registry names", () => {
  it("the prefix is wandb-registry-", () => {
    expect(REGISTRY_PREFIX).toBe("wandb-registry-")
  })

  it("a registry project starts with the prefix and is longer than it, case-sensitively", () => {
    expect(isRegistryProject("wandb-registry-model")).toBe(true)
    expect(isRegistryProject("wandb-registry-")).toBe(false)
    expect(isRegistryProject("Wandb-registry-model")).toBe(false)
    expect(isRegistryProject("my-wandb-registry-model")).toBe(false)
    expect(isRegistryProject("")).toBe(false)
  })

  it("accepts spaces and 1 to 113 characters", () => {
    accepted(validateRegistryName("Golden Datasets"), "Golden Datasets")
    accepted(validateRegistryName("x"), "x")
    accepted(validateRegistryName("a".repeat(113)), "a".repeat(113))
  })

  it("refuses the empty name", () => {
    expectRule(validateRegistryName(""), "registry", "it is empty")
  })

  it("refuses 114 characters", () => {
    expectRule(validateRegistryName("a".repeat(114)), "registry", "it is 114 characters long, more than 113")
  })

  it("counts characters, not UTF-16 units", () => {
    accepted(validateRegistryName("😀".repeat(113)), "😀".repeat(113))
    expectRule(validateRegistryName("😀".repeat(114)), "registry", /^it is 114 characters long/)
  })

  it.each(FORBIDDEN_IN_REGISTRY)("refuses the forbidden character %j", (character) => {
    expectRule(
      validateRegistryName(`a${character}b`),
      "registry",
      `it contains forbidden characters ${JSON.stringify(character)}`
    )
  })

  it("lists every forbidden character found, once each, in order of appearance", () => {
    expectRule(validateRegistryName("a%b/c%d\n"), "registry", 'it contains forbidden characters "%", "/", "\\n"')
  })

  it("checks length before characters", () => {
    expectRule(validateRegistryName("/".repeat(114)), "registry", /^it is 114 characters long/)
  })
})

describe("registry project names", () => {
  it("returns the registry name without the prefix", () => {
    accepted(validateRegistryProjectName("wandb-registry-Golden Datasets"), "Golden Datasets")
    accepted(validateRegistryProjectName(`wandb-registry-${"a".repeat(113)}`), "a".repeat(113))
  })

  it("refuses an empty project name first", () => {
    expectRule(validateRegistryProjectName(""), "project", "it is empty")
  })

  it("refuses a project without the prefix as not a registry", () => {
    expectRule(validateRegistryProjectName("models"), "project", /not a registry project/)
    expectRule(validateRegistryProjectName("Wandb-registry-models"), "project", /not a registry project/)
  })

  it("refuses the bare prefix as not a registry", () => {
    const error = expectRule(validateRegistryProjectName("wandb-registry-"), "project", /not a registry/)
    expect(error.rule).toMatch(/empty registry name/)
  })

  it("then applies the registry name rules to the part after the prefix (128 with the prefix)", () => {
    expectRule(
      validateRegistryProjectName(`wandb-registry-${"a".repeat(114)}`),
      "registry",
      "it is 114 characters long, more than 113"
    )
    expectRule(validateRegistryProjectName("wandb-registry-a#b"), "registry", 'it contains forbidden characters "#"')
  })
})

describe("project names", () => {
  it("accepts ordinary and registry project names unchanged", () => {
    accepted(validateProjectName("my-project"), "my-project")
    accepted(validateProjectName("my project (2024)"), "my project (2024)")
    accepted(validateProjectName("wandb-registry-Golden Datasets"), "wandb-registry-Golden Datasets")
    accepted(validateProjectName("p".repeat(128)), "p".repeat(128))
  })

  it("refuses empty and 129 characters", () => {
    expectRule(validateProjectName(""), "project", "it is empty")
    expectRule(validateProjectName("p".repeat(129)), "project", "it is 129 characters long, more than 128")
  })

  it.each(FORBIDDEN_IN_REGISTRY)("refuses the forbidden character %j", (character) => {
    expectRule(
      validateProjectName(`p${character}q`),
      "project",
      `it contains forbidden characters ${JSON.stringify(character)}`
    )
  })

  it("applies the registry rules to registry projects, and the bare prefix is not a project", () => {
    expectRule(validateProjectName(`wandb-registry-${"a".repeat(114)}`), "registry", /^it is 114 characters long/)
    expectRule(validateProjectName("wandb-registry-"), "project", /not a registry/)
  })
})

describe("collection names", () => {
  it("accepts spaces, dots and 1 to 128 characters", () => {
    accepted(validateCollectionName("Finetuned Llama-3.2"), "Finetuned Llama-3.2")
    accepted(validateCollectionName("c".repeat(128)), "c".repeat(128))
  })

  it("refuses empty, 129 characters, / and :", () => {
    expectRule(validateCollectionName(""), "collection", "it is empty")
    expectRule(validateCollectionName("c".repeat(129)), "collection", "it is 129 characters long, more than 128")
    expectRule(validateCollectionName("a/b"), "collection", 'it contains forbidden characters "/"')
    expectRule(validateCollectionName("a:b"), "collection", 'it contains forbidden characters ":"')
  })
})

describe.each([
  ["artifact", validateArtifactName],
  ["entity", validateEntityName],
  ["run", validateRunId]
] as const)("%s names: letters, digits, -, _ and .", (kind, validate) => {
  it("accepts them, 1 to 128 characters", () => {
    accepted(validate("my-Model_v1.2"), "my-Model_v1.2")
    accepted(validate("a".repeat(128)), "a".repeat(128))
  })

  it("refuses empty and 129 characters", () => {
    expectRule(validate(""), kind, "it is empty")
    expectRule(validate("a".repeat(129)), kind, "it is 129 characters long, more than 128")
  })

  it.each([" ", "/", ":", "é", "+", "\n"])("refuses %j", (character) => {
    expectRule(
      validate(`a${character}b`),
      kind,
      `it contains characters that are not allowed ${JSON.stringify(character)}`
    )
  })
})

describe("versions", () => {
  it("a version string is v followed by digits", () => {
    expect(isVersionString("v0")).toBe(true)
    expect(isVersionString("v12")).toBe(true)
    expect(isVersionString("v007")).toBe(true)
    for (const other of ["v", "V1", "1", "v1a", "v-1", "v 1", "", "latest"]) expect(isVersionString(other)).toBe(false)
  })

  it("parses canonical version indexes only", () => {
    expect(parseVersionIndex("v0")).toEqual(Option.some(0))
    expect(parseVersionIndex("v42")).toEqual(Option.some(42))
    expect(parseVersionIndex("v007")).toEqual(Option.none())
    expect(parseVersionIndex("v99999999999999999999")).toEqual(Option.none())
    expect(parseVersionIndex("best")).toEqual(Option.none())
  })

  it.prop("every index prints and parses back", [fc.nat()], ([index]) => {
    expect(parseVersionIndex(`v${index}`)).toEqual(Option.some(index))
  })
})

describe("aliases", () => {
  it("accepts names, latest included", () => {
    for (const alias of ["best", "production", "latest", "v", "V", "v3a", "release candidate"]) {
      accepted(validateAlias(alias), alias)
    }
    accepted(validateAlias("a".repeat(128)), "a".repeat(128))
  })

  it("refuses empty, 129 characters, / and :", () => {
    expectRule(validateAlias(""), "alias", "it is empty")
    expectRule(validateAlias("a".repeat(129)), "alias", "it is 129 characters long, more than 128")
    expectRule(validateAlias("foo/bar"), "alias", 'it contains forbidden characters "/"')
    expectRule(validateAlias("foo:bar"), "alias", 'it contains forbidden characters ":"')
  })

  it("refuses anything shaped like a version, in any letter case: versions are addressed as :vN", () => {
    for (const alias of ["v3", "v007", "V3", "V0"]) {
      const error = expectRule(
        validateAlias(alias),
        "alias",
        "it is shaped like a version (v followed by digits): versions are addressed as :vN and cannot be aliases"
      )
      expect(error.message).toContain(":vN")
    }
  })

  it("users cannot assign or remove latest, in any letter case", () => {
    for (const alias of ["latest", "LATEST", "Latest", "lAtEsT"]) {
      const error = expectRule(
        validateUserAlias(alias),
        "alias",
        '"latest" is reserved in every letter case: the system keeps it on the newest version, and users cannot assign or remove it'
      )
      expect(error.message).toContain(JSON.stringify(alias))
    }
    accepted(validateUserAlias("best"), "best")
    accepted(validateUserAlias("latest-good"), "latest-good")
  })

  it("user aliases follow the alias rules first", () => {
    expectRule(validateUserAlias("v1"), "alias", /shaped like a version/)
    expectRule(validateUserAlias("V1"), "alias", /shaped like a version/)
    expectRule(validateUserAlias("a/b"), "alias", /forbidden/)
  })
})

describe("artifact types", () => {
  it("accepts types, wandb without a dash included", () => {
    for (const type of ["model", "dataset", "wandb", "wandb_model", "Wandb-model", "raw images"]) {
      accepted(validateArtifactType(type), type)
    }
  })

  it("reserves types starting with wandb-, for every artifact name", () => {
    for (const name of [undefined, "weights"]) {
      const error = expectRule(
        validateArtifactType("wandb-foo", name),
        "type",
        /^types starting with "wandb-" are reserved/
      )
      expect(error.rule).toContain("for internal use by W&B-compatible clients")
      expect(error.rule).toContain('such as "model" or "dataset"')
    }
  })

  it("reserves job for every artifact name, and with no name", () => {
    for (const name of [undefined, "weights", "run-1"]) {
      const error = expectRule(
        validateArtifactType("job", name),
        "type",
        /^the type "job" is reserved for internal use/
      )
      expect(error.message).toContain("W&B-compatible clients")
    }
    accepted(validateArtifactType("jobs"), "jobs")
    accepted(validateArtifactType("Job"), "Job")
  })

  it("reserves run_table only for artifacts named run-…", () => {
    const error = expectRule(validateArtifactType("run_table", "run-abc"), "type", /"run_table" is reserved/)
    expect(error.rule).toContain('does not start with "run-"')
    accepted(validateArtifactType("run_table", "evaluation"), "run_table")
    accepted(validateArtifactType("run_table"), "run_table")
  })

  it("reserves code only for artifacts named source-…", () => {
    const error = expectRule(validateArtifactType("code", "source-train.py"), "type", /"code" is reserved/)
    expect(error.rule).toContain('does not start with "source-"')
    accepted(validateArtifactType("code", "training-code"), "code")
    accepted(validateArtifactType("code"), "code")
  })

  it("refuses empty, 129 characters, / and :, before the reserved prefix", () => {
    expectRule(validateArtifactType(""), "type", "it is empty")
    expectRule(validateArtifactType("t".repeat(129)), "type", "it is 129 characters long, more than 128")
    expectRule(validateArtifactType("wandb-a/b"), "type", 'it contains forbidden characters "/"')
    expectRule(validateArtifactType("a:b"), "type", 'it contains forbidden characters ":"')
  })
})

describe("tags", () => {
  it("accepts words of letters, digits, _ and - separated by single spaces", () => {
    for (const tag of ["production", "text-classification", "two words", "a_b c-d 3"]) accepted(validateTag(tag), tag)
    accepted(validateTag("t".repeat(128)), "t".repeat(128))
  })

  it("refuses empty and 129 characters", () => {
    expectRule(validateTag(""), "tag", "it is empty")
    expectRule(validateTag("t".repeat(129)), "tag", "it is 129 characters long, more than 128")
  })

  it("refuses other characters", () => {
    expectRule(validateTag("v1.2"), "tag", 'it contains characters that are not allowed "."')
    expectRule(validateTag("a\tb"), "tag", 'it contains characters that are not allowed "\\t"')
  })

  it("refuses leading, trailing and repeated spaces", () => {
    for (const tag of [" lead", "trail ", "two  words", " "]) {
      expectRule(validateTag(tag), "tag", "it has a leading, trailing or repeated space")
    }
  })

  it("takes at most 100 aliases or tags in one command, each checked", () => {
    const names = (count: number) => Array.from({ length: count }, (_, index) => `n${index}`)
    expect(validateUserAliases(names(100))).toEqual(Either.right(names(100)))
    expectRule(validateUserAliases(names(101)), "alias", "101 were given at once, more than 100")
    expectRule(validateUserAliases(["prod", "latest"]), "alias", /reserved/)
    expect(validateTags(names(100))).toEqual(Either.right(names(100)))
    expectRule(validateTags(names(30_000)), "tag", "30000 were given at once, more than 100")
  })

  it("validates every tag and reports the first invalid one", () => {
    const tags = ["a", "b c"]
    expect(validateTags(tags)).toEqual(Either.right(tags))
    expect(validateTags([])).toEqual(Either.right([]))
    expect(refused(validateTags(["ok", "bad.one", "x y "])).value).toBe("bad.one")
  })
})

const keys = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, index) => [`k${index}`, index]))

describe("metadata", () => {
  it("accepts JSON values and returns the same object", () => {
    const metadata = { a: 1, b: "x", c: null, d: [true, { e: -0.5 }], f: {}, "a b": [] }
    const result = validateMetadata(metadata)
    expect(Either.isRight(result) && result.right).toBe(metadata)
  })

  it("accepts 100 top-level keys and refuses 101", () => {
    expect(Either.isRight(validateMetadata(keys(100)))).toBe(true)
    expectRule(validateMetadata(keys(101)), "metadata", "it has 101 top-level keys, more than 100")
  })

  it("limits only top-level keys", () => {
    expect(Either.isRight(validateMetadata({ nested: keys(500) }))).toBe(true)
  })

  it("accepts objects and arrays nested 100 levels deep and refuses 101, however deep the value goes", () => {
    // The metadata object is level 1; each array adds one.
    const nested = (levels: number): Record<string, unknown> => {
      let value: unknown = 1
      for (let level = 1; level < levels; level++) value = [value]
      return { a: value }
    }
    expect(Either.isRight(validateMetadata(nested(100)))).toBe(true)
    expectRule(validateMetadata(nested(101)), "metadata", "it nests objects and arrays more than 100 levels deep")
    // Deep enough to overflow the stack of a recursive walk or of JSON.stringify.
    expectRule(validateMetadata(nested(200_000)), "metadata", /more than 100 levels deep/)
  })

  it("refuses ±Infinity and NaN anywhere, naming where", () => {
    const where = (metadata: Record<string, unknown>) => refused(validateMetadata(metadata)).value
    expect(where({ score: Number.POSITIVE_INFINITY })).toBe("$.score")
    expect(where({ a: { b: [1, Number.NEGATIVE_INFINITY] } })).toBe("$.a.b[1]")
    expect(where({ "odd key": { x: Number.NaN } })).toBe('$["odd key"].x')
    expectRule(validateMetadata({ a: [[Number.NaN]] }), "metadata", /NaN/)
  })

  it.each([
    ["a function", { f: () => 1 }, "$.f", /function/],
    ["undefined inside an array", { list: [1, undefined] }, "$.list[1]", /undefined/],
    ["undefined as a value", { u: undefined }, "$.u", /undefined/],
    ["a hole in an array", { list: Object.assign(new Array<number>(3), { 0: 1 }) }, "$.list[1]", /undefined/],
    ["a bigint", { n: 1n }, "$.n", /bigint/],
    ["a symbol", { s: Symbol("s") }, "$.s", /symbol/],
    ["a date", { d: new Date(0) }, "$.d", /class/],
    ["a map", { m: new Map() }, "$.m", /class/],
    ["symbol keys", { o: { [Symbol("k")]: 1 } }, "$.o", /symbol keys/]
  ] as const)("refuses %s", (_, metadata, where, rule) => {
    const error = expectRule(validateMetadata(metadata), "metadata", rule)
    expect(error.value).toBe(where)
  })

  it("refuses a value that contains itself, but not one shared twice", () => {
    const cyclic: Record<string, unknown> = {}
    cyclic.self = { back: cyclic }
    expectRule(validateMetadata(cyclic), "metadata", /contains itself/)
    const shared = { x: 1 }
    expect(Either.isRight(validateMetadata({ a: shared, b: [shared, shared] }))).toBe(true)
  })

  it("refuses a value that is not an object of keys", () => {
    expectRule(validateMetadata([] as unknown as Record<string, unknown>), "metadata", /not an object/)
    expectRule(validateMetadata(null as unknown as Record<string, unknown>), "metadata", /not an object/)
  })

  it("does not throw on deep values (it refuses them) or values that throw when read", () => {
    let deep: unknown = 1
    for (let depth = 0; depth < 100_000; depth++) deep = [deep]
    expectRule(validateMetadata({ deep }), "metadata", /more than 100 levels deep/)
    const hostile = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error("no")
        }
      }
    )
    expectRule(validateMetadata(hostile), "metadata", /could not be read/)
  })

  it.prop(
    "accepts any JSON object of at most 100 keys",
    [fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 100 })],
    ([metadata]) => {
      expect(Either.isRight(validateMetadata(metadata as Record<string, unknown>))).toBe(true)
    }
  )

  it.prop(
    "never throws, and what it accepts survives JSON",
    [
      fc.dictionary(
        fc.string(),
        fc.anything({ withBigInt: true, withMap: true, withSet: true, withNullPrototype: true })
      )
    ],
    ([metadata]) => {
      const result = validateMetadata(metadata)
      if (Either.isRight(result)) {
        expect(JSON.parse(JSON.stringify(result.right))).toEqual(result.right)
      }
    }
  )
})

describe("a version's manifest", () => {
  const sha = "0123456789abcdef".repeat(4)
  const file = (path: string, overrides: Partial<{ sha256: string; size: number }> = {}) => ({
    path,
    sha256: sha,
    size: 5,
    ...overrides
  })

  it("accepts relative paths in segments, any size in whole bytes, and returns the same files", () => {
    const files = [
      file("model.pt"),
      file("weights/layer 1.bin", { size: 0 }),
      file("données/été.csv"),
      file("a/.hidden")
    ]
    expect(validateManifest(files)).toEqual(Either.right(files))
    expect(validateManifest([])).toEqual(Either.right([]))
  })

  it.each([
    ["../etc/passwd", /\. or \.\. segment/],
    ["a/../../b", /\. or \.\. segment/],
    ["./a", /\. or \.\. segment/],
    ["/etc/passwd", /starts with \//],
    ["a//b", /empty segment/],
    ["a/", /empty segment/],
    ["", /empty/],
    ["a\\b", /forbidden characters/],
    ["a\u0000b", /control/],
    ["a\u202eb", /bidirectional/],
    ["p".repeat(1025), /1025 characters long, more than 1024/]
  ])("refuses the path %j", (path, rule) => {
    expectRule(validateManifest([file(path)]), "file", rule)
  })

  it("refuses a path named twice, a digest that is not 64 lowercase hex digits, and a size that is not whole bytes", () => {
    expectRule(validateManifest([file("a"), file("b"), file("a")]), "file", "it is named twice in the manifest")
    for (const sha256 of ["zz", sha.toUpperCase(), `${sha}0`, sha.slice(1)]) {
      expectRule(validateManifest([file("a", { sha256 })]), "file", /is not 64 lowercase hex digits/)
    }
    for (const size of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      expectRule(validateManifest([file("a", { size })]), "file", /is not a whole number of bytes/)
    }
    expect(refused(validateManifest([file("ok"), file("x", { size: -1 })])).value).toBe("x")
  })
})

const validators = [
  validateRegistryName,
  validateRegistryProjectName,
  validateProjectName,
  validateCollectionName,
  validateArtifactName,
  validateEntityName,
  validateRunId,
  validateAlias,
  validateUserAlias,
  validateArtifactType,
  validateTag,
  validateFilePath
]

describe("totality", () => {
  it.prop(
    "no validator throws on any string, and an accepted name is returned unchanged",
    [fc.oneof(fc.string(), fc.fullUnicodeString(), fc.string({ unit: "binary" }))],
    ([value]) => {
      for (const validate of validators) {
        const result = validate(value)
        if (Either.isRight(result) && validate !== validateRegistryProjectName) expect(result.right).toBe(value)
        if (Either.isLeft(result)) expect(typeof result.left.message).toBe("string")
      }
      isRegistryProject(value)
      isVersionString(value)
      parseVersionIndex(value)
      validateTags([value, value])
    }
  )
})

/** One character of every class no name may hold, by what it is. */
const unsafeCharacters: ReadonlyArray<readonly [string, string]> = [
  ["NUL", "\u0000"],
  ["ESC (starts terminal escape sequences)", "\u001b"],
  ["TAB", "\t"],
  ["DEL", "\u007f"],
  ["C1 control NEL", "\u0085"],
  ["C1 control CSI", "\u009b"],
  ["zero-width space", "\u200b"],
  ["zero-width non-joiner", "\u200c"],
  ["zero-width joiner", "\u200d"],
  ["word joiner", "\u2060"],
  ["byte order mark", "\ufeff"],
  ["left-to-right mark", "\u200e"],
  ["right-to-left mark", "\u200f"],
  ["Arabic letter mark", "\u061c"],
  ["left-to-right embedding", "\u202a"],
  ["right-to-left override", "\u202e"],
  ["left-to-right isolate", "\u2066"],
  ["pop directional isolate", "\u2069"],
  ["unpaired high surrogate", "\ud800"],
  ["unpaired low surrogate", "\udfff"]
]

/** Every kind of name, each with a valid name to put the character into. */
const everyName: ReadonlyArray<readonly [string, (value: string) => Either.Either<string, InvalidName>, string]> = [
  ["registry", validateRegistryName, "Golden Datasets"],
  ["registry project", validateRegistryProjectName, "wandb-registry-Golden"],
  ["project", validateProjectName, "my project"],
  ["collection", validateCollectionName, "raw images"],
  ["artifact", validateArtifactName, "raw_images"],
  ["entity (organization, team, user)", validateEntityName, "acme-team"],
  ["organization display name", validateDisplayName, "Acme Research"],
  ["organization reference in a path", validateOrganizationReference, "Acme Research"],
  ["run", validateRunId, "train-1"],
  ["alias", validateAlias, "production"],
  ["user alias", validateUserAlias, "production"],
  ["artifact type", (value) => validateArtifactType(value), "model"],
  ["tag", validateTag, "eval set"]
]

describe("invisible and control characters", () => {
  it("are the C0 and C1 controls, DEL, zero-width and bidirectional controls, and unpaired surrogates", () => {
    for (const [, character] of unsafeCharacters) expect(isUnsafeCharacter(character)).toBe(true)
    for (const character of ["a", " ", "é", "Ω", "\u00a0", "\u2028", "😀", "中"]) {
      expect(isUnsafeCharacter(character)).toBe(false)
    }
  })

  for (const [kind, validate, valid] of everyName) {
    it(`no ${kind} may hold one, and the refusal shows it escaped`, () => {
      accepted(validate(valid), valid === "wandb-registry-Golden" ? "Golden" : valid)
      for (const [what, character] of unsafeCharacters) {
        for (const value of [
          `${valid}${character}`,
          `${character}${valid}`,
          `${valid.slice(0, 2)}${character}${valid.slice(2)}`
        ]) {
          const result = validate(value)
          if (Either.isRight(result)) throw new Error(`${kind} accepted ${what}: ${JSON.stringify(value)}`)
          expect(result.left._tag).toBe("InvalidName")
          // The message never carries the raw character: it is safe to print or log.
          for (const [, raw] of unsafeCharacters) expect(result.left.message.includes(raw)).toBe(false)
        }
      }
    })
  }

  it("says which characters and why, as JSON escapes", () => {
    expectRule(
      validateCollectionName("raw\u202eimages\u200b"),
      "collection",
      'it contains control, zero-width or bidirectional characters ("\\u202e", "\\u200b"), which could hide or disguise what it says'
    )
    expect(refused(validateRegistryName("a\u001b[31mb")).message).toContain('"a\\u001b[31mb"')
  })

  it("a pair of surrogates is one character and is accepted", () => {
    accepted(validateCollectionName("models 😀"), "models 😀")
    accepted(validateRegistryName("Golden 😀"), "Golden 😀")
  })

  it("escapeUnsafe writes each as \\uXXXX and leaves everything else as it is", () => {
    expect(escapeUnsafe("a\u001b[31mb\u009b\u202e\ud800c😀é\n")).toBe("a\\u001b[31mb\\u009b\\u202e\\ud800c😀é\\u000a")
  })
})

describe("display names and organization references", () => {
  it("accept spaces, refuse empty, only spaces, / and 129 characters", () => {
    accepted(validateDisplayName("SMLE Registries Bug Bash"), "SMLE Registries Bug Bash")
    expectRule(validateDisplayName(""), "displayName", "it is empty")
    expectRule(validateDisplayName("   "), "displayName", "it is only spaces")
    expectRule(validateDisplayName("a/b"), "displayName", 'it contains forbidden characters "/"')
    expectRule(validateDisplayName("d".repeat(129)), "displayName", "it is 129 characters long, more than 128")
  })

  it("an organization in a path is an entity name or a display name", () => {
    accepted(validateOrganizationReference("smle-registries-bug-bash"), "smle-registries-bug-bash")
    accepted(validateOrganizationReference("SMLE Registries Bug Bash"), "SMLE Registries Bug Bash")
    expectRule(validateOrganizationReference("acme\u0000"), "displayName", /control/)
  })
})

describe("text a store must hold", () => {
  it("descriptions take any text but NUL and unpaired surrogates", () => {
    accepted(
      validateDescription("line one\nline two\t\u001b[1mbold\u001b[0m 😀"),
      "line one\nline two\t\u001b[1mbold\u001b[0m 😀"
    )
    expectRule(validateDescription("a\u0000b"), "description", /NUL characters and unpaired surrogates/)
    expectRule(validateDescription("a\udc00b"), "description", /no store can hold/)
  })

  it("a name looked up (not created) is refused only for what no store can hold", () => {
    expectRule(validateStorableName("registry", "R\u0000"), "registry", /no store can hold/)
    expectRule(validateStorableName("registry", "R\ud800"), "registry", /unpaired surrogates/)
    accepted(validateStorableName("registry", "legacy\u001b name"), "legacy\u001b name")
  })

  it("metadata strings and keys cannot hold NUL or unpaired surrogates", () => {
    const value = refused(validateMetadata({ notes: ["ok", "bad\u0000"] }))
    expect(value).toMatchObject({ kind: "metadata", value: "$.notes[1]" })
    expect(value.rule).toMatch(/NUL/)
    const key = refused(validateMetadata({ nested: { "k\u0000": 1 } }))
    expect(key).toMatchObject({ kind: "metadata", value: "$.nested" })
    expect(key.rule).toContain('its key "k\\u0000"')
    expect(validateMetadata({ ansi: "\u001b[31mred" })).toEqual(Either.right({ ansi: "\u001b[31mred" }))
  })
})

describe("latest in any case", () => {
  it("is the system's alias", () => {
    for (const alias of ["latest", "LATEST", "Latest"]) expect(isLatestAlias(alias)).toBe(true)
    expect(isLatestAlias("latest1")).toBe(false)
  })
})

describe("the registry prefix", () => {
  it("are built and taken apart in one place, and the round trip gives the name back", () => {
    expect(registryProjectName("Golden Datasets")).toBe("wandb-registry-Golden Datasets")
    for (const registry of ["Golden Datasets", "Models", "a", "wandb-registry-x"]) {
      const project = registryProjectName(registry)
      expect(isRegistryProject(project)).toBe(true)
      expect(registryNameOf(project)).toBe(registry)
      expect(validateRegistryProjectName(project)).toEqual(Either.right(registry))
    }
    // People write a registry with or without the prefix.
    expect(registryNameOf("Golden Datasets")).toBe("Golden Datasets")
  })
})
