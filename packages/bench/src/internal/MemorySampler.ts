/** Samples the process's memory while a phase runs, to report its peak RSS and heap. */
import { memoryUsage } from "node:process"

/** Peak memory of a phase, in bytes, and the heap in use when it began. */
export interface MemoryPeak {
  readonly peakRss: number
  /** The largest heap in use seen, garbage included (how far V8 let it grow before collecting). */
  readonly peakHeapUsed: number
  /** The largest heap in use right after a forced collection: what the phase really keeps (NaN without GC). */
  readonly peakLiveHeap: number
  readonly baselineHeapUsed: number
  readonly samples: number
}

const collect = (): boolean => {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc !== undefined) gc()
  return gc !== undefined
}

/**
 * Collects garbage (when `--expose-gc` is on) and samples every `everyMillis` until the returned stop is called;
 * every `liveEveryMillis` it collects first, to sample the live heap.
 */
export const sampleMemory = (everyMillis = 20, liveEveryMillis = 1_000): (() => MemoryPeak) => {
  const canCollect = collect()
  const baseline = memoryUsage()
  let peakRss = baseline.rss
  let peakHeapUsed = baseline.heapUsed
  let peakLiveHeap = canCollect ? baseline.heapUsed : Number.NaN
  let samples = 0
  const sample = () => {
    const now = memoryUsage()
    samples += 1
    if (now.rss > peakRss) peakRss = now.rss
    if (now.heapUsed > peakHeapUsed) peakHeapUsed = now.heapUsed
  }
  const live = () => {
    if (!collect()) return
    const now = memoryUsage()
    if (now.heapUsed > peakLiveHeap) peakLiveHeap = now.heapUsed
  }
  const timer = setInterval(sample, everyMillis)
  const liveTimer = setInterval(live, liveEveryMillis)
  return () => {
    clearInterval(timer)
    clearInterval(liveTimer)
    sample()
    return { peakRss, peakHeapUsed, peakLiveHeap, baselineHeapUsed: baseline.heapUsed, samples }
  }
}

/** Bytes as MiB. */
export const mebibytes = (bytes: number): number => bytes / (1024 * 1024)
