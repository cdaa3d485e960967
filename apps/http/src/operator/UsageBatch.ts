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

/**
 * Splits NDJSON into values, one per non-blank line; a line that is not JSON
 * becomes a problem of the event at that position.
 */
const parseNdjson = (
  body: string
): Result.Result<
  { readonly values: Array<unknown>; readonly problems: Array<EventProblem> },
  OperatorBatchTooLarge
> => {
  const values: Array<unknown> = []
  const problems: Array<EventProblem> = []
  let start = 0
  let line = 0
  while (start <= body.length) {
    let end = body.indexOf("\n", start)
    if (end === -1) end = body.length
    line++
    const text = body.slice(start, end).trim()
    start = end + 1
    if (text === "") continue
    if (values.length === maxEventsPerBatch) return Result.fail(tooMany(undefined))
    try {
      values.push(JSON.parse(text))
    } catch {
      problems.push({ index: values.length, field: "", message: `line ${line} is not valid JSON` })
      values.push(undefined)
    }
  }
  return Result.succeed({ values, problems })
}

const parseJson = (body: string): Result.Result<Array<unknown>, OperatorInvalid | OperatorBatchTooLarge> => {
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
  const parsed = parseBatch(body, format)
  if (Result.isFailure(parsed)) return Result.fail(parsed.failure)
  const { values, problems } = parsed.success
  const events: Array<UsageEvent> = []
  const indexes: Array<number> = []
  const unparsed = new Set(problems.map((p) => p.index))
  decodeRange(values, 0, values.length, unparsed, { events, indexes, problems })
  problems.sort((a, b) => a.index - b.index)
  return Result.succeed({ events, indexes, problems })
}

/**
 * Events decoded per synchronous step of `decodeBatchYielding`: about a
 * millisecond of work, so a 10,000-event batch never holds the event loop
 * for long.
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
 * `decodeBatch`, decoding `decodeChunk` events per step and letting the
 * event loop run between steps (the answer is the same).
 *
 * @since 0.2.0
 * @category parsing
 */
export const decodeBatchYielding = Effect.fnUntraced(function* (body: string, format: BatchFormat) {
  const parsed = parseBatch(body, format)
  if (Result.isFailure(parsed)) return yield* parsed.failure
  yield* yieldToIo
  const { values, problems } = parsed.success
  const events: Array<UsageEvent> = []
  const indexes: Array<number> = []
  const unparsed = new Set(problems.map((p) => p.index))
  for (let from = 0; from < values.length; from += decodeChunk) {
    decodeRange(values, from, Math.min(values.length, from + decodeChunk), unparsed, { events, indexes, problems })
    yield* yieldToIo
  }
  problems.sort((a, b) => a.index - b.index)
  return { events, indexes, problems } satisfies DecodedBatch
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

const parseBatch = (
  body: string,
  format: BatchFormat
): Result.Result<
  { readonly values: Array<unknown>; readonly problems: Array<EventProblem> },
  OperatorInvalid | OperatorBatchTooLarge
> => {
  let values: Array<unknown>
  const problems: Array<EventProblem> = []
  if (format === "json") {
    const parsed = parseJson(body)
    if (Result.isFailure(parsed)) return Result.fail(parsed.failure)
    values = parsed.success
  } else {
    const parsed = parseNdjson(body)
    if (Result.isFailure(parsed)) return Result.fail(parsed.failure)
    values = parsed.success.values
    problems.push(...parsed.success.problems)
  }
  return Result.succeed({ values, problems })
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
