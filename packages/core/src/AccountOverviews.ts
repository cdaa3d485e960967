/**
 * The one service of the system: an account overview for a reseller's
 * customer. The microservice provides it from the ledger, the SDK from a
 * remote endpoint; callers are the same either way.
 *
 * @since 0.1.0
 */
import { Context, type Effect } from "effect"
import type { OverviewError, RateLimited } from "./Errors.js"
import type { Overview } from "./Overview.js"
import type { Credentials } from "./OverviewRequest.js"

/**
 * Options of one overview call.
 *
 * @since 0.2.0
 * @category models
 */
export interface OverviewOptions {
  /**
   * The caller's say on who may be served, for a service that checks keys.
   * It is called once, with the reseller the call speaks for, as soon as the
   * service knows it and before it checks the key: `credentials.apiUser`,
   * or for key-only credentials (`apiKeyUser`) the reseller of the customer,
   * `undefined` when there is no such customer. Its failure is the call's.
   * The server's throttles answer through it; a service that checks no key
   * (a remote client) does not call it.
   */
  readonly admit?: ((apiUser: string | undefined) => Effect.Effect<void, RateLimited>) | undefined
}

/**
 * Gives the overview of `user`'s current billing cycle, asked with a
 * reseller's credentials. With `api_user` the literal `apiKeyUser`
 * (`apikey`), the key speaks for the reseller the customer belongs to.
 *
 * @since 0.1.0
 * @category services
 */
export class AccountOverviews extends Context.Service<
  AccountOverviews,
  {
    readonly overview: (
      credentials: Credentials,
      user: string,
      options?: OverviewOptions
    ) => Effect.Effect<Overview, OverviewError>
  }
>()("@account-overview/core/AccountOverviews") {}
