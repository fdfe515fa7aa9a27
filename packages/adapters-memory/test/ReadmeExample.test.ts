// The library example of the README, kept here so that it always runs as written.
import { expect, it } from "@effect/vitest"
import { Registrar } from "@registrar/domain"
import { Effect, Layer } from "effect"
import * as MemoryStores from "../src/index.js"

const program = Effect.gen(function* () {
  const registrar = yield* Registrar
  yield* registrar.createUser({ actor: "ada", user: "ada" })
  yield* registrar.createOrganization({
    actor: "ada",
    organization: "smle-registries-bug-bash",
    displayName: "SMLE Registries Bug Bash"
  })
  yield* registrar.createTeam({ actor: "ada", team: "vision", organization: "smle-registries-bug-bash" })
  yield* registrar.createRegistry({
    actor: "ada",
    organization: "smle-registries-bug-bash",
    registry: "Golden Datasets"
  })

  const logged = yield* registrar.logArtifact({
    actor: "ada",
    entity: "vision",
    project: "images",
    name: "raw_images",
    type: "dataset",
    files: [{ path: "images.tar", sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", size: 4 }]
  })
  const linked = yield* registrar.link({
    actor: "ada",
    source: logged.reference, // "vision/images/raw_images:v0"
    target: "wandb-registry-Golden Datasets/raw_images",
    aliases: ["production"]
  })
  const resolved = yield* registrar.resolve({ actor: "ada", name: linked.fullName })
  return { linked, resolved }
})

const RegistrarInMemory = Registrar.layer().pipe(Layer.provide(MemoryStores.layer))

it.effect("the README's library example runs as written", () =>
  Effect.gen(function* () {
    const { linked, resolved } = yield* Effect.provide(program, RegistrarInMemory)
    expect(linked.fullName).toBe("wandb-registry-Golden Datasets/raw_images:v0")
    expect(linked.qualifiedName).toBe("smle-registries-bug-bash/wandb-registry-Golden Datasets/raw_images:v0")
    expect(resolved.source).toBe("vision/images/raw_images:v0")
    expect(resolved.aliases).toEqual(["latest", "production"])
  })
)
