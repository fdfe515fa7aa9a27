/**
 * Announces appends across processes on a PostgreSQL server. After an append commits, the writer wakes local
 * waiters and asks a background fiber to send one `pg_notify` (coalesced: at most one in flight and one queued,
 * never inside the append's transaction). A dedicated connection LISTENs and wakes local waiters; it reconnects
 * after losing the server and then wakes everyone, since notifications may have been missed meanwhile.
 */
import { Deferred, Effect, FiberId, Queue, type Scope } from "effect"
import pg from "pg"
import * as AppendSignal from "./AppendSignal.js"
import { channelOf, type Database, quote } from "./Database.js"
import { type Driver, toSqlFailure } from "./Driver.js"

const reconnectDelay = "500 millis"
const notifyWindow = "20 millis"
const ignoreError = (): void => {}

const listenOnce = (
  config: pg.ClientConfig,
  channel: string,
  signal: AppendSignal.AppendSignal,
  ready: Deferred.Deferred<void>
) =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      const client = new pg.Client(config)
      const lost = Deferred.unsafeMake<void>(FiberId.none)
      const onLost = () => Deferred.unsafeDone(lost, Effect.void)
      client.on("error", onLost)
      client.on("end", onLost)
      client.on("notification", (message) => {
        if (message.channel === channel) signal.unsafeWake()
      })
      return { client, lost }
    }),
    ({ client, lost }) =>
      Effect.gen(function* () {
        yield* Effect.tryPromise({ try: () => client.connect(), catch: toSqlFailure })
        yield* Effect.tryPromise({ try: () => client.query(`LISTEN ${quote(channel)}`), catch: toSqlFailure })
        signal.unsafeWake()
        yield* Deferred.succeed(ready, undefined)
        yield* Deferred.await(lost)
      }),
    ({ client }) =>
      Effect.promise(() => {
        client.on("error", ignoreError)
        return client.end().catch(ignoreError)
      })
  )

/**
 * The server database of one schema: starts the LISTEN connection (waiting briefly for it) and the notifier;
 * both stop when the scope closes.
 */
export const make = (pool: pg.Pool, driver: Driver, schemaName: string): Effect.Effect<Database, never, Scope.Scope> =>
  Effect.gen(function* () {
    const signal = AppendSignal.make()
    const channel = channelOf(schemaName)
    const requests = yield* Queue.dropping<void>(1)
    yield* Effect.forkScoped(
      Effect.forever(
        Queue.take(requests).pipe(
          Effect.zipRight(Effect.ignore(driver.query("SELECT pg_notify($1, '')", [channel]))),
          // One NOTIFY covers every append of the next few milliseconds: each NOTIFY is a transaction of its own.
          Effect.zipRight(Effect.sleep(notifyWindow))
        )
      )
    )
    const ready = yield* Deferred.make<void>()
    const config: pg.ClientConfig = { ...pool.options, keepAlive: true }
    yield* Effect.forkScoped(
      Effect.forever(
        listenOnce(config, channel, signal, ready).pipe(
          Effect.catchAllCause(() => Effect.void),
          Effect.zipRight(Deferred.succeed(ready, undefined)),
          Effect.zipRight(Effect.sleep(reconnectDelay))
        )
      )
    )
    yield* Effect.timeoutOption(Deferred.await(ready), "5 seconds")
    return {
      driver,
      schemaName,
      schema: quote(schemaName),
      announceAppend: Effect.sync(signal.unsafeWake).pipe(
        Effect.zipRight(Queue.offer(requests, undefined)),
        Effect.asVoid
      ),
      awaitAppend: signal.await
    }
  })
