/**
 * A persistent set of non-negative integers kept as disjoint runs `[start, end)`. A collection's linked indexes are
 * mostly one run (indexes are assigned in order; only unlinks split it), so the set stays small however many
 * versions a collection holds, and it encodes as a short list of pairs.
 */
import { Option, Order, RedBlackTree } from "effect"

/** Runs by their first index; each value is the run's end (exclusive). */
export type IndexSet = RedBlackTree.RedBlackTree<number, number>

/** The empty set. */
export const empty: IndexSet = RedBlackTree.empty<number, number>(Order.number)

/** The run holding `index`, or the nearest run below it. */
const runAtOrBelow = (set: IndexSet, index: number): Option.Option<readonly [number, number]> => {
  for (const run of RedBlackTree.lessThanEqualReversed(set, index)) return Option.some(run)
  return Option.none()
}

/** Whether `index` is in the set. */
export const has = (set: IndexSet, index: number): boolean =>
  Option.match(runAtOrBelow(set, index), { onNone: () => false, onSome: ([, end]) => index < end })

/** Adds `index`, joining the runs it touches. */
export const add = (set: IndexSet, index: number): IndexSet => {
  if (has(set, index)) return set
  let start = index
  let end = index + 1
  let next = set
  const below = runAtOrBelow(set, index)
  if (Option.isSome(below) && below.value[1] === index) {
    start = below.value[0]
    next = RedBlackTree.removeFirst(next, start)
  }
  const above = RedBlackTree.findFirst(next, index + 1)
  if (Option.isSome(above)) {
    end = above.value
    next = RedBlackTree.removeFirst(next, index + 1)
  }
  return RedBlackTree.insert(next, start, end)
}

/** Removes `index`, splitting its run. */
export const remove = (set: IndexSet, index: number): IndexSet => {
  const run = runAtOrBelow(set, index)
  if (Option.isNone(run) || index >= run.value[1]) return set
  const [start, end] = run.value
  let next = RedBlackTree.removeFirst(set, start)
  if (start < index) next = RedBlackTree.insert(next, start, index)
  if (index + 1 < end) next = RedBlackTree.insert(next, index + 1, end)
  return next
}

/** The highest index in the set that is at most `index`. */
export const highestAtOrBelow = (set: IndexSet, index: number): Option.Option<number> =>
  Option.map(runAtOrBelow(set, index), ([, end]) => Math.min(index, end - 1))

/** The runs, lowest first, as `[start, end)` pairs. */
export const toRuns = (set: IndexSet): ReadonlyArray<readonly [number, number]> =>
  Array.from(set, ([start, end]) => [start, end] as const)

/**
 * The set of the given runs: `[start, end)` pairs of integers, ascending, non-empty, neither overlapping nor
 * touching (as {@link toRuns} writes them). None when they are not, so a damaged encoding is never half-trusted.
 */
export const fromRuns = (runs: Iterable<readonly [number, number]>): Option.Option<IndexSet> => {
  let set = empty
  let previousEnd = -1
  for (const [start, end] of runs) {
    if (!(Number.isSafeInteger(start) && Number.isSafeInteger(end)) || start <= previousEnd || end <= start) {
      return Option.none()
    }
    set = RedBlackTree.insert(set, start, end)
    previousEnd = end
  }
  return Option.some(set)
}
