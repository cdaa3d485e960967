/**
 * Reading a usage batch (`POST /v1/usage`): the body as a JSON array or
 * NDJSON, within the byte and event limits, each event decoded with core's
 * `UsageEvent` (the only check of an event's fields). What did not decode
 * becomes a problem by index; the store's `Ledger.ingest` adds its own
 * (unknown customers) and answers every problem of the batch at once.
 *
 * @since 0.1.0
 */
import {
  type EventProblem,
  maxEventsPerBatch,
  mediaTypeOf,
  OperatorBatchTooLarge,
  OperatorInvalid,
  UsageEvent
} from "@account-overview/core"
import { ByteSize, Effect, Exit, Result, Schema, SchemaIssue } from "effect"
import { HttpIncomingMessage, type HttpServerRequest } from "effect/http"

/**
 * The largest usage request body read, in bytes (16 MiB): room for
 * `maxEventsPerBatch` events with 255-character ids and users, pretty-printed.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxBatchBytes = 16 * 1024 * 1024

/**
 * How the events of a batch are written.
 *
 * @since 0.1.0
 * @category models
 */
export type BatchFormat = "json" | "ndjson"

/**
 * The batch format named by a `Content-Type` header (JSON when absent), or `undefined`.
 *
 * @since 0.1.0
 * @category parsing
 */
export const batchFormat = (contentType: string | undefined): BatchFormat | undefined => {
  if (contentType === undefined) return "json"
  switch (mediaTypeOf(contentType).essence) {
    case "":
    case "application/json":
      return "json"
    case "application/x-ndjson":
    case "application/ndjson":
    case "application/jsonl":
      return "ndjson"
    default:
      return undefined
  }
}

/**
 * The problem of a request as a whole rather than of one event.
 *
 * @since 0.1.0
 * @category constants
 */
export const wholeRequest = -1

/**
 * A batch as read: the events that decoded with `UsageEvent`, in batch
 * order, the index in the batch of each, and the problems of those that did
 * not (index, field wire name, message). `events` and the rest are what
 * `Ledger.ingest(events, { indexes, problems })` takes.
 *
 * @since 0.1.0
 * @category models
 */
export interface DecodedBatch {
  readonly events: ReadonlyArray<UsageEvent>
  readonly indexes: ReadonlyArray<number>
  readonly problems: ReadonlyArray<EventProblem>
}

const decodeEvent = Schema.decodeUnknownExit(UsageEvent, { errors: "all" })
const formatIssue = SchemaIssue.makeFormatterStandardSchemaV1()

const tooMany = (count: number | undefined) =>
  new OperatorBatchTooLarge({
    message:
      count === undefined
        ? `a usage batch holds at most ${maxEventsPerBatch} events`
        : `a usage batch holds at most ${maxEventsPerBatch} events, this one holds ${count}`,
    limit: maxEventsPerBatch
  })

const invalidRequest = (field: string, message: string) =>
  new OperatorInvalid({ message, problems: [{ index: wholeRequest, field, message }] })

/**
 * `OperatorBatchTooLarge` for a body past `maxBatchBytes`.
 *
 * @since 0.1.0
 * @category errors
 */
export const bodyTooLarge = new OperatorBatchTooLarge({
  message: `a usage request body holds at most ${maxBatchBytes} bytes`,
  limit: maxBatchBytes
})

const notJson = "the body is not valid JSON"
const notArray = "the body must be a JSON array of usage events, or NDJSON sent as application/x-ndjson"

// A batch's values, read a piece at a time: each piece holds the next `decodeChunk` values (and,
// for NDJSON, the problems of the lines that were not JSON, by index in the batch). The generator's
// return value is the failure of the body as a whole, or undefined once every piece was read.
type Pieces = Generator<Piece, OperatorInvalid | OperatorBatchTooLarge | undefined, void>

interface Piece {
  readonly values: Array<unknown>
  readonly problems: Array<EventProblem>
}

const noProblems: Array<EventProblem> = []

/**
 * NDJSON, one value per non-blank line, `decodeChunk` lines a piece; a line
 * that is not JSON becomes a problem of the event at that position.
 */
function* ndjsonPieces(body: string): Pieces {
  let start = 0
  let line = 0
  let count = 0
  let piece: Piece = { values: [], problems: [] }
  while (start <= body.length) {
    let end = body.indexOf("\n", start)
    if (end === -1) end = body.length
    line++
    const text = body.slice(start, end).trim()
    start = end + 1
    if (text === "") continue
    if (count === maxEventsPerBatch) return tooMany(undefined)
    try {
      piece.values.push(JSON.parse(text))
    } catch {
      piece.problems.push({ index: count, field: "", message: `line ${line} is not valid JSON` })
      piece.values.push(undefined)
    }
    count++
    if (piece.values.length === decodeChunk) {
      yield piece
      piece = { values: [], problems: [] }
    }
  }
  if (piece.values.length > 0) yield piece
  return undefined
}

