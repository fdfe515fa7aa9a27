/**
 * One process at a time on an embedded data directory: PGlite is a single-process database, so every command holds
 * `DIR/lock` (holding its pid) while its store is open, and the others wait their turn. A lock left by a process that
 * no longer runs is taken over.
 */
import * as fs from "node:fs/promises"
import * as path from "node:path"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { StoreBusy, WriteFailed } from "./Errors.js"

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

type Attempt = { readonly _tag: "Acquired" } | { readonly _tag: "Held"; readonly pid: number }

const attempt = async (file: string): Promise<Attempt> => {
  try {
    const handle = await fs.open(file, "wx")
    await handle.writeFile(String(process.pid))
    await handle.close()
    return { _tag: "Acquired" }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error
  }
  const [content, stat] = await Promise.all([
    fs.readFile(file, "utf8").catch(() => ""),
    fs.stat(file).catch(() => undefined)
  ])
  const pid = Number.parseInt(content, 10)
  const abandoned = Number.isNaN(pid) ? stat !== undefined && Date.now() - stat.mtimeMs > 10_000 : !isAlive(pid)
  if (abandoned || stat === undefined) {
    await fs.rm(file, { force: true })
    return attempt(file)
  }
  return { _tag: "Held", pid }
}

/** Holds the lock of `dataDir` for the scope, waiting up to `timeoutMillis` for the process that holds it. */
export const hold = (
  dataDir: string,
  timeoutMillis = 120_000
): Effect.Effect<void, StoreBusy | WriteFailed, Scope.Scope> => {
  const file = path.join(dataDir, "lock")
  const deadline = Date.now() + timeoutMillis
  const acquire: Effect.Effect<void, StoreBusy | WriteFailed> = Effect.tryPromise({
    try: () => attempt(file),
    catch: (error) => new WriteFailed({ path: file, reason: String((error as Error).message ?? error) })
  }).pipe(
    Effect.flatMap((result) => {
      if (result._tag === "Acquired") return Effect.void
      if (Date.now() > deadline) return Effect.fail(new StoreBusy({ dataDir, pid: result.pid }))
      return Effect.zipRight(Effect.sleep(25 + Math.floor(Math.random() * 50)), acquire)
    })
  )
  return Effect.acquireRelease(acquire, () =>
    Effect.promise(async () => {
      const content = await fs.readFile(file, "utf8").catch(() => "")
      if (content === String(process.pid)) await fs.rm(file, { force: true })
    })
  )
}
