/**
 * The files of artifact versions, in the data directory's filesystem BlobStore (`@registrar/adapters-blob`):
 * `DIR/blobs/ab/abcdef…` holds the bytes whose sha256 is `abcdef…`. Logging streams files into it; downloading
 * checks every digest (streamed) before writing anything, then streams each file out.
 */
import { createReadStream, createWriteStream } from "node:fs"
import type { BlobStoreShape } from "@registrar/domain"
import * as Stream from "effect/Stream"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import * as Effect from "effect/Effect"
import { BlobMissing, DigestMismatch, FileNotReadable, UsageError, WriteFailed } from "./Errors.js"

/** One file of a manifest: its path inside the artifact, digest and size. */
export interface ManifestEntry {
  readonly path: string
  readonly sha256: string
  readonly size: number
}

/** A file on disk and the path it gets inside the artifact. */
export interface SourceFile {
  readonly file: string
  readonly path: string
}

const reason = (error: unknown) => {
  const code = (error as NodeJS.ErrnoException).code
  return code === "ENOENT" ? "no such file or directory" : code === "EACCES" ? "permission denied" : String(error)
}

/** The blob directory of a data directory. */
export const directoryOf = (dataDir: string): string => path.join(dataDir, "blobs")

const walk = async (root: string, relative: string, found: Array<SourceFile>): Promise<void> => {
  const entries = await fs.readdir(path.join(root, relative), { withFileTypes: true })
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  for (const entry of entries) {
    const child = relative === "" ? entry.name : `${relative}/${entry.name}`
    if (entry.isDirectory()) await walk(root, child, found)
    else if (entry.isFile()) found.push({ file: path.join(root, child), path: child })
  }
}

/** The files given by `--file` (named by their base name) and `--dir` (named by their path inside it). */
export const collect = (
  files: ReadonlyArray<string>,
  directory: string | undefined
): Effect.Effect<ReadonlyArray<SourceFile>, FileNotReadable | UsageError> =>
  Effect.gen(function* () {
    const found: Array<SourceFile> = []
    for (const file of files) {
      const stat = yield* Effect.tryPromise({
        try: () => fs.stat(file),
        catch: (error) => new FileNotReadable({ path: file, reason: reason(error) })
      })
      if (!stat.isFile()) {
        return yield* Effect.fail(new FileNotReadable({ path: file, reason: "not a file; use --dir for a directory" }))
      }
      found.push({ file, path: path.basename(file) })
    }
    if (directory !== undefined) {
      yield* Effect.tryPromise({
        try: () => walk(directory, "", found),
        catch: (error) => new FileNotReadable({ path: directory, reason: reason(error) })
      })
    }
    if (found.length === 0) {
      return yield* Effect.fail(
        new UsageError({ problem: "No files to log", fix: "give --file PATH (repeatable) or --dir PATH" })
      )
    }
    const seen = new Set<string>()
    for (const entry of found) {
      if (seen.has(entry.path)) {
        return yield* Effect.fail(
          new UsageError({
            problem: `Two files would both be "${entry.path}" in the artifact`,
            fix: "rename one of them or put them in a directory and use --dir"
          })
        )
      }
      seen.add(entry.path)
    }
    return found
  })

/** Where file contents go: the BlobStore, and words for where it is (a directory, or the database). */
export interface FileStore {
  readonly store: BlobStoreShape
  readonly where: string
}

/** Streams each file into the BlobStore (once per content); returns the manifest, sorted by path. */
export const store = (
  blobs: FileStore,
  files: ReadonlyArray<SourceFile>
): Effect.Effect<ReadonlyArray<ManifestEntry>, FileNotReadable | WriteFailed> =>
  Effect.forEach(files, (source) =>
    Effect.gen(function* () {
      const body = Stream.fromAsyncIterable(
        createReadStream(source.file) as AsyncIterable<Uint8Array>,
        (error) => new FileNotReadable({ path: source.file, reason: reason(error) })
      )
      const { sha256, size } = yield* blobs.store
        .put(body)
        .pipe(
          Effect.catchTag("BlobStoreUnavailable", (error) =>
            Effect.fail(new WriteFailed({ path: blobs.where, reason: error.detail }))
          )
        )
      return { path: source.path, sha256, size } satisfies ManifestEntry
    })
  ).pipe(Effect.map((entries) => [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))))

const safeTarget = (to: string, entryPath: string): Effect.Effect<string, UsageError> => {
  const target = path.resolve(to, entryPath)
  const root = path.resolve(to)
  return target.startsWith(root + path.sep)
    ? Effect.succeed(target)
    : Effect.fail(
        new UsageError({
          problem: `The manifest path "${entryPath}" leaves the target directory`,
          fix: "refusing to write it"
        })
      )
}

/**
 * Checks every file of a manifest against its digest, then writes them under `to`; returns the paths written.
 * Nothing is written when any file is missing or corrupt.
 */
export const download = (
  blobs: FileStore,
  manifest: ReadonlyArray<ManifestEntry>,
  to: string
): Effect.Effect<ReadonlyArray<string>, BlobMissing | DigestMismatch | FileNotReadable | UsageError | WriteFailed> =>
  Effect.gen(function* () {
    const read = (entry: ManifestEntry) =>
      Stream.catchTags(blobs.store.get(entry.sha256), {
        BlobNotFound: () =>
          Stream.fail(new BlobMissing({ path: entry.path, sha256: entry.sha256, blobs: blobs.where })),
        BlobDigestMismatch: (error) =>
          Stream.fail(new DigestMismatch({ path: entry.path, expected: entry.sha256, actual: error.actual })),
        BlobStoreUnavailable: (error) => Stream.fail(new FileNotReadable({ path: blobs.where, reason: error.detail }))
      })
    const planned: Array<{ entry: ManifestEntry; target: string }> = []
    for (const entry of manifest) {
      const target = yield* safeTarget(to, entry.path)
      yield* Stream.runDrain(read(entry))
      planned.push({ entry, target })
    }
    for (const { entry, target } of planned) {
      yield* Effect.tryPromise({
        try: () => fs.mkdir(path.dirname(target), { recursive: true }),
        catch: (error) => new WriteFailed({ path: target, reason: reason(error) })
      })
      yield* Effect.acquireUseRelease(
        Effect.sync(() => createWriteStream(target)),
        (out) =>
          Stream.runForEach(read(entry), (chunk) =>
            Effect.async<void, WriteFailed>((resume) => {
              out.write(chunk, (error) =>
                resume(error ? Effect.fail(new WriteFailed({ path: target, reason: reason(error) })) : Effect.void)
              )
            })
          ).pipe(
            Effect.zipRight(
              Effect.async<void, WriteFailed>((resume) => {
                out.end((error?: Error | null) =>
                  resume(error ? Effect.fail(new WriteFailed({ path: target, reason: reason(error) })) : Effect.void)
                )
              })
            )
          ),
        (out) => Effect.sync(() => out.destroy())
      )
    }
    return planned.map(({ target }) => target)
  })
