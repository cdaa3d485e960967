/**
 * Usage ingestion in batches: events pulled from any (async) iterable, sent
 * one batch after the other (at most `maxEventsPerBatch` each), each batch
 * retried safely (event ids make it idempotent), a refused batch's problems
 * indexed in the whole stream.
 */
import { type IngestResult, maxEventsPerBatch, type UsageEvent } from "@account-overview/core"
import { Effect } from "effect"
import { type ClientError, InvalidRequestError } from "../../Errors.js"
import type { IngestOptions, IngestSummary } from "../../OperatorClient.js"
import { checkCount } from "../settings.js"

/** Sends one batch of events. */
export type SendBatch = (events: ReadonlyArray<UsageEvent>) => Effect.Effect<typeof IngestResult.Type, ClientError>

type Events = Iterable<UsageEvent> | AsyncIterable<UsageEvent>

/** A refused batch's error, its problems indexed in the whole stream and saying what was stored. */
const inStream = (error: ClientError, offset: number, batches: number): ClientError =>
  error instanceof InvalidRequestError && error.problems.length > 0
    ? new InvalidRequestError({
        status: error.status,
        method: error.method,
        path: error.path,
        attempts: error.attempts,
        messages: [
          ...error.messages,
          `events before index ${offset} were stored (${batches} batches); none of this batch was`
        ],
        problems: error.problems.map((p) => ({ ...p, index: p.index + offset }))
      })
    : error

const ingestFrom = Effect.fnUntraced(function* (
  send: SendBatch,
  iterator: Iterator<UsageEvent> | AsyncIterator<UsageEvent>,
  options: IngestOptions,
  exhausted: () => void
) {
  const batchSize = yield* Effect.try({
    try: () => checkCount(options.batchSize ?? maxEventsPerBatch, "batchSize", 1, maxEventsPerBatch),
    catch: (error) => error as ClientError
  })
  const pull = Effect.promise(async () => iterator.next())
  let sent = 0
  let accepted = 0
  let duplicates = 0
  let batches = 0
  const conflicts: Array<string> = []
  let batch: Array<UsageEvent> = []
  let done = false
  const flush = Effect.gen(function* () {
    const offset = sent
    const payload = batch
    batch = []
    const result = yield* Effect.mapError(send(payload), (error) => inStream(error, offset, batches))
    sent += payload.length
    batches++
    accepted += result.accepted
    duplicates += result.duplicates.length
    for (const id of result.conflicts) conflicts.push(id)
    options.onBatch?.({
      batch: batches,
      events: payload.length,
      accepted: result.accepted,
      duplicates: result.duplicates.length,
      conflicts: result.conflicts.length,
      totalEvents: sent,
      totalAccepted: accepted
    })
  })
  while (!done) {
    const next = yield* pull
    if (next.done === true) {
      done = true
      exhausted()
    } else batch.push(next.value)
    if (batch.length === batchSize || (done && batch.length > 0)) yield* flush
  }
  const summary: IngestSummary = { events: sent, accepted, duplicates, conflicts, batches }
  return summary
})

/** Ingests `events` with `send`; an iterator left unfinished (a failure, an interruption) is closed. */
export const ingest = (
  send: SendBatch,
  events: Events,
  options: IngestOptions = {}
): Effect.Effect<IngestSummary, ClientError> =>
  Effect.suspend(() => {
    const iterator =
      Symbol.asyncIterator in events
        ? (events as AsyncIterable<UsageEvent>)[Symbol.asyncIterator]()
        : (events as Iterable<UsageEvent>)[Symbol.iterator]()
    let done = false
    return ingestFrom(send, iterator, options, () => (done = true)).pipe(
      Effect.ensuring(
        Effect.sync(() => {
          if (!done) Promise.resolve(iterator.return?.()).catch(() => undefined)
        })
      )
    )
  })
