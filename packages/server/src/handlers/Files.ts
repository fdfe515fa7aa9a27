/**
 * The files group: uploads stream into the `BlobStore` (counted against the upload limit as they arrive), and a
 * linked version's files are found through `resolve` (so a registry the caller cannot see is the same 404 as a
 * missing one) and streamed out of the `BlobStore`, digest checked; a source version's through
 * `sourceVersionFiles` (its entity's writers only).
 */
import { HttpApiBuilder, HttpServerResponse } from "@effect/platform"
import { Problem, RegistrarApi } from "@registrar/api"
import { type Artifact, BlobNotFound, BlobStore, Registrar, WriteGate } from "@registrar/domain"
import { Effect, Stream } from "effect"
import { call, callerRequest, collectionPath, sourceVersionPath } from "./Call.js"

/** The upload limit, in bytes, a `Layer` of the server provides to this group. */
export class UploadLimit extends Effect.Tag("@registrar/server/UploadLimit")<
  UploadLimit,
  { readonly bytes: number }
>() {}

const versionName = (path: Parameters<typeof collectionPath>[0] & { readonly version: string }) =>
  `${collectionPath(path)}:${path.version}`

/** The files group. */
export const FilesLive = HttpApiBuilder.group(RegistrarApi, "files", (handlers) =>
  Effect.gen(function* () {
    const registrar = yield* Registrar
    const blobs = yield* BlobStore
    const limit = yield* UploadLimit
    // Listing a version's files is seeing it; reading their bytes (download, verify) is using it: viewer or higher.
    const resolveFiles = (path: Parameters<typeof versionName>[0], forUse = false) =>
      Effect.flatMap(callerRequest(), (request) =>
        call(registrar.resolve({ ...request, name: versionName(path), forUse }))
      )
    // A source version's files, all three endpoints: its entity's writers only (SourceFilesNotReadable otherwise).
    const sourceFiles = (path: Parameters<typeof sourceVersionPath>[0]) =>
      Effect.flatMap(callerRequest(), (request) =>
        call(registrar.sourceVersionFiles({ ...request, reference: sourceVersionPath(path) }))
      )
    const downloadOne = (name: string, files: ReadonlyArray<Artifact.ManifestEntry>, wanted: string) =>
      Effect.gen(function* () {
        const file = files.find((entry) => entry.path === wanted)
        if (file === undefined) {
          return yield* Effect.fail(
            new Problem.InvalidRequest({ problem: `${name} has no file "${wanted}"; list its files at …/files` })
          )
        }
        if (!(yield* call(blobs.exists(file.sha256)))) {
          return yield* Effect.fail(new BlobNotFound({ sha256: file.sha256 }))
        }
        const base = file.path.split("/").at(-1) ?? "file"
        return HttpServerResponse.stream(blobs.get(file.sha256), {
          contentType: "application/octet-stream",
          contentLength: file.size,
          headers: {
            etag: `"${file.sha256}"`,
            "x-content-sha256": file.sha256,
            "content-disposition": `attachment; filename="${base.replace(/[^\w.-]/g, "_")}"`
          }
        })
      })
    const verifyAll = (files: ReadonlyArray<Artifact.ManifestEntry>) =>
      Effect.forEach(
        files,
        (file) =>
          Stream.runDrain(blobs.get(file.sha256)).pipe(
            Effect.as({ ...file, ok: true }),
            Effect.catchAll((error) => Effect.succeed({ ...file, ok: false, problem: error.message }))
          ),
        { concurrency: 2 }
      )
    return handlers
      .handleRaw("uploadBlob", ({ request }) =>
        Effect.gen(function* () {
          yield* callerRequest()
          // Storing the bytes is a write: it waits for the caller's key to be confirmed, as an append does.
          yield* WriteGate.pass
          let received = 0
          const body = Stream.mapEffect(request.stream, (chunk) => {
            received += chunk.length
            return received > limit.bytes
              ? Effect.fail(new Problem.PayloadTooLarge({ limitBytes: limit.bytes }))
              : Effect.succeed(chunk)
          })
          const stored = yield* call(
            blobs.put(
              Stream.catchTag(body, "RequestError", () =>
                Stream.fail(new Problem.InvalidRequest({ problem: "the upload was cut off before its end" }))
              )
            )
          )
          return yield* HttpServerResponse.json(stored, { status: 201 }).pipe(Effect.orDie)
        })
      )
      .handle("listFiles", ({ path }) =>
        Effect.map(resolveFiles(path), (resolved) => ({ fullName: resolved.fullName, files: resolved.files }))
      )
      .handleRaw("downloadFile", ({ path, urlParams }) =>
        Effect.flatMap(resolveFiles(path, true), (resolved) =>
          downloadOne(resolved.fullName, resolved.files, urlParams.path)
        )
      )
      .handle("verifyFiles", ({ path }) =>
        Effect.flatMap(resolveFiles(path, true), (resolved) =>
          Effect.map(verifyAll(resolved.files), (files) => ({
            fullName: resolved.fullName,
            ok: files.every((file) => file.ok),
            files
          }))
        )
      )
      .handle("listSourceFiles", ({ path }) => sourceFiles(path))
      .handleRaw("downloadSourceFile", ({ path, urlParams }) =>
        Effect.flatMap(sourceFiles(path), (found) => downloadOne(found.reference, found.files, urlParams.path))
      )
      .handle("verifySourceFiles", ({ path }) =>
        Effect.flatMap(sourceFiles(path), (found) =>
          Effect.map(verifyAll(found.files), (files) => ({
            reference: found.reference,
            ok: files.every((file) => file.ok),
            files
          }))
        )
      )
  })
)
