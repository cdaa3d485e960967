import { OperatorApi } from "@account-overview/core"
import { Ledger, LedgerOverviews } from "@account-overview/store"
import { Effect, Option } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { notFound, orUnavailable, rejected } from "./Errors.js"

/**
 * Page size of listings when the query does not give one.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultLimit = 100

/**
 * `PUT|GET /v1/customers/{user}`, `GET /v1/customers`,
 * `GET /v1/customers/{user}/overview`.
 *
 * @since 0.1.0
 * @category handlers
 */
export const CustomersHandlers = HttpApiBuilder.group(
  OperatorApi,
  "customers",
  Effect.fnUntraced(function* (handlers) {
    const ledger = yield* Ledger
    const overviews = yield* LedgerOverviews
    return handlers.handleAll({
      set: ({ params, payload }) =>
        ledger.upsertCustomer({ user: params.user, ...payload }).pipe(
          Effect.catchTag("LedgerRejected", (e) =>
            Effect.fail(rejected(e.problems, `customer ${JSON.stringify(params.user)} not stored`))
          ),
          orUnavailable
        ),
      get: ({ params }) =>
        ledger.getCustomer(params.user).pipe(
          orUnavailable,
          Effect.flatMap(
            Option.match({
              onNone: () => Effect.fail(notFound("customer", params.user)),
              onSome: Effect.succeed
            })
          )
        ),
      list: ({ query }) =>
        ledger
          .listCustomers({ reseller: query.reseller, limit: query.limit ?? defaultLimit, cursor: query.cursor })
          .pipe(orUnavailable),
      overview: ({ params, query }) =>
        overviews.overviewAt(params.user, query.date).pipe(
          orUnavailable,
          Effect.flatMap(
            Option.match({
              onNone: () => Effect.fail(notFound("customer", params.user)),
              onSome: Effect.succeed
            })
          )
        )
    })
  })
)
