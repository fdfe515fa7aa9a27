/**
 * CPU time spent on both sides of a run: this process (`process.cpuUsage`) and the PostgreSQL backends of one
 * application name (`/proc/<pid>/stat` of each backend, when the server runs on this machine). On a machine whose
 * cores are shared with other work, CPU per event is steadier than wall-clock throughput and says where time goes.
 */
import { readFileSync } from "node:fs"
import { cpuUsage } from "node:process"
import pg from "pg"

const ticksPerSecond = 100

/** CPU milliseconds used during a phase: by this process and by the server's backends (NaN when unreadable). */
export interface CpuTime {
  readonly clientMillis: number
  readonly serverMillis: number
}

/** Reads backend CPU through `/proc`; one monitor connection for the whole benchmark. */
export interface CpuMonitor {
  /** Starts measuring; the returned function stops and returns the CPU used meanwhile. */
  readonly start: (applicationName: string) => Promise<() => Promise<CpuTime>>
  readonly close: () => Promise<void>
}

const backendTicks = (pid: number): number | undefined => {
  try {
    // Fields after the command name, which is in parentheses and may contain spaces: utime is 14th, stime 15th.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    return Number(fields[11]) + Number(fields[12])
  } catch {
    return undefined
  }
}

/** A monitor connected to `url`. */
export const monitor = async (url: string): Promise<CpuMonitor> => {
  let client: pg.Client | undefined
  const connected = async (): Promise<pg.Client> => {
    if (client !== undefined) return client
    const created = new pg.Client({ connectionString: url, application_name: "registrar-bench-monitor" })
    created.on("error", () => {
      if (client === created) client = undefined
    })
    await created.connect()
    client = created
    return created
  }
  const sample = async (applicationName: string): Promise<Map<number, number> | undefined> => {
    try {
      const { rows } = await (await connected()).query<{ pid: number }>(
        "SELECT pid FROM pg_stat_activity WHERE application_name = $1",
        [applicationName]
      )
      const ticks = new Map<number, number>()
      for (const { pid } of rows) {
        const used = backendTicks(pid)
        if (used === undefined) return undefined
        ticks.set(pid, used)
      }
      return ticks
    } catch {
      client = undefined
      return undefined
    }
  }
  return {
    start: async (applicationName) => {
      const before = await sample(applicationName)
      const clientBefore = cpuUsage()
      return async () => {
        const client = cpuUsage(clientBefore)
        const after = await sample(applicationName)
        let ticks = 0
        if (after !== undefined && before !== undefined) {
          for (const [pid, used] of after) ticks += used - (before.get(pid) ?? 0)
        }
        return {
          clientMillis: (client.user + client.system) / 1000,
          serverMillis: after === undefined || before === undefined ? Number.NaN : (ticks * 1000) / ticksPerSecond
        }
      }
    },
    close: async () => {
      await client?.end().catch(() => undefined)
    }
  }
}

/** Adds `application_name` to a connection URL, so the monitor can find the backends of one store. */
export const withApplicationName = (url: string, applicationName: string): string => {
  const parsed = new URL(url)
  parsed.searchParams.set("application_name", applicationName)
  return parsed.toString()
}
