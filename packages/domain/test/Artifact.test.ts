/**
 * The artifact decider: versions of a source artifact (the type is fixed at the first one, identical content returns
 * the newest version), aliases, use by runs, edits, and deletion guarded by protected links.
 */
import { describe, expect, it } from "@effect/vitest"
import { Either, Option } from "effect"
import * as Artifact from "../src/Artifact.js"
import { spec } from "../testing/DeciderSpec.js"
import {
  aliasAssigned,
  aliasRemoved,
  file,
  KEY,
  logVersion,
  manifest,
  run,
  used,
  versionAssigned,
  versionDeleted,
  versionUpdated
} from "./fixtures/Artifacts.js"

const artifact = spec(Artifact.decider)

const v0Files = manifest("weights-0")
const v1Files = manifest("weights-1")
const latestIndex = (state: Artifact.State) => Option.map(Artifact.latest(state), (version) => version.index)

describe("Artifact", () => {
  describe("an artifact with no version", () => {
    const absent = artifact.given()

    it("logs its first version as v0, with its type, digest and producing run", () => {
      const state = absent
        .when(logVersion(v0Files, { loggedBy: run("run-1"), metadata: { lr: 0.1 }, description: "first" }))
        .then(versionAssigned(0, v0Files, { loggedBy: run("run-1"), metadata: { lr: 0.1 }, description: "first" }))
      expect(state).toMatchObject({ _tag: "Present", artifactType: "model", nextIndex: 1 })
      expect(latestIndex(state)).toEqual(Option.some(0))
    })

    it("assigns the aliases given when logging", () => {
      const state = absent
        .when(logVersion(v0Files, { aliases: ["best", "candidate", "best"] }))
        .then(versionAssigned(0, v0Files), aliasAssigned("best", 0), aliasAssigned("candidate", 0))
      expect(Artifact.aliasesOf(state, 0)).toEqual(["latest", "best", "candidate"])
    })

    it("has no version to alias, use, edit or delete", () => {
      absent.when({ _tag: "AssignAlias", index: 0, alias: "best" }).thenFails("ArtifactVersionNotFound", '"v0"')
      absent.when({ _tag: "RemoveAlias", index: 0, alias: "best" }).thenFails("ArtifactVersionNotFound")
      absent.when({ _tag: "UseVersion", index: 0, usedBy: run("run-2") }).thenFails("ArtifactVersionNotFound")
      absent
        .when({ _tag: "UpdateVersion", index: 0, description: "", metadata: {} })
        .thenFails("ArtifactVersionNotFound")
      absent.when({ _tag: "DeleteVersion", index: 0, protectedLinks: [] }).thenFails("ArtifactVersionNotFound")
    })
    it("refuses types W&B-compatible clients reserve, saying why and what to use instead", () => {
      absent.when(logVersion(v0Files, { artifactType: "job" })).thenFails("InvalidName", '"job"', "reserved", "W&B")
      absent.when(logVersion(v0Files, { artifactType: "wandb-history" })).thenFails("InvalidName", '"wandb-"')
      const named = (name: string, artifactType: string): Artifact.Command => ({
        ...(logVersion(v0Files, { artifactType }) as Extract<Artifact.Command, { readonly _tag: "LogVersion" }>),
        name
      })
      absent.when(named("run-3x9k-evaluation", "run_table")).thenFails("InvalidName", '"run_table"', '"run-"')
      absent.when(named("source-train", "code")).thenFails("InvalidName", '"code"', '"source-"')
      // The same types are ordinary for artifacts named otherwise.
      for (const ordinary of [named("evaluation", "run_table"), named("training-code", "code")]) {
        expect(Either.isRight(Artifact.decide(ordinary, Artifact.initialState))).toBe(true)
      }
    })
  })

  describe("an artifact with v0 (alias best)", () => {
    const one = artifact.given(versionAssigned(0, v0Files), aliasAssigned("best", 0))

    it("returns v0 for identical content instead of a new version", () => {
      one.when(logVersion(v0Files)).thenNothing()
    })

    it("treats the same files in another order as identical content", () => {
      one.when(logVersion([...v0Files].reverse())).thenNothing()
    })

    it("applies only the new aliases when identical content comes with aliases", () => {
      one.when(logVersion(v0Files, { aliases: ["best", "staging"] })).then(aliasAssigned("staging", 0))
    })

    it("logs different content as v1", () => {
      const state = one.when(logVersion(v1Files)).then(versionAssigned(1, v1Files))
      expect(latestIndex(state)).toEqual(Option.some(1))
    })

    it("counts a changed file hash or size as different content", () => {
      one
        .when(logVersion([file("config.json", "{}"), file("model.safetensors", "weights-X")]))
        .then(versionAssigned(1, [file("config.json", "{}"), file("model.safetensors", "weights-X")]))
      const resized = [file("config.json", "{}"), { ...file("model.safetensors", "weights-0"), size: 1 }]
      one.when(logVersion(resized)).then(versionAssigned(1, resized))
    })

    it("keeps the type fixed at the first version, naming both types", () => {
      one
        .when(logVersion(v1Files, { artifactType: "dataset" }))
        .thenFails("ArtifactTypeMismatch", `"${KEY}"`, '"model"', '"dataset"')
      one.when(logVersion(v0Files, { artifactType: "dataset" })).thenFails("ArtifactTypeMismatch")
    })

    it("moves an alias given with a new version (ArtifactAliasAssigned carries movedFrom)", () => {
      one
        .when(logVersion(v1Files, { aliases: ["best"] }))
        .then(versionAssigned(1, v1Files), aliasAssigned("best", 1, 0))
    })

    it("assigns and removes aliases; assigning one it holds changes nothing", () => {
      one.when({ _tag: "AssignAlias", index: 0, alias: "staging" }).then(aliasAssigned("staging", 0))
      one.when({ _tag: "AssignAlias", index: 0, alias: "best" }).thenNothing()
      one.when({ _tag: "RemoveAlias", index: 0, alias: "best" }).then(aliasRemoved("best", 0))
    })

    it("refuses to remove an alias the version does not hold, naming alias and version", () => {
      one.when({ _tag: "RemoveAlias", index: 0, alias: "staging" }).thenFails("AliasNotFound", '"staging"', `${KEY}:v0`)
    })

    it("records a run using v0 once", () => {
      const state = one.when({ _tag: "UseVersion", index: 0, usedBy: run("run-2") }).then(used(0, run("run-2")))
      expect(Artifact.findVersion(state, { _tag: "Index", index: 0 }).pipe(Option.map((v) => v.usedBy))).toEqual(
        Option.some([run("run-2")])
      )
      artifact
        .given(versionAssigned(0, v0Files), used(0, run("run-2")))
        .when({ _tag: "UseVersion", index: 0, usedBy: run("run-2") })
        .thenNothing()
    })

    it("edits the description and metadata; the same values change nothing", () => {
      one
        .when({ _tag: "UpdateVersion", index: 0, description: "tuned", metadata: { accuracy: 0.9 } })
        .then(versionUpdated(0, "tuned", { accuracy: 0.9 }))
      artifact
        .given(versionAssigned(0, v0Files, { metadata: { b: 1, a: 2 } }))
        .when({ _tag: "UpdateVersion", index: 0, description: "", metadata: { a: 2, b: 1 } })
        .thenNothing()
    })

    it("refuses to delete v0 while a link of it holds a protected alias, naming the link and the alias", () => {
      one
        .when({
          _tag: "DeleteVersion",
          index: 0,
          protectedLinks: [{ linkedVersion: "wandb-registry-model/Llama:v3", alias: "production" }]
        })
        .thenFails("SourceVersionProtected", `"${KEY}:v0"`, '"wandb-registry-model/Llama:v3"', '"production"')
    })

    it("deletes v0, taking its aliases off", () => {
      const state = one
        .when({ _tag: "DeleteVersion", index: 0, protectedLinks: [] })
        .then(aliasRemoved("best", 0), versionDeleted(0))
      expect(latestIndex(state)).toEqual(Option.none())
    })

    it("knows no other version", () => {
      one.when({ _tag: "AssignAlias", index: 3, alias: "best" }).thenFails("ArtifactVersionNotFound", `"${KEY}:v3"`)
      one.when({ _tag: "DeleteVersion", index: 3, protectedLinks: [] }).thenFails("ArtifactVersionNotFound")
    })
  })

  describe("an artifact with v0 and v1, whose newest version v1 was deleted", () => {
    const afterDelete = artifact.given(versionAssigned(0, v0Files), versionAssigned(1, v1Files), versionDeleted(1))

    it("points latest at v0", () => {
      expect(latestIndex(afterDelete.state)).toEqual(Option.some(0))
    })

    it("refuses to alias, use or edit the deleted version", () => {
      afterDelete
        .when({ _tag: "AssignAlias", index: 1, alias: "best" })
        .thenFails("ArtifactVersionDeleted", `"${KEY}:v1"`)
      afterDelete.when({ _tag: "UseVersion", index: 1, usedBy: run("run-3") }).thenFails("ArtifactVersionDeleted")
      afterDelete
        .when({ _tag: "UpdateVersion", index: 1, description: "x", metadata: {} })
        .thenFails("ArtifactVersionDeleted")
    })

    it("deleting it again changes nothing", () => {
      afterDelete.when({ _tag: "DeleteVersion", index: 1, protectedLinks: [] }).thenNothing()
    })

    it("logs the deleted content again as a new version v2, never reusing v1", () => {
      afterDelete.when(logVersion(v1Files)).then(versionAssigned(2, v1Files))
    })

    it("returns v0, now the newest version, for its identical content", () => {
      afterDelete.when(logVersion(v0Files)).thenNothing()
    })
  })

  describe("an artifact whose content changed back (v0 = A, v1 = B)", () => {
    it("logs A again as v2: only the newest version's content is compared", () => {
      artifact
        .given(versionAssigned(0, v0Files), versionAssigned(1, v1Files))
        .when(logVersion(v0Files))
        .then(versionAssigned(2, v0Files))
    })
  })
})
