/**
 * HTTP clients on their own thread: closed-loop clients that send requests to a server over loopback from a worker
 * thread, so that the clients' CPU is not spent on the server's event loop (as it is not when clients run on other
 * machines). Each client is a keep-alive connection of Node's `http` module, opened before the run's clock starts; the
 * worker times every request itself and sends back the same `Load` that `drive` gives for in-process operations.
 */
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { Worker } from "node:worker_threads"
import type { Load } from "./Measure.js"

/** One request: method, path (with its query) and an optional JSON body. */
export interface HttpRequest {
  readonly method: "GET" | "POST"
  readonly path: string
  readonly body?: string
}

/** Options of one load run. */
export interface HttpLoadOptions {
  readonly base: string
  readonly headers: Readonly<Record<string, string>>
  readonly clients: number
  readonly seconds: number
  /**
   * The requests to send, in order: request `ticket` is `requests[ticket % requests.length]` when `cycle`, else
   * `requests[ticket]` and the run stops when they run out.
   */
  readonly requests: ReadonlyArray<HttpRequest>
  readonly cycle: boolean
}

// The worker's code: plain JavaScript (a worker started from a string runs no TypeScript loader).
const workerSource = `
const { parentPort } = require("node:worker_threads")
const http = require("node:http")
const { performance } = require("node:perf_hooks")
parentPort.on("message", async (run) => {
  const url = new URL(run.base)
  const agent = new http.Agent({ keepAlive: true, maxSockets: run.clients })
  const latencies = []
  let failures = 0
  let firstFailure
  let next = 0
  const limit = run.cycle ? Infinity : run.requests.length
  const send = (request) =>
    new Promise((resolve) => {
      const headers = { ...run.headers }
      if (request.body !== undefined) headers["content-length"] = Buffer.byteLength(request.body)
      const outgoing = http.request(
        { host: url.hostname, port: url.port, method: request.method, path: request.path, agent, headers },
        (response) => {
          const chunks = []
          response.on("data", (chunk) => chunks.push(chunk))
          response.on("end", () => resolve({ status: response.statusCode, text: Buffer.concat(chunks).toString() }))
          response.on("error", (error) => resolve({ status: 0, text: String(error) }))
        }
      )
      outgoing.on("error", (error) => resolve({ status: 0, text: String(error) }))
      outgoing.end(request.body)
    })
  // Each client opens its keep-alive connection with an untimed health check before the clock starts, as the clients
  // of a running service have theirs open: otherwise the run's first requests (one per client) also time the
  // connection's set-up, with the server accepting every connection at once, which at 64 clients over a 2-second run
  // is about 1% of the requests: exactly the p99.
  await Promise.all(Array.from({ length: run.clients }, () => send({ method: "GET", path: "/healthz" })))
  const start = performance.now()
  const deadline = start + run.seconds * 1000
  const client = async () => {
    while (performance.now() < deadline && next < limit) {
      const ticket = next++
      const began = performance.now()
      const { status, text } = await send(run.requests[ticket % run.requests.length])
      if (status >= 200 && status < 300) latencies.push(performance.now() - began)
      else {
        failures += 1
        firstFailure ??= status + " " + text.slice(0, 200)
      }
    }
  }
  await Promise.all(Array.from({ length: run.clients }, client))
  const seconds = (performance.now() - start) / 1000
  agent.destroy()
  latencies.sort((a, b) => a - b)
  parentPort.postMessage({ sent: next, load: { units: latencies.length, operations: latencies.length, seconds, latencies, conflicts: 0, failures, firstFailure } })
})
`

/** A worker thread that runs load runs one at a time; `close` ends it. */
export interface HttpClients {
  /** Runs the load; `sent` is how many requests were started (for `cycle: false`, how many of `requests` were used). */
  readonly run: (options: HttpLoadOptions) => Promise<{ readonly load: Load; readonly sent: number }>
  readonly close: () => Promise<void>
}

/** Starts the worker thread. */
export const start = (): HttpClients => {
  const worker = new Worker(workerSource, { eval: true, execArgv: [] })
  worker.unref()
  return {
    run: (options) =>
      new Promise((resolve, reject) => {
        const onError = (error: Error) => reject(error)
        worker.once("error", onError)
        worker.once("message", (message: { load: Load; sent: number }) => {
          worker.off("error", onError)
          resolve(message)
        })
        worker.postMessage(options)
      }),
    close: async () => {
      await worker.terminate()
    }
  }
}

/**
 * The reference server for health checks: Node's own `http` server on 127.0.0.1 (a free port), answering every
 * request with `{"status":"ok"}` and no framework, the most any server written for Node could do here.
 */
export const listenPlainHealth = async (): Promise<{ readonly base: string; readonly close: () => Promise<void> }> => {
  const body = JSON.stringify({ status: "ok" })
  const server = createServer((_request, response) => {
    response.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
    response.end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}
