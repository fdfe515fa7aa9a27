/**
 * A tarball of a fresh PGlite cluster, made once per machine and PGlite version by the global setup: PGlite's
 * initdb costs seconds (tens of them on a loaded machine), loading the tarball a fraction of that.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { PGlite } from "@electric-sql/pglite"

const pgliteVersion = (): string => {
  const entry = createRequire(import.meta.url).resolve("@electric-sql/pglite")
  const manifest = JSON.parse(readFileSync(join(dirname(entry), "..", "package.json"), "utf8")) as { version: string }
  return manifest.version
}

const tarballPath = (): string => join(tmpdir(), `registrar-pglite-${pgliteVersion()}-fresh.tar`)

/** Makes the tarball unless it exists. */
export const ensureFreshCluster = async (): Promise<void> => {
  const path = tarballPath()
  if (existsSync(path)) return
  const database = await PGlite.create()
  const dump = await database.dumpDataDir("none")
  await database.close()
  const temporary = `${path}.${process.pid}`
  writeFileSync(temporary, new Uint8Array(await dump.arrayBuffer()))
  renameSync(temporary, path)
}

/** A new PGlite (in memory, or on `dataDir` when it is new), started from the tarball when there is one. */
export const createPglite = (dataDir?: string): Promise<PGlite> => {
  const path = tarballPath()
  const loadDataDir = existsSync(path) ? new Blob([readFileSync(path)]) : undefined
  return PGlite.create({
    ...(dataDir === undefined ? {} : { dataDir }),
    ...(loadDataDir === undefined ? {} : { loadDataDir })
  })
}
