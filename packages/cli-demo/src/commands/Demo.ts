/**
 * `demo`: seeds a fresh store with the scenario of the W&B Registry documentation — an organization, a team, a
 * `raw_images` dataset linked into `wandb-registry-Golden Datasets`, and a model trained on it linked into
 * `wandb-registry-Models` — then prints what to try next.
 */
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import type { RegistrarShape } from "@registrar/domain"
import { collectionPath, registryProjectName } from "@registrar/domain"
import * as Effect from "effect/Effect"
import * as Blobs from "../Blobs.js"
import * as Output from "../Output.js"
import { help, leaf } from "../Root.js"
import { withStore } from "../Session.js"
import { shellQuote } from "../Snippets.js"

/** The names the demo creates. */
export const Demo = {
  organization: "smle-registries-bug-bash",
  displayName: "SMLE Registries Bug Bash",
  team: "smle-reg-team-1",
  project: "registry_quickstart",
  admin: "alice",
  engineer: "bob",
  viewer: "carol",
  datasets: "Golden Datasets",
  models: "Models",
  modelCollection: "Zoo_Classifier_Models"
} as const

const writeFiles = (directory: string, files: Record<string, string>) =>
  Effect.promise(async () => {
    await fs.mkdir(directory, { recursive: true })
    for (const [name, content] of Object.entries(files)) await fs.writeFile(path.join(directory, name), content)
  })

const image = (label: string, seed: number) =>
  `P2\n# ${label}\n4 4\n255\n${Array.from({ length: 16 }, (_, i) => (seed * 37 + i * 11) % 256).join(" ")}\n`

const ignoreExisting = <A, E extends { readonly _tag: string }, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.catchIf(
    Effect.asVoid(effect),
    (error) => error._tag === "RegistryAlreadyExists",
    () => Effect.void
  )

const seed = (registrar: RegistrarShape, blobs: Blobs.FileStore, scratch: string) =>
  Effect.gen(function* () {
    const { admin, engineer, viewer, organization, team, project } = Demo
    yield* registrar.createUser({ actor: admin, user: admin })
    const created = yield* registrar.createOrganization({
      actor: admin,
      organization,
      displayName: Demo.displayName
    })
    if (!created.created) return false
    yield* registrar.createUser({ actor: admin, user: engineer, organization, organizationRole: "member" })
    yield* registrar.createUser({ actor: admin, user: viewer, organization, organizationRole: "viewer" })
    yield* registrar.createTeam({ actor: admin, team, organization })
    yield* registrar.addTeamMember({ actor: admin, team, user: engineer })
    yield* ignoreExisting(
      registrar.createRegistry({
        actor: admin,
        organization,
        registry: Demo.datasets,
        acceptedTypes: ["dataset"],
        description: "Curated datasets every team trains and evaluates on"
      })
    )
    yield* ignoreExisting(
      registrar.createRegistry({
        actor: admin,
        organization,
        registry: Demo.models,
        acceptedTypes: ["model"],
        description: "Models ready for evaluation and deployment"
      })
    )
    for (const registry of [Demo.datasets, Demo.models]) {
      yield* registrar.grantRole({
        actor: admin,
        organization,
        registry,
        principal: { kind: "team", name: team },
        role: "member"
      })
    }
    yield* registrar.setProtectedAliases({ actor: admin, organization, registry: Demo.models, aliases: ["production"] })

    const log = (
      name: string,
      type: string,
      files: Record<string, string>,
      runId: string,
      metadata: Record<string, unknown>
    ) =>
      Effect.gen(function* () {
        const directory = path.join(scratch, `${name}-${runId}`)
        yield* writeFiles(directory, files)
        const manifest = yield* Blobs.store(blobs, yield* Blobs.collect([], directory))
        return yield* registrar.logArtifact({
          actor: engineer,
          entity: team,
          project,
          name,
          type,
          files: manifest,
          metadata,
          runId
        })
      })

    const images = yield* log(
      "raw_images",
      "dataset",
      {
        "cat.pgm": image("cat", 1),
        "dog.pgm": image("dog", 2),
        "bird.pgm": image("bird", 3),
        "labels.csv": "file,label\ncat.pgm,cat\ndog.pgm,dog\nbird.pgm,bird\n"
      },
      "data-prep",
      { rows: 3, source: "camera-A" }
    )
    const datasetTarget = collectionPath(Demo.datasets, "raw_images")
    yield* registrar.link({ actor: engineer, source: images.reference, target: datasetTarget, aliases: ["production"] })

    const train = (runId: string, weights: string, metadata: Record<string, unknown>) =>
      Effect.gen(function* () {
        yield* registrar.useArtifact({
          actor: engineer,
          reference: `${datasetTarget}:production`,
          run: { entity: team, project, runId }
        })
        return yield* log(
          "zoo-classifier",
          "model",
          { "model.safetensors": weights, "config.json": JSON.stringify(metadata) },
          runId,
          metadata
        )
      })
    const first = yield* train("train-1", "weights-epoch-5", { accuracy: 0.87, loss: 0.41, epochs: 5 })
    const second = yield* train("train-2", "weights-epoch-10", { accuracy: 0.93, loss: 0.22, epochs: 10 })
    const modelTarget = collectionPath(Demo.models, Demo.modelCollection)
    yield* registrar.link({ actor: engineer, source: first.reference, target: modelTarget, aliases: ["candidate"] })
    const best = yield* registrar.link({
      actor: engineer,
      source: second.reference,
      target: modelTarget,
      aliases: ["staging"]
    })
    yield* registrar.addAlias({ actor: admin, name: `${organization}/${best.fullName}`, alias: "production" })
    return true
  })

