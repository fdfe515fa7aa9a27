/**
 * One process at a time on an embedded data directory: PGlite is a single-process database, so every command holds
 * `DIR/lock` (holding its pid) while its store is open, and the others wait their turn. A lock left by a process that
 * no longer runs is taken over: under `DIR/lock.takeover`, so that of several waiters finding the same dead holder
 * only one removes its file, and none removes the lock another waiter took in the meantime.
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

/**
 * The lock was taken, or another process holds it; `servedAt` when that process is `registrar serve` (the URL it
 * listens on), which holds the directory for as long as it runs.
 */
export type Attempt =
  | { readonly _tag: "Acquired" }
  | { readonly _tag: "Held"; readonly pid: number; readonly servedAt?: string }

/** Creates `file` holding this process's pid; false when it exists. */
const create = async (file: string): Promise<boolean> => {
  try {
    const handle = await fs.open(file, "wx")
    await handle.writeFile(String(process.pid))
    await handle.close()
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false
    throw error
  }
}

/** The holder of `file`: its pid, or when the file is gone `undefined`; `abandoned` when nothing alive holds it. */
const holderOf = async (
  file: string,
  staleAfterMillis: number
): Promise<{ readonly pid: number; readonly abandoned: boolean } | undefined> => {
  const [content, stat] = await Promise.all([
    fs.readFile(file, "utf8").catch(() => ""),
    fs.stat(file).catch(() => undefined)
  ])
  if (stat === undefined) return undefined
  const pid = Number.parseInt(content, 10)
  // No pid yet: its creator is between creating and writing it, or died there.
  const abandoned = Number.isNaN(pid) ? Date.now() - stat.mtimeMs > staleAfterMillis : !isAlive(pid)
  return { pid, abandoned }
}

/**
 * Removes the lock `file` if its holder is still the dead one seen: only while holding `file.takeover`, so two
 * waiters never both remove it (the second would remove the first one's new lock). False when another waiter is
 * taking it over: wait and try again. A takeover lock whose holder died is removed (one that never got a pid, after
 * 5 s).
 */
const takeOver = async (file: string): Promise<boolean> => {
  const takeover = `${file}.takeover`
  if (!(await create(takeover))) {
    const holder = await holderOf(takeover, 5_000)
    if (holder?.abandoned === true) await fs.rm(takeover, { force: true })
    return false
  }
  try {
    const holder = await holderOf(file, 10_000)
    if (holder?.abandoned === true) await fs.rm(file, { force: true })
    return true
  } finally {
    await fs.rm(takeover, { force: true })
  }
}

const attempt = async (file: string): Promise<Attempt> => {
  if (await create(file)) return { _tag: "Acquired" }
  const holder = await holderOf(file, 10_000)
  // Gone between the two reads: its holder gave it back. Try again without removing anything, since another waiter
  // may have taken the lock in the meantime; removing its file would let two processes open the store at once.
  if (holder === undefined) return attempt(file)
  if (holder.abandoned && (await takeOver(file))) return attempt(file)
  return { _tag: "Held", pid: holder.pid }
}

const lockFile = (dataDir: string) => path.join(dataDir, "lock")

/** Where `registrar serve` says, while it runs, which process it is and where it listens. */
const servingFile = (dataDir: string) => path.join(dataDir, "serving.json")

/** Notes that this process serves `dataDir` at `url` (see {@link acquire}). */
export const markServing = (dataDir: string, url: string): Promise<void> =>
  fs.writeFile(servingFile(dataDir), JSON.stringify({ pid: process.pid, url }))

/** Takes back {@link markServing}, if this process made the note. */
export const unmarkServing = async (dataDir: string): Promise<void> => {
  if ((await servedBy(dataDir))?.pid === process.pid) await fs.rm(servingFile(dataDir), { force: true })
}

/** The process serving `dataDir` and its URL, as its note says; `undefined` without a readable note. */
const servedBy = async (dataDir: string): Promise<{ readonly pid: number; readonly url: string } | undefined> => {
  try {
    const note = JSON.parse(await fs.readFile(servingFile(dataDir), "utf8")) as { pid?: unknown; url?: unknown }
    return typeof note.pid === "number" && typeof note.url === "string" ? { pid: note.pid, url: note.url } : undefined
  } catch {
    return undefined
  }
}

/**
 * Takes the lock of `dataDir` (creating the directory), waiting up to `timeoutMillis` for the process that holds
 * it; answers who holds it when the wait runs out, or at once when the holder is `registrar serve`, which does not
 * give the directory back until it stops.
 */
export const acquire = async (dataDir: string, timeoutMillis = 120_000): Promise<Attempt> => {
  await fs.mkdir(dataDir, { recursive: true })
  const deadline = Date.now() + timeoutMillis
  for (;;) {
    const result = await attempt(lockFile(dataDir))
    if (result._tag === "Acquired") return result
    const served = await servedBy(dataDir)
    if (served !== undefined && served.pid === result.pid) return { ...result, servedAt: served.url }
    if (Date.now() > deadline) return result
    await new Promise((resolve) => setTimeout(resolve, 25 + Math.floor(Math.random() * 50)))
  }
}

/** Gives the lock of `dataDir` back, if this process holds it. */
export const release = async (dataDir: string): Promise<void> => {
  const file = lockFile(dataDir)
  const content = await fs.readFile(file, "utf8").catch(() => "")
  if (content === String(process.pid)) await fs.rm(file, { force: true })
}
