const { PGlite } = await import("@electric-sql/pglite")
const defaults = [
  "--single",
  "-F",
  "-O",
  "-j",
  "-c",
  "search_path=public",
  "-c",
  "exit_on_error=false",
  "-c",
  "log_checkpoints=false",
  "-c",
  "max_worker_processes=0",
  "-c",
  "max_parallel_workers=0",
  "-c",
  "max_parallel_workers_per_gather=0",
  "-c",
  "io_method=sync",
  "-c",
  "max_parallel_maintenance_workers=0"
]
const extra = process.argv.slice(3)
const t1 = performance.now()
const db = await PGlite.create(process.argv[2], extra.length ? { startParams: [...defaults, ...extra] } : {})
const t2 = performance.now()
const r = await db.query("show shared_buffers")
await db.close()
console.log(
  JSON.stringify(extra),
  r.rows[0],
  "create",
  Math.round(t2 - t1),
  "close",
  Math.round(performance.now() - t2)
)
