/**
 * HTTP clients on their own thread: closed-loop clients that send requests to a server over loopback from a worker
 * thread, so that the clients' CPU is not spent on the server's event loop (as it is not when clients run on other
 * machines). Each client is a keep-alive TCP connection speaking just enough HTTP/1.1 (see the worker's code), opened
 * before the run's clock starts; the worker times every request itself and sends back the same `Load` that `drive` gives for in-process operations.
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

// The worker's code: plain JavaScript (a worker started from a string runs no TypeScript loader). Each client is one
// keep-alive TCP connection that writes a request's bytes whole and reads its answer by the status line, Content-Length
// (or chunked transfer coding) and nothing else: a few microseconds of CPU per request, where Node's own http client
// took about a hundred (several hundred with a body), on the two cores the server shares with it.
const workerSource = `
const { parentPort } = require("node:worker_threads")
const net = require("node:net")
const { performance } = require("node:perf_hooks")

const CRLFCRLF = Buffer.from("\\r\\n\\r\\n")

// Where the answer in \`buffer\` ends, or -1 while it is incomplete; throws when it is not HTTP.
const answerEnd = (buffer) => {
  const head = buffer.indexOf(CRLFCRLF)
  if (head === -1) return -1
  const headers = buffer.toString("latin1", 0, head).toLowerCase()
  const length = /\\r\\ncontent-length: *([0-9]+)/.exec(headers)
  if (length !== null) {
    const end = head + 4 + Number(length[1])
    return buffer.length >= end ? end : -1
  }
  if (!/\\r\\ntransfer-encoding: *chunked/.test(headers)) throw new Error("an answer without a length: " + headers.slice(0, 200))
  let at = head + 4
  for (;;) {
    const line = buffer.indexOf("\\r\\n", at)
    if (line === -1) return -1
    const size = parseInt(buffer.toString("latin1", at, line), 16)
    if (!Number.isFinite(size)) throw new Error("a malformed chunk")
    at = line + 2 + size + 2
    if (size === 0) return buffer.length >= at ? at : -1
    if (buffer.length < at) return -1
  }
}

// One keep-alive connection; \`send\` writes a request and resolves with its status and body.
const connect = (url) => {
  let socket
  let pending
  let buffer = Buffer.alloc(0)
  const fail = (from, error) => {
    // A late event of a connection already replaced changes nothing.
    if (from !== socket) return
    socket = undefined
    buffer = Buffer.alloc(0)
    const waiting = pending
    pending = undefined
    if (waiting !== undefined) waiting({ status: 0, text: String(error) })
  }
  const open = () => {
    const own = net.connect({ host: url.hostname, port: Number(url.port), noDelay: true })
    socket = own
    own.on("data", (chunk) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk])
      let end
      try {
        end = answerEnd(buffer)
      } catch (error) {
        fail(own, error)
        own.destroy()
        return
      }
      if (end === -1) return
      const answer = buffer.subarray(0, end)
      buffer = buffer.subarray(end)
      const status = Number(answer.toString("latin1", 9, 12))
      const waiting = pending
      pending = undefined
      if (waiting !== undefined) waiting({ status, answer })
    })
    own.on("error", (error) => fail(own, error))
    own.on("close", () => fail(own, new Error("the server closed the connection")))
  }
  const send = (request, headerLines) =>
    new Promise((resolve) => {
      if (socket === undefined) open()
      pending = resolve
      const body = request.body ?? ""
      socket.write(
        request.method + " " + request.path + " HTTP/1.1\\r\\nhost: " + url.host + "\\r\\n" + headerLines +
          "content-length: " + Buffer.byteLength(body) + "\\r\\n\\r\\n" + body
      )
    })
  send.close = () => socket?.destroy()
  return send
}

parentPort.on("message", async (run) => {
  const url = new URL(run.base)
  const headerLines = Object.entries(run.headers).map(([name, value]) => name + ": " + value + "\\r\\n").join("")
  const latencies = []
  let failures = 0
  let firstFailure
  let next = 0
  const limit = run.cycle ? Infinity : run.requests.length
  const connections = Array.from({ length: run.clients }, () => connect(url))
  // Each client opens its keep-alive connection with an untimed health check before the clock starts, as the clients
  // of a running service have theirs open: otherwise the run's first requests (one per client) also time the
  // connection's set-up, with the server accepting every connection at once, which at 64 clients over a 2-second run
  // is about 1% of the requests: exactly the p99.
  await Promise.all(connections.map((send) => send({ method: "GET", path: "/healthz" }, "")))
  const start = performance.now()
  const deadline = start + run.seconds * 1000
  const client = async (send) => {
    while (performance.now() < deadline && next < limit) {
      const ticket = next++
      const began = performance.now()
      const { status, answer, text } = await send(run.requests[ticket % run.requests.length], headerLines)
      if (status >= 200 && status < 300) latencies.push(performance.now() - began)
      else {
        failures += 1
        firstFailure ??= status + " " + (text ?? answer.toString("utf8")).slice(0, 300)
      }
    }
  }
  await Promise.all(connections.map(client))
  const seconds = (performance.now() - start) / 1000
  latencies.sort((a, b) => a - b)
  // The worker's own thread id (/proc/thread-self names it), for a profile that splits the process's CPU by thread.
  const thread = require("node:fs").readlinkSync("/proc/thread-self").split("/").pop()
  parentPort.postMessage({ thread, sent: next, load: { units: latencies.length, operations: latencies.length, seconds, latencies, conflicts: 0, failures, firstFailure } })
  // Closed after the figures are sent: the next run opens its own.
  for (const send of connections) send.close()
})
`

/** A worker thread that runs load runs one at a time; `close` ends it. */
export interface HttpClients {
  /**
   * Runs the load; `sent` is how many requests were started (for `cycle: false`, how many of `requests` were used),
   * `thread` the clients' thread id in /proc/self/task.
   */
  readonly run: (
    options: HttpLoadOptions
  ) => Promise<{ readonly load: Load; readonly sent: number; readonly thread: string }>
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
        worker.once("message", (message: { load: Load; sent: number; thread: string }) => {
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
