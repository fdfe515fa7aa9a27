/**
 * A webhook receiver: an HTTP server on 127.0.0.1 that answers 200 at once and notes when each delivery (by its
 * `X-Registrar-Delivery` id) first arrived, and how many requests came in all. {@link start} runs it on a worker
 * thread, so that receiving costs the dispatcher's event loop nothing, as a receiver on another machine would not;
 * {@link startInThisThread} runs the same code on this thread, where every delivery takes one more turn of the
 * dispatcher's busy loop (the receiver's read and answer) before its response comes back: the benchmark's setup
 * before 2026-12-06, kept for comparison in the same run.
 *
 * Arrival times are on the shared clock `performance.timeOrigin + performance.now()` (a worker's `performance.now()`
 * has its own origin); {@link now} reads the same clock on this thread. The worker reports arrivals in batches every
 * few milliseconds, so the main thread handles a few hundred messages per run, not one per delivery.
 */
import { EventEmitter } from "node:events"
import { createRequire } from "node:module"
import { Worker } from "node:worker_threads"

/** The first arrival of one delivery. */
export interface Arrival {
  readonly at: number
  /** The `v` field of the delivery's JSON body (the bench's template puts the version string there). */
  readonly version: string
}

/** A running receiver. */
export interface WebhookReceiver {
  readonly url: string
  /** First arrivals by delivery id, in order of arrival; filled as the worker reports. */
  readonly firstArrival: Map<string, Arrival>
  /** Requests received, copies included. */
  readonly requests: () => number
  readonly close: () => Promise<void>
}

/** The shared clock the receiver stamps arrivals with, in milliseconds. */
export const now = (): number => performance.timeOrigin + performance.now()

// The receiver's code: plain JavaScript (a worker started from a string runs no TypeScript loader), talking through
// \`port\` (the worker's parentPort, or a stand-in on this thread).
const receiverSource = `
const http = require("node:http")
const { performance } = require("node:perf_hooks")
let batch = []
let requests = 0
let timer
const flush = () => {
  timer = undefined
  port.postMessage({ arrivals: batch, requests })
  batch = []
}
const seen = new Set()
const server = http.createServer((request, response) => {
  const chunks = []
  request.on("data", (chunk) => chunks.push(chunk))
  request.on("end", () => {
    const at = performance.timeOrigin + performance.now()
    requests += 1
    const id = String(request.headers["x-registrar-delivery"])
    if (!seen.has(id)) {
      seen.add(id)
      batch.push([id, at, JSON.parse(Buffer.concat(chunks).toString()).v])
    }
    response.end("ok")
    timer ??= setTimeout(flush, 5)
  })
})
server.keepAliveTimeout = 60000
server.listen(0, "127.0.0.1", () => port.postMessage({ port: server.address().port }))
port.on("message", (message) => {
  if (message !== "close") return
  server.close(() => { if (timer !== undefined) { clearTimeout(timer); flush() } port.postMessage({ closed: true }) })
  server.closeAllConnections()
})
`

/** Follows a running receiver's reports (`messages` emits what its code posts), once it said its port number. */
const follow = async (messages: EventEmitter, send: (message: string) => void, end: () => Promise<void>) => {
  const firstArrival = new Map<string, Arrival>()
  let requests = 0
  const bound = await new Promise<number>((resolve, reject) => {
    messages.once("error", reject)
    messages.once("message", (message: { port: number }) => resolve(message.port))
  })
  messages.on("message", (message: { arrivals?: Array<[string, number, string]>; requests?: number }) => {
    if (message.arrivals === undefined) return
    for (const [id, at, version] of message.arrivals) if (!firstArrival.has(id)) firstArrival.set(id, { at, version })
    requests = message.requests ?? requests
  })
  return {
    url: `http://127.0.0.1:${bound}/hook`,
    firstArrival,
    requests: () => requests,
    close: async () => {
      await new Promise<void>((resolve) => {
        messages.on("message", (message: { closed?: boolean }) => {
          if (message.closed === true) resolve()
        })
        send("close")
      })
      await end()
    }
  } satisfies WebhookReceiver
}

/** Starts the receiver on a worker thread and waits for its port. */
export const start = (): Promise<WebhookReceiver> => {
  const worker = new Worker(`const port = require("node:worker_threads").parentPort\n${receiverSource}`, {
    eval: true,
    execArgv: []
  })
  return follow(
    worker,
    (message) => worker.postMessage(message),
    async () => {
      await worker.terminate()
    }
  )
}

/** Starts the same receiver on this thread (the dispatcher's, in the benchmark) and waits for its port. */
export const startInThisThread = (): Promise<WebhookReceiver> => {
  const toMain = new EventEmitter()
  const toReceiver = new EventEmitter()
  const receiverPort = {
    // Asynchronous, as a worker's messages are.
    postMessage: (message: unknown) => setImmediate(() => toMain.emit("message", message)),
    on: (event: string, listener: (message: unknown) => void) => toReceiver.on(event, listener)
  }
  new Function("require", "port", receiverSource)(createRequire(import.meta.url), receiverPort)
  return follow(
    toMain,
    (message) => toReceiver.emit("message", message),
    async () => {}
  )
}
