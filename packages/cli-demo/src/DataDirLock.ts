/**
 * One process at a time on an embedded data directory: PGlite is a single-process database, so every command holds
 * `DIR/lock` (holding its pid) while its store is open, and the others wait their turn. A lock left by a process that
 * no longer runs is taken over.
 */
import * as fs from "node:fs/promises"
import * as path from "node:path"

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/** The lock was taken, or another process holds it. */
export type Attempt = { readonly _tag: "Acquired" } | { readonly _tag: "Held"; readonly pid: number }

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
  // Gone between the two reads: its holder gave it back. Try again without removing anything, since another waiter
  // may have taken the lock in the meantime; removing its file would let two processes open the store at once.
  if (stat === undefined) return attempt(file)
  const pid = Number.parseInt(content, 10)
  const abandoned = Number.isNaN(pid) ? Date.now() - stat.mtimeMs > 10_000 : !isAlive(pid)
  if (abandoned) {
    await fs.rm(file, { force: true })
    return attempt(file)
  }
  return { _tag: "Held", pid }
}

const lockFile = (dataDir: string) => path.join(dataDir, "lock")

/**
 * Takes the lock of `dataDir` (creating the directory), waiting up to `timeoutMillis` for the process that holds
 * it; answers who holds it when the wait runs out.
 */
export const acquire = async (dataDir: string, timeoutMillis = 120_000): Promise<Attempt> => {
  await fs.mkdir(dataDir, { recursive: true })
  const deadline = Date.now() + timeoutMillis
  for (;;) {
    const result = await attempt(lockFile(dataDir))
    if (result._tag === "Acquired" || Date.now() > deadline) return result
    await new Promise((resolve) => setTimeout(resolve, 25 + Math.floor(Math.random() * 50)))
  }
}

/** Gives the lock of `dataDir` back, if this process holds it. */
export const release = async (dataDir: string): Promise<void> => {
  const file = lockFile(dataDir)
  const content = await fs.readFile(file, "utf8").catch(() => "")
  if (content === String(process.pid)) await fs.rm(file, { force: true })
}
