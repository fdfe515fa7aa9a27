/** Plain `pg` access for the benchmarks: pools of a given size, throwaway schemas, one-off queries. */
import pg from "pg"

/** Schemas the benchmarks own; each scenario drops and recreates the ones it uses, never any other. */
export const Schemas = {
  registrar: "registrar_bench",
  registrarSmall: "registrar_bench_small",
  emmett: "emmett_bench",
  bare: "bare_bench",
  cli: "registrar_bench_cli",
  http: "registrar_bench_http",
  search: "registrar_bench_search",
  searchSmall: "registrar_bench_search_small",
  web: "registrar_bench_web"
} as const

/**
 * A pool of `size` connections named `applicationName` (so their backends can be found); with `searchPath`, every
 * connection resolves unqualified names there first.
 */
export const pool = (url: string, size: number, applicationName: string, searchPath?: string): pg.Pool => {
  const created = new pg.Pool({
    connectionString: url,
    max: size,
    application_name: applicationName,
    ...(searchPath === undefined ? {} : { options: `-c search_path=${searchPath}` })
  })
  // An idle connection the server drops (others restart it during their tests) must not crash the benchmark.
  created.on("error", () => {})
  return created
}

/** Runs one statement on a short-lived connection. */
export const query = async (url: string, sql: string, params?: ReadonlyArray<unknown>): Promise<pg.QueryResult> => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await client.query(sql, params === undefined ? undefined : [...params])
  } finally {
    await client.end()
  }
}

/** Drops a benchmark schema and everything in it. */
export const dropSchema = (url: string, schema: string) => query(url, `DROP SCHEMA IF EXISTS "${schema}" CASCADE`)

/** Drops and recreates an empty benchmark schema. */
export const resetSchema = async (url: string, schema: string): Promise<void> => {
  await dropSchema(url, schema)
  await query(url, `CREATE SCHEMA "${schema}"`)
}
