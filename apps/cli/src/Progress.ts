import { scrub } from "./Io.js"

/**
 * A one-line progress bar on stderr, redrawn at most ten times a second,
 * shown only when stderr is a terminal that takes ANSI codes. Lines printed
 * through `log` appear above it; the next update draws it again.
 */
export interface Progress {
  /** Sets the amount done (and the total when it becomes known). */
  readonly update: (done: number, total?: number | undefined) => void
  /** Prints a diagnostic line above the bar. */
  readonly log: (line: string) => void
  /** Takes the bar off the screen until the next update, before output to the same terminal. */
  readonly hide: () => void
  /** Removes the bar. */
  readonly stop: () => void
}

const width = 30

const render = (label: string, done: number, total: number | undefined, unit: string): string => {
  if (total === undefined || total <= 0) return `${label} ${done.toLocaleString("en-US")} ${unit}`
  const ratio = Math.min(1, done / total)
  const filled = Math.round(ratio * width)
  return `${label} ${"█".repeat(filled)}${"░".repeat(width - filled)} ${Math.floor(ratio * 100)}% ${done.toLocaleString("en-US")}/${total.toLocaleString("en-US")} ${unit}`
}

/** A progress bar, or a silent one when `enabled` is false. */
export const progress = (options: {
  readonly enabled: boolean
  readonly label: string
  readonly unit: string
  readonly total?: number | undefined
}): Progress => {
  if (!options.enabled) {
    return { update: () => {}, log: (line) => process.stderr.write(`${scrub(line)}\n`), hide: () => {}, stop: () => {} }
  }
  let done = 0
  let total = options.total
  let last = 0
  let shown = false
  const draw = (force: boolean) => {
    const now = Date.now()
    if (!force && now - last < 100) return
    last = now
    shown = true
    process.stderr.write(`\r\x1b[2K${render(options.label, done, total, options.unit)}`)
  }
  const clear = () => {
    if (shown) process.stderr.write("\r\x1b[2K")
    shown = false
  }
  return {
    update: (value, newTotal) => {
      done = value
      if (newTotal !== undefined) total = newTotal
      draw(false)
    },
    log: (line) => {
      clear()
      process.stderr.write(`${scrub(line)}\n`)
    },
    hide: clear,
    stop: clear
  }
}
