/**
 * The shape of every aggregate: a pure decider. `decide` turns a command and the current state into events or a
 * typed rejection; `evolve` folds an event into the state and never fails. Time, ids and the actor come in on the
 * command, so replaying the same events always gives the same state.
 *
 * States are immutable and shared (cached by the process, handed to every reader), so `evolve` changes copies of the
 * maps and sets a state holds. Copied on every event, folding n events into one map copies O(n²) entries: a registry
 * of 5,000 collections, or an artifact of 10,000 versions, took seconds to load into a process that had not seen it.
 * So such deciders also have `evolveWith`, which takes the copies from a {@link CopyOnWrite}: {@link copying} for
 * one event (their `evolve`), {@link transient} for a fold of many ({@link foldAll}), which copies each map and set
 * once per fold and changes that copy in place for the fold's later events (nothing else sees it until the fold
 * returns).
 */
import type { Either } from "effect"

/** A pure decider for one kind of stream. */
export interface Decider<Command, Event, State, Rejection> {
  readonly initialState: State
  /** Folds one event into the state. */
  readonly evolve: (state: State, event: Event) => State
  /**
   * `evolve`, taking the copies of the maps and sets it changes from `copies`; for states that hold maps large
   * enough for copying them on every event to matter.
   */
  readonly evolveWith?: (copies: CopyOnWrite) => (state: State, event: Event) => State
  readonly decide: (command: Command, state: State) => Either.Either<ReadonlyArray<Event>, Rejection>
}

/** Folds events into a state, starting from `initial`. */
export const fold = <Event, State>(
  evolve: (state: State, event: Event) => State,
  initial: State,
  events: Iterable<Event>
): State => {
  let state = initial
  for (const event of events) state = evolve(state, event)
  return state
}

/**
 * Folds events with a decider's `evolveWith` when it has one, copying each map and set once for the whole fold
 * (`initial` stays as it was); else with its `evolve`.
 */
export const foldAll = <Event, State>(
  decider: Pick<Decider<unknown, Event, State, unknown>, "evolve" | "evolveWith">,
  initial: State,
  events: Iterable<Event>
): State => fold(decider.evolveWith?.(transient()) ?? decider.evolve, initial, events)

/** Gives the copy of a map or set that the state an event leads to may change. */
export interface CopyOnWrite {
  readonly map: <K, V>(map: ReadonlyMap<K, V>) => Map<K, V>
  readonly set: <A>(set: ReadonlySet<A>) => Set<A>
}

/** A fresh copy each time: for one event folded on its own (every state it is given stays as it was). */
export const copying: CopyOnWrite = {
  map: (map) => new Map(map),
  set: (set) => new Set(set)
}

/**
 * For one fold of many events: copies a map or set the first time the fold changes it, then hands back that copy,
 * which the fold's later events change in place. The states the fold starts from stay as they were; the states it
 * passes through on its way share the copies, so only its last state may be kept. Make one per fold.
 */
export const transient = (): CopyOnWrite => {
  const owned = new WeakSet<object>()
  return {
    map: <K, V>(map: ReadonlyMap<K, V>): Map<K, V> => {
      if (owned.has(map)) return map as Map<K, V>
      const copy = new Map(map)
      owned.add(copy)
      return copy
    },
    set: <A>(set: ReadonlySet<A>): Set<A> => {
      if (owned.has(set)) return set as Set<A>
      const copy = new Set(set)
      owned.add(copy)
      return copy
    }
  }
}
