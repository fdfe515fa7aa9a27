/**
 * A collection after a restart, written once and run by every adapter: a process grows a collection past its
 * snapshot interval, then fresh Registrar instances (empty caches) on the same stores link, resolve, unlink, move
 * aliases and delete sources through it. They load the summary snapshot and the events after it, never the whole
 * stream, and look up the versions each command names (through the store's LinkIndex when it has one).
 */
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Either, Layer } from "effect"
import { EventStore, Origin, Registrar, type RegistrarShape, SnapshotStore } from "../src/index.js"
import { seed, type Stores } from "./RegistrarScenarios.js"
import { fakeSha256 } from "./FakeDigest.js"

/** Options of {@link coldCollectionScenarios}. */
export interface ColdCollectionOptions {
  /** Whether the stores provide a LinkIndex (then a cold collection never reads its whole stream). */
  readonly indexed: boolean
}

/** Links in the grown collection; each also moves an alias, so the stream holds twice as many events. */
const LINKS = 55

const tagOf = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.map(Effect.either(effect), (result) =>
    Either.isLeft(result) ? (result.left as { readonly _tag: string })._tag : "succeeded"
  )

/** Runs the cold-collection scenarios against the stores built by `stores`. */
export const coldCollectionScenarios = (name: string, stores: () => Stores, options: ColdCollectionOptions): void => {
  describe(`${name}: a large collection after a restart`, () => {
    it.live(
      "fresh instances load its summary snapshot and decide links, unlinks, aliases and deletes as a warm one",
      () =>
        Effect.scoped(
          Effect.gen(function* () {
            const context = yield* Layer.build(stores())
            const store = Context.get(context, EventStore)
            /** The collection-stream reads of the instance in use: where each read started. */
            let reads: Array<number> = []
            const spied = Context.add(context, EventStore, {
              ...store,
              readStream: (streamId, readOptions) => {
                if (streamId.startsWith("Collection-")) reads.push(readOptions?.after ?? 0)
                return store.readStream(streamId, readOptions)
              }
            })
            /** A Registrar instance as after a restart: same stores, empty cache. */
            const restart = (): Effect.Effect<RegistrarShape> => {
              reads = []
              return Effect.provide(Registrar, Registrar.layer().pipe(Layer.provide(Layer.succeedContext(spied))))
            }

            const warm = yield* restart()
            const { org, team, admin, member } = yield* Effect.provideService(seed, Registrar, warm)
            const registry = "wandb-registry-Golden Datasets"
            const target = `${registry}/big`
            const source = (index: number) => `${team}/images/big:v${index}`
            const logNext = (registrar: RegistrarShape, content: string) =>
              registrar.logArtifact({
                actor: member,
                entity: team,
                project: "images",
                name: "big",
                type: "dataset",
                files: [{ path: "data.bin", sha256: fakeSha256(content), size: content.length }]
              })
            for (let index = 0; index < LINKS; index++) {
              yield* logNext(warm, `a${index}`)
              yield* warm.link({ actor: member, source: source(index), target, aliases: ["candidate"] })
            }

            // A restart: the first link loads the snapshot the growing process wrote at event 100, and what follows.
            const cold = yield* restart()
            const relinked = yield* cold.link({ actor: member, source: source(3), target })
            expect(relinked).toMatchObject({ version: 3, created: false, aliases: [] })
            expect(reads[0]).toBeGreaterThanOrEqual(100)

            // Linked versions named by index and alias resolve to their sources (linking them elsewhere).
            const byIndex = yield* cold.link({
              actor: member,
              source: `${org}/${registry}/big:v7`,
              target: `${registry}/other`
            })
            expect(byIndex.source).toBe(source(7))
            const byAlias = yield* cold.link({
              actor: member,
              source: `${org}/${registry}/big:candidate`,
              target: `${registry}/other`
            })
            expect(byAlias.source).toBe(source(LINKS - 1))

            // Unlinking the latest moves `latest` down; a new link takes the next index, never a reused one.
            const unlinked = yield* cold.unlink({ actor: member, name: `${org}/${registry}/big:v${LINKS - 1}` })
            expect(unlinked).toMatchObject({ version: LINKS - 1, aliases: [], changed: true })
            const latest = yield* cold.link({
              actor: member,
              source: `${org}/${registry}/big:latest`,
              target: `${registry}/third`
            })
            expect(latest.source).toBe(source(LINKS - 2))
            yield* logNext(cold, "fresh")
            const fresh = yield* cold.link({ actor: member, source: source(LINKS), target })
            expect(fresh).toMatchObject({ version: LINKS, created: true, aliases: ["latest"] })

            // An unlinked version is gone; its source links again as a new version.
            yield* cold.unlink({ actor: member, name: `${org}/${registry}/big:v10` })
            expect(yield* tagOf(cold.unlink({ actor: member, name: `${org}/${registry}/big:v10` }))).toBe(
              "LinkedVersionNotFound"
            )
            const again = yield* cold.link({ actor: member, source: source(10), target })
            expect(again).toMatchObject({ version: LINKS + 1, created: true })

            // Aliases on versions linked before the snapshot.
            const best = yield* cold.addAlias({ actor: member, name: `${org}/${registry}/big:v20`, alias: "best" })
            expect(best).toMatchObject({ version: 20, aliases: ["best"], changed: true })
            const moved = yield* cold.addAlias({ actor: member, name: `${org}/${registry}/big:v21`, alias: "best" })
            expect(moved.aliases).toEqual(["best"])
            expect(
              yield* tagOf(cold.removeAlias({ actor: member, name: `${org}/${registry}/big:v20`, alias: "best" }))
            ).toBe("AliasNotFound")
            yield* cold.setProtectedAliases({
              actor: admin,
              organization: org,
              registry: "Golden Datasets",
              aliases: ["production"]
            })
            yield* cold.addAlias({ actor: admin, name: `${org}/${registry}/big:v30`, alias: "production" })

            // Another restart: deleting a source looks its link up by source, and sees the protected alias.
            const third = yield* restart()
            expect(yield* tagOf(third.deleteArtifactVersion({ actor: member, reference: source(30) }))).toBe(
              "SourceVersionProtected"
            )
            const deleted = yield* third.deleteArtifactVersion({ actor: member, reference: source(31) })
            expect(deleted.deleted).toBe(true)
            const again31 = yield* third.link({ actor: member, source: source(32), target })
            expect(again31).toMatchObject({ version: 32, created: false })

            if (options.indexed) expect(reads.filter((after) => after === 0)).toEqual([])
          })
        ),
      60_000
    )

    it.live("an old or damaged snapshot is ignored: the stream is replayed, and decisions stay right", () =>
      Effect.scoped(
        Effect.gen(function* () {
          const context = yield* Layer.build(stores())
          const store = Context.get(context, EventStore)
          const snapshots = Context.get(context, SnapshotStore)
          let reads: Array<number> = []
          const spied = Context.add(context, EventStore, {
            ...store,
            readStream: (streamId, readOptions) => {
              if (streamId.startsWith("Collection-")) reads.push(readOptions?.after ?? 0)
              return store.readStream(streamId, readOptions)
            }
          })
          const restart = (): Effect.Effect<RegistrarShape> => {
            reads = []
            return Effect.provide(Registrar, Registrar.layer().pipe(Layer.provide(Layer.succeedContext(spied))))
          }
          const warm = yield* restart()
          const { org, team, member, log } = yield* Effect.provideService(seed, Registrar, warm)
          const target = "wandb-registry-Golden Datasets/small"
          const sources: Array<string> = []
          for (let index = 0; index < 5; index++) {
            const logged = yield* Effect.provideService(log("small", `s${index}`), Registrar, warm)
            sources.push(logged.reference)
            yield* warm.link({ actor: member, source: logged.reference, target })
          }
          const streamId = (yield* store.readAll({ after: Origin, limit: 10_000 }))
            .map((event) => event.streamId)
            .find((id) => id.startsWith("Collection-"))!
          expect(sources[2]).toBe(`${team}/images/small:v2`)

          // Shape 1 held every version's facts; it is not read at all.
          yield* snapshots.save({
            streamId,
            version: 5,
            schemaVersion: 1,
            state: { versions: [], aliases: [], nextIndex: 0, latest: null }
          })
          const afterOld = yield* restart()
          expect(yield* afterOld.link({ actor: member, source: sources[2]!, target })).toMatchObject({
            version: 2,
            created: false
          })
          expect(reads[0]).toBe(0)

          // A summary that contradicts itself (version 4 is linked, the summary says only v0 is) is not trusted.
          yield* snapshots.save({
            streamId,
            version: 5,
            schemaVersion: 2,
            state: { linked: [[0, 1]], aliases: [], nextIndex: 5, latest: 4 }
          })
          const afterDamaged = yield* restart()
          expect(
            yield* afterDamaged.unlink({ actor: member, name: `${org}/wandb-registry-Golden Datasets/small:v4` })
          ).toMatchObject({
            version: 4,
            changed: true
          })
          expect(reads[0]).toBe(0)
        })
      )
    )
  })
}
