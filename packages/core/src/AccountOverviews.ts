/**
 * The one service of the system: an account overview for a reseller's
 * customer. The microservice provides it from the ledger, the SDK from a
 * remote endpoint; callers are the same either way.
 *
 * @since 0.1.0
 */
import { Context, type Effect } from "effect"
import type { OverviewError } from "./Errors.js"
import type { Overview } from "./Overview.js"
import type { Credentials } from "./OverviewRequest.js"

/**
 * Gives the overview of `user`'s current billing cycle, asked with a
 * reseller's credentials.
 *
 * @since 0.1.0
 * @category services
 */
export class AccountOverviews extends Context.Service<
  AccountOverviews,
  {
    readonly overview: (credentials: Credentials, user: string) => Effect.Effect<Overview, OverviewError>
  }
>()("@account-overview/core/AccountOverviews") {}
