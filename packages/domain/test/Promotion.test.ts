/**
 * Atomic promotion, decided purely: entries parse or are refused with what to write instead; expectations are checked
 * against the states as loaded before any move; one rejected move rejects every move; protected aliases still need an
 * admin.
 */
import { describe, expect, it } from "@effect/vitest"
import { Either, Option } from "effect"
import * as Collection from "../src/Collection.js"
import * as Promotion from "../src/Promotion.js"
import { aliasAssigned, context, type Facts, linked, source } from "./fixtures/Collections.js"

const llama = source("llama", 0)
const llama1 = source("llama", 1)
const llama2 = source("llama", 2)

const fold = (events: ReadonlyArray<Collection.Event>) =>
  events.reduce((state, event) => Collection.evolve(state, event), Collection.initialState)

/** Two collections: `Classifier` (v0, v1, v2; production on v0) and `Ranker` (v0, v1; production on v1). */
const targets = (facts: Facts = {}) => {
  const classifier = fold([linked(0, llama), linked(1, llama1), linked(2, llama2), aliasAssigned("production", 0)])
  const ranker = fold([linked(0, llama), linked(1, llama1), aliasAssigned("production", 1)])
  return new Map<string, Promotion.Target>([
    [
      "Classifier",
      { context: { ...context(facts), collection: "Classifier", collectionId: "c-1" }, state: classifier }
    ],
    ["Ranker", { context: { ...context(facts), collection: "Ranker", collectionId: "c-2" }, state: ranker }]
  ])
}

const rejected = <E extends { _tag: string; message: string }>(result: Either.Either<unknown, E>) => {
  if (Either.isRight(result)) throw new Error("expected a rejection")
  return result.left
}