/** What to try next, as commands run from the repository root (`pnpm registrar` is the root's script). */
const tryNext = (dataDirFlag: string): ReadonlyArray<string> => {
  const as = (user: string) => `--as ${user}${dataDirFlag}`
  const datasets = shellQuote(collectionPath(Demo.datasets, "raw_images"))
  const models = shellQuote(collectionPath(Demo.models, Demo.modelCollection))
  return [
    `pnpm registrar registry list ${as("bob")}`,
    `pnpm registrar registry show ${shellQuote(Demo.datasets)} ${as("bob")}`,
    `pnpm registrar collection show ${models} --metrics ${as("bob")}`,
    `pnpm registrar resolve ${shellQuote(`${collectionPath(Demo.datasets, "raw_images")}:production`)} ${as("bob")}`,
    `pnpm registrar artifact download ${shellQuote(`${collectionPath(Demo.models, Demo.modelCollection)}:production`)} --to ./model ${as("bob")}`,
    `pnpm registrar lineage ${shellQuote(`${collectionPath(Demo.models, Demo.modelCollection)}:production`)} ${as("bob")}`,
    `pnpm registrar link --interactive ${as("bob")}`,
    `pnpm registrar alias add ${shellQuote(`${collectionPath(Demo.models, Demo.modelCollection)}:v0`)} production ${as("bob")}   # refused: protected alias`,
    `pnpm registrar link ${Demo.team}/${Demo.project}/zoo-classifier:v0 ${datasets} ${as("bob")}   # refused: wrong type`,
    `pnpm registrar history --registry ${Demo.models} ${as("alice")}`,
    `pnpm registrar verify${dataDirFlag}`,
    `pnpm registrar replay${dataDirFlag}`
  ]
}

const demo = leaf(
  "demo",
  {},
  help(
    "Seed the store with the W&B Registry documentation's scenario (organization smle-registries-bug-bash, team, datasets and models, runs and lineage) and print what to try next. Running it again changes nothing.",
    "registrar demo",
    "registrar demo --data-dir /tmp/registry-demo"
  ),
  (_, common) =>
    withStore(common, ({ registrar, files: blobs, location }) =>
      Effect.gen(function* () {
        const scratch = yield* Effect.acquireRelease(
          Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "registrar-demo-"))),
          (directory) => Effect.promise(() => fs.rm(directory, { recursive: true, force: true }))
        )
        const seeded = yield* seed(registrar, blobs, scratch)
        const dataDirFlag =
          location.kind === "pglite" && location.dataDir !== ".registrar"
            ? ` --data-dir ${shellQuote(location.dataDir)}`
            : ""
        const next = tryNext(dataDirFlag)
        yield* Output.emit(
          common,
          {
            seeded,
            organization: Demo.organization,
            displayName: Demo.displayName,
            team: Demo.team,
            users: { admin: Demo.admin, engineer: Demo.engineer, viewer: Demo.viewer },
            registries: [registryProjectName(Demo.datasets), registryProjectName(Demo.models)],
            linked: [
              `${collectionPath(Demo.datasets, "raw_images")}:v0`,
              `${collectionPath(Demo.models, Demo.modelCollection)}:v0`,
              `${collectionPath(Demo.models, Demo.modelCollection)}:v1`
            ],
            next
          },
          () =>
            [
              seeded
                ? `Seeded ${Demo.displayName} (${Demo.organization})${location.kind === "memory" ? " in a throwaway memory store (run it without --memory to keep it)" : ""}:`
                : `The demo is already in this store (${Demo.displayName}, ${Demo.organization}):`,
              `  users       alice (org admin), bob (member of team ${Demo.team}), carol (org viewer)`,
              `  datasets    ${Demo.team}/${Demo.project}/raw_images:v0 → ${collectionPath(Demo.datasets, "raw_images")}:v0 (production)`,
              `  models      zoo-classifier:v0,v1 (runs train-1, train-2 used raw_images) → ${collectionPath(Demo.models, Demo.modelCollection)} (v1: production, protected)`,
              "",
              "Try next:",
              ...next.map((command) => `  $ ${command}`)
            ].join("\n")
        )
      })
    )
)

/** The `demo` command. */
export const commands = [demo] as const
