/**
 * The filter language's rules (docs/search.md): parsing for each level, W&B's registry-name prefix, orders, cursors
 * and page sizes, the bounds on hostile input, and the evaluator's meaning — with properties over random input.
 */
import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck as fc } from "effect"
import * as Filter from "../src/Filter.js"

const parse = (level: Filter.Level, input: unknown) => Filter.parseFilter(level, input)
const ok = (level: Filter.Level, input: unknown): Filter.Filter => Either.getOrThrow(parse(level, input))
const fails = (level: Filter.Level, input: unknown) => {
  const result = parse(level, input)
  if (Either.isRight(result)) throw new Error(`expected a refusal of ${JSON.stringify(input)}`)
  return result.left
}
const condition = (field: string, operation: Filter.Operation, path: ReadonlyArray<string> = []): Filter.Filter => ({
  _tag: "Condition",
  field: { field, path },
  operation
})
const eq = (value: Filter.Json): Filter.Operation => ({ _tag: "Compare", operator: "$eq", value })

describe("parsing", () => {
  it("reads a bare value as $eq, and ANDs several keys", () => {
    expect(ok("collections", { name: "x" })).toEqual(condition("name", eq("x")))
    expect(ok("collections", { name: "x", type: "model" })).toEqual({
      _tag: "And",
      filters: [condition("name", eq("x")), condition("type", eq("model"))]
    })
    expect(ok("collections", {})).toEqual({ _tag: "And", filters: [] })
  })

  it("reads dotted paths into metadata, and only there", () => {
    expect(ok("versions", { "metadata.owner.team": "ml" })).toEqual(condition("metadata", eq("ml"), ["owner", "team"]))
    const error = fails("versions", { "source.owner": "x" })
    expect(error._tag).toBe("UnknownFilterField")
  })

  it("refuses field names outside [A-Za-z_][A-Za-z0-9_]*, in every part of a path", () => {
    for (const field of ["1name", "na-me", "metadata.", "metadata.a b", "metadata.x;drop", "", "metadata..a"]) {
      const error = fails("versions", { [field]: 1 })
      expect(error._tag).toBe("InvalidFilterFieldName")
      expect(error.message).toContain("letter or _")
    }
  })

  it("knows the 17 operators, and lists them when one is unknown", () => {
    expect(Filter.operators).toHaveLength(17)
    const error = fails("registries", { name: { $like: "x" } })
    expect(error._tag).toBe("UnknownFilterOperator")
    for (const operator of Filter.operators) expect(error.message).toContain(operator)
    expect(fails("registries", { $where: "1" })._tag).toBe("UnknownFilterOperator")
  })

  it("takes each level's fields, and names the wrong field and the allowed ones", () => {
    for (const [level, fields] of Object.entries(Filter.fieldsOf) as Array<[Filter.Level, object]>) {
      for (const field of Object.keys(fields))
        expect(Either.isRight(parse(level, { [field]: { $exists: true } }))).toBe(true)
    }
    const error = fails("registries", { tag: "x" })
    expect(error._tag).toBe("UnknownFilterField")
    expect(error.message).toContain('"tag"')
    expect(error.message).toContain("id name description created_at updated_at")
    expect(fails("collections", { alias: "x" })._tag).toBe("UnknownFilterField")
    expect(fails("versions", { name: "x" })._tag).toBe("UnknownFilterField")
  })

  it("refuses a field given twice in the JSON text", () => {
    const error = fails("registries", '{"name": "a", "name": "b"}')
    expect(error._tag).toBe("DuplicateFilterField")
    expect(error.message).toContain('"name"')
    expect(fails("versions", '{"version": {"$gt": 1, "$gt": 2}}')._tag).toBe("DuplicateFilterField")
  })

  it("prefixes registry names inside $eq, $in, $ne, $nin and their lists, never doubling, never in $regex", () => {
    const prefixed = "wandb-registry-model"
    expect(ok("registries", { name: "model" })).toEqual(condition("name", eq(prefixed)))
    expect(ok("registries", { name: prefixed })).toEqual(condition("name", eq(prefixed)))
    expect(ok("registries", { name: { $ne: "model" } })).toEqual(
      condition("name", { _tag: "Compare", operator: "$ne", value: prefixed })
    )
    expect(ok("registries", { name: { $in: ["model", prefixed] } })).toEqual(
      condition("name", { _tag: "Membership", operator: "$in", values: [prefixed, prefixed] })
    )
    expect(ok("registries", { name: { $nin: ["a"] } })).toEqual(
      condition("name", { _tag: "Membership", operator: "$nin", values: ["wandb-registry-a"] })
    )
    expect(ok("registries", { $or: [{ name: "a" }, { name: { $not: { $eq: "b" } } }] })).toEqual({
      _tag: "Or",
      filters: [
        condition("name", eq("wandb-registry-a")),
        { _tag: "Not", filter: condition("name", eq("wandb-registry-b")) }
      ]
    })
    expect(ok("registries", { name: { $regex: "^model" } })).toEqual(
      condition("name", { _tag: "Regex", pattern: "^model" })
    )
    // Only registry names: a collection's name is its own.
    expect(ok("collections", { name: "model" })).toEqual(condition("name", eq("model")))
  })

  it("checks operands against the field: versions, times, lists", () => {
    expect(ok("versions", { version: "v3" })).toEqual(condition("version", eq(3)))
    expect(ok("versions", { created_at: { $gte: "2025-01-01" } })).toEqual(
      condition("created_at", { _tag: "Compare", operator: "$gte", value: "2025-01-01T00:00:00.000Z" })
    )
    expect(fails("versions", { created_at: { $gte: "yesterday" } })._tag).toBe("InvalidFilterOperand")
    expect(fails("versions", { created_at: { $gte: "2025-01-01T10:00" } })._tag).toBe("InvalidFilterOperand")
    expect(fails("versions", { version: "three" }).message).toContain("version number")
    expect(fails("versions", { alias: { $lt: "x" } })._tag).toBe("InvalidFilterOperand")
    expect(fails("collections", { name: { $size: 1 } })._tag).toBe("InvalidFilterOperand")
    expect(fails("collections", { name: ["a", "b"] }).message).toContain("$in")
    expect(fails("collections", { name: { $exists: "yes" } }).message).toContain("true or false")
    expect(fails("collections", { name: { $eq: 1, nested: 2 } })._tag).toBe("InvalidFilterOperand")
    expect(fails("collections", { $eq: 1 }).message).toContain("a field")
  })

  it("refuses what is not a JSON object", () => {
    expect(fails("registries", "{name:").message).toContain("not valid JSON")
    expect(fails("registries", "[1]")._tag).toBe("InvalidFilterOperand")
    expect(fails("registries", '{"name": "a"} trailing')._tag).toBe("InvalidFilterJson")
  })
})

