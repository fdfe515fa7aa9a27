/**
 * Atomic promotion: several alias moves across the collections of one registry, decided together so that they commit
 * in one transaction or not at all; optionally a compare-and-set, each expectation naming where an alias must point
 * for the promotion to go ahead. Pure: parsing the `--set`/`--expect` entries and deciding the moves; the
 * application handler (`Registrar/Governance.ts`) loads the collections and appends.
 */
import { Either, HashMap, Option, Schema } from "effect"
import * as Collection from "./Collection.js"
import { type InvalidName, parseVersionIndex, validateUserAlias } from "./Names.js"
import { collectionPath, type InvalidPath, parseRegistryPath, type RegistryPath } from "./Paths.js"

/** At most this many `--set` and `--expect` entries in one promotion (inputs are bounded). */
export const MAX_PROMOTION_ENTRIES = 100

// ---- errors --------------------------------------------------------------------------------------------------------

/** A promotion entry (`--set` or `--expect`) that cannot be used, and why. */
export class InvalidPromotion extends Schema.TaggedError<InvalidPromotion>()("InvalidPromotion", {
  entry: Schema.String,
  problem: Schema.String
}) {
  override get message() {
    return `Cannot promote ${JSON.stringify(this.entry)}: ${this.problem}. Write each entry as "[ORG/]wandb-registry-REGISTRY/COLLECTION:ALIAS=vN" (--expect also accepts =none), all in one registry.`
  }
}

/** An `--expect` did not hold: the alias points elsewhere now, so nothing was promoted. */
export class AliasMovedSince extends Schema.TaggedError<AliasMovedSince>()("AliasMovedSince", {
  registry: Schema.String,
  collection: Schema.String,
  alias: Schema.String,
  expected: Schema.NullOr(Schema.Number),
  actual: Schema.NullOr(Schema.Number)
}) {
  override get message() {
    const at = (index: number | null) => (index === null ? "no version" : `v${index}`)
    const where = `${collectionPath(this.registry, this.collection)}:${this.alias}`
    return `Nothing was promoted: ${where} points at ${at(this.actual)} now, not ${at(this.expected)} as expected; it changed since you looked. See who moved it with \`registrar history --registry "${this.registry}" --collection "${this.collection}" --alias ${this.alias}\`, then promote again with a new --expect.`
  }
}

// ---- entries -------------------------------------------------------------------------------------------------------

/** One parsed entry: the alias of a collection and the version it is set to (or expected at; null: no version). */
export interface Entry {
  readonly text: string
  readonly path: RegistryPath
  readonly alias: string
  readonly index: number | null
}

const invalid = (entry: string, problem: string) => Either.left(new InvalidPromotion({ entry, problem }))

/**
 * Parses `[ORG/]wandb-registry-R/C:ALIAS=vN`. An expectation may also say `=none` (the alias is on no version).
 * The alias is a user alias (`latest` is managed by the system and refused).
 */
export const parseEntry = (
  text: string,
  kind: "set" | "expect"
): Either.Either<Entry, InvalidPromotion | InvalidPath | InvalidName> => {
  const equals = text.lastIndexOf("=")
  if (equals < 0) return invalid(text, 'it names no version: add "=vN" after the alias')
  const target = text.slice(0, equals)
  const version = text.slice(equals + 1)
  return Either.gen(function* () {
    const path = yield* parseRegistryPath(target)
    if (Option.isNone(path.version) || path.version.value._tag !== "Alias") {
      return yield* invalid(text, 'it names no alias: write the collection, ":" and the alias before "="')
    }
    const alias = yield* validateUserAlias(path.version.value.alias)
    if (kind === "expect" && version === "none") return { text, path, alias, index: null }
    const index = parseVersionIndex(version)
    if (Option.isNone(index)) {
      return yield* invalid(
        text,
        `"${version}" is not a version: write vN${kind === "expect" ? " (or none, for an alias on no version)" : ""}`
      )
    }
    return { text, path, alias, index: index.value }
  })
}

