import {
  type EventProblem,
  isCalendarDate,
  maxEventsPerBatch,
  mediaTypeOf,
  OperatorBatchTooLarge,
  OperatorInvalid,
  UsageEvent
} from "@account-overview/core"
import { Exit, Result, Schema, SchemaIssue } from "effect"

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
 * A batch whose every event decoded: the events in batch order, or the
 * problems of every bad event and the events that did decode (with their
 * index in the batch), so that the caller can add the store's own checks.
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

/**
 * Whether an `Instant` names a real day and hour: V8's `Date.parse` rolls
 * `2024-02-30` over to March 1 and takes `T24:00`, which core's `Instant`
 * lets through, so an event would be counted on a day it was not sent for.
 *
 * @since 0.1.0
 * @category validation
 */
export const isRealInstant = (instant: string): boolean =>
  isCalendarDate(instant.slice(0, 10)) && Number(instant.slice(11, 13)) < 24

const notRealInstant = "an RFC 3339 timestamp of a real day and time, such as 2024-02-29T13:45:00Z"
const formatIssue = SchemaIssue.makeFormatterStandardSchemaV1()

const tooMany = (count: number | undefined) =>
  new OperatorBatchTooLarge({
    message:
      count === undefined
        ? `a usage batch holds at most ${maxEventsPerBatch} events`
        : `a usage batch holds at most ${maxEventsPerBatch} events, this one holds ${count}`,
    limit: maxEventsPerBatch
  })

const invalidBody = (message: string) =>
  new OperatorInvalid({ message, problems: [{ index: wholeRequest, field: "", message }] })

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
    return Result.fail(invalidBody(notJson))
  }
  if (!Array.isArray(value)) return Result.fail(invalidBody(notArray))
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
  const unparsed = new Set(problems.map((p) => p.index))
  const events: Array<UsageEvent> = []
  const indexes: Array<number> = []
  for (let index = 0; index < values.length; index++) {
    if (unparsed.has(index)) continue
    const value = values[index]
    const exit = decodeEvent(value)
    const before = problems.length
    if (Exit.isFailure(exit)) {
      const error = Exit.findErrorOption(exit)
      if (error._tag === "None") throw new Error("UsageEvent decoding died")
      for (const issue of formatIssue(error.value.issue).issues) {
        problems.push({ index, field: (issue.path ?? []).map(String).join("."), message: issue.message })
      }
    }
    const occurredAt =
      typeof value === "object" && value !== null ? (value as { occurredAt?: unknown }).occurredAt : undefined
    if (
      typeof occurredAt === "string" &&
      !problems.some((p, i) => i >= before && p.field === "occurredAt") &&
      !isRealInstant(occurredAt)
    ) {
      problems.push({ index, field: "occurredAt", message: notRealInstant })
    }
    if (Exit.isSuccess(exit) && problems.length === before) {
      events.push(exit.value)
      indexes.push(index)
    }
  }
  problems.sort((a, b) => a.index - b.index)
  return Result.succeed({ events, indexes, problems })
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
    return Result.fail(invalidBody("the body is not valid UTF-8"))
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true })
