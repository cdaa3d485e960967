import { createReadStream, fstatSync } from "node:fs"
import { createInterface } from "node:readline"
import * as Effect from "effect/Effect"
import { CliFailure, ExitCode, usageError } from "./CliFailure.js"

/**
 * Reads the first line of stdin (a secret): without echo when stdin is a
 * terminal, else up to the first newline or the end. Trailing `\r` and white
 * space are dropped.
 */
export const readSecretLine = (what: string): Effect.Effect<string, CliFailure> =>
  Effect.callback<string, CliFailure>((resume) => {
    const stdin = process.stdin
    let buffer = ""
    let done = false
    const finish = (result: Effect.Effect<string, CliFailure>) => {
      if (done) return
      done = true
      stdin.off("data", onData)
      stdin.off("end", onEnd)
      stdin.off("error", onError)
      if (stdin.isTTY) {
        stdin.setRawMode(false)
        process.stderr.write("\n")
      }
      stdin.pause()
      resume(result)
    }
    const deliver = () => {
      const line = (buffer.split(/\r?\n|\r/)[0] ?? "").trim()
      finish(
        line === "" ? Effect.fail(usageError(`no ${what} on stdin: its first line is empty`)) : Effect.succeed(line)
      )
    }
    const onData = (chunk: Buffer | string) => {
      const text = typeof chunk === "string" ? chunk : chunk.toString("utf8")
      if (stdin.isTTY) {
        for (const char of text) {
          if (char === "\u0003") return finish(Effect.fail(new CliFailure({ exitCode: ExitCode.interrupted })))
          if (char === "\r" || char === "\n" || char === "\u0004") return deliver()
          if (char === "\u007f" || char === "\b") buffer = buffer.slice(0, -1)
          else buffer += char
        }
        return
      }
      buffer += text
      if (/[\r\n]/.test(buffer)) deliver()
    }
    const onEnd = () => deliver()
    const onError = (error: Error) =>
      finish(Effect.fail(usageError(`cannot read the ${what} from stdin: ${error.message}`)))
    if (stdin.isTTY) {
      process.stderr.write(`${what}: `)
      stdin.setRawMode(true)
    }
    stdin.on("data", onData)
    stdin.on("end", onEnd)
    stdin.on("error", onError)
    stdin.resume()
    return Effect.sync(() => finish(Effect.fail(new CliFailure({ exitCode: ExitCode.interrupted }))))
  })

/** One line of an input, numbered from 1. */
export interface NumberedLine {
  readonly number: number
  readonly text: string
}

/** A readable input: a file path, or `-` for stdin. */
export interface Input {
  readonly name: string
  readonly stream: NodeJS.ReadableStream
  /** The size in bytes when known (a regular file), for progress. */
  readonly size: number | undefined
}

/**
 * Opens a file (or stdin for `-`) for reading, failing with a usage error
 * when it cannot be opened.
 */
export const open = (path: string, what: string): Effect.Effect<Input, CliFailure> =>
  path === "-"
    ? Effect.succeed({ name: "stdin", stream: process.stdin, size: undefined })
    : Effect.callback<Input, CliFailure>((resume) => {
        const stream = createReadStream(path)
        stream.once("error", (error: NodeJS.ErrnoException) =>
          resume(Effect.fail(usageError(`cannot read ${what} "${path}": ${describeFsError(error)}`)))
        )
        stream.once("open", (fd) => {
          let size: number | undefined
          try {
            const stat = fstatSync(fd)
            if (stat.isDirectory()) {
              stream.destroy()
              return resume(Effect.fail(usageError(`cannot read ${what} "${path}": it is a directory`)))
            }
            size = stat.isFile() ? stat.size : undefined
          } catch {
            size = undefined
          }
          resume(Effect.succeed({ name: path, stream, size }))
        })
      })

const describeFsError = (error: NodeJS.ErrnoException): string => {
  switch (error.code) {
    case "ENOENT":
      return "no such file"
    case "EACCES":
    case "EPERM":
      return "permission denied"
    case "EISDIR":
      return "it is a directory"
    default:
      return error.message
  }
}

/** The lines of an input, numbered, streamed (never the whole input in memory). */
export async function* numberedLines(input: Input): AsyncGenerator<NumberedLine> {
  const lines = createInterface({ input: input.stream, crlfDelay: Number.POSITIVE_INFINITY })
  let number = 0
  try {
    for await (const text of lines) {
      number += 1
      yield { number, text }
    }
  } finally {
    lines.close()
  }
}
