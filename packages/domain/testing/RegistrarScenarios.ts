/**
 * Scenarios through the application service, written once and run by every adapter: the W&B documentation's flow,
 * every linking rule end to end, reads as of the past, idempotency keys and concurrent linkers.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Layer, Option } from "effect"
import type { EventStore, ReadModelStore, SnapshotStore } from "../src/index.js"
import { ReadModels, Registrar } from "../src/index.js"
import { organizationScenarios } from "./OrganizationScenarios.js"
import { fakeSha256 } from "./FakeDigest.js"

/** The stores a scenario runs on: each test builds a fresh one. */
export type Stores = Layer.Layer<EventStore | ReadModelStore | SnapshotStore, unknown>

let sequence = 0
/** A name no other test uses. */
export const unique = (prefix: string): string => `${prefix}-${Date.now().toString(36)}${(sequence++).toString(36)}`

const file = (path: string, content: string) => ({
  path,
  sha256: fakeSha256(content),
  size: content.length
})

/**
 * An organization with an admin (the store's first user), a team with two members, an outsider (a member of another
 * organization only), and a registry.
 */
export const seed = Effect.gen(function* () {
  const registrar = yield* Registrar
  const org = unique("org")
  const elsewhere = unique("elsewhere")
  const team = unique("team")
  const admin = unique("admin")
  const member = unique("member")
  const outsider = unique("outsider")
  yield* registrar.createUser({ actor: admin, user: admin })
  yield* registrar.createOrganization({ actor: admin, organization: org, displayName: `Display ${org}` })
  yield* registrar.createOrganization({ actor: admin, organization: elsewhere, displayName: `Display ${elsewhere}` })
  yield* registrar.createUser({ actor: admin, user: member, organization: org, organizationRole: "member" })
  yield* registrar.createUser({ actor: admin, user: outsider, organization: elsewhere, organizationRole: "member" })
  yield* registrar.createTeam({ actor: admin, team, organization: org })
  yield* registrar.addTeamMember({ actor: admin, team, user: member })
  yield* registrar.createRegistry({ actor: admin, organization: org, registry: "Golden Datasets" })
  yield* registrar.grantRole({
    actor: admin,
    organization: org,
    registry: "Golden Datasets",
    principal: { kind: "user", name: member },
    role: "member"
  })
  const log = (name: string, content: string, type = "dataset", project = "images") =>
    registrar.logArtifact({ actor: member, entity: team, project, name, type, files: [file("data.bin", content)] })
  return { registrar, org, elsewhere, team, admin, member, outsider, log }
})

const failure = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.map(Effect.either(effect), (result) =>
    Either.isLeft(result) ? (result.left as { _tag: string; message: string }) : undefined
  )

