/**
 * File contents to and from a Registrar server, streamed both ways and never held whole in memory. Logging uploads
 * each file as the raw body of `POST /blobs`, hashing it as it is read, and refuses when the server's sha256 differs.
 * Downloading streams each file of a linked version into a staging directory next to the target, hashing it as it
 * is written; only when every file arrived with its manifest's size and sha256 are they moved into place, else the
 * staging directory is removed and nothing is left behind.
 */
import { createHash } from "node:crypto"
import { createReadStream, createWriteStream } from "node:fs"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import type { IncomingMessage } from "node:http"
import * as http from "node:http"
import * as https from "node:https"
import { PassThrough, type Readable, Transform } from "node:stream"
import { pipeline } from "node:stream/promises"
import { Errors, Files } from "@registrar/api"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type * as Blobs from "./Blobs.js"
import {
  FileNotReadable,
  ServerAnswerInvalid,
  ServerUnreachable,
  TransferCorrupted,
  UsageError,
  WriteFailed
} from "./Errors.js"

/** A linked version on the server, as its file endpoints name it. */
export interface LinkedVersion {
  readonly organization: string
  readonly registry: string
  readonly collection: string
  readonly version: number
}

/** A source version on the server (`entity/project/name:vN`), as its file endpoints name it. */
export interface SourceVersionOnServer {
  readonly entity: string
  readonly project: string
  readonly name: string
  readonly version: number
}

/** The URL path of a version's file endpoints (`…/versions/vN`), linked or source. */
export const versionUrlPath = (version: LinkedVersion | SourceVersionOnServer): string => {
  const at = encodeURIComponent(`v${version.version}`)
  if ("entity" in version) {
    const [entity, project, name] = [version.entity, version.project, version.name].map(encodeURIComponent)
    return `/entities/${entity}/projects/${project}/artifacts/${name}/versions/${at}`
  }
  const [organization, registry, collection] = [version.organization, version.registry, version.collection].map(
    encodeURIComponent
  )
  return `/organizations/${organization}/registries/${registry}/collections/${collection}/versions/${at}`
}

/** What moving files can fail with besides the API's own errors. */
export type TransferFailure =
  | Errors.ApiError
  | ServerUnreachable
  | ServerAnswerInvalid
  | TransferCorrupted
  | FileNotReadable
  | WriteFailed
  | UsageError

/** Uploads and downloads against one server, authenticated by one key (kept inside, never returned). */
export interface Transfer {
  /** Streams each file to the server; returns the manifest (sorted by path) once every digest matched. */
  readonly upload: (
    files: ReadonlyArray<Blobs.SourceFile>
  ) => Effect.Effect<ReadonlyArray<Blobs.ManifestEntry>, TransferFailure>
  /** Streams the manifest's files of a linked or source version into `to`; returns the paths written. */
  readonly download: (
    version: LinkedVersion | SourceVersionOnServer,
    manifest: ReadonlyArray<Blobs.ManifestEntry>,
    to: string
  ) => Effect.Effect<ReadonlyArray<string>, TransferFailure>
}

const reason = (error: unknown) => {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  return code === "ENOENT" ? "no such file or directory" : code === "EACCES" ? "permission denied" : String(error)
}

// Node's socket errors carry a code (ECONNREFUSED, ECONNRESET); a response cut short says "aborted".
const describe = (error: unknown): string => {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  if (typeof code === "string") return code
  return error instanceof Error ? error.message : String(error)
}

const decodeProblem = Schema.decodeUnknown(
  Schema.Union(...(Errors.problems as unknown as ReadonlyArray<Schema.Schema<Errors.ApiError, unknown>>))
)

const byPath = <A extends { readonly path: string }>(entries: ReadonlyArray<A>): ReadonlyArray<A> =>
  [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))

/** A manifest path under `to`, refused when it would leave it. */
const targetOf = (to: string, entryPath: string): string | undefined => {
  const root = path.resolve(to)
  const target = path.resolve(root, entryPath)
  return target.startsWith(root + path.sep) ? target : undefined
}