describe("hostile filters are bounded", () => {
  it("refuses deep nesting before building anything", () => {
    const deep = `${'{"$not":'.repeat(10_000)}{}${"}".repeat(10_000)}`
    expect(fails("versions", deep)._tag).toBe("FilterTooComplex")
    expect(fails("versions", `{"metadata.a": ${"[".repeat(100_000)}${"]".repeat(100_000)}}`)._tag).toBe(
      "FilterTooComplex"
    )
  })

  it("refuses long lists, long texts, long filters and too many conditions", () => {
    const values = Array.from({ length: 101 }, (_, index) => `v${index}`)
    const list = fails("versions", { alias: { $in: values } })
    expect(list._tag).toBe("FilterListTooLong")
    expect(list.message).toContain("at most 100")
    expect(fails("versions", { source: "x".repeat(257) })._tag).toBe("FilterStringTooLong")
    expect(fails("versions", `{"source": "${"x".repeat(20_000)}"}`)._tag).toBe("FilterTooComplex")
    const many = Object.fromEntries(Array.from({ length: 65 }, (_, index) => [`metadata.k${index}`, index]))
    expect(fails("versions", many)._tag).toBe("FilterTooComplex")
    expect(fails("versions", { source: "a\u0000b" })._tag).toBe("InvalidFilterOperand")
  })

  it("refuses regexes prone to catastrophic backtracking or outside the subset", () => {
    for (const pattern of [
      "(a+)+b",
      "(a|aa)*",
      "(x*)*",
      "((a)+)+",
      "a**",
      "(?=a)",
      "(?<n>a)",
      "\\1",
      "\\bword",
      "[[:alpha:]]",
      "a{1,300}",
      "[]a]",
      "("
    ]) {
      const error = fails("versions", { source: { $regex: pattern } })
      expect([error._tag, pattern]).toEqual(["UnsupportedRegex", pattern])
    }
    expect(fails("versions", { source: { $regex: "x".repeat(257) } })._tag).toBe("FilterStringTooLong")
    for (const pattern of ["^model-[a-z0-9]+$", "(?:ab)+c", "a.*b|c?d{2,3}", "\\d+\\.\\d+", "[\\w.-]+", "x*?y"]) {
      expect(Either.isRight(parse("versions", { source: { $regex: pattern } }))).toBe(true)
    }
  })

  it("keeps injection attempts as data", () => {
    const hostile = "'; DROP TABLE read_model_rows; --"
    expect(ok("versions", { source: hostile })).toEqual(condition("source", eq(hostile)))
    expect(fails("versions", { "metadata.a'; DROP": 1 })._tag).toBe("InvalidFilterFieldName")
  })

  it("never throws on any JSON input", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Filter.Level>("registries", "collections", "versions"),
        fc.jsonValue({ maxDepth: 4 }),
        (level, value) => {
          const result = parse(level, value)
          if (Either.isLeft(result)) expect(result.left.message.length).toBeGreaterThan(10)
        }
      ),
      { numRuns: 300 }
    )
  })
})

