import { UsageEvent } from "@account-overview/core"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as Csv from "./Csv.js"
import type { NumberedLine } from "./Stdin.js"

/**
 * Usage events read from NDJSON or CSV, one at a time with the line each
 * starts on, each checked against core's `UsageEvent` schema. A bad line is
 * reported and skipped; the good ones go on.
 */

export type InputFormat = "ndjson" | "csv"

/** An event and the line it was read from, or why that line is not one. */
export type Parsed =
  | { readonly _tag: "Event"; readonly line: number; readonly event: UsageEvent }
  | { readonly _tag: "Bad"; readonly line: number; readonly reason: string }

/** The input format named by a file's extension, if it names one. */
export const formatOfPath = (path: string): InputFormat | undefined => {
  const lower = path.toLowerCase().replace(/\.(gz|tmp)$/, "")
  if (lower.endsWith(".csv")) return "csv"
  if (lower.endsWith(".ndjson") || lower.endsWith(".jsonl") || lower.endsWith(".json")) return "ndjson"
  return undefined
}

/** The input format a first non-blank line suggests: `{` starts NDJSON, anything else CSV. */
export const formatOfFirstLine = (line: string): InputFormat => (line.trimStart().startsWith("{") ? "ndjson" : "csv")

const csvNames: Record<string, string> = { occurredAt: "occurred_at" }

const decode = Schema.decodeUnknownResult(UsageEvent, { errors: "all" })

const describeIssue = (message: string, names: Record<string, string>): string => {
  const parts: Array<string> = []
  const lines = message.split("\n")
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i] ?? ""
    const at = /^\s+at \["([^"]*)"\]/.exec(lines[i + 1] ?? "")
    if (/^\s+at \[/.test(text)) continue
    if (at?.[1] !== undefined) {
      const field = at[1]
      parts.push(`${names[field] ?? field}: ${text === "Missing key" ? "missing" : text}`)
      i += 1
    } else if (text.trim() !== "") parts.push(text.trim())
  }
  return parts.join("; ")
}

const check = (line: number, candidate: unknown, names: Record<string, string>): Parsed => {
  const result = decode(candidate)
  return Result.isSuccess(result)
    ? { _tag: "Event", line, event: result.success }
    : { _tag: "Bad", line, reason: describeIssue(result.failure.message, names) }
}

const integer = /^\s*\d+\s*$/

/** Parses one NDJSON line. `occurred_at` is taken for `occurredAt`. */
export const parseJsonLine = (line: number, text: string): Parsed => {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    return { _tag: "Bad", line, reason: `not JSON: ${(error as Error).message}` }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return { _tag: "Bad", line, reason: "expected a JSON object" }
  const record = value as Record<string, unknown>
  if (!("occurredAt" in record) && "occurred_at" in record) {
    const { occurred_at, ...rest } = record
    return check(line, { ...rest, occurredAt: occurred_at }, csvNames)
  }
  return check(line, record, {})
}

const csvColumns = ["id", "user", "requests", "credits", "occurred_at"] as const

/** The positions of the CSV columns, from the header record. */
export const csvHeader = (fields: ReadonlyArray<string>): Result.Result<ReadonlyArray<number>, string> => {
  const names = fields.map((f) => f.trim().toLowerCase())
  const missing = csvColumns.filter((c) => !names.includes(c))
  if (missing.length > 0)
    return Result.fail(`the CSV header must name the columns ${csvColumns.join(",")}; it lacks ${missing.join(", ")}`)
  return Result.succeed(csvColumns.map((c) => names.indexOf(c)))
}

const count = (text: string | undefined): unknown =>
  text !== undefined && integer.test(text) ? Number(text.trim()) : text

/** Turns one CSV record into an event, given the column positions. */
export const csvEvent = (line: number, fields: ReadonlyArray<string>, positions: ReadonlyArray<number>): Parsed => {
  const at = (i: number) => fields[positions[i] ?? -1]
  return check(
    line,
    {
      id: at(0),
      user: at(1),
      requests: count(at(2)),
      credits: count(at(3)),
      occurredAt: at(4)
    },
    csvNames
  )
}

/**
 * The events of an input, in order. The format is `format` when given, else
 * guessed from the first non-blank line. A CSV input starts with its header.
 * Blank lines are skipped. Fails (throws) only when a CSV header is wrong.
 */
export async function* parseEvents(
  lines: AsyncIterable<NumberedLine>,
  format: InputFormat | undefined
): AsyncGenerator<Parsed> {
  let chosen = format
  let positions: ReadonlyArray<number> | undefined
  let pending: { readonly line: number; text: string } | undefined
  for await (const { number, text } of lines) {
    if (pending === undefined && text.trim() === "") continue
    if (chosen === undefined) chosen = formatOfFirstLine(text)
    if (chosen === "ndjson") {
      yield parseJsonLine(number, text)
      continue
    }
    if (pending === undefined) pending = { line: number, text }
    else pending.text += `\n${text}`
    const parsed = Csv.parseRecord(pending.text)
    if (parsed._tag === "Incomplete") continue
    const start = pending.line
    pending = undefined
    if (parsed._tag === "Invalid") {
      if (positions === undefined) throw new CsvHeaderError(`line ${start}: ${parsed.reason}`)
      yield { _tag: "Bad", line: start, reason: parsed.reason }
      continue
    }
    if (positions === undefined) {
      const header = csvHeader(parsed.fields)
      if (Result.isFailure(header)) throw new CsvHeaderError(`line ${start}: ${header.failure}`)
      positions = header.success
      continue
    }
    yield csvEvent(start, parsed.fields, positions)
  }
  if (pending !== undefined) yield { _tag: "Bad", line: pending.line, reason: "a quoted field is never closed" }
}

/** The CSV header is missing or wrong: nothing can be read. */
export class CsvHeaderError extends Error {
  override readonly name = "CsvHeaderError"
}
