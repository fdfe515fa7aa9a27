/**
 * A collection restored from its summary (what a snapshot holds) decides every command exactly as the fully folded
 * collection does, once the versions the command names were learned from the stream, the way the loader learns them
 * through the LinkIndex. And the linked-index runs behave as a set.
 */
import { describe, expect, it } from "@effect/vitest"
import { Either, Option, Schema } from "effect"
import * as fc from "effect/FastCheck"
import * as Collection from "../src/Collection.js"
import * as IndexSet from "../src/internal/IndexSet.js"
import { assignAlias, link, linked, removeAlias, source, unlink, unlinked } from "./fixtures/Collections.js"

const ALIASES = ["best", "staging", "production"] as const
const anySource = fc
  .tuple(fc.constantFrom("llama", "mistral", "gemma"), fc.nat({ max: 2 }))
  .map(([name, index]) => source(name, index))
const index = fc.nat({ max: 6 })
const alias = fc.constantFrom(...ALIASES)
const command: fc.Arbitrary<Collection.Command> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .tuple(anySource, fc.subarray([...ALIASES], { maxLength: 2 }))
      .map(([version, aliases]) => link(version, { aliases }))
  },
  { weight: 2, arbitrary: index.map((at) => unlink(at)) },
  { weight: 2, arbitrary: fc.tuple(alias, index).map(([name, at]) => assignAlias(name, at)) },
  { weight: 1, arbitrary: fc.tuple(alias, index).map(([name, at]) => removeAlias(name, at)) }
)
const commands = fc.array(command, { maxLength: 40 })

/** What a LinkIndex finds in a history: the link of an index; the last link of a source below an index. */
const linkOfIndex = (history: ReadonlyArray<Collection.Event>, at: number) =>
  history.find((event): event is Collection.ArtifactLinked => event._tag === "ArtifactLinked" && event.index === at)
const lastLinkOfSource = (history: ReadonlyArray<Collection.Event>, version: Collection.SourceVersion, below: number) =>
  history
    .filter(
      (event): event is Collection.ArtifactLinked =>
        event._tag === "ArtifactLinked" &&
        event.index < below &&
        Collection.sourceKey(event.source) === Collection.sourceKey(version)
    )
    .at(-1)

/** Learns what a command names, as `Loader.learnCollection` does. */
const learnFor = (state: Collection.State, history: ReadonlyArray<Collection.Event>, command: Collection.Command) => {
  let learned = state
  if (command._tag === "Link") {
    if (Collection.needsSource(learned, command.source)) {
      const found = lastLinkOfSource(history, command.source, learned.unloadedBelow)
      if (found !== undefined) learned = Collection.learn(learned, found)
    }
  } else if (Collection.needsVersion(learned, command.index)) {
    const found = linkOfIndex(history, command.index)
    if (found !== undefined) learned = Collection.learn(learned, found)
  }
  return learned
}

/** A summary as a snapshot stores it: encoded, through JSON text, decoded. */
const throughStorage = (summary: Collection.Summary) =>
  Schema.decodeUnknownSync(Collection.Summary)(
    JSON.parse(JSON.stringify(Schema.encodeSync(Collection.Summary)(summary)))
  )

const restored = (state: Collection.State) =>
  Option.getOrThrow(Collection.restore(throughStorage(Collection.summarize(state))))

describe("a collection restored from its summary", () => {
  it.prop(
    "decides every command as the fully folded collection, from a snapshot taken at any point",
    [commands, commands],
    ([before, after]) => {
      let full = Collection.initialState
      const history: Array<Collection.Event> = []
      for (const next of before) {
        const decided = Collection.decide(next, full)
        if (Either.isRight(decided)) {
          for (const event of decided.right) full = Collection.evolve(full, event)
          history.push(...decided.right)
        }
      }
      let partial = restored(full)
      expect(Collection.summarize(partial)).toEqual(Collection.summarize(full))
      for (const next of after) {
        partial = learnFor(partial, history, next)
        const expected = Collection.decide(next, full)
        const actual = Collection.decide(next, partial)
        expect(actual, JSON.stringify(next)).toEqual(expected)
        if (Either.isRight(expected)) {
          for (const event of expected.right) {
            full = Collection.evolve(full, event)
            partial = Collection.evolve(partial, event)
          }
          history.push(...expected.right)
        }
        expect(Collection.summarize(partial)).toEqual(Collection.summarize(full))
        const at = next._tag === "Link" ? Collection.findVersionOf(partial, next.source) : Option.some(next.index)
        if (Option.isSome(at) && next._tag === "Link") {
          expect(Collection.findVersion(partial, { _tag: "Index", index: at.value })).toEqual(
            Collection.findVersion(full, { _tag: "Index", index: at.value })
          )
        }
      }
    },
    { fastCheck: { numRuns: 200 } }
  )

  it("is refused when it contradicts itself, so a damaged snapshot is replayed instead", () => {
    const valid = { linked: [[0, 3] as const], aliases: [["best", 1] as const], nextIndex: 3, latest: 2 }
    expect(Option.isSome(Collection.restore(valid))).toBe(true)
    expect(
      Collection.restore({
        ...valid,
        linked: [
          [2, 3],
          [0, 1]
        ]
      })
    ).toEqual(Option.none())
    expect(Collection.restore({ ...valid, aliases: [["best", 7]] })).toEqual(Option.none())
    expect(Collection.restore({ ...valid, latest: 1 })).toEqual(Option.none())
    expect(Collection.restore({ ...valid, nextIndex: 2 })).toEqual(Option.none())
  })

  it("learns only versions that are still linked, and knows the rest from the summary", () => {
    const llama = source("llama")
    let full = Collection.initialState
    for (const event of [linked(0, llama), linked(1, source("gemma")), unlinked(0, llama)]) {
      full = Collection.evolve(full, event)
    }
    const partial = restored(full)
    expect(Collection.needsSource(partial, llama)).toBe(true)
    expect(Collection.needsVersion(partial, 0)).toBe(false)
    expect(Collection.needsVersion(partial, 1)).toBe(true)
    expect(Collection.learn(partial, linked(0, llama))).toBe(partial)
    const learned = Collection.learn(partial, linked(1, source("gemma")))
    expect(Collection.findVersion(learned, { _tag: "Alias", alias: "latest" })).toEqual(
      Collection.findVersion(full, { _tag: "Alias", alias: "latest" })
    )
  })
})

describe("linked-index runs", () => {
  it.prop(
    "hold exactly the indexes added and not removed since, and encode as few runs",
    [fc.array(fc.tuple(fc.boolean(), fc.nat({ max: 40 })), { maxLength: 200 })],
    ([operations]) => {
      let set = IndexSet.empty
      const model = new Set<number>()
      for (const [adding, at] of operations) {
        set = adding ? IndexSet.add(set, at) : IndexSet.remove(set, at)
        if (adding) model.add(at)
        else model.delete(at)
      }
      for (let at = 0; at <= 41; at++) {
        expect(IndexSet.has(set, at)).toBe(model.has(at))
        const below = [...model].filter((held) => held <= at)
        expect(IndexSet.highestAtOrBelow(set, at)).toEqual(
          below.length === 0 ? Option.none() : Option.some(Math.max(...below))
        )
      }
      const runs = IndexSet.toRuns(set)
      const sorted = [...model].sort((a, b) => a - b)
      expect(runs.length).toBe(
        sorted.filter((at, position) => position === 0 || sorted[position - 1] !== at - 1).length
      )
      expect(Option.map(IndexSet.fromRuns(runs), IndexSet.toRuns)).toEqual(Option.some(runs))
    }
  )
})