describe("order, cursors and page sizes", () => {
  it("reads order strings with one sign at most, case-sensitive, and says what is allowed", () => {
    expect(Filter.parseOrder("registries", "name")).toEqual(Either.right({ field: "name", descending: false }))
    expect(Filter.parseOrder("registries", "+name")).toEqual(Either.right({ field: "name", descending: false }))
    expect(Filter.parseOrder("collections", "-created_at")).toEqual(
      Either.right({ field: "created_at", descending: true })
    )
    expect(Filter.parseOrder("versions", "-version")).toEqual(Either.right({ field: "version", descending: true }))
    for (const order of ["Name", "--name", "+-name", "description", " name", "", "-"]) {
      const result = Filter.parseOrder("registries", order)
      expect(Either.isLeft(result)).toBe(true)
      if (Either.isLeft(result))
        expect(result.left.message).toContain("name -name created_at -created_at updated_at -updated_at")
    }
  })

  it("defaults the page size to 100 and bounds it", () => {
    expect(Filter.parsePageSize(undefined)).toEqual(Either.right(100))
    expect(Filter.parsePageSize(1000)).toEqual(Either.right(1000))
    for (const size of [0, -1, 1001, 2.5, Number.NaN]) expect(Either.isLeft(Filter.parsePageSize(size))).toBe(true)
  })

  it("round-trips cursors, and refuses them for another level or order, or forged", () => {
    const order = { field: "name", descending: true } as const
    fc.assert(
      fc.property(fc.string(), fc.string(), (value, id) => {
        const cursor = Filter.encodeCursor("collections", order, { value, id })
        expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/)
        expect(Filter.decodeCursor("collections", order, cursor)).toEqual(Either.right({ value, id }))
        expect(Either.isLeft(Filter.decodeCursor("registries", order, cursor))).toBe(true)
        expect(Either.isLeft(Filter.decodeCursor("collections", { ...order, descending: false }, cursor))).toBe(true)
      })
    )
    for (const forged of ["not a cursor", "eyJ9", "W10", "x".repeat(3000)]) {
      expect(Either.isLeft(Filter.decodeCursor("collections", order, forged))).toBe(true)
    }
  })
})

// ---- the evaluator -----------------------------------------------------------------------------------------------

const version = (id: string, fields: Partial<Record<string, Filter.Json>>): Filter.FilterRecord => ({
  id,
  version: 0,
  tag: [],
  alias: [],
  metadata: {},
  created_at: "2025-01-01T00:00:00.000Z",
  updated_at: "2025-01-01T00:00:00.000Z",
  type: "model",
  source: "team/project/model:v0",
  ...fields
})

const matching = (filter: unknown, records: ReadonlyArray<Filter.FilterRecord>) =>
  records.filter((record) => Filter.matches(ok("versions", filter), record)).map((record) => record.id)

