/**
 * The usage voids group of the operator API: `POST /v1/usage/voids`.
 *
 * @since 0.2.0
 */
import {
  type EventProblem,
  maxEventsPerBatch,
  maxNameLength,
  Name,
  OperatorApi,
  OperatorBatchTooLarge,
  OperatorInvalid
} from "@account-overview/core"
import { Ledger } from "@account-overview/store"
import { Effect, Schema } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { orUnavailable } from "./Errors.js"

const isName = Schema.is(Name)

/**
 * The problems of a list of ids to void, by index: each must be a name
 * (core's `Name`, the rule of an event's id).
 *
 * @since 0.2.0
 * @category validation
 */
export const idProblems = (ids: ReadonlyArray<unknown>): Array<EventProblem> => {
  const problems: Array<EventProblem> = []
  ids.forEach((id, index) => {
    if (!isName(id)) {
      problems.push({
        index,
        field: "id",
        message: `an event id: a name of 1 to ${maxNameLength} characters, no control characters`
      })
    }
  })
  return problems
}

const invalid = (problems: ReadonlyArray<EventProblem>) => {
  const n = new Set(problems.map((p) => p.index)).size
  return new OperatorInvalid({
    message: `${n} id${n === 1 ? "" : "s"} of the call ${n === 1 ? "is" : "are"} invalid; nothing was voided`,
    problems
  })
}

/**
 * `POST /v1/usage/voids`: checks every id (400 naming each bad one by
 * index), then `Ledger.voidEvents`, which voids them in one transaction or,
 * when any is not a stored event, voids nothing (400, by index).
 *
 * @since 0.2.0
 * @category handlers
 */
export const UsageVoidsHandlers = HttpApiBuilder.group(
  OperatorApi,
  "usageVoids",
  Effect.fnUntraced(function* (handlers) {
    const ledger = yield* Ledger
    return handlers.handle(
      "void",
      Effect.fnUntraced(function* ({ payload }) {
        if (payload.ids.length > maxEventsPerBatch) {
          return yield* new OperatorBatchTooLarge({
            message: `a call voids at most ${maxEventsPerBatch} events, this one names ${payload.ids.length}`,
            limit: maxEventsPerBatch
          })
        }
        const problems = idProblems(payload.ids)
        if (problems.length > 0) return yield* invalid(problems)
        return yield* ledger.voidEvents(payload.ids as ReadonlyArray<string>).pipe(
          Effect.catchTag("LedgerRejected", (e) => Effect.fail(invalid(e.problems))),
          orUnavailable
        )
      })
    )
  })
)
