/**
 * Version tags on a source artifact: not unique (many versions share a tag), added and removed idempotently by
 * version, carried whole on each event (`tags` after the change) so projections need not read the tables.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Artifact from "../src/Artifact.js"
import { spec } from "../testing/DeciderSpec.js"
import { KEY, manifest, versionAssigned, versionDeleted } from "./fixtures/Artifacts.js"

const artifact = spec(Artifact.decider)
const tag = (index: number, name: string): Artifact.Command => ({ _tag: "TagVersion", index, tag: name })
const untag = (index: number, name: string): Artifact.Command => ({ _tag: "UntagVersion", index, tag: name })
const tagged = (index: number, name: string, tags: ReadonlyArray<string>) =>
  new Artifact.ArtifactVersionTagged({ artifact: KEY, index, tag: name, tags: [...tags] })
const untagged = (index: number, name: string, tags: ReadonlyArray<string>) =>
  new Artifact.ArtifactVersionUntagged({ artifact: KEY, index, tag: name, tags: [...tags] })

const tagsOf = (state: Artifact.State, index: number) =>
  state._tag === "Present" ? state.versions.get(index)?.tags : undefined

describe("Artifact version tags", () => {
  describe("two versions, no tag", () => {
    const given = () => artifact.given(versionAssigned(0, manifest("a")), versionAssigned(1, manifest("b")))

    it("tags a version, keeping its tags sorted", () => {
      const state = given()
        .when(tag(0, "reviewed"))
        .then(tagged(0, "reviewed", ["reviewed"]))
      expect(tagsOf(state, 0)).toEqual(["reviewed"])
      expect(tagsOf(state, 1)).toEqual([])
    })

    it("lets many versions share a tag (a tag is not unique, unlike an alias)", () => {
      const state = artifact
        .given(
          versionAssigned(0, manifest("a")),
          versionAssigned(1, manifest("b")),
          tagged(0, "reviewed", ["reviewed"])
        )
        .when(tag(1, "reviewed"))
        .then(tagged(1, "reviewed", ["reviewed"]))
      expect([tagsOf(state, 0), tagsOf(state, 1)]).toEqual([["reviewed"], ["reviewed"]])
    })

    it("refuses to untag a tag the version does not carry, naming both", () => {
      given().when(untag(0, "reviewed")).thenFails("TagNotFound", `${KEY}:v0`, '"reviewed"')
    })

    it("refuses a version that does not exist", () => {
      given().when(tag(7, "reviewed")).thenFails("ArtifactVersionNotFound", `${KEY}:v7`)
    })
  })

  describe("a version tagged reviewed and gold", () => {
    const given = () =>
      artifact.given(
        versionAssigned(0, manifest("a")),
        tagged(0, "reviewed", ["reviewed"]),
        tagged(0, "gold", ["gold", "reviewed"])
      )

    it("does nothing when tagged again", () => {
      given().when(tag(0, "gold")).thenNothing()
    })

    it("untags one tag and keeps the other", () => {
      const state = given()
        .when(untag(0, "gold"))
        .then(untagged(0, "gold", ["reviewed"]))
      expect(tagsOf(state, 0)).toEqual(["reviewed"])
    })

    it("refuses to tag a deleted version", () => {
      artifact
        .given(versionAssigned(0, manifest("a")), versionDeleted(0))
        .when(tag(0, "gold"))
        .thenFails("ArtifactVersionDeleted", `${KEY}:v0`)
    })
  })
})