describe("evaluation", () => {
  const records = [
    version("a", {
      version: 1,
      alias: ["latest", "prod"],
      tag: ["gold"],
      metadata: { accuracy: 0.9, owner: { team: "ml" } }
    }),
    version("b", { version: 2, alias: ["staging"], metadata: { accuracy: 0.7, labels: ["x", "y"] } }),
    version("c", { version: 3, metadata: { accuracy: "high" }, created_at: "2025-02-01T00:00:00.000Z" })
  ]

  it("matches lists by any item, and $all, $size on lists", () => {
    expect(matching({ alias: "prod" }, records)).toEqual(["a"])
    expect(matching({ alias: { $in: ["prod", "staging"] } }, records)).toEqual(["a", "b"])
    expect(matching({ alias: { $nin: ["prod"] } }, records)).toEqual(["b", "c"])
    expect(matching({ alias: { $all: ["latest", "prod"] } }, records)).toEqual(["a"])
    expect(matching({ alias: { $size: 0 } }, records)).toEqual(["c"])
    expect(matching({ alias: { $regex: "^stag" } }, records)).toEqual(["b"])
    expect(matching({ alias: { $contains: "ro" } }, records)).toEqual(["a"])
  })

  it("compares metadata by type: numbers with numbers, texts with texts", () => {
    expect(matching({ "metadata.accuracy": { $gte: 0.8 } }, records)).toEqual(["a"])
    expect(matching({ "metadata.accuracy": { $lt: 1 } }, records)).toEqual(["a", "b"])
    expect(matching({ "metadata.accuracy": { $gt: "a" } }, records)).toEqual(["c"])
    expect(matching({ "metadata.owner.team": "ml" }, records)).toEqual(["a"])
    expect(matching({ "metadata.owner": { team: "ml" } }, records)).toEqual(["a"])
    expect(matching({ "metadata.labels": { $size: 2 } }, records)).toEqual(["b"])
    expect(matching({ "metadata.labels": { $all: ["y"] } }, records)).toEqual(["b"])
    expect(matching({ "metadata.owner": { $exists: false } }, records)).toEqual(["b", "c"])
    expect(matching({ "metadata.accuracy": { $ne: 0.9 } }, records)).toEqual(["b", "c"])
  })

  it("combines with $and, $or, $nor, $not; compares times as instants", () => {
    expect(matching({ $or: [{ version: 1 }, { version: "v3" }] }, records)).toEqual(["a", "c"])
    expect(matching({ $nor: [{ version: 1 }, { version: 3 }] }, records)).toEqual(["b"])
    expect(matching({ version: { $not: { $gt: 1 } } }, records)).toEqual(["a"])
    expect(matching({ $and: [{ version: { $gte: 2 } }, { version: { $lte: 2 } }] }, records)).toEqual(["b"])
    expect(matching({ created_at: { $gt: "2025-01-15T00:00:00+01:00" } }, records)).toEqual(["c"])
    expect(matching({ created_at: "2025-02-01T01:00:00+01:00" }, records)).toEqual(["c"])
  })

  it("pages through exactly the matching records in order, whatever the page size (property)", () => {
    const record = fc.record({
      id: fc.string({ maxLength: 3 }),
      version: fc.nat(5),
      created_at: fc
        .date({ min: new Date(2025, 0, 1), max: new Date(2025, 0, 3), noInvalidDate: true })
        .map((d) => d.toISOString())
    })
    fc.assert(
      fc.property(
        fc.uniqueArray(record, { selector: (r) => r.id, maxLength: 25 }),
        fc.constantFrom("version", "-version", "created_at", "-created_at"),
        fc.integer({ min: 1, max: 7 }),
        fc.nat(5),
        (rows, orderText, size, floor) => {
          const records = rows.map((row) => version(row.id, row))
          const order = Either.getOrThrow(Filter.parseOrder("versions", orderText))
          const filter = ok("versions", { version: { $gte: floor } })
          const all = Filter.page(records, filter, order, 1000, undefined).items.map((r) => r.id)
          const paged: Array<string> = []
          let after: Filter.Position | undefined
          for (;;) {
            const { items, more } = Filter.page(records, filter, order, size, after)
            paged.push(...items.map((r) => r.id))
            const last = items[items.length - 1]
            if (!more || last === undefined) break
            after = Filter.positionOf(last, order)
          }
          expect(paged).toEqual(all)
          expect(all).toEqual(
            records
              .filter((r) => (r.version as number) >= floor)
              .sort((a, b) => Filter.comparePositions(order, Filter.positionOf(a, order), Filter.positionOf(b, order)))
              .map((r) => r.id)
          )
        }
      )
    )
  })

  it("$not, $ne and $nin are the complements of what they negate (property)", () => {
    fc.assert(
      fc.property(fc.constantFrom("prod", "staging", "latest", "x"), fc.nat(4), (alias, index) => {
        for (const record of records) {
          const with_ = Filter.matches(ok("versions", { alias }), record)
          expect(Filter.matches(ok("versions", { alias: { $ne: alias } }), record)).toBe(!with_)
          expect(Filter.matches(ok("versions", { alias: { $nin: [alias] } }), record)).toBe(!with_)
          const gt = Filter.matches(ok("versions", { version: { $gt: index } }), record)
          expect(Filter.matches(ok("versions", { $not: { version: { $gt: index } } }), record)).toBe(!gt)
        }
      })
    )
  })
})
