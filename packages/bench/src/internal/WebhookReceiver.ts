/**
 * A webhook receiver on its own thread: an HTTP server on 127.0.0.1 that answers 200 at once and notes when each
 * delivery (by its `X-Registrar-Delivery` id) first arrived, and how many requests came in all. It runs on a worker
 * thread so that receiving costs the dispatcher's event loop nothing, as a receiver on another machine would not:
 * in the same thread, every delivery took one more turn of a busy loop (the receiver's read and answer) before
 * its response could come back.
 *
 * Arrival times are on the shared clock `performance.timeOrigin + performance.now()` (a worker's `performance.now()`
 * has its own origin); {@link now} reads the same clock on this thread. The worker reports arrivals in batches every
 * few milliseconds, so the main thread handles a few hundred messages per run, not one per delivery.
 */
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

// The worker's code: plain JavaScript (a worker started from a string runs no TypeScript loader).
const workerSource = `
const { parentPort } = require("node:worker_threads")
const http = require("node:http")
const { performance } = require("node:perf_hooks")
let batch = []
let requests = 0
let timer
const flush = () => {
  timer = undefined
  parentPort.postMessage({ arrivals: batch, requests })
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
server.listen(0, "127.0.0.1", () => parentPort.postMessage({ port: server.address().port }))
parentPort.on("message", (message) => {
  if (message === "close") server.close(() => { if (timer !== undefined) { clearTimeout(timer); flush() } parentPort.postMessage({ closed: true }) })
})
`

/** Starts the receiver's thread and waits for its port. */
export const start = async (): Promise<WebhookReceiver> => {
  const worker = new Worker(workerSource, { eval: true, execArgv: [] })
  const firstArrival = new Map<string, Arrival>()
  let requests = 0
  const port = await new Promise<number>((resolve, reject) => {
    worker.once("error", reject)
    worker.once("message", (message: { port: number }) => resolve(message.port))
  })
  worker.on("message", (message: { arrivals?: Array<[string, number, string]>; requests?: number }) => {
    if (message.arrivals === undefined) return
    for (const [id, at, version] of message.arrivals) if (!firstArrival.has(id)) firstArrival.set(id, { at, version })
    requests = message.requests ?? requests
  })
  return {
    url: `http://127.0.0.1:${port}/hook`,
    firstArrival,
    requests: () => requests,
    close: async () => {
      await new Promise<void>((resolve) => {
        worker.on("message", (message: { closed?: boolean }) => {
          if (message.closed === true) resolve()
        })
        worker.postMessage("close")
      })
      await worker.terminate()
    }
  }
}
