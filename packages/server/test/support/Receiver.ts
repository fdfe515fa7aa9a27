/**
 * A webhook receiver for tests: a real HTTP server on 127.0.0.1 that records every request (headers, body, when)
 * and answers as the test says; it can be stopped and started again on the same port (a receiver down for a while).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { Effect, type Scope } from "effect"

/** One request received. */
export interface Received {
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  readonly at: number
}

/** How to answer a request: a status (and headers), after an optional delay in milliseconds. */
export interface Answer {
  readonly status: number
  readonly headers?: Readonly<Record<string, string>>
  readonly delayMillis?: number
}

/** A running receiver. */
export interface Receiver {
  readonly url: string
  readonly received: Array<Received>
  /** Decides each answer (default 200). */
  answer: (request: Received, index: number) => Answer
  /** The most requests of one automation in flight at once. */
  readonly maxInFlightPerAutomation: () => number
  readonly stop: Effect.Effect<void>
  readonly start: Effect.Effect<void>
}

const lowerHeaders = (request: IncomingMessage) =>
  Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]))

/** Starts a receiver for the scope. */
export const startReceiver: Effect.Effect<Receiver, never, Scope.Scope> = Effect.gen(function* () {
  const received: Array<Received> = []
  const inFlight = new Map<string, number>()
  let maxInFlight = 0
  let server: Server | undefined
  let port = 0
  const receiver: Receiver = {
    url: "",
    received,
    answer: () => ({ status: 200 }),
    maxInFlightPerAutomation: () => maxInFlight,
    stop: Effect.promise(
      () =>
        new Promise<void>((resolve) => {
          if (server === undefined) return resolve()
          server.closeAllConnections()
          server.close(() => resolve())
          server = undefined
        })
    ),
    start: Effect.promise(() => listen())
  }
  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => {
      const entry: Received = {
        headers: lowerHeaders(request),
        body: Buffer.concat(chunks).toString("utf8"),
        at: Date.now()
      }
      received.push(entry)
      const automation = entry.headers["x-registrar-automation"] ?? ""
      const now = (inFlight.get(automation) ?? 0) + 1
      inFlight.set(automation, now)
      maxInFlight = Math.max(maxInFlight, now)
      const answer = receiver.answer(entry, received.length - 1)
      setTimeout(() => {
        inFlight.set(automation, (inFlight.get(automation) ?? 1) - 1)
        if (response.destroyed) return
        response.writeHead(answer.status, { "Content-Type": "text/plain", ...answer.headers })
        response.end(`answered ${answer.status}`)
      }, answer.delayMillis ?? 0)
    })
  }
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer(handle)
      server.listen(port, "127.0.0.1", () => {
        port = (server!.address() as AddressInfo).port
        resolve()
      })
    })
  yield* Effect.acquireRelease(Effect.promise(listen), () => receiver.stop)
  return Object.assign(receiver, { url: `http://127.0.0.1:${port}/hook` })
})
