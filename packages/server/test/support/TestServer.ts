/**
 * A real server for tests: listening on 127.0.0.1 on a free port, over the stores a test names, bootstrapped with an
 * admin key; its request-log lines are captured so tests can check what is (and is not) logged.
 */
import {
  type EventStore,
  type ReadModelStore,
  Registrar,
  type RegistrarShape,
  type SnapshotStore
} from "@registrar/domain"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { FileBlobStore } from "@registrar/adapters-blob"
import type { BlobStore } from "@registrar/domain"
import { Effect, Layer, Logger, Option, type Scope } from "effect"
import { Server } from "../../src/index.js"

/** A running test server. */
export interface TestServer {
  readonly url: string
  /** The bootstrapped instance admin's key. */
  readonly adminKey: string
  /** Every log line the server wrote, as text. */
  readonly logs: ReadonlyArray<string>
  /** The service behind the server, for what is done on the store rather than over HTTP (e.g. other users' keys). */
  readonly registrar: RegistrarShape
}

/** The body limit of test servers: small, so the 413 test sends little. */
export const TEST_BODY_LIMIT = 64 * 1024

/** The upload limit of test servers: small, so the 413 test sends little. */
export const TEST_UPLOAD_LIMIT = 1024 * 1024

/** A temporary directory for blobs, removed with the scope. */
export const temporaryDirectory: Effect.Effect<string, never, Scope.Scope> = Effect.acquireRelease(
  Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "registrar-server-blobs-"))),
  (directory) => Effect.promise(() => fs.rm(directory, { recursive: true, force: true }))
)

/** A filesystem BlobStore in a temporary directory removed with the scope. */
export const temporaryBlobStore: Layer.Layer<BlobStore> = Layer.unwrapScoped(
  Effect.map(temporaryDirectory, FileBlobStore.layer)
)

/** Starts a server on `stores` (and `blobs`: by default a temporary directory) for the scope. */
export const startServer = (
  stores: Layer.Layer<EventStore | ReadModelStore | SnapshotStore, unknown>,
  blobs: Layer.Layer<BlobStore, unknown> = temporaryBlobStore,
  options: { readonly webRoot?: string } = {}
): Effect.Effect<TestServer, unknown, Scope.Scope> =>
  Effect.gen(function* () {
    const logs: Array<string> = []
    const capture = Logger.replace(
      Logger.defaultLogger,
      Logger.map(Logger.logfmtLogger, (line) => {
        logs.push(line)
      })
    )
    const services = Server.layer({
      port: 0,
      host: "127.0.0.1",
      bodyLimitBytes: TEST_BODY_LIMIT,
      uploadLimitBytes: TEST_UPLOAD_LIMIT,
      ...options
    }).pipe(
      Layer.provideMerge(Registrar.layer()),
      Layer.provideMerge(stores),
      Layer.provideMerge(blobs),
      Layer.provide(capture)
    )
    const context = yield* Layer.build(services)
    const port = yield* Effect.provide(Server.boundPort, context)
    const created = yield* Effect.provide(Server.bootstrap({ admin: "admin" }), context)
    // A second server on a bootstrapped store gets no key of its own: the first one's admin key works on both.
    const adminKey = Option.match(created, { onNone: () => "", onSome: (key) => key.key })
    const registrar = yield* Effect.provide(Registrar, context)
    return { url: `http://127.0.0.1:${port}`, adminKey, logs, registrar }
  })

/** A JSON request to the server with an optional key; returns the status, content type and parsed body. */
export const request = (
  server: TestServer,
  method: string,
  path: string,
  options: {
    readonly key?: string | undefined
    readonly body?: unknown
    readonly raw?: string
    readonly headers?: Record<string, string>
  } = {}
) =>
  Effect.promise(async () => {
    const headers: Record<string, string> = { ...options.headers }
    if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`
    let body: string | undefined
    if (options.raw !== undefined) body = options.raw
    else if (options.body !== undefined) body = JSON.stringify(options.body)
    if (body !== undefined) headers["content-type"] ??= "application/json"
    const response = await fetch(`${server.url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) })
    const text = await response.text()
    let json: unknown = null
    try {
      json = text === "" ? null : JSON.parse(text)
    } catch {
      json = text
    }
    return {
      status: response.status,
      contentType: response.headers.get("content-type") ?? "",
      body: json as Record<string, unknown> & { readonly [key: string]: unknown },
      text
    }
  })

/** Uploads bytes as a file's content (`POST /blobs`); returns the status and the answer (`{ sha256, size }`). */
export const upload = (server: TestServer, key: string, bytes: Uint8Array) =>
  Effect.promise(async () => {
    const response = await fetch(`${server.url}/blobs`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/octet-stream" },
      body: bytes
    })
    return { status: response.status, body: (await response.json()) as Record<string, unknown> }
  })

/** A manifest entry for `content`, uploaded first (a server logs only versions whose files it has). */
export const uploadedFile = (server: TestServer, key: string, path: string, content: string | Uint8Array) =>
  Effect.gen(function* () {
    const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content
    const uploaded = yield* upload(server, key, bytes)
    if (uploaded.status !== 201) return yield* Effect.die(new Error(`upload failed: ${JSON.stringify(uploaded.body)}`))
    return { path, sha256: String(uploaded.body.sha256), size: bytes.length }
  })
