/** Samples the process's memory while a phase runs, to report its peak RSS and heap. */
import { memoryUsage } from "node:process"

/** Peak memory of a phase, in bytes, and the heap in use when it began. */
export interface MemoryPeak {
  readonly peakRss: number
  readonly peakHeapUsed: number
  readonly baselineHeapUsed: number
  readonly samples: number
}

const collect = (): void => {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc !== undefined) gc()
}

/** Collects garbage when `--expose-gc` is on, then samples every `everyMillis` until the returned stop is called. */
export const sampleMemory = (everyMillis = 20): (() => MemoryPeak) => {
  collect()
  const baseline = memoryUsage()
  let peakRss = baseline.rss
  let peakHeapUsed = baseline.heapUsed
  let samples = 0
  const sample = () => {
    const now = memoryUsage()
    samples += 1
    if (now.rss > peakRss) peakRss = now.rss
    if (now.heapUsed > peakHeapUsed) peakHeapUsed = now.heapUsed
  }
  const timer = setInterval(sample, everyMillis)
  return () => {
    clearInterval(timer)
    sample()
    return { peakRss, peakHeapUsed, baselineHeapUsed: baseline.heapUsed, samples }
  }
}

/** Bytes as MiB. */
export const mebibytes = (bytes: number): number => bytes / (1024 * 1024)
