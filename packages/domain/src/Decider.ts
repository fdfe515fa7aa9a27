/**
 * The shape of every aggregate: a pure decider. `decide` turns a command and the current state into events or a
 * typed rejection; `evolve` folds an event into the state and never fails. Time, ids and the actor come in on the
 * command, so replaying the same events always gives the same state.
 */
import type { Either } from "effect"

/** A pure decider for one kind of stream. */
export interface Decider<Command, Event, State, Rejection> {
  readonly initialState: State
  readonly evolve: (state: State, event: Event) => State
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
