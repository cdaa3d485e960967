import { OperatorApi, resellerCycleReportCsv } from "@account-overview/core"
import { Ledger } from "@account-overview/store"
import { Effect, Option } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { notFound, orUnavailable, rejected } from "./Errors.js"

/**
 * `GET /v1/customers/{user}/cycles`, `POST /v1/customers/{user}/package`,
 * `DELETE /v1/customers/{user}/package/scheduled`,
 * `GET /v1/resellers/{apiUser}/cycles` and its CSV twin `cycles.csv`.
 *
 * @since 0.2.0
 * @category handlers
 */
export const BillingHandlers = HttpApiBuilder.group(
  OperatorApi,
  "billing",
  Effect.fnUntraced(function* (handlers) {
    const ledger = yield* Ledger
    const orNotFound =
      (kind: "customer" | "reseller", name: string) =>
      <A, E, R>(self: Effect.Effect<Option.Option<A>, E, R>) =>
        Effect.flatMap(self, (found) =>
          Option.isSome(found) ? Effect.succeed(found.value) : Effect.fail(notFound(kind, name))
        )
    const report = (apiUser: string, closedOn: Parameters<Ledger["Service"]["resellerCycles"]>[1]) =>
      ledger.resellerCycles(apiUser, closedOn).pipe(orUnavailable, orNotFound("reseller", apiUser))
    return handlers.handleAll({
      cycles: ({ params, query }) =>
        ledger.customerCycles(params.user, { from: query.from, to: query.to }).pipe(
          Effect.catchTag("LedgerRejected", (e) => Effect.fail(rejected(e.problems, "cycles not read"))),
          orUnavailable,
          orNotFound("customer", params.user)
        ),
      changePackage: ({ params, payload }) =>
        ledger.changePackage(params.user, payload.package, payload.effective).pipe(
          Effect.catchTag("LedgerRejected", (e) =>
            Effect.fail(rejected(e.problems, `package of ${JSON.stringify(params.user)} not changed`))
          ),
          orUnavailable,
          orNotFound("customer", params.user)
        ),
      cancelPackageChange: ({ params }) =>
        ledger.cancelPackageChange(params.user).pipe(orUnavailable, orNotFound("customer", params.user)),
      resellerCycles: ({ params, query }) => report(params.apiUser, query.closedOn),
      resellerCyclesCsv: ({ params, query }) =>
        Effect.map(report(params.apiUser, query.closedOn), resellerCycleReportCsv)
    })
  })
)
