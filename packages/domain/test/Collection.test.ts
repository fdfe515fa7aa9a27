/**
 * The collection decider: linking rules 2–10 of docs/behaviour.md ("Linking"), unlink, aliases, `latest`, and who may do what.
 */
import { describe, expect, it } from "@effect/vitest"
import { Option } from "effect"
import type { RegistryRole } from "../src/Access.js"
import * as Collection from "../src/Collection.js"
import { spec } from "../testing/DeciderSpec.js"
import {
  ALICE,
  aliasAssigned,
  aliasRemoved,
  assignAlias,
  COLLECTION,
  fullName,
  latestOf,
  link,
  linked,
  personal,
  REGISTRY,
  removeAlias,
  source,
  team,
  unlink,
  unlinked
} from "./fixtures/Collections.js"
import { ORG, OTHER_ORG, TEAM } from "./fixtures/People.js"

const collection = spec(Collection.decider)

const llama = source("llama", 0)
const llama1 = source("llama", 1)
const mistral = source("mistral", 0)

describe("Collection", () => {
  describe("a collection with no link", () => {
    const empty = collection.given()

    it("links a source version as v0", () => {
      const state = empty.when(link(llama)).then(linked(0, llama))
      expect(latestOf(state)).toEqual(Option.some(0))
      expect(Collection.findVersionOf(state, llama)).toEqual(Option.some(0))
    })

    it("assigns the aliases given at link time to the new version", () => {
      const state = empty
        .when(link(llama, { aliases: ["best", "candidate", "best"] }))
        .then(linked(0, llama), aliasAssigned("best", 0), aliasAssigned("candidate", 0))
      expect(Collection.aliasesOf(state, 0)).toEqual(["latest", "best", "candidate"])
    })

    it("refuses a source logged under a personal entity, and says to log under a team entity", () => {
      const error = empty
        .when(link(source("llama", 0, "bob"), { sourceEntity: personal("bob") }))
        .thenFails("PersonalEntityCannotLink", '"bob"', "bob/fine-tuning/llama", "personal entity", "team entity")
      expect(error.message).toMatch(/cannot be linked to a registry/)
    })

    it("refuses a source of a team of another organization (TeamNotInOrganization)", () => {
      empty
        .when(link(llama, { sourceEntity: team([ALICE], OTHER_ORG, "their-team") }))
        .thenFails("TeamNotInOrganization", '"their-team"', `"${ORG}"`)
    })

    it("refuses an actor who does not belong to the source's team (NotATeamMember)", () => {
      empty
        .when(link(llama, { sourceEntity: team(["someone-else"]) }))
        .thenFails("NotATeamMember", `"${ALICE}"`, `"${TEAM}"`)
    })

    it("refuses a source whose type differs from the collection's, naming both types", () => {
      empty
        .when(link(llama, { sourceType: "dataset" }))
        .thenFails("CollectionTypeMismatch", COLLECTION, '"model"', '"dataset"')
    })

    it("refuses a type the registry does not accept, naming the type and the accepted ones", () => {
      empty
        .when(link(llama, { acceptedTypes: ["dataset", "code"] }))
        .thenFails("TypeNotAccepted", '"model"', '"dataset", "code"', `wandb-registry-${REGISTRY}`)
    })

    it("links a type the registry lists among its accepted types", () => {
      empty.when(link(llama, { acceptedTypes: ["dataset", "model"] })).then(linked(0, llama))
    })

    it("refuses a protected alias at link time unless the actor is a registry admin", () => {
      empty
        .when(link(llama, { aliases: ["best", "production"], protectedAliases: ["production"] }))
        .thenFails("ProtectedAliasRequiresAdmin", '"production"', `"${ALICE}"`)
      empty
        .when(link(llama, { aliases: ["production"], protectedAliases: ["production"], role: "admin" }))
        .then(linked(0, llama), aliasAssigned("production", 0))
    })

    it("has no version to unlink or to change aliases of", () => {
      empty.when(unlink(0)).thenFails("LinkedVersionNotFound", fullName(0))
      empty.when(assignAlias("best", 0)).thenFails("LinkedVersionNotFound", fullName(0))
      empty.when(removeAlias("best", 0)).thenFails("LinkedVersionNotFound", fullName(0))
    })

    it("has no latest", () => {
      expect(latestOf(empty.state)).toEqual(Option.none())
    })
  })

  describe("a collection holding v0 with alias best", () => {
    const holding = collection.given(linked(0, llama), aliasAssigned("best", 0))

    it("re-linking the same source version is idempotent: no new version", () => {
      holding.when(link(llama)).thenNothing()
      holding.when(link(llama, { aliases: ["best"] })).thenNothing()
    })

    it("re-linking the same source version only applies the alias changes", () => {
      const state = holding.when(link(llama, { aliases: ["best", "staging"] })).then(aliasAssigned("staging", 0))
      expect(Collection.aliasesOf(state, 0)).toEqual(["latest", "best", "staging"])
    })

    it("links another version of the same artifact as the next index", () => {
      holding.when(link(llama1)).then(linked(1, llama1))
    })

    it("holds versions of many source artifacts of the same type", () => {
      const state = holding.when(link(mistral)).then(linked(1, mistral))
      expect(Collection.findVersionOf(state, mistral)).toEqual(Option.some(1))
      expect(Collection.findVersionOf(state, llama)).toEqual(Option.some(0))
    })

    it("links the same source version into another collection independently", () => {
      collection.given().when(link(llama)).then(linked(0, llama))
    })

    it("moves an alias given at link time from the version holding it (AliasAssigned carries movedFrom)", () => {
      holding.when(link(llama1, { aliases: ["best"] })).then(linked(1, llama1), aliasAssigned("best", 1, 0))
    })

    it("assigns a new alias, and assigning one the version already holds changes nothing", () => {
      holding.when(assignAlias("staging", 0)).then(aliasAssigned("staging", 0))
      holding.when(assignAlias("best", 0)).thenNothing()
    })

    it("removes an alias the version holds", () => {
      const state = holding.when(removeAlias("best", 0)).then(aliasRemoved("best", 0))
      expect(Collection.aliasesOf(state, 0)).toEqual(["latest"])
    })

    it("refuses to remove an alias the version does not hold, naming alias and version", () => {
      holding.when(removeAlias("staging", 0)).thenFails("AliasNotFound", '"staging"', fullName(0))
    })

    it("unlinks a version, taking its aliases off first", () => {
      const state = holding.when(unlink(0)).then(aliasRemoved("best", 0), unlinked(0, llama))
      expect(Collection.findVersion(state, { _tag: "Alias", alias: "best" })).toEqual(Option.none())
    })

    it("refuses versions it does not hold", () => {
      holding.when(unlink(1)).thenFails("LinkedVersionNotFound", fullName(1))
      holding.when(assignAlias("best", 7)).thenFails("LinkedVersionNotFound", fullName(7))
    })
  })

  describe("a collection holding v0 and v1, with best on v0", () => {
    const two = collection.given(linked(0, llama), aliasAssigned("best", 0), linked(1, llama1))

    it("points latest at the highest index", () => {
      expect(latestOf(two.state)).toEqual(Option.some(1))
      expect(Collection.aliasesOf(two.state, 1)).toEqual(["latest"])
      expect(Collection.aliasesOf(two.state, 0)).toEqual(["best"])
    })

    it("moves best to v1 when it is assigned there", () => {
      const state = two.when(assignAlias("best", 1)).then(aliasAssigned("best", 1, 0))
      expect(Collection.aliasesOf(state, 0)).toEqual([])
      expect(Collection.aliasesOf(state, 1)).toEqual(["latest", "best"])
    })

    it("moves latest back to v0 when v1 is unlinked", () => {
      const state = two.when(unlink(1)).then(unlinked(1, llama1))
      expect(latestOf(state)).toEqual(Option.some(0))
    })

    it("keeps latest on v1 when v0 is unlinked", () => {
      const state = two.when(unlink(0)).then(aliasRemoved("best", 0), unlinked(0, llama))
      expect(latestOf(state)).toEqual(Option.some(1))
    })
  })

  describe("a collection whose latest version v1 was unlinked", () => {
    const afterUnlink = collection.given(linked(0, llama), linked(1, llama1), unlinked(1, llama1))

    it("points latest at the highest remaining index", () => {
      expect(latestOf(afterUnlink.state)).toEqual(Option.some(0))
    })

    it("never reuses the unlinked index", () => {
      afterUnlink.when(link(mistral)).then(linked(2, mistral))
    })

    it("links the unlinked source again as a new index", () => {
      afterUnlink.when(link(llama1)).then(linked(2, llama1))
    })

    it("no longer finds the unlinked version", () => {
      afterUnlink.when(unlink(1)).thenFails("LinkedVersionNotFound", fullName(1))
      afterUnlink.when(assignAlias("best", 1)).thenFails("LinkedVersionNotFound", fullName(1))
    })
  })

  describe("a collection whose every version was unlinked", () => {
    const emptied = collection.given(linked(0, llama), linked(1, llama1), unlinked(1, llama1), unlinked(0, llama))

    it("has no latest", () => {
      expect(latestOf(emptied.state)).toEqual(Option.none())
    })

    it("links the next index, never v0 again", () => {
      const state = emptied.when(link(llama)).then(linked(2, llama))
      expect(latestOf(state)).toEqual(Option.some(2))
    })
  })

  describe("a collection whose registry protects the alias production (held by v0)", () => {
    const guarded = { protectedAliases: ["production"] }
    const protectedHistory = collection.given(
      linked(0, llama),
      aliasAssigned("production", 0),
      aliasAssigned("best", 0),
      linked(1, llama1)
    )

    it("refuses a member who assigns it, and lets an admin", () => {
      protectedHistory
        .when(assignAlias("production", 1, guarded))
        .thenFails("ProtectedAliasRequiresAdmin", '"production"', `wandb-registry-${REGISTRY}`, `"${ALICE}"`)
      protectedHistory
        .when(assignAlias("production", 1, { ...guarded, role: "admin" }))
        .then(aliasAssigned("production", 1, 0))
    })

    it("refuses a member who removes it, and lets an admin", () => {
      protectedHistory
        .when(removeAlias("production", 0, guarded))
        .thenFails("ProtectedAliasRequiresAdmin", '"production"')
      protectedHistory
        .when(removeAlias("production", 0, { ...guarded, role: "admin" }))
        .then(aliasRemoved("production", 0))
    })

    it("refuses a member who unlinks the version holding it, and lets an admin", () => {
      protectedHistory.when(unlink(0, guarded)).thenFails("ProtectedAliasRequiresAdmin", '"production"')
      protectedHistory
        .when(unlink(0, { ...guarded, role: "admin" }))
        .then(aliasRemoved("best", 0), aliasRemoved("production", 0), unlinked(0, llama))
    })

    it("refuses a member who links with it, and lets an admin", () => {
      protectedHistory
        .when(link(mistral, { ...guarded, aliases: ["production"] }))
        .thenFails("ProtectedAliasRequiresAdmin")
      protectedHistory
        .when(link(mistral, { ...guarded, aliases: ["production"], role: "admin" }))
        .then(linked(2, mistral), aliasAssigned("production", 2, 0))
    })

    it("lets a member change unprotected aliases and unlink versions without protected aliases", () => {
      protectedHistory.when(assignAlias("best", 1, guarded)).then(aliasAssigned("best", 1, 0))
      protectedHistory.when(removeAlias("best", 0, guarded)).then(aliasRemoved("best", 0))
      protectedHistory.when(unlink(1, guarded)).then(unlinked(1, llama1))
    })
  })

  describe("who may change a collection (docs/behaviour.md access table: write needs member)", () => {
    const holding = collection.given(linked(0, llama), aliasAssigned("best", 0))
    const writers: ReadonlyArray<RegistryRole> = ["member", "admin"]
    const readers: ReadonlyArray<RegistryRole | null> = ["restricted_viewer", "viewer", null]

    it.each(writers)("%s may link, unlink and change unprotected aliases", (role) => {
      holding.when(link(llama1, { role })).then(linked(1, llama1))
      holding.when(assignAlias("staging", 0, { role })).then(aliasAssigned("staging", 0))
      holding.when(removeAlias("best", 0, { role })).then(aliasRemoved("best", 0))
      holding.when(unlink(0, { role })).then(aliasRemoved("best", 0), unlinked(0, llama))
    })

    it.each(readers)("%s may not link, unlink or change aliases (InsufficientRole)", (role) => {
      const actual = role ?? "no role"
      const refusals = [
        holding.when(link(llama1, { role })).thenFails("InsufficientRole", `"${ALICE}"`, actual, "member or higher"),
        holding.when(link(llama, { role })).thenFails("InsufficientRole"),
        holding.when(assignAlias("staging", 0, { role })).thenFails("InsufficientRole"),
        holding.when(removeAlias("best", 0, { role })).thenFails("InsufficientRole"),
        holding.when(unlink(0, { role })).thenFails("InsufficientRole")
      ]
      for (const refusal of refusals) {
        expect(refusal).toMatchObject({ action: "write", required: "member", actual: role })
      }
    })

    it("only an admin may touch protected aliases", () => {
      const guarded = { protectedAliases: ["best"] }
      for (const role of ["member", "viewer"] as const) {
        holding
          .when(removeAlias("best", 0, { ...guarded, role }))
          .thenFails(role === "member" ? "ProtectedAliasRequiresAdmin" : "InsufficientRole")
      }
      holding.when(removeAlias("best", 0, { ...guarded, role: "admin" })).then(aliasRemoved("best", 0))
    })
  })
})
