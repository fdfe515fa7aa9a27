/**
 * The large-file check shared by the adapters' tests: a child node process whose heap is capped far below the file
 * streams it through a BlobStore (put, then get) and reports the digests and sizes it saw.
 */
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { Effect } from "effect"

/** The child's heap limit, in MiB. */
export const HEAP_LIMIT_MIB = 64
/** The file's size: 200 MiB, over three times the heap limit. */
export const LARGE_SIZE = 200 * 1024 * 1024

// The script stays in testing/ (tsc does not copy it to dist/testing/).
const script = fileURLToPath(
  new URL(
    import.meta.url.includes("/dist/testing/") ? "../../testing/LargeBlob.mjs" : "./LargeBlob.mjs",
    import.meta.url
  )
)

/** What the child saw. */
export interface LargeBlobReport {
  readonly expected: string
  readonly stored: { readonly sha256: string; readonly size: number }
  readonly read: { readonly sha256: string; readonly size: number }
  readonly heapLimitMiB: number
}

/** Runs the child against the built adapter module `modulePath` (a file URL or path), in `cwd` for its imports. */
export const streamLargeBlob = (
  modulePath: string,
  cwd: string,
  kind: "file" | "pg",
  arg: string,
  env: Record<string, string> = {}
): Effect.Effect<LargeBlobReport> =>
  Effect.async((resume) => {
    const child = execFile(
      process.execPath,
      [`--max-old-space-size=${HEAP_LIMIT_MIB}`, script, modulePath, kind, arg, String(LARGE_SIZE)],
      { cwd, env: { ...process.env, ...env }, maxBuffer: 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) resume(Effect.die(new Error(`the child failed: ${error.message}\n${stderr}`)))
        else resume(Effect.succeed(JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as LargeBlobReport))
      }
    )
    return Effect.sync(() => child.kill())
  })
