/**
 * The measuring harness: closed-loop clients that run an operation until a deadline (or an operation budget),
 * latency percentiles, and alternating rounds so that every contender meets the same machine noise.
 */
import { performance } from "node:perf_hooks"

/** What one operation did: `units` of work (events, links), a conflict, or another error. */
export type Outcome =
  | { readonly _tag: "Done"; readonly units: number }
  | { readonly _tag: "Conflict" }
  | { readonly _tag: "Failed"; readonly detail: string }

/** A finished operation worth `units`. */
export const done = (units: number): Outcome => ({ _tag: "Done", units })
/** An operation that lost an optimistic-concurrency check. */
export const conflict: Outcome = { _tag: "Conflict" }
/** An operation that failed for another reason. */
export const failed = (detail: string): Outcome => ({ _tag: "Failed", detail })

/** The totals of one load run. */
export interface Load {
  readonly units: number
  readonly operations: number
  readonly seconds: number
  /** Milliseconds per operation, sorted ascending (successful operations only). */
  readonly latencies: ReadonlyArray<number>
  readonly conflicts: number
  readonly failures: number
  readonly firstFailure: string | undefined
}

/** Options of {@link drive}. */
export interface DriveOptions {
  readonly clients: number
  readonly seconds: number
  /** Stop after this many operations even before the deadline. */
  readonly maxOperations?: number
  /** Operation `ticket` (0, 1, 2, … across all clients) of client `client`. */
  readonly operation: (client: number, ticket: number) => Promise<Outcome>
}

/** Runs `clients` closed loops (each starts its next operation when the previous one ends) until the deadline. */
export const drive = async (options: DriveOptions): Promise<Load> => {
  const latencies: Array<number> = []
  let units = 0
  let conflicts = 0
  let failures = 0
  let firstFailure: string | undefined
  let next = 0
  const limit = options.maxOperations ?? Number.POSITIVE_INFINITY
  const start = performance.now()
  const deadline = start + options.seconds * 1000
  const client = async (index: number) => {
    while (performance.now() < deadline && next < limit) {
      const ticket = next++
      const began = performance.now()
      const outcome = await options.operation(index, ticket)
      if (outcome._tag === "Done") {
        latencies.push(performance.now() - began)
        units += outcome.units
      } else if (outcome._tag === "Conflict") {
        conflicts += 1
      } else {
        failures += 1
        firstFailure ??= outcome.detail
      }
    }
  }
  await Promise.all(Array.from({ length: options.clients }, (_, index) => client(index)))
  const seconds = (performance.now() - start) / 1000
  latencies.sort((a, b) => a - b)
  return { units, operations: latencies.length, seconds, latencies, conflicts, failures, firstFailure }
}

/** The `p`-th percentile (0..100) of ascending `sorted` values, by nearest rank; NaN when empty. */
export const percentile = (sorted: ReadonlyArray<number>, p: number): number =>
  sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!

/** The median of `values`; NaN when empty. */
export const median = (values: ReadonlyArray<number>): number => {
  const finite = values.filter((value) => !Number.isNaN(value)).sort((a, b) => a - b)
  if (finite.length === 0) return Number.NaN
  const middle = Math.floor(finite.length / 2)
  return finite.length % 2 === 1 ? finite[middle]! : (finite[middle - 1]! + finite[middle]!) / 2
}

/** The usual figures of a load run: throughput, latency percentiles, conflicts and failures. */
export const figures = (load: Load): Figures => ({
  perSecond: load.units / load.seconds,
  p50: percentile(load.latencies, 50),
  p99: percentile(load.latencies, 99),
  conflicts: load.conflicts,
  failures: load.failures
})

/** Named numbers measured in one round. */
export type Figures = Readonly<Record<string, number>>

/** A contender of an alternating comparison. */
export interface Contender<K extends string> {
  readonly name: K
  readonly run: (round: number) => Promise<Figures>
}

/** Every contender's figures, one entry per round. */
export type Rounds<K extends string> = Readonly<Record<K, ReadonlyArray<Figures>>>

/**
 * Runs `rounds` rounds; in each every contender runs once, in an order rotated by one per round, so that no
 * contender always runs first (cold) or last (after the others warmed the server).
 */
export const alternate = async <K extends string>(
  rounds: number,
  contenders: ReadonlyArray<Contender<K>>,
  onRun?: (name: K, round: number, figures: Figures) => void
): Promise<Rounds<K>> => {
  const results = Object.fromEntries(contenders.map((contender) => [contender.name, [] as Array<Figures>])) as Record<
    K,
    Array<Figures>
  >
  for (let round = 0; round < rounds; round++) {
    for (let offset = 0; offset < contenders.length; offset++) {
      const contender = contenders[(round + offset) % contenders.length]!
      const measured = await contender.run(round)
      results[contender.name].push(measured)
      onRun?.(contender.name, round, measured)
    }
  }
  return results
}

/** The median of one figure over the rounds. */
export const medianOf = (rounds: ReadonlyArray<Figures>, figure: string): number =>
  median(rounds.map((measured) => measured[figure] ?? Number.NaN))

/** The sum of one figure over the rounds (for counts such as conflicts). */
export const totalOf = (rounds: ReadonlyArray<Figures>, figure: string): number =>
  rounds.reduce((sum, measured) => sum + (measured[figure] ?? 0), 0)

/** The median over rounds of `a / b` for one figure, each ratio taken within one round (paired). */
export const pairedRatio = (a: ReadonlyArray<Figures>, b: ReadonlyArray<Figures>, figure: string): number =>
  median(a.map((measured, round) => (measured[figure] ?? Number.NaN) / (b[round]?.[figure] ?? Number.NaN)))
