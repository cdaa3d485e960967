/**
 * The process's streams as the commands see them: whether each is a
 * terminal, whether colours are allowed, and writers. Everything written to
 * stderr passes through `scrub`, which masks every secret seen so far (the
 * api key, the operator token), so that no error, warning or echo shows one.
 */

const secrets = new Set<string>()

/** Remembers a secret so that `scrub` masks it. */
export const registerSecret = (secret: string | undefined): void => {
  if (secret !== undefined && secret.length > 0) secrets.add(secret)
}

/** `text` with every registered secret replaced by `***`. */
export const scrub = (text: string): string => {
  let out = text
  for (const secret of secrets) out = out.split(secret).join("***")
  return out
}

export interface Streams {
  readonly stdoutIsTerminal: boolean
  readonly stderrIsTerminal: boolean
  readonly stdinIsTerminal: boolean
  /** ANSI colours on stdout: a terminal, `NO_COLOR` unset, `TERM` not `dumb`. */
  readonly stdoutColors: boolean
  /** ANSI codes (colours, progress bars) on stderr, by the same rule. */
  readonly stderrColors: boolean
}

const colorsAllowed = (isTerminal: boolean): boolean => {
  const noColor = process.env.NO_COLOR
  if (noColor !== undefined && noColor !== "") return false
  if (process.env.TERM === "dumb") return false
  return isTerminal
}

let cached: Streams | undefined

/** What the process's streams are, read once. */
export const streams = (): Streams => {
  if (cached === undefined) {
    const stdoutIsTerminal = process.stdout.isTTY === true
    const stderrIsTerminal = process.stderr.isTTY === true
    cached = {
      stdoutIsTerminal,
      stderrIsTerminal,
      stdinIsTerminal: process.stdin.isTTY === true,
      stdoutColors: colorsAllowed(stdoutIsTerminal),
      stderrColors: colorsAllowed(stderrIsTerminal)
    }
  }
  return cached
}

/** Writes data to stdout. */
export const out = (text: string | Uint8Array): void => {
  process.stdout.write(text)
}

/** Writes one diagnostic line to stderr, secrets masked. */
export const errLine = (line: string): void => {
  process.stderr.write(`${scrub(line)}\n`)
}

/** Writes an `error: ...` sentence to stderr. */
export const printError = (sentence: string): void => errLine(`error: ${sentence}`)

/** Writes a `warning: ...` sentence to stderr. */
export const printWarning = (sentence: string): void => errLine(`warning: ${sentence}`)

/**
 * Resolves once stdout has taken everything written so far, so that exiting
 * afterwards loses nothing even when stdout is a slow pipe.
 */
export const flushStdout = (): Promise<void> =>
  new Promise((resolve) => {
    if (process.stdout.writableLength === 0) resolve()
    else process.stdout.write("", () => resolve())
  })
