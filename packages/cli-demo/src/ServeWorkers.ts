/**
 * `registrar serve --workers N`: N server processes sharing one port (Node's `cluster`: the first process accepts the
 * connections and hands each to a worker in turn), so that one machine's cores all answer requests. Nothing a worker
 * keeps is needed by another (every read checks the log's head in PostgreSQL), which is why it works on a PostgreSQL
 * server store only: the embedded store is opened by one process at a time.
 *
 * The first process opens the store once (its migrations, the bootstrap), then starts the workers and watches them: a
 * worker that stops unexpectedly is replaced, unless workers keep stopping (a crash loop: then everything stops and
 * the command fails); SIGTERM or SIGINT stops every worker the way one server stops (requests in flight finish, the
 * store closes), then the first process.
 */
import cluster, { type Worker } from "node:cluster"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

/** What a worker tells the first process once its server listens. */
interface Listening {
  readonly registrarListening: number
}

const isListening = (message: unknown): message is Listening =>
  typeof message === "object" &&
  message !== null &&
  typeof (message as { registrarListening?: unknown }).registrarListening === "number"

/** This process is a worker of `serve --workers`: its number (1…N), else undefined. */
export const workerNumber = (): number | undefined =>
  cluster.isWorker && process.env.REGISTRAR_SERVE_WORKER !== undefined
    ? Number(process.env.REGISTRAR_SERVE_WORKER)
    : undefined

/** Tells the first process that this worker's server listens on `port`. */
export const reportListening = (port: number): Effect.Effect<void> =>
  Effect.sync(() => {
    if (process.send !== undefined) process.send({ registrarListening: port } satisfies Listening)
  })

/** The workers could not be started, or kept stopping. */
export class WorkersFailed extends Schema.TaggedError<WorkersFailed>()("WorkersFailed", {
  problem: Schema.String
}) {
  override get message() {
    return `${this.problem}. The worker's own message is above; fix what it says and start serve again.`
  }
}

/** More unexpected stops than this within {@link crashWindowMillis} is a crash loop. */
const crashesAllowed = 5
const crashWindowMillis = 60_000
/** A replacement starts after this pause, so that a worker failing at once does not spin. */
const restartDelayMillis = 1_000
/** How long a stopping worker may take to finish its requests before it is killed. */
const stopGraceMillis = 30_000

/** The running workers: the port they listen on, and `supervise`, which fails only on a crash loop. */
export interface Workers {
  readonly port: number
  readonly supervise: Effect.Effect<never, WorkersFailed>
}

/**
 * Starts `count` workers, each running this command line again, and waits until every one listens. The workers stop
 * (gracefully) when the scope closes.
 */
export const start = (count: number, log: (line: string) => Effect.Effect<void>) =>
  Effect.gen(function* () {
    // The workers run the same script with the same arguments, without the startup snapshot's flags: a server's start
    // time does not matter, and a process forked from the snapshot would not run the script.
    cluster.setupPrimary({ exec: process.argv[1] ?? "", args: process.argv.slice(2), execArgv: [] })
    const running = new Map<number, Worker>()
    const failed = yield* Deferred.make<never, WorkersFailed>()
    const crashes: Array<number> = []
    let stopping = false
    let port: number | undefined
    const everyoneListens = yield* Deferred.make<number, WorkersFailed>()
    const listening = new Set<number>()
    let started = false
    // A signal reaches the workers of a terminal's foreground group by itself: their exits are then no crashes.
    const markStopping = () => {
      stopping = true
    }
    process.once("SIGINT", markStopping)
    process.once("SIGTERM", markStopping)

    const fork = (slot: number): void => {
      const worker = cluster.fork({ REGISTRAR_SERVE_WORKER: String(slot) })
      running.set(slot, worker)
      worker.on("message", (message: unknown) => {
        if (!isListening(message)) return
        port ??= message.registrarListening
        listening.add(slot)
        if (!started && listening.size === count) {
          started = true
          Deferred.unsafeDone(everyoneListens, Effect.succeed(port))
        }
      })
      worker.on("exit", (code, signal) => {
        if (running.get(slot) === worker) running.delete(slot)
        if (stopping) return
        const how = signal === null ? `with code ${code}` : `by ${signal}`
        if (!started) {
          // It never listened: its command line or its store is wrong, and so would be every other's.
          const error = new WorkersFailed({ problem: `Worker ${slot} stopped ${how} before it listened` })
          Deferred.unsafeDone(everyoneListens, Effect.fail(error))
          Deferred.unsafeDone(failed, Effect.fail(error))
          return
        }
        const now = Date.now()
        crashes.push(now)
        while (crashes.length > 0 && crashes[0]! < now - crashWindowMillis) crashes.shift()
        if (crashes.length > crashesAllowed) {
          Deferred.unsafeDone(
            failed,
            Effect.fail(
              new WorkersFailed({
                problem: `Workers stopped ${crashes.length} times within ${crashWindowMillis / 1000} s (worker ${slot} last, ${how})`
              })
            )
          )
          return
        }
        Effect.runFork(log(`Worker ${slot} stopped ${how}; starting another in ${restartDelayMillis / 1000} s.`))
        setTimeout(() => {
          if (!stopping) fork(slot)
        }, restartDelayMillis).unref()
      })
    }

    const stopAll = Effect.async<void>((resume) => {
      stopping = true
      const left = [...running.values()].filter((worker) => !worker.isDead())
      if (left.length === 0) {
        resume(Effect.void)
        return
      }
      let remaining = left.length
      const kill = setTimeout(() => {
        for (const worker of left) worker.process.kill("SIGKILL")
      }, stopGraceMillis)
      for (const worker of left) {
        worker.once("exit", () => {
          remaining -= 1
          if (remaining === 0) {
            clearTimeout(kill)
            resume(Effect.void)
          }
        })
        worker.process.kill("SIGTERM")
      }
    })

    yield* Effect.addFinalizer(() =>
      Effect.zipRight(
        stopAll,
        Effect.sync(() => {
          process.off("SIGINT", markStopping)
          process.off("SIGTERM", markStopping)
        })
      )
    )
    for (let slot = 1; slot <= count; slot++) fork(slot)
    const bound = yield* Deferred.await(everyoneListens)
    return { port: bound, supervise: Deferred.await(failed) } satisfies Workers
  })