/** Runs the application-service scenarios against the stores built by `stores`. */
export const registrarScenarios = (name: string, stores: () => Stores): void => {
  const run = <A, E>(effect: Effect.Effect<A, E, Registrar>) =>
    Effect.provide(effect, Registrar.layer().pipe(Layer.provide(stores())))

  describe(`${name} Registrar scenarios`, () => {
    it.live("the documentation's flow: log a dataset in a team project, link it, resolve its full name", () =>
      run(
        Effect.gen(function* () {
          const { registrar, org, team, member, log } = yield* seed
          const logged = yield* log("raw_images", "a")
          expect(logged.reference).toBe(`${team}/images/raw_images:v0`)
          const linked = yield* registrar.link({
            actor: member,
            source: logged.reference,
            target: "wandb-registry-Golden Datasets/raw_images",
            aliases: ["production"]
          })
          expect(linked).toMatchObject({
            fullName: "wandb-registry-Golden Datasets/raw_images:v0",
            qualifiedName: `${org}/wandb-registry-Golden Datasets/raw_images:v0`,
            version: 0,
            aliases: ["latest", "production"],
            source: `${team}/images/raw_images:v0`,
            created: true
          })
          const resolved = yield* registrar.resolve({
            actor: member,
            name: `${org}/wandb-registry-Golden Datasets/raw_images:production`
          })
          expect(resolved.source).toBe(logged.reference)
          expect(resolved.files.map((f) => f.path)).toEqual(["data.bin"])
          const byDisplayName = yield* registrar.resolve({
            actor: member,
            name: `Display ${org}/wandb-registry-Golden Datasets/raw_images:v0`
          })
          expect(byDisplayName.qualifiedName).toBe(linked.qualifiedName)
        })
      )
    )

    it.live(
      "a source version's aliases, description and metadata are changed only by those who may write its entity",
      () =>
        run(
          Effect.gen(function* () {
            const { registrar, org, admin, member, outsider, log } = yield* seed
            // A member of the organization outside the team that logged the artifact, and a member of the registry.
            const stranger = unique("stranger")
            yield* registrar.createUser({ actor: admin, user: stranger, organization: org, organizationRole: "member" })
            yield* registrar.grantRole({
              actor: admin,
              organization: org,
              registry: "Golden Datasets",
              principal: { kind: "user", name: stranger },
              role: "member"
            })
            const logged = yield* log("owned", "o")
            const reference = logged.reference
            for (const actor of [stranger, outsider]) {
              expect(yield* failure(registrar.assignArtifactAlias({ actor, reference, alias: "best" }))).toMatchObject({
                _tag: "EntityNotWritable"
              })
              expect(
                yield* failure(registrar.updateArtifactVersion({ actor, reference, description: "taken over" }))
              ).toMatchObject({ _tag: "EntityNotWritable" })
              expect(yield* failure(registrar.tagArtifactVersion({ actor, reference, tag: "hijacked" }))).toMatchObject(
                {
                  _tag: "EntityNotWritable"
                }
              )
            }
            yield* registrar.assignArtifactAlias({ actor: member, reference, alias: "best" })
            expect(
              yield* failure(registrar.removeArtifactAlias({ actor: stranger, reference, alias: "best" }))
            ).toMatchObject({ _tag: "EntityNotWritable" })
            yield* registrar.updateArtifactVersion({ actor: member, reference, description: "by its team" })
            // Through a linked version's path, tags follow the registry's roles: its member may tag, an outsider may not.
            yield* registrar.link({ actor: member, source: reference, target: "wandb-registry-Golden Datasets/owned" })
            const linkedPath = `${org}/wandb-registry-Golden Datasets/owned:v0`
            yield* registrar.tagArtifactVersion({ actor: stranger, reference: linkedPath, tag: "reviewed" })
            expect(
              (yield* failure(
                registrar.tagArtifactVersion({ actor: outsider, reference: linkedPath, tag: "hijacked" })
              ))?._tag
            ).toBeDefined()
            const resolved = yield* registrar.resolve({ actor: member, name: linkedPath })
            expect(resolved.description).toBe("by its team")
            expect(resolved.tags).toEqual(["reviewed"])
          })
        )
    )

    it.live(
      "linking rules: personal entity, registry must exist, type checks, idempotent re-link, aliases move, latest",
      () =>
        run(
          Effect.gen(function* () {
            const { registrar, org, member, admin, log } = yield* seed
            const personal = yield* registrar.logArtifact({
              actor: member,
              entity: member,
              project: "scratch",
              name: "mine",
              type: "dataset",
              files: [file("x", "p")]
            })
            const refused = yield* failure(
              registrar.link({
                actor: member,
                source: personal.reference,
                target: `${org}/wandb-registry-Golden Datasets/c`
              })
            )
            expect(refused?._tag).toBe("PersonalEntityCannotLink")
            expect(refused?.message).toContain("team entity")

            const v0 = yield* log("raw", "0")
            const missing = yield* failure(
              registrar.link({ actor: member, source: v0.reference, target: "wandb-registry-Nope/c" })
            )
            expect(missing?._tag).toBe("RegistryNotFound")

            const first = yield* registrar.link({
              actor: member,
              source: v0.reference,
              target: "wandb-registry-Golden Datasets/raw"
            })
            const again = yield* registrar.link({
              actor: member,
              source: v0.reference,
              target: "wandb-registry-Golden Datasets/raw",
              aliases: ["best"]
            })
            expect(again).toMatchObject({ version: first.version, created: false, aliases: ["latest", "best"] })

            const model = yield* log("net", "m", "model")
            const mismatch = yield* failure(
              registrar.link({ actor: member, source: model.reference, target: "wandb-registry-Golden Datasets/raw" })
            )
            expect(mismatch?._tag).toBe("CollectionTypeMismatch")
            expect(mismatch?.message).toContain('"dataset"')
            expect(mismatch?.message).toContain('"model"')

            yield* registrar.createRegistry({
              actor: admin,
              organization: org,
              registry: "Models",
              acceptedTypes: ["model"]
            })
            yield* registrar.grantRole({
              actor: admin,
              organization: org,
              registry: "Models",
              principal: { kind: "user", name: member },
              role: "member"
            })
            const notAccepted = yield* failure(
              registrar.link({ actor: member, source: v0.reference, target: "wandb-registry-Models/x" })
            )
            expect(notAccepted?._tag).toBe("TypeNotAccepted")

            const v1 = yield* log("raw", "1")
            const second = yield* registrar.link({
              actor: member,
              source: v1.reference,
              target: "wandb-registry-Golden Datasets/raw",
              aliases: ["best"]
            })
            expect(second).toMatchObject({ version: 1, aliases: ["latest", "best"] })
            const listed = yield* registrar.listVersions({
              actor: member,
              collection: "wandb-registry-Golden Datasets/raw"
            })
            expect(listed.versions.map((v) => [v.index, v.aliases])).toEqual([
              [0, []],
              [1, ["latest", "best"]]
            ])
            yield* registrar.unlink({ actor: member, name: "wandb-registry-Golden Datasets/raw:v1" })
            const afterUnlink = yield* registrar.resolve({
              actor: member,
              name: "wandb-registry-Golden Datasets/raw:latest"
            })
            expect(afterUnlink.version).toBe(0)
            const relinked = yield* registrar.link({
              actor: member,
              source: v1.reference,
              target: "wandb-registry-Golden Datasets/raw"
            })
            expect(relinked.version).toBe(2)
            const chained = yield* registrar.link({
              actor: member,
              source: "wandb-registry-Golden Datasets/raw:v2",
              target: "wandb-registry-Golden Datasets/raw-copy"
            })
            expect(chained.source).toBe(v1.reference)
          })
        )
    )

    it.live("access: viewers cannot link, protected aliases need an admin, restricted registries are invisible", () =>
      run(
        Effect.gen(function* () {
          const { registrar, org, member, admin, outsider, log, team } = yield* seed
          const viewer = unique("viewer")
          yield* registrar.createUser({ actor: admin, user: viewer, organization: org, organizationRole: "viewer" })
          yield* registrar.addTeamMember({ actor: admin, team, user: viewer })
          const v0 = yield* log("raw", "0")
          const denied = yield* failure(
            registrar.link({ actor: viewer, source: v0.reference, target: "wandb-registry-Golden Datasets/raw" })
          )
          expect(denied?._tag).toBe("InsufficientRole")
          yield* registrar.setProtectedAliases({
            actor: admin,
            organization: org,
            registry: "Golden Datasets",
            aliases: ["production"]
          })
          const guarded = yield* failure(
            registrar.link({
              actor: member,
              source: v0.reference,
              target: "wandb-registry-Golden Datasets/raw",
              aliases: ["production"]
            })
          )
          expect(guarded?._tag).toBe("ProtectedAliasRequiresAdmin")
          yield* registrar.link({ actor: member, source: v0.reference, target: "wandb-registry-Golden Datasets/raw" })
          yield* registrar.addAlias({
            actor: admin,
            name: `${org}/wandb-registry-Golden Datasets/raw:v0`,
            alias: "production"
          })
          const deleteRefused = yield* failure(
            registrar.deleteArtifactVersion({ actor: member, reference: v0.reference })
          )
          expect(deleteRefused?._tag).toBe("SourceVersionProtected")

          yield* registrar.createRegistry({
            actor: admin,
            organization: org,
            registry: "Secret",
            visibility: "restricted"
          })
          const hidden = yield* failure(
            registrar.showRegistry({ actor: member, organization: org, registry: "Secret" })
          )
          expect(hidden?._tag).toBe("RegistryNotFound")
          const outside = yield* failure(
            registrar.resolve({ actor: outsider, name: `${org}/wandb-registry-Golden Datasets/raw:v0` })
          )
          expect(outside?._tag).toBe("NotAnOrganizationMember")
          const listed = yield* registrar.listRegistries({ actor: member, organization: org })
          expect(listed.registries.map((r) => r.registry)).toEqual(["Golden Datasets"])

          // A restricted viewer sees a linked version but may not use (download) it.
          const watcher = unique("watcher")
          yield* registrar.createUser({ actor: admin, user: watcher, organization: org, organizationRole: "member" })
          yield* registrar.changeVisibility({
            actor: admin,
            organization: org,
            registry: "Golden Datasets",
            visibility: "restricted"
          })
          yield* registrar.grantRole({
            actor: admin,
            organization: org,
            registry: "Golden Datasets",
            principal: { kind: "user", name: watcher },
            role: "restricted_viewer"
          })
          const seen = yield* registrar.resolve({
            actor: watcher,
            name: `${org}/wandb-registry-Golden Datasets/raw:v0`
          })
          expect(seen.source).toBe(v0.reference)
          const used = yield* failure(
            registrar.useArtifact({
              actor: watcher,
              reference: `${org}/wandb-registry-Golden Datasets/raw:v0`,
              run: { entity: team, project: "eval", runId: "r1" }
            })
          )
          expect(used?._tag).toBe("InsufficientRole")
          yield* registrar.useArtifact({
            actor: member,
            reference: `${org}/wandb-registry-Golden Datasets/raw:v0`,
            run: { entity: team, project: "eval", runId: "r1" }
          })
        })
      )
    )

    it.live("the SDK flow: a run logs and links in one call and is recorded as the producer", () =>
      run(
        Effect.gen(function* () {
          const { registrar, team, member } = yield* seed
          const runHandle = yield* registrar.startRun({ actor: member, entity: team, project: "train", runId: "run-1" })
          const linked = yield* registrar.linkArtifact(
            runHandle,
            { name: "weights", type: "dataset", files: [file("w", "w1")] },
            "wandb-registry-Golden Datasets/weights",
            ["candidate"]
          )
          expect(linked.fullName).toBe("wandb-registry-Golden Datasets/weights:v0")
          const consumer = yield* registrar.startRun({ actor: member, entity: team, project: "eval", runId: "run-2" })
          yield* registrar.useInRun(consumer, linked.fullName)
          const graph = yield* registrar.lineage({ actor: member, reference: linked.fullName })
          expect(graph.edges).toEqual(
            expect.arrayContaining([
              { from: `${team}/train/run-1`, to: `${team}/train/weights:v0`, kind: "produced" },
              { from: `${team}/train/weights:v0`, to: `${team}/eval/run-2`, kind: "used" }
            ])
          )
        })
      )
    )

    it.live("reads as of a past position: what production pointed at then", () =>
      run(
        Effect.gen(function* () {
          const { registrar, member, log } = yield* seed
          const v0 = yield* log("raw", "0")
          yield* registrar.link({
            actor: member,
            source: v0.reference,
            target: "wandb-registry-Golden Datasets/raw",
            aliases: ["production"]
          })
          yield* registrar.catchUp
          const before = (yield* registrar.history({ actor: member })).at(-1)!.globalPosition
          const v1 = yield* log("raw", "1")
          yield* registrar.link({
            actor: member,
            source: v1.reference,
            target: "wandb-registry-Golden Datasets/raw",
            aliases: ["production"]
          })
          const now = yield* registrar.resolve({ actor: member, name: "wandb-registry-Golden Datasets/raw:production" })
          const then = yield* registrar.resolve({
            actor: member,
            name: "wandb-registry-Golden Datasets/raw:production",
            asOf: { position: before }
          })
          expect([now.version, then.version]).toEqual([1, 0])
        })
      )
    )

    it.live("an idempotency key makes a retried command return its first result", () =>
      run(
        Effect.gen(function* () {
          const { registrar, member, log } = yield* seed
          const v0 = yield* log("raw", "0")
          const key = unique("key")
          const first = yield* registrar.link({
            actor: member,
            source: v0.reference,
            target: "wandb-registry-Golden Datasets/raw",
            idempotencyKey: key
          })
          yield* registrar.unlink({ actor: member, name: "wandb-registry-Golden Datasets/raw:v0" })
          const retried = yield* registrar.link({
            actor: member,
            source: v0.reference,
            target: "wandb-registry-Golden Datasets/raw",
            idempotencyKey: key
          })
          expect(retried).toEqual(first)
          const listed = yield* registrar.listVersions({
            actor: member,
            collection: "wandb-registry-Golden Datasets/raw"
          })
          expect(listed.versions).toEqual([])
        })
      )
    )

    it.live("64 concurrent linkers: distinct sources get v0..v63 exactly once; one source gets one version", () =>
      run(
        Effect.gen(function* () {
          const { registrar, member, log } = yield* seed
          const sources = yield* Effect.forEach(
            Array.from({ length: 64 }, (_, i) => i),
            (i) => log(`s${i}`, `c${i}`)
          )
          const results = yield* Effect.forEach(
            sources,
            (source) =>
              registrar.link({
                actor: member,
                source: source.reference,
                target: "wandb-registry-Golden Datasets/many"
              }),
            { concurrency: "unbounded" }
          )
          expect(results.map((r) => r.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 64 }, (_, i) => i))
          const same = yield* Effect.forEach(
            Array.from({ length: 64 }),
            () =>
              registrar.link({
                actor: member,
                source: sources[0]!.reference,
                target: "wandb-registry-Golden Datasets/one"
              }),
            { concurrency: "unbounded" }
          )
          expect(new Set(same.map((r) => r.version))).toEqual(new Set([0]))
          expect(same.filter((r) => r.created).length).toBe(1)
        })
      )
    )

    it.live(
      "collections: rename keeps versions, delete removes links but never sources; verify and rebuild agree",
      () =>
        run(
          Effect.gen(function* () {
            const { registrar, member, log, org, admin } = yield* seed
            const v0 = yield* log("raw", "0")
            yield* registrar.link({ actor: member, source: v0.reference, target: "wandb-registry-Golden Datasets/raw" })
            yield* registrar.renameCollection({
              actor: member,
              collection: `${org}/wandb-registry-Golden Datasets/raw`,
              to: "clean"
            })
            const renamed = yield* registrar.resolve({
              actor: member,
              name: `${org}/wandb-registry-Golden Datasets/clean:v0`
            })
            expect(renamed.source).toBe(v0.reference)
            yield* registrar.deleteCollection({
              actor: member,
              collection: `${org}/wandb-registry-Golden Datasets/clean`
            })
            const gone = yield* failure(
              registrar.resolve({ actor: member, name: `${org}/wandb-registry-Golden Datasets/clean:v0` })
            )
            expect(gone?._tag).toBe("LinkedVersionNotFound")
            const source = yield* registrar.listArtifactVersions({
              actor: member,
              entity: v0.entity,
              project: v0.project,
              name: v0.name
            })
            expect(source.versions.length).toBe(1)
            yield* registrar.deleteRegistry({ actor: admin, organization: org, registry: "Golden Datasets" })
            const report = yield* registrar.verify()
            expect(report.firstBroken).toBeNull()
            const before = yield* registrar.history({ actor: admin, organization: org })
            yield* registrar.rebuild()
            const after = yield* registrar.history({ actor: admin, organization: org })
            expect(after).toEqual(before)
          })
        )
    )

    it.live("a source's latest is its highest version not deleted, however many are deleted above it", () =>
      // With the read models in reach too, to ask them for `latest` directly.
      Effect.provide(
        Effect.gen(function* () {
          const { registrar, org, team, member, log } = yield* seed
          const versions: Array<string> = []
          for (let index = 0; index < 12; index++) versions.push((yield* log("many", `content ${index}`)).reference)
          // More deleted versions above the latest than one read of the top rows holds.
          for (const reference of versions.slice(2))
            yield* registrar.deleteArtifactVersion({ actor: member, reference })
          yield* registrar.catchUp
          const latest = yield* ReadModels.findArtifactVersion(team, "images", "many", {
            _tag: "Alias",
            alias: "latest"
          })
          expect(Option.map(latest, (version) => version.index)).toStrictEqual(Option.some(1))
          const linked = yield* registrar.link({
            actor: member,
            source: `${team}/images/many:latest`,
            target: "wandb-registry-Golden Datasets/many"
          })
          expect(linked.source).toBe(versions[1])
          yield* registrar.catchUp
          const resolved = yield* ReadModels.resolveLinked(org, "Golden Datasets", "many", {
            _tag: "Alias",
            alias: "latest"
          })
          expect(Option.map(resolved, (found) => found.sourceVersion.aliases)).toStrictEqual(Option.some(["latest"]))
        }),
        Registrar.layer().pipe(Layer.provideMerge(stores()))
      )
    )

    organizationScenarios(run, seed)
  })
}