/** The transfers of `server`, sending `key` with every request. */
export const make = (server: string, key: string): Effect.Effect<Transfer> =>
  Effect.sync((): Transfer => {
    const base = server.replace(/\/+$/, "")

    const unreachable = (error: unknown) => new ServerUnreachable({ server, detail: describe(error) })

    // Node's own HTTP client: `pipe` holds the reading back while the socket is full, so memory stays flat (the
    // fetch client buffers a fast file faster than it sends it).
    const open = (method: "GET" | "POST", url: URL, body?: { readonly stream: Readable; readonly length: number }) =>
      Effect.async<IncomingMessage, ServerUnreachable>((resume) => {
        let settled = false
        const settle = (effect: Effect.Effect<IncomingMessage, ServerUnreachable>) => {
          if (!settled) {
            settled = true
            resume(effect)
          }
        }
        const request = (url.protocol === "https:" ? https : http).request(url, {
          method,
          headers: {
            authorization: `Bearer ${key}`,
            // The length first: the server refuses an upload over its limit before a byte is sent.
            ...(body === undefined
              ? {}
              : { "content-type": "application/octet-stream", "content-length": String(body.length) })
          }
        })
        request.on("error", (error) => settle(Effect.fail(unreachable(error))))
        request.on("response", (response) => settle(Effect.succeed(response)))
        if (body === undefined) request.end()
        else body.stream.pipe(request)
        return Effect.sync(() => request.destroy())
      })

    // A short answer's text (problem documents and upload answers are small; more is not read).
    const text = (response: IncomingMessage) =>
      Effect.async<string, ServerUnreachable>((resume) => {
        const parts: Array<Buffer> = []
        let length = 0
        response.on("data", (chunk: Buffer) => {
          if (length < 1024 * 1024) parts.push(chunk)
          length += chunk.length
        })
        response.on("end", () => resume(Effect.succeed(Buffer.concat(parts).toString("utf8"))))
        response.on("error", (error) => resume(Effect.fail(unreachable(error))))
      })

    const json = (response: IncomingMessage) =>
      Effect.flatMap(text(response), (body) =>
        Effect.try({
          try: () => JSON.parse(body) as unknown,
          catch: () =>
            new ServerAnswerInvalid({ server, detail: `status ${response.statusCode}, a body that is not JSON` })
        })
      )

    // A successful answer, or the server's problem document as its typed error.
    const succeeded = (response: IncomingMessage) =>
      Effect.gen(function* () {
        const status = response.statusCode ?? 0
        if (status >= 200 && status < 300) return response
        const body = yield* json(response)
        return yield* Effect.flatMap(
          decodeProblem(body).pipe(
            Effect.mapError(
              () => new ServerAnswerInvalid({ server, detail: `status ${status}, not a problem document` })
            )
          ),
          Effect.fail
        )
      })

    const uploadOne = (source: Blobs.SourceFile) =>
      Effect.gen(function* () {
        const hash = createHash("sha256")
        let size = 0
        let readError: unknown
        const { size: length } = yield* Effect.tryPromise({
          try: () => fs.stat(source.file),
          catch: (error) => new FileNotReadable({ path: source.file, reason: reason(error) })
        })
        const input = createReadStream(source.file)
        input.on("data", (chunk) => {
          hash.update(chunk)
          size += chunk.length
        })
        const body = new PassThrough()
        input.on("error", (error) => {
          readError = error
          body.destroy(error)
        })
        input.pipe(body)
        const response = yield* open("POST", new URL(`${base}${Files.UPLOAD_PATH}`), { stream: body, length }).pipe(
          Effect.flatMap(succeeded),
          Effect.catchIf(
            () => readError !== undefined,
            () => Effect.fail(new FileNotReadable({ path: source.file, reason: reason(readError) }))
          ),
          Effect.ensuring(Effect.sync(() => input.destroy()))
        )
        const stored = yield* json(response).pipe(
          Effect.flatMap(Schema.decodeUnknown(Files.UploadedBlob)),
          Effect.mapError(() => new ServerAnswerInvalid({ server, detail: "an upload answer without sha256 and size" }))
        )
        const sha256 = hash.digest("hex")
        if (stored.sha256 !== sha256 || stored.size !== size) {
          return yield* Effect.fail(
            new TransferCorrupted({
              path: source.file,
              server,
              direction: "upload",
              detail: `sent ${size} bytes with sha256 ${sha256}, the server stored ${stored.size} bytes with sha256 ${stored.sha256}`
            })
          )
        }
        return { path: source.path, sha256, size } satisfies Blobs.ManifestEntry
      })

    // Writes the response body to `file`, hashing it; fails unless it is exactly the manifest entry's content.
    const receive = (response: IncomingMessage, entry: Blobs.ManifestEntry, file: string) =>
      Effect.gen(function* () {
        const hash = createHash("sha256")
        let size = 0
        let writeError: unknown
        const out = createWriteStream(file)
        out.on("error", (error) => {
          writeError = error
        })
        const hashing = new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            hash.update(chunk)
            size += chunk.length
            callback(null, chunk)
          }
        })
        yield* Effect.tryPromise({
          try: () => pipeline(response, hashing, out),
          catch: (error) =>
            writeError !== undefined
              ? new WriteFailed({ path: file, reason: reason(writeError) })
              : new TransferCorrupted({
                  path: entry.path,
                  server,
                  direction: "download",
                  detail: `the server ended it after ${size} of ${entry.size} bytes (${describe(error)})`
                })
        })
        const sha256 = hash.digest("hex")
        if (sha256 !== entry.sha256 || size !== entry.size) {
          return yield* Effect.fail(
            new TransferCorrupted({
              path: entry.path,
              server,
              direction: "download",
              detail: `its manifest says ${entry.size} bytes with sha256 ${entry.sha256}, the server sent ${size} bytes with sha256 ${sha256}`
            })
          )
        }
      })

    const download: Transfer["download"] = (version, manifest, to) =>
      Effect.gen(function* () {
        const planned: Array<{ entry: Blobs.ManifestEntry; target: string }> = []
        for (const entry of manifest) {
          const target = targetOf(to, entry.path)
          if (target === undefined) {
            return yield* Effect.fail(
              new UsageError({
                problem: `The manifest path "${entry.path}" leaves the target directory`,
                fix: "refusing to write it"
              })
            )
          }
          planned.push({ entry, target })
        }
        const root = path.resolve(to)
        const url = `${base}${versionUrlPath(version)}/file`
        const staging = yield* Effect.tryPromise({
          try: async () => {
            await fs.mkdir(path.dirname(root), { recursive: true })
            return await fs.mkdtemp(`${root}.registrar-partial-`)
          },
          catch: (error) => new WriteFailed({ path: root, reason: reason(error) })
        })
        const staged = (index: number) => path.join(staging, String(index))
        const fetchAll = Effect.forEach(
          planned,
          ({ entry }, index) => {
            const fileUrl = new URL(url)
            fileUrl.searchParams.set("path", entry.path)
            return Effect.flatMap(Effect.flatMap(open("GET", fileUrl), succeeded), (response) =>
              receive(response, entry, staged(index))
            )
          },
          { discard: true }
        )
        const moveIntoPlace = Effect.forEach(
          planned,
          ({ target }, index) =>
            Effect.tryPromise({
              try: async () => {
                await fs.mkdir(path.dirname(target), { recursive: true })
                await fs.rename(staged(index), target)
              },
              catch: (error) => new WriteFailed({ path: target, reason: reason(error) })
            }),
          { discard: true }
        )
        yield* fetchAll.pipe(
          Effect.zipRight(moveIntoPlace),
          Effect.ensuring(Effect.promise(() => fs.rm(staging, { recursive: true, force: true })))
        )
        return planned.map(({ target }) => target)
      })

    return {
      upload: (files) => Effect.map(Effect.forEach(files, uploadOne), byPath),
      download
    }
  })
