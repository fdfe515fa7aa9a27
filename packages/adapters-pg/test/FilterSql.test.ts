/** The SQL compiler binds every operand: the SQL text holds no value from the filter, whatever the filter holds. */
import { describe, expect, it } from "@effect/vitest"
import { Filter, type SearchQuery } from "@registrar/domain"
import { Either, FastCheck as fc } from "effect"
import { compileSearch, typedColumns } from "../src/internal/FilterSql.js"
import { registrarTables } from "../src/internal/ReadModelTables.js"

const columns = typedColumns("s", registrarTables)
const query = (filter: Filter.Filter): SearchQuery => ({
  level: "versions",
  organization: "acme",
  registryIds: ["acme/Models"],
  registries: Filter.everything,
  collections: Filter.everything,
  filter,
  order: { field: "created_at", descending: true },
  limit: 101,
  after: { value: "2025-01-01T00:00:00.000Z", id: "x" }
})

describe("FilterSql", () => {
  it("puts every operand in a parameter, never in the SQL text", () => {
    const marker = "zz'; DROP TABLE t; --"
    fc.assert(
      fc.property(
        fc.constantFrom("source", "type", "id", "metadata.a", "alias", "tag"),
        fc.constantFrom("$eq", "$ne", "$in", "$nin", "$contains", "$regex"),
        (field, operator) => {
          const operand = operator === "$in" || operator === "$nin" ? [marker] : operator === "$regex" ? "zz" : marker
          const parsed = Filter.parseFilter("versions", { [field]: { [operator]: operand } })
          if (Either.isLeft(parsed)) return
          const compiled = compileSearch(query(parsed.right), columns)
          expect(compiled.sql).not.toContain("zz")
          expect(compiled.sql).not.toContain("acme")
          expect(JSON.stringify(compiled.parameters)).toContain("zz")
        }
      )
    )
  })

  it("names columns only from the table specs, quoted", () => {
    const parsed = Either.getOrThrow(Filter.parseFilter("versions", { "metadata.owner": "x", version: { $gt: 1 } }))
    const { sql } = compileSearch(query(parsed), columns)
    expect(sql).toContain('s."rm_linked_versions" AS v')
    expect(sql).toContain('a."metadata"')
    expect(sql).not.toContain("owner")
  })
})
