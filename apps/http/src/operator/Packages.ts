import { OperatorApi } from "@account-overview/core"
import { Ledger } from "@account-overview/store"
import { Effect } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { orUnavailable } from "./Errors.js"

/**
 * `PUT /v1/packages/{name}`, `GET /v1/packages`.
 *
 * @since 0.1.0
 * @category handlers
 */
export const PackagesHandlers = HttpApiBuilder.group(
  OperatorApi,
  "packages",
  Effect.fnUntraced(function* (handlers) {
    const ledger = yield* Ledger
    return handlers.handleAll({
      set: ({ params, payload }) => ledger.upsertPackage({ name: params.name, ...payload }).pipe(orUnavailable),
      list: () => ledger.listPackages().pipe(orUnavailable)
    })
  })
)
