/**
 * A progress bar on stderr for long maintenance commands: redrawn in place on a terminal, a few plain lines
 * otherwise (so logs stay short). Never written to stdout.
 */
import * as Effect from "effect/Effect"

/** A progress bar: call `update` with the count done so far, `done` at the end. */
export interface Bar {
  readonly update: (done: number) => Effect.Effect<void>
  readonly done: Effect.Effect<void>
}

/** A bar for `total` items (an estimate: the bar never goes past full). */
export const bar = (label: string, total: number, enabled = true): Bar => {
  const tty = process.stderr.isTTY === true
  const width = 30
  let lastTenth = -1
  let last = 0
  const render = (done: number) => {
    const ratio = total <= 0 ? 1 : Math.min(1, done / total)
    const filled = Math.round(ratio * width)
    return `${label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${Math.max(total, done)} events`
  }
  return {
    update: (done) =>
      Effect.sync(() => {
        last = done
        if (!enabled) return
        if (tty) process.stderr.write(`\r${render(done)}`)
        else {
          const tenth = total <= 0 ? 10 : Math.floor(Math.min(1, done / total) * 10)
          if (tenth !== lastTenth) {
            lastTenth = tenth
            process.stderr.write(`${render(done)}\n`)
          }
        }
      }),
    done: Effect.sync(() => {
      if (!enabled) return
      if (tty) process.stderr.write(`\r${render(last)}\n`)
      else if (lastTenth !== 10) process.stderr.write(`${render(last)}\n`)
    })
  }
}