// JSON's white space: space, tab, line feed, carriage return.
const skipWhiteSpace = (text: string, from: number): number => {
  let i = from
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break
  }
  return i
}

// The whole body through one JSON.parse: what a body that is not a JSON array of at most
// `maxEventsPerBatch` values answers (not JSON, not an array, too many), or its values.
const parseWhole = (body: string): Result.Result<Array<unknown>, OperatorInvalid | OperatorBatchTooLarge> => {
  let value: unknown
  try {
    value = JSON.parse(body)
  } catch {
    return Result.fail(invalidRequest("", notJson))
  }
  if (!Array.isArray(value)) return Result.fail(invalidRequest("", notArray))
  if (value.length > maxEventsPerBatch) return Result.fail(tooMany(value.length))
  return Result.succeed(value)
}

/**
 * A JSON array, `decodeChunk` elements a piece: the text is scanned (strings
 * and nesting followed) to the end of the next `decodeChunk` top-level
 * elements, and those are parsed with one `JSON.parse`, so a 10,000-event
 * body is never parsed in one synchronous step. The pieces put together are
 * the body's text, so the values and the answer are those of
 * `JSON.parse(body)`; a body that does not start as an array, or holds more
 * than `maxEventsPerBatch` elements, is parsed whole for its answer.
 */
function* jsonPieces(body: string): Pieces {
  const whole = () => {
    const parsed = parseWhole(body)
    return Result.isFailure(parsed) ? parsed.failure : invalidRequest("", notJson)
  }
  let i = skipWhiteSpace(body, 0)
  if (body.charCodeAt(i) !== 0x5b) return whole()
  let start = ++i
  let count = 0
  let depth = 0
  let commas = 0
  let cut = false
  const parse = (end: number): Array<unknown> | undefined => {
    try {
      return JSON.parse(`[${body.slice(start, end)}]`) as Array<unknown>
    } catch {
      return undefined
    }
  }
  for (; i < body.length; i++) {
    const c = body.charCodeAt(i)
    if (c === 0x22) {
      // A string: to its closing quote, past escapes.
      for (i++; i < body.length; i++) {
        const d = body.charCodeAt(i)
        if (d === 0x5c) i++
        else if (d === 0x22) break
      }
    } else if (c === 0x5b || c === 0x7b) {
      depth++
    } else if (c === 0x5d || c === 0x7d) {
      if (depth > 0) {
        depth--
        continue
      }
      // The array's closing bracket: the last piece, then nothing but white space.
      const values = c === 0x5d ? parse(i) : undefined
      if (values === undefined || (cut && values.length === 0) || skipWhiteSpace(body, i + 1) !== body.length) {
        return invalidRequest("", notJson)
      }
      if (count + values.length > maxEventsPerBatch) return whole()
      if (values.length > 0) yield { values, problems: noProblems }
      return undefined
    } else if (c === 0x2c && depth === 0 && ++commas === decodeChunk) {
      const values = parse(i)
      if (values === undefined) return invalidRequest("", notJson)
      count += values.length
      if (count > maxEventsPerBatch) return whole()
      yield { values, problems: noProblems }
      start = i + 1
      commas = 0
      cut = true
    }
  }
  return invalidRequest("", notJson)
}

const pieces = (body: string, format: BatchFormat): Pieces =>
  format === "json" ? jsonPieces(body) : ndjsonPieces(body)

interface Reading {
  readonly values: Array<unknown>
  readonly events: Array<UsageEvent>
  readonly indexes: Array<number>
  readonly problems: Array<EventProblem>
}

// Reads the batch a piece at a time into `into`, decoding each piece's events, and yields after
// each piece; returns the failure of the body as a whole, if any.
function* readPieces(
  body: string,
  format: BatchFormat,
  into: Reading
): Generator<void, OperatorInvalid | OperatorBatchTooLarge | undefined, void> {
  const reading = pieces(body, format)
  for (;;) {
    const step = reading.next()
    if (step.done === true) return step.value
    const from = into.values.length
    for (const value of step.value.values) into.values.push(value)
    const unparsed = new Set<number>()
    for (const problem of step.value.problems) {
      into.problems.push(problem)
      unparsed.add(problem.index)
    }
    decodeRange(into.values, from, into.values.length, unparsed, into)
    yield
  }
}

const emptyReading = (): Reading => ({ values: [], events: [], indexes: [], problems: [] })

const decoded = ({ events, indexes, problems }: Reading): DecodedBatch => {
  problems.sort((a, b) => a.index - b.index)
  return { events, indexes, problems }
}

/**
 * Parses a usage batch and decodes every event with `UsageEvent`, collecting
 * every problem of every event (index, field wire name, message).
 *
 * @since 0.1.0
 * @category parsing
 */