describe("Promotion", () => {
  describe("parsing entries", () => {
    it("reads the collection, the alias and the version", () => {
      const entry = Either.getOrThrow(Promotion.parseEntry("wandb-registry-Models/Classifier:production=v7", "set"))
      expect([entry.path.registry, entry.path.collection, entry.alias, entry.index]).toEqual([
        "Models",
        "Classifier",
        "production",
        7
      ])
      expect(Option.getOrNull(entry.path.org)).toBeNull()
    })

    it("accepts =none only in an expectation", () => {
      const expectation = Either.getOrThrow(Promotion.parseEntry("wandb-registry-Models/C:staging=none", "expect"))
      expect(expectation.index).toBeNull()
      const set = rejected(Promotion.parseEntry("wandb-registry-Models/C:staging=none", "set"))
      expect(set._tag).toBe("InvalidPromotion")
      expect(set.message).toContain('"none" is not a version: write vN')
    })

    it.each([
      ["wandb-registry-Models/C:production", "names no version"],
      ["wandb-registry-Models/C=v1", "names no alias"],
      ["wandb-registry-Models/C:v3=v1", "names no alias"],
      ["wandb-registry-Models/C:production=7", '"7" is not a version']
    ])("refuses %s, saying what is missing", (text, problem) => {
      const error = rejected(Promotion.parseEntry(text, "set"))
      expect(error._tag).toBe("InvalidPromotion")
      expect(error.message).toContain(problem)
      expect(error.message).toContain("wandb-registry-REGISTRY/COLLECTION:ALIAS=vN")
    })

    it("refuses latest: the system keeps it on the newest version", () => {
      expect(rejected(Promotion.parseEntry("wandb-registry-Models/C:latest=v1", "set"))._tag).toBe("InvalidName")
    })

    it("keeps a promotion in one registry, with one move per alias, and at least one move", () => {
      const parse = (text: string) => Either.getOrThrow(Promotion.parseEntry(text, "set"))
      const a = parse("wandb-registry-Models/A:production=v1")
      const spans = rejected(Promotion.sameRegistry([a, parse("wandb-registry-Data/B:production=v1")], []))
      expect(spans.message).toContain('registry "Data", not "Models"')
      const twice = rejected(Promotion.sameRegistry([a, parse("wandb-registry-Models/A:production=v2")], []))
      expect(twice.message).toContain("already moves this alias")
      expect(rejected(Promotion.sameRegistry([], [])).message).toContain("nothing to promote")
      const scope = Either.getOrThrow(
        Promotion.sameRegistry([a], [parse("acme/wandb-registry-Models/B:production=v2")])
      )
      expect([Option.getOrNull(scope.org), scope.registry]).toEqual(["acme", "Models"])
    })
  })

  describe("two collections, production on Classifier v0 and Ranker v1", () => {
    it("moves every alias asked, each from where it was", () => {
      const decided = Either.getOrThrow(
        Promotion.decide(targets(), {
          moves: [
            { collection: "Classifier", alias: "production", index: 2 },
            { collection: "Ranker", alias: "production", index: 0 },
            { collection: "Ranker", alias: "staging", index: 1 }
          ],
          expectations: []
        })
      )
      expect(decided.moves).toEqual([
        { collection: "Classifier", alias: "production", from: 0, to: 2, changed: true },
        { collection: "Ranker", alias: "production", from: 1, to: 0, changed: true },
        { collection: "Ranker", alias: "staging", from: null, to: 1, changed: true }
      ])
      expect(decided.events.get("Classifier")?.map((event) => event._tag)).toEqual(["AliasAssigned"])
      expect(decided.events.get("Ranker")?.length).toBe(2)
    })

    it("decides nothing for an alias already where it is set (a retried promotion writes nothing)", () => {
      const decided = Either.getOrThrow(
        Promotion.decide(targets(), {
          moves: [{ collection: "Classifier", alias: "production", index: 0 }],
          expectations: []
        })
      )
      expect(decided.moves[0]?.changed).toBe(false)
      expect(decided.events.get("Classifier")).toEqual([])
    })

    it("goes ahead when every expectation holds (none included)", () => {
      const decided = Promotion.decide(targets(), {
        moves: [{ collection: "Classifier", alias: "production", index: 1 }],
        expectations: [
          { collection: "Classifier", alias: "production", index: 0 },
          { collection: "Ranker", alias: "production", index: 1 },
          { collection: "Ranker", alias: "staging", index: null }
        ]
      })
      expect(Either.isRight(decided)).toBe(true)
    })

    it("refuses the whole promotion when one expectation fails, naming where the alias points now", () => {
      const error = rejected(
        Promotion.decide(targets(), {
          moves: [
            { collection: "Classifier", alias: "production", index: 2 },
            { collection: "Ranker", alias: "production", index: 0 }
          ],
          expectations: [{ collection: "Ranker", alias: "production", index: 0 }]
        })
      )
      expect(error._tag).toBe("AliasMovedSince")
      expect(error.message).toContain("Nothing was promoted")
      expect(error.message).toContain("wandb-registry-model/Ranker:production points at v1 now, not v0 as expected")
      expect(error.message).toContain("registrar history")
    })

    it("checks expectations against the states as loaded, not after earlier moves", () => {
      const error = rejected(
        Promotion.decide(targets(), {
          moves: [{ collection: "Classifier", alias: "production", index: 2 }],
          expectations: [{ collection: "Classifier", alias: "production", index: 2 }]
        })
      )
      expect(error.message).toContain("points at v0 now, not v2")
    })

    it("refuses the whole promotion when one move names a version that is not linked", () => {
      const error = rejected(
        Promotion.decide(targets(), {
          moves: [
            { collection: "Classifier", alias: "production", index: 2 },
            { collection: "Ranker", alias: "production", index: 9 }
          ],
          expectations: []
        })
      )
      expect(error._tag).toBe("LinkedVersionNotFound")
    })

    it("refuses a protected alias to a member, and lets an admin move it", () => {
      const moves = [{ collection: "Ranker", alias: "production", index: 0 }]
      const member = rejected(
        Promotion.decide(targets({ protectedAliases: ["production"] }), { moves, expectations: [] })
      )
      expect(member._tag).toBe("ProtectedAliasRequiresAdmin")
      expect(member.message).toContain("Ask a registry admin")
      const admin = Promotion.decide(targets({ protectedAliases: ["production"], role: "admin" }), {
        moves,
        expectations: []
      })
      expect(Either.isRight(admin)).toBe(true)
    })

    it("refuses a viewer", () => {
      const error = rejected(
        Promotion.decide(targets({ role: "viewer" }), {
          moves: [{ collection: "Ranker", alias: "staging", index: 0 }],
          expectations: []
        })
      )
      expect(error._tag).toBe("InsufficientRole")
    })
  })
})
