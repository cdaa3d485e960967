/**
 * The usage group of the operator API: `POST /v1/usage`.
 *
 * @since 0.1.0
 */
import { OperatorApi } from "@account-overview/core"
import { Ledger } from "@account-overview/store"
import { Effect, Option } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { WebhookDelivery } from "../WebhookDelivery.js"
import { orUnavailable } from "./Errors.js"
import { invalidBatch, readBatch } from "./UsageBatch.js"

/**
 * `POST /v1/usage`: reads the body itself (`readBatch`: JSON array or
 * NDJSON, at most `maxBatchBytes`, each event decoded), then hands the
 * events and the problems of those that did not decode to `Ledger.ingest`,
 * which checks the customers, answers every problem of the batch at once
 * (400, nothing stored) or stores the batch in one transaction and answers
 * once it is committed; then wakes this instance's webhook worker, which
 * delivers the usage alerts the batch raised (in its transaction).
 *
 * @since 0.1.0
 * @category handlers
 */
export const UsageHandlers = HttpApiBuilder.group(
  OperatorApi,
  "usage",
  Effect.fnUntraced(function* (handlers) {
    const ledger = yield* Ledger
    const worker = Option.getOrUndefined(yield* Effect.serviceOption(WebhookDelivery))
    return handlers.handleRaw("ingest", ({ request }) =>
      Effect.flatMap(readBatch(request), ({ events, indexes, problems }) =>
        ledger.ingest(events, { indexes, problems }).pipe(
          Effect.catchTag("LedgerRejected", (e) => Effect.fail(invalidBatch(e.problems))),
          orUnavailable,
          Effect.tap((result) => (result.accepted > 0 && worker !== undefined ? worker.wake : Effect.void))
        )
      )
    )
  })
)
