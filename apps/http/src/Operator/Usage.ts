import {
  type EventProblem,
  type IngestResult,
  OperatorApi,
  OperatorInvalid,
  type UsageEvent
} from "@account-overview/core"
import { Ledger } from "@account-overview/store"
import { ByteSize, Effect, Option, Result } from "effect"
import { HttpIncomingMessage } from "effect/http"
import { HttpApiBuilder } from "effect/http-api"
import { orUnavailable } from "./Errors.js"
import {
  batchFormat,
  bodyTooLarge,
  decodeBatch,
  decodeUtf8,
  invalidBatch,
  maxBatchBytes,
  wholeRequest
} from "./UsageBatch.js"

const emptyResult: IngestResult = { accepted: 0, duplicates: [], conflicts: [] }
const lookupConcurrency = 16

const unsupportedType = (contentType: string) => {
  const message = `Content-Type ${JSON.stringify(contentType)} is not taken: send application/json (an array) or application/x-ndjson`
  return new OperatorInvalid({ message, problems: [{ index: wholeRequest, field: "content-type", message }] })
}

const unreadable = new OperatorInvalid({
  message: "the body could not be read",
  problems: [{ index: wholeRequest, field: "", message: "the body could not be read" }]
})

/**
 * `POST /v1/usage`: reads the body itself (JSON array or NDJSON, at most
 * `maxBatchBytes`), validates every event, then stores the batch in one
 * transaction and answers only once it is committed.
 *
 * @since 0.1.0
 * @category handlers
 */
export const UsageHandlers = HttpApiBuilder.group(
  OperatorApi,
  "usage",
  Effect.fnUntraced(function* (handlers) {
    const ledger = yield* Ledger

    const unknownCustomers = (events: ReadonlyArray<UsageEvent>, indexes: ReadonlyArray<number>) =>
      Effect.gen(function* () {
        const users = Array.from(new Set(events.map((e) => e.user)))
        const found = yield* Effect.forEach(users, (user) => ledger.getCustomer(user), {
          concurrency: lookupConcurrency
        }).pipe(orUnavailable)
        const missing = new Set(users.filter((_, i) => Option.isNone(found[i]!)))
        const problems: Array<EventProblem> = []
        events.forEach((event, i) => {
          if (missing.has(event.user)) {
            problems.push({
              index: indexes[i]!,
              field: "user",
              message: `no customer named ${JSON.stringify(event.user)}`
            })
          }
        })
        return problems
      })

    return handlers.handleRaw("ingest", ({ request }) =>
      Effect.gen(function* () {
        const contentType = request.headers["content-type"]
        const format = batchFormat(contentType)
        if (format === undefined) return yield* unsupportedType(contentType ?? "")
        if (Number(request.headers["content-length"]) > maxBatchBytes) return yield* bodyTooLarge
        const bytes = yield* request.arrayBuffer.pipe(
          Effect.provideService(HttpIncomingMessage.MaxBodySize, ByteSize.bytes(maxBatchBytes)),
          Effect.catch((error) =>
            Effect.fail(
              error.reason._tag === "RequestParseError" && error.reason.reason === "BodyTooLarge"
                ? bodyTooLarge
                : unreadable
            )
          )
        )
        const body = decodeUtf8(bytes)
        if (Result.isFailure(body)) return yield* body.failure
        const batch = decodeBatch(body.success, format)
        if (Result.isFailure(batch)) return yield* batch.failure
        const { events, indexes, problems } = batch.success
        if (problems.length > 0) {
          const missing = yield* unknownCustomers(events, indexes)
          return yield* invalidBatch([...problems, ...missing].sort((a, b) => a.index - b.index))
        }
        if (events.length === 0) return emptyResult
        return yield* ledger.ingest(events).pipe(
          Effect.catchTag("LedgerRejected", (e) => Effect.fail(invalidBatch(e.problems))),
          orUnavailable
        )
      })
    )
  })
)
