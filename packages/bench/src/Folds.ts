/**
 * Folding a large stream into a process that has not seen it: a registry of N collections, an artifact of N
 * versions, an organization of N members, each folded from its events as a load does (the events already decoded, so
 * only the fold is timed). Two contenders on the same events, alternating within each round: the fold loads use,
 * which copies each map of the state once per fold (`foldAll`, the deciders' `evolveWith`), and the fold that copies
 * the map on every event (the deciders' `evolve`, one event at a time, as loads did before), whose cost grows with
 * N². In memory, one process, no store: what a cold load pays on top of reading and decoding its events.
 */
import { performance } from "node:perf_hooks"
import { Artifact, type Decider, Entity, fold, foldAll, Registry } from "@registrar/domain"
import { alternate, type Figures, medianOf } from "./internal/Measure.js"
import { millis, type Section, times, whole } from "./internal/Report.js"

/** Options of the folds scenario. */
export interface FoldsOptions {
  readonly runs: number
  /** Entries in the largest map (collections, versions, members), smallest first. */
  readonly sizes: ReadonlyArray<number>
  readonly log: (line: string) => void
}

/** The default sizes: the fold that copies per event takes seconds at the largest here (11 s at 10,000). */
export const defaultSizes = [1_000, 2_500, 6_000] as const

type Kind = "registry" | "artifact" | "organization"

const kinds: ReadonlyArray<Kind> = ["registry", "artifact", "organization"]

/** The events of one stream of `kind` whose map ends with `size` entries. */
const historyOf = (kind: Kind, size: number): ReadonlyArray<unknown> => {
  const at = (index: number) => String(index).padStart(6, "0")
  switch (kind) {
    case "registry":
      return [
        new Registry.RegistryCreated({
          organization: "acme",
          registry: "models",
          visibility: "organization",
          description: "",
          acceptedTypes: ["model"]
        }),
        ...Array.from(
          { length: size },
          (_, index) =>
            new Registry.CollectionCreated({
              organization: "acme",
              registry: "models",
              collectionId: `00000000-0000-4000-8000-${at(index).padStart(12, "0")}`,
              collection: `collection-${at(index)}`,
              artifactType: "model",
              description: "",
              tags: []
            })
        )
      ]
    case "artifact":
      return Array.from(
        { length: size },
        (_, index) =>
          new Artifact.VersionAssigned({
            entity: "vision",
            project: "detector",
            name: "weights",
            index,
            artifactType: "model",
            digest: `sha256:${at(index).padStart(64, "0")}`,
            files: [{ path: "model.bin", sha256: at(index).padStart(64, "0"), size: 1_024 }],
            metadata: {},
            description: "",
            loggedBy: null
          })
      )
    case "organization":
      return [
        new Entity.OrganizationCreated({ organization: "acme", displayName: "Acme" }),
        ...Array.from(
          { length: size },
          (_, index) =>
            new Entity.OrganizationMemberAdded({ organization: "acme", user: `user-${at(index)}`, role: "member" })
        )
      ]
  }
}

// The three deciders differ in their types only; the bench folds each with its own events.
const deciderOf = (kind: Kind) =>
  (kind === "registry" ? Registry.decider : kind === "artifact" ? Artifact.decider : Entity.decider) as unknown as Pick<
    Decider<unknown, unknown, unknown, unknown>,
    "initialState" | "evolve" | "evolveWith"
  >

/** The entries of the map that grows with the stream. */
const sizeOf = (kind: Kind, state: unknown): number => {
  const present = state as Record<string, unknown>
  const map = present[kind === "registry" ? "collections" : kind === "artifact" ? "versions" : "members"]
  return map instanceof Map ? map.size : -1
}

type Contender = "copy per fold" | "copy per event"

const contenders: ReadonlyArray<Contender> = ["copy per fold", "copy per event"]

const label = (kind: Kind, size: number, contender: Contender) => `${kind} of ${whole(size)}, ${contender}`

/** Times one fold of `events`; the folded map must hold `size` entries, so that no contender skips work. */
const timeFold = (kind: Kind, size: number, events: ReadonlyArray<unknown>, contender: Contender): Figures => {
  const decider = deciderOf(kind)
  const started = performance.now()
  const state =
    contender === "copy per fold"
      ? foldAll(decider, decider.initialState, events)
      : fold(decider.evolve, decider.initialState, events)
  const taken = performance.now() - started
  const entries = sizeOf(kind, state)
  if (entries !== size) throw new Error(`folds: the ${kind} holds ${entries} entries, not ${size}`)
  return { millis: taken }
}

/** Every kind and size with both contenders, alternating within each round. */
export const run = async (options: FoldsOptions): Promise<Section> => {
  const histories = new Map(
    kinds.flatMap((kind) => options.sizes.map((size) => [`${kind} ${size}`, historyOf(kind, size)] as const))
  )
  const entries = kinds.flatMap((kind) =>
    options.sizes.flatMap((size) => contenders.map((contender) => ({ kind, size, contender })))
  )
  // One warm-up round (JIT), not reported.
  for (const { kind, size, contender } of entries) timeFold(kind, size, histories.get(`${kind} ${size}`)!, contender)
  const rounds = await alternate(
    options.runs,
    entries.map(({ kind, size, contender }) => ({
      name: label(kind, size, contender),
      run: async () => timeFold(kind, size, histories.get(`${kind} ${size}`)!, contender)
    })),
    (name, round, measured) => options.log(`  folds ${name} round ${round + 1}: ${millis(measured.millis ?? 0)} ms`)
  )
  const of = (kind: Kind, size: number, contender: Contender) => rounds[label(kind, size, contender)] ?? []
  return {
    title: "12. Folding a large stream into a cold process",
    method: [
      `A registry of N collections (RegistryCreated, then N CollectionCreated), an artifact of N versions (N VersionAssigned) and an organization of N members (OrganizationCreated, then N OrganizationMemberAdded), N = ${options.sizes.map(whole).join(", ")}, folded from the initial state as a process folds a stream it has not seen (its events already decoded: the same for both, and not timed). "Copy per fold" is what loads do (\`foldAll\`: the decider's \`evolveWith\`, which copies each map once per fold and changes that copy in place); "copy per event" is the decider's \`evolve\` one event at a time (new maps for every event, as loads did before; the registry's state also keeps its collections' names by id since cc876da, a second map this contender copies per event, so its registry figures are about twice what loads paid before). Each fold's map is checked to hold N entries. ${options.runs} rounds after a warm-up round, every contender once per round in rotated order; medians.`
    ],
    tables: [
      {
        header: ["stream", "N", "copy per fold ms", "copy per event ms", "copy per event / copy per fold"],
        rows: kinds.flatMap((kind) =>
          options.sizes.map((size) => {
            const perFold = medianOf(of(kind, size, "copy per fold"), "millis")
            const perEvent = medianOf(of(kind, size, "copy per event"), "millis")
            return [kind, whole(size), millis(perFold), millis(perEvent), times(perEvent / perFold)]
          })
        )
      }
    ],
    targets: [],
    notes: []
  }
}