/** The registry path (without a version) that the entries share; they must all be in one registry. */
export const sameRegistry = (
  sets: ReadonlyArray<Entry>,
  expectations: ReadonlyArray<Entry>
): Either.Either<{ readonly org: Option.Option<string>; readonly registry: string }, InvalidPromotion> => {
  const [first] = sets
  if (first === undefined) {
    return invalid("", 'there is nothing to promote: give at least one --set "wandb-registry-R/C:ALIAS=vN"')
  }
  const all = [...sets, ...expectations]
  if (all.length > MAX_PROMOTION_ENTRIES) {
    return invalid(`${all.length} entries`, `a promotion takes at most ${MAX_PROMOTION_ENTRIES} --set and --expect`)
  }
  const org = Option.getOrUndefined(first.path.org)
  for (const entry of all) {
    if (entry.path.registry !== first.path.registry) {
      return invalid(
        entry.text,
        `it is in registry "${entry.path.registry}", not "${first.path.registry}" like the first --set: a promotion stays in one registry`
      )
    }
    const entryOrg = Option.getOrUndefined(entry.path.org)
    if (entryOrg !== undefined && org !== undefined && entryOrg !== org) {
      return invalid(entry.text, `it is in organization "${entryOrg}", not "${org}" like the first --set`)
    }
  }
  const seen = new Set<string>()
  for (const entry of sets) {
    const key = `${entry.path.collection}\n${entry.alias}`
    if (seen.has(key)) return invalid(entry.text, "another --set already moves this alias of this collection")
    seen.add(key)
  }
  const withOrg = all.find((entry) => Option.isSome(entry.path.org))
  return Either.right({ org: withOrg === undefined ? Option.none() : withOrg.path.org, registry: first.path.registry })
}

// ---- deciding ------------------------------------------------------------------------------------------------------

/** Where an alias points in a collection's state (null: on no version). */
export const aliasTarget = (state: Collection.State, alias: string): number | null =>
  Option.getOrNull(HashMap.get(state.aliases, alias))

/** Checks that `alias` points at `expected` (null: at no version); otherwise says where it points now. */
export const checkExpectation = (
  context: Collection.Context,
  state: Collection.State,
  alias: string,
  expected: number | null
): Either.Either<void, AliasMovedSince> => {
  const actual = aliasTarget(state, alias)
  return actual === expected
    ? Either.void
    : Either.left(
        new AliasMovedSince({ registry: context.registry, collection: context.collection, alias, expected, actual })
      )
}

/** A collection a promotion touches: what its commands carry, and its state as loaded. */
export interface Target {
  readonly context: Collection.Context
  readonly state: Collection.State
}

/** What a promotion asks: the moves, and the expectations that must all hold first. */
export interface Promote {
  readonly moves: ReadonlyArray<{ readonly collection: string; readonly alias: string; readonly index: number }>
  readonly expectations: ReadonlyArray<{
    readonly collection: string
    readonly alias: string
    readonly index: number | null
  }>
}

/** One alias move as decided: from where (null: from no version) to which version, and whether anything changes. */
export interface Move {
  readonly collection: string
  readonly alias: string
  readonly from: number | null
  readonly to: number
  readonly changed: boolean
}

/** What a promotion decided: each collection's events (by collection name) and every move. */
export interface Decided {
  readonly events: ReadonlyMap<string, ReadonlyArray<Collection.Event>>
  readonly moves: ReadonlyArray<Move>
}

/** The rejections of a promotion. */
export type Rejection = AliasMovedSince | Collection.Rejection

/**
 * Decides a promotion over the collections it touches (by name): every expectation is checked against the states as
 * loaded, then each move is decided as the collection's `AssignAlias` (its role and protected-alias rules), in
 * order. One rejection rejects the whole promotion: nothing is decided for any collection.
 */
export const decide = (
  targets: ReadonlyMap<string, Target>,
  command: Promote
): Either.Either<Decided, Rejection | InvalidPromotion> =>
  Either.gen(function* () {
    const target = (collection: string) =>
      Option.match(Option.fromNullable(targets.get(collection)), {
        onNone: () => invalid(collection, "this collection was not loaded"),
        onSome: (found) => Either.right(found)
      })
    for (const expectation of command.expectations) {
      const { context, state } = yield* target(expectation.collection)
      yield* checkExpectation(context, state, expectation.alias, expectation.index)
    }
    const states = new Map<string, Collection.State>()
    const events = new Map<string, Array<Collection.Event>>()
    const moves: Array<Move> = []
    for (const move of command.moves) {
      const { context, state: loaded } = yield* target(move.collection)
      const state = states.get(move.collection) ?? loaded
      const from = aliasTarget(state, move.alias)
      const decided = yield* Collection.decide(
        { _tag: "AssignAlias", context, index: move.index, alias: move.alias },
        state
      )
      states.set(
        move.collection,
        decided.reduce((current, event) => Collection.evolve(current, event), state)
      )
      events.set(move.collection, [...(events.get(move.collection) ?? []), ...decided])
      moves.push({ collection: move.collection, alias: move.alias, from, to: move.index, changed: decided.length > 0 })
    }
    return { events, moves }
  })
