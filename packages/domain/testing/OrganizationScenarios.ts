/**
 * Scenarios through the application service about organizations, users and registry names: how an organization is
 * resolved (and the errors when it cannot be), who may create users, and renaming and describing registries. Run by
 * every adapter as part of `registrarScenarios`.
 */
import { expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import type { Registrar } from "../src/index.js"

const failure = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.map(Effect.either(effect), (result) =>
    Either.isLeft(result) ? (result.left as { _tag: string; message: string }) : undefined
  )

/** What `RegistrarScenarios.seed` gives. */
interface Seeded {
  readonly registrar: Registrar["Type"]
  readonly org: string
  readonly elsewhere: string
  readonly team: string
  readonly admin: string
  readonly member: string
  readonly outsider: string
  readonly log: (
    name: string,
    content: string
  ) => Effect.Effect<{ readonly reference: string; readonly entity: string; readonly project: string }, unknown>
}

/** The organization and registry-name scenarios, run with the caller's stores and seed. */
export const organizationScenarios = (
  run: <A, E>(effect: Effect.Effect<A, E, Registrar>) => Effect.Effect<A, unknown>,
  seed: Effect.Effect<Seeded, unknown, Registrar>
): void => {
  it.live("organizations: a user in several names none and is told which and how to choose; a user in none too", () =>
    run(
      Effect.gen(function* () {
        const { registrar, org, elsewhere, admin, member } = yield* seed
        // admin belongs to org and elsewhere; member to org only.
        const ambiguous = yield* failure(registrar.listRegistries({ actor: admin }))
        expect(ambiguous?._tag).toBe("OrganizationAmbiguous")
        for (const mention of [admin, org, elsewhere, "--org", "REGISTRAR_ORG", "ORG/"]) {
          expect(ambiguous?.message).toContain(mention)
        }
        const unnamedPath = yield* failure(
          registrar.resolve({ actor: admin, name: "wandb-registry-Golden Datasets/raw:v0" })
        )
        expect(unnamedPath?._tag).toBe("OrganizationAmbiguous")
        expect((yield* registrar.listRegistries({ actor: member })).organization).toBe(org)

        const loner = `${member}-loner`
        yield* registrar.createUser({ actor: admin, user: loner, organization: org, organizationRole: "member" })
        yield* registrar.removeOrganizationMember({ actor: admin, organization: org, user: loner })
        const none = yield* failure(registrar.showRegistry({ actor: loner, registry: "Golden Datasets" }))
        expect(none?._tag).toBe("NoOrganization")
        expect(none?.message).toContain(`"${loner}" belongs to no organization`)
        for (const error of [ambiguous, unnamedPath, none]) expect(error?.message).not.toContain("none given")
      })
    )
  )

  it.live("organizations: naming one you do not belong to is refused, naming you and it, for reads and writes", () =>
    run(
      Effect.gen(function* () {
        const { registrar, org, outsider } = yield* seed
        const attempts = [
          registrar.listRegistries({ actor: outsider, organization: org }),
          registrar.showRegistry({ actor: outsider, organization: org, registry: "Golden Datasets" }),
          registrar.resolve({ actor: outsider, name: `${org}/wandb-registry-Golden Datasets/raw` }),
          registrar.createRegistry({ actor: outsider, organization: org, registry: "Mine" }),
          registrar.createCollection({
            actor: outsider,
            collection: `${org}/wandb-registry-Golden Datasets/mine`,
            type: "dataset"
          }),
          registrar.renameRegistry({ actor: outsider, organization: org, registry: "Golden Datasets", to: "Mine" })
        ] as const
        for (const attempt of attempts) {
          const refused = yield* failure(attempt as Effect.Effect<unknown, unknown>)
          expect(refused?._tag).toBe("NotAnOrganizationMember")
          expect(refused?.message).toContain(`"${outsider}"`)
          expect(refused?.message).toContain(`"${org}"`)
        }
      })
    )
  )

  it.live("users: only the first user of an empty store, or an organization admin for their organization", () =>
    run(
      Effect.gen(function* () {
        const { registrar, org, admin, member } = yield* seed
        const self = yield* failure(registrar.createUser({ actor: "mallory", user: "mallory" }))
        expect(self?._tag).toBe("UserCreationRefused")
        expect(self?.message).toContain("first user of an empty store")
        const byMember = yield* failure(registrar.createUser({ actor: member, user: "mallory", organization: org }))
        expect(byMember?._tag).toBe("OrganizationRoleRequired")
        const created = yield* registrar.createUser({ actor: admin, user: `${member}-new`, organization: org })
        expect(created.created).toBe(true)
        expect((yield* registrar.listRegistries({ actor: `${member}-new` })).organization).toBe(org)
      })
    )
  )

  it.live(
    "registries: a rename keeps collections, links, grants and protected aliases; the old name is gone; as-of reads use it",
    () =>
      run(
        Effect.gen(function* () {
          const { registrar, org, admin, member, log } = yield* seed
          const v0 = yield* log("raw", "0")
          yield* registrar.link({
            actor: member,
            source: v0.reference,
            target: `${org}/wandb-registry-Golden Datasets/raw`,
            aliases: ["production"]
          })
          yield* registrar.setProtectedAliases({
            actor: admin,
            organization: org,
            registry: "Golden Datasets",
            aliases: ["production"]
          })
          const before = Math.max(
            ...(yield* registrar.history({ actor: admin, organization: org })).map((row) => row.globalPosition)
          )
          const renamedBy = yield* failure(
            registrar.renameRegistry({ actor: member, organization: org, registry: "Golden Datasets", to: "Gold" })
          )
          expect(renamedBy?._tag).toBe("InsufficientRole")
          const renamed = yield* registrar.renameRegistry({
            actor: admin,
            organization: org,
            registry: "Golden Datasets",
            to: "wandb-registry-Gold"
          })
          expect(renamed).toMatchObject({ registry: "Gold", path: "wandb-registry-Gold", changed: true })

          // Links, aliases, grants and protected aliases carried over.
          const resolved = yield* registrar.resolve({
            actor: member,
            name: `${org}/wandb-registry-Gold/raw:production`
          })
          expect(resolved).toMatchObject({ source: v0.reference, registry: "Gold", version: 0 })
          const v1 = yield* log("raw", "1")
          const linked = yield* registrar.link({
            actor: member,
            source: v1.reference,
            target: `${org}/wandb-registry-Gold/raw`
          })
          expect(linked.fullName).toBe("wandb-registry-Gold/raw:v1")
          const guarded = yield* failure(
            registrar.addAlias({ actor: member, name: `${org}/wandb-registry-Gold/raw:v1`, alias: "production" })
          )
          expect(guarded?._tag).toBe("ProtectedAliasRequiresAdmin")
          const protectedSource = yield* failure(
            registrar.deleteArtifactVersion({ actor: member, reference: v0.reference })
          )
          expect(protectedSource?._tag).toBe("SourceVersionProtected")

          // The old name is not found now, but as-of reads before the rename use it.
          const old = yield* failure(
            registrar.resolve({ actor: member, name: `${org}/wandb-registry-Golden Datasets/raw:v0` })
          )
          expect(old?._tag).toBe("RegistryNotFound")
          const oldShown = yield* failure(
            registrar.showRegistry({ actor: member, organization: org, registry: "Golden Datasets" })
          )
          expect(oldShown?._tag).toBe("RegistryNotFound")
          const then = yield* registrar.resolve({
            actor: member,
            name: `${org}/wandb-registry-Golden Datasets/raw:production`,
            asOf: { position: before }
          })
          expect(then.source).toBe(v0.reference)
          const shownThen = yield* registrar.showRegistry({
            actor: member,
            organization: org,
            registry: "Golden Datasets",
            asOf: { position: before }
          })
          expect(shownThen.registry.registry).toBe("Golden Datasets")

          // The history shows the rename, with both names.
          const history = yield* registrar.history({ actor: admin, organization: org, registry: "Gold" })
          const event = history.find((row) => row.type === "RegistryRenamed")
          expect(event?.summary).toContain("wandb-registry-Golden Datasets")
          expect(event?.summary).toContain("wandb-registry-Gold")

          // Name rules, and names other registries hold.
          yield* registrar.createRegistry({ actor: admin, organization: org, registry: "Other" })
          const taken = yield* failure(
            registrar.renameRegistry({ actor: admin, organization: org, registry: "Gold", to: "Other" })
          )
          expect(taken?._tag).toBe("RegistryAlreadyExists")
          for (const to of ["a/b", "x".repeat(114), "wandb-registry-"]) {
            const invalid = yield* failure(
              registrar.renameRegistry({ actor: admin, organization: org, registry: "Gold", to })
            )
            expect(invalid?._tag).toBe("InvalidName")
          }

          // The old name is free for a new, empty registry; the renamed one keeps its collection.
          yield* registrar.createRegistry({ actor: admin, organization: org, registry: "Golden Datasets" })
          const fresh = yield* registrar.showRegistry({ actor: admin, organization: org, registry: "Golden Datasets" })
          expect(fresh.collections).toEqual([])
          const gold = yield* registrar.showRegistry({ actor: admin, organization: org, registry: "Gold" })
          expect(gold.collections.map((collection) => [collection.name, collection.versionCount])).toEqual([["raw", 2]])

          // Renaming the new one away and back again keeps both apart.
          yield* registrar.renameRegistry({
            actor: admin,
            organization: org,
            registry: "Golden Datasets",
            to: "Silver"
          })
          yield* registrar.renameRegistry({ actor: admin, organization: org, registry: "Gold", to: "Golden Datasets" })
          const back = yield* registrar.resolve({
            actor: member,
            name: `${org}/wandb-registry-Golden Datasets/raw:v1`
          })
          expect(back.source).toBe(v1.reference)
          const silver = yield* registrar.showRegistry({ actor: admin, organization: org, registry: "Silver" })
          expect(silver.collections).toEqual([])

          // Descriptions, shown by show and list; the read models rebuild to the same answers.
          const updated = yield* registrar.updateRegistry({
            actor: admin,
            organization: org,
            registry: "Golden Datasets",
            description: "curated"
          })
          expect(updated.changed).toBe(true)
          const listed = yield* registrar.listRegistries({ actor: admin, organization: org })
          expect(listed.registries.map((registry) => [registry.registry, registry.description])).toEqual([
            ["Golden Datasets", "curated"],
            ["Other", ""],
            ["Silver", ""]
          ])
          yield* registrar.rebuild()
          expect(yield* registrar.listRegistries({ actor: admin, organization: org })).toEqual(listed)
        })
      )
  )
}
