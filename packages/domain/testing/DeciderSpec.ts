/**
 * Given/when/then for any decider, so decider tests read like the specification:
 *
 *     spec(Collection.decider).given(linked(0)).when(link(source)).then(aliasAssigned("best", 0))
 *     spec(Collection.decider).given().when(link(personal)).thenFails("PersonalEntityCannotLink", "team entity")
 *     spec(Collection.decider).given(linked(0)).when(link(sameSource)).thenNothing()
 *
 * `given` folds the events with the decider's own `evolve`, `when` runs `decide`; every outcome returns something to
 * look at further (the state after the events, or the typed rejection).
 */
import { expect } from "@effect/vitest"
import { Either } from "effect"
import { type Decider, fold } from "../src/Decider.js"

/** What every rejection of a decider has: a tag that names the rule and a message for people. */
export interface Rejected {
  readonly _tag: string
  readonly message: string
}

/** The outcome of `when`, to assert on. */
export interface DeciderOutcome<Event, State, Rejection extends Rejected> {
  /** The command is accepted and emits exactly these events, in this order; returns the state after them. */
  readonly then: (...events: ReadonlyArray<Event>) => State
  /** The command is accepted and emits nothing (it was already done); returns the unchanged state. */
  readonly thenNothing: () => State
  /**
   * The command is rejected with `tag`, whose message is non-empty and contains every one of `mentions` (the names a
   * person needs to act on it); returns the rejection.
   */
  readonly thenFails: <Tag extends Rejection["_tag"]>(
    tag: Tag,
    ...mentions: ReadonlyArray<string>
  ) => Extract<Rejection, { readonly _tag: Tag }>
}

/** A history of events, ready for a command. */
export interface DeciderGiven<Command, Event, State, Rejection extends Rejected> {
  /** The state the history folds to. */
  readonly state: State
  /** Decides `command` against that state. */
  readonly when: (command: Command) => DeciderOutcome<Event, State, Rejection>
}

const describeRejection = (rejection: Rejected) => `${rejection._tag}: ${rejection.message}`

const accepted = <Event, Rejection extends Rejected>(
  result: Either.Either<ReadonlyArray<Event>, Rejection>,
  expectation: string
): ReadonlyArray<Event> => {
  if (Either.isLeft(result)) {
    throw new Error(`Expected ${expectation}, but the command was rejected with ${describeRejection(result.left)}`)
  }
  return result.right
}

/** Starts a given/when/then specification of `decider`. */
export const spec = <Command, Event, State, Rejection extends Rejected>(
  decider: Decider<Command, Event, State, Rejection>
) => ({
  /** The events already in the stream (none: a new stream). */
  given: (...history: ReadonlyArray<Event>): DeciderGiven<Command, Event, State, Rejection> => {
    const state = fold(decider.evolve, decider.initialState, history)
    return {
      state,
      when: (command) => {
        const result = decider.decide(command, state)
        return {
          // biome-ignore lint/suspicious/noThenProperty: given/when/then is the vocabulary; an outcome is never awaited
          then: (...expected) => {
            if (expected.some((event) => typeof event === "function")) {
              throw new Error(
                "A decider outcome is not a promise: end it with .then(...events), .thenNothing() or .thenFails(tag)"
              )
            }
            const events = accepted(result, `${expected.length} event(s)`)
            expect(events).toStrictEqual(expected)
            return fold(decider.evolve, state, events)
          },
          thenNothing: () => {
            const events = accepted(result, "no event")
            expect(events).toStrictEqual([])
            return state
          },
          thenFails: (tag, ...mentions) => {
            if (Either.isRight(result)) {
              throw new Error(`Expected a rejection ${tag}, but the command emitted ${JSON.stringify(result.right)}`)
            }
            const rejection = result.left
            expect(rejection._tag, describeRejection(rejection)).toBe(tag)
            expect(rejection.message.trim()).not.toBe("")
            for (const mention of mentions) expect(rejection.message).toContain(mention)
            return rejection as Extract<Rejection, { readonly _tag: typeof tag }>
          }
        }
      }
    }
  }
})