export const decodeBatch = (
  body: string,
  format: BatchFormat
): Result.Result<DecodedBatch, OperatorInvalid | OperatorBatchTooLarge> => {
  const into = emptyReading()
  const reading = readPieces(body, format, into)
  for (;;) {
    const step = reading.next()
    if (step.done !== true) continue
    return step.value === undefined ? Result.succeed(decoded(into)) : Result.fail(step.value)
  }
}

/**
 * Events parsed and decoded per synchronous step of `decodeBatchYielding`:
 * about a millisecond of work, so a 10,000-event batch never holds the event
 * loop for long.
 *
 * @since 0.2.0
 * @category constants
 */
export const decodeChunk = 250

// A macrotask: pending I/O (other requests, /healthz) runs before the next chunk.
const yieldToIo = Effect.callback<void>((resume) => {
  const handle = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(handle))
})

/**
 * `decodeBatch`, parsing and decoding `decodeChunk` events per step and
 * letting the event loop run between steps (the answer is the same).
 *
 * @since 0.2.0
 * @category parsing
 */
export const decodeBatchYielding = Effect.fnUntraced(function* (body: string, format: BatchFormat) {
  const into = emptyReading()
  const reading = readPieces(body, format, into)
  for (;;) {
    const step = reading.next()
    if (step.done === true) {
      if (step.value !== undefined) return yield* step.value
      return decoded(into)
    }
    yield* yieldToIo
  }
})

const decodeRange = (
  values: ReadonlyArray<unknown>,
  from: number,
  to: number,
  unparsed: ReadonlySet<number>,
  into: { events: Array<UsageEvent>; indexes: Array<number>; problems: Array<EventProblem> }
): void => {
  for (let index = from; index < to; index++) {
    if (unparsed.has(index)) continue
    const exit = decodeEvent(values[index])
    if (Exit.isSuccess(exit)) {
      into.events.push(exit.value)
      into.indexes.push(index)
      continue
    }
    const error = Exit.findErrorOption(exit)
    if (error._tag === "None") throw new Error("UsageEvent decoding died")
    for (const issue of formatIssue(error.value.issue).issues) {
      into.problems.push({ index, field: (issue.path ?? []).map(String).join("."), message: issue.message })
    }
  }
}

/**
 * The `OperatorInvalid` answered for a batch with bad events; nothing was stored.
 *
 * @since 0.1.0
 * @category errors
 */
export const invalidBatch = (problems: ReadonlyArray<EventProblem>): OperatorInvalid => {
  const events = new Set(problems.map((p) => p.index)).size
  return new OperatorInvalid({
    message: `${events} event${events === 1 ? "" : "s"} of the batch ${events === 1 ? "is" : "are"} invalid; nothing was stored`,
    problems
  })
}

/**
 * The body decoded as UTF-8, or `OperatorInvalid` when it is not UTF-8.
 *
 * @since 0.1.0
 * @category parsing
 */
export const decodeUtf8 = (bytes: ArrayBuffer): Result.Result<string, OperatorInvalid> => {
  try {
    return Result.succeed(utf8.decode(bytes))
  } catch {
    return Result.fail(invalidRequest("", "the body is not valid UTF-8"))
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true })

const unsupportedType = (contentType: string) =>
  invalidRequest(
    "content-type",
    `Content-Type ${JSON.stringify(contentType)} is not taken: send application/json (an array) or application/x-ndjson`
  )

const unreadable = invalidRequest("", "the body could not be read")

/**
 * Reads the batch of a request: its `Content-Type` (JSON when absent), then
 * at most `maxBatchBytes` of body (`Content-Length` is checked first, a
 * chunked body while it is read), as UTF-8, then `decodeBatchYielding`. Fails only
 * for the request as a whole (413 past a limit, 400 otherwise); bad events
 * are problems of the batch.
 *
 * @since 0.2.0
 * @category parsing
 */
export const readBatch = Effect.fnUntraced(function* (request: HttpServerRequest.HttpServerRequest) {
  const contentType = request.headers["content-type"]
  const format = batchFormat(contentType)
  if (format === undefined) return yield* unsupportedType(contentType ?? "")
  if (Number(request.headers["content-length"]) > maxBatchBytes) return yield* bodyTooLarge
  const bytes = yield* request.arrayBuffer.pipe(
    Effect.provideService(HttpIncomingMessage.MaxBodySize, ByteSize.bytes(maxBatchBytes)),
    Effect.catch((error) =>
      Effect.fail(
        error.reason._tag === "RequestParseError" && error.reason.reason === "BodyTooLarge" ? bodyTooLarge : unreadable
      )
    )
  )
  const body = decodeUtf8(bytes)
  if (Result.isFailure(body)) return yield* body.failure
  return yield* decodeBatchYielding(body.success, format)
})
