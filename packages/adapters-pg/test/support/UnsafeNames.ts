/**
 * Names a person can type but no name may hold (control, zero-width and bidirectional characters, unpaired
 * surrogates, NUL): through the library on a PostgreSQL store, every one is refused with the typed `InvalidName`
 * before it reaches the database (where NUL used to fail as `StoreUnavailable`) or is stored to trick a reader.
 */
import { expect, it } from "@effect/vitest"
import { isUnsafeCharacter, Registrar } from "@registrar/domain"
import { seed, type Stores } from "@registrar/domain/testing"
import { Effect, Either, Layer } from "effect"

const failureOf = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.map(Effect.either(effect), (result) =>
    Either.isLeft(result) ? (result.left as { readonly _tag: string; readonly message: string }) : undefined
  )

/** Runs the unsafe-name scenario against the stores `stores` builds. */
export const unsafeNameScenario = (name: string, stores: () => Stores): void => {
  it.live(`${name}: every name with control, invisible or unstorable characters is refused as InvalidName`, () =>
    Effect.gen(function* () {
      const { registrar, org, team, member, admin, log } = yield* seed
      const v0 = yield* log("raw", "0")
      const files: ReadonlyArray<{ path: string; sha256: string; size: number }> = []
      const attempts: ReadonlyArray<readonly [string, Effect.Effect<unknown, unknown>]> = [
        ["registry with NUL", registrar.createRegistry({ actor: admin, organization: org, registry: "Bad\u0000" })],
        ["registry with ESC", registrar.createRegistry({ actor: admin, organization: org, registry: "a\u001b[31mb" })],
        [
          "registry with a lone surrogate",
          registrar.createRegistry({ actor: admin, organization: org, registry: "a\ud800" })
        ],
        [
          "registry of another command",
          registrar.changeVisibility({ actor: admin, organization: org, registry: "R\u0000", visibility: "restricted" })
        ],
        ["organization with NUL", registrar.createRegistry({ actor: admin, organization: "o\u0000", registry: "R" })],
        [
          "organization display name",
          registrar.createOrganization({ actor: admin, organization: "neworg", displayName: "New\u202eOrg" })
        ],
        ["user", registrar.createUser({ actor: admin, user: "eve\u200b" })],
        ["team", registrar.createTeam({ actor: admin, team: "t\u0000", organization: org })],
        [
          "collection",
          registrar.createCollection({
            actor: member,
            collection: "wandb-registry-Golden Datasets/c\u0000",
            type: "dataset"
          })
        ],
        [
          "collection tag",
          registrar.createCollection({
            actor: member,
            collection: "wandb-registry-Golden Datasets/c",
            type: "dataset",
            tags: ["a\u0000"]
          })
        ],
        [
          "reserved collection type",
          registrar.createCollection({ actor: member, collection: "wandb-registry-Golden Datasets/jobs", type: "job" })
        ],
        [
          "alias",
          registrar.link({
            actor: member,
            source: v0.reference,
            target: "wandb-registry-Golden Datasets/raw",
            aliases: ["prod\u0000"]
          })
        ],
        [
          "alias LATEST",
          registrar.link({
            actor: member,
            source: v0.reference,
            target: "wandb-registry-Golden Datasets/raw",
            aliases: ["LATEST"]
          })
        ],
        [
          "organization in a path",
          registrar.resolve({ actor: member, name: "o\u0000/wandb-registry-Golden Datasets/raw" })
        ],
        [
          "collection in a path",
          registrar.listVersions({ actor: member, collection: "wandb-registry-Golden Datasets/c\u0000" })
        ],
        [
          "artifact type",
          registrar.logArtifact({ actor: member, entity: team, project: "p", name: "n", type: "t\u0000", files })
        ],
        [
          "reserved artifact type",
          registrar.logArtifact({ actor: member, entity: team, project: "p", name: "run-1", type: "run_table", files })
        ],
        [
          "project",
          registrar.logArtifact({ actor: member, entity: team, project: "p\u0000", name: "n", type: "t", files })
        ],
        [
          "description",
          registrar.logArtifact({
            actor: member,
            entity: team,
            project: "p",
            name: "n",
            type: "t",
            description: "d\u0000",
            files
          })
        ],
        [
          "metadata value",
          registrar.logArtifact({
            actor: member,
            entity: team,
            project: "p",
            name: "n",
            type: "t",
            metadata: { k: "\u0000" },
            files
          })
        ],
        [
          "metadata key",
          registrar.logArtifact({
            actor: member,
            entity: team,
            project: "p",
            name: "n",
            type: "t",
            metadata: { "k\u0000": 1 },
            files
          })
        ],
        [
          "artifact read",
          registrar.listArtifactVersions({ actor: member, entity: team, project: "p", name: "n\u0000" })
        ],
        [
          "history filter",
          registrar.history({ actor: member, organization: org, registry: "Golden Datasets", collection: "c\u0000" })
        ]
      ]
      for (const [what, attempt] of attempts) {
        const failure = yield* failureOf(attempt)
        expect({ what, tag: failure?._tag }).toEqual({ what, tag: "InvalidName" })
        // The message is safe to print: the offending characters are escaped.
        expect([...(failure?.message ?? "")].some(isUnsafeCharacter)).toBe(false)
      }
      // Nothing was written for any of them: the registry list is the seeded one.
      const registries = yield* registrar.listRegistries({ actor: admin, organization: org })
      expect(registries.registries.map((registry) => registry.registry)).toEqual(["Golden Datasets"])
    }).pipe(Effect.provide(Registrar.layer().pipe(Layer.provide(stores()))))
  )
}
