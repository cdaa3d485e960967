/**
 * `@account-overview/sdk/fetch`, for browsers, edge runtimes, Deno and Bun: the client of the Reseller Account
 * Overview call (`distributor.account` v1, `reseller.account` v2), as
 * Promises (`createClient`) and as Effect layers (`AccountOverviewsRemote`),
 * over the Fetch API; plus the operator client. Imports nothing from Node.
 *
 * @since 0.1.0
 */
import { makeCreateClient } from "./internal/client.js"
import { makeRemoteLayers, AccountOverviewsRemote as RemoteService } from "./internal/remote.js"
import { fetchTransport } from "./Transport.js"

export type * from "./Client.js"
export * from "./Errors.js"
export * from "./HttpClientTransport.js"
export type { RemoteCallOptions, RemoteOptions } from "./internal/remote.js"
export * from "./OperatorClient.js"
export * from "./Transport.js"

const layers = makeRemoteLayers(() => fetchTransport())

/**
 * Creates a client. Options left out come from the environment
 * (`ACCOUNT_OVERVIEW_BASE_URL`, `ACCOUNT_OVERVIEW_API_USER`,
 * `ACCOUNT_OVERVIEW_API_KEY`, read now) or take their defaults; a missing
 * or invalid setting throws `ConfigurationError`.
 *
 * @example
 * ```ts
 * import { createClient } from "@account-overview/sdk/fetch"
 *
 * const client = createClient({ baseUrl: "https://api.example.com", apiUser: "reseller", apiKey: "secret" })
 * const overview = await client.overview("customer@example.com")
 * console.log(overview.creditsRemain)
 * await client.close()
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const createClient = makeCreateClient(() => fetchTransport())

/**
 * The remote overview call as an Effect service, and the remote layer of
 * core's `AccountOverviews`: `layer(options)`, `layerConfig(options?)`
 * (settings from `Config`, the key through `Config.Redacted`),
 * `layerHttpClient(options)` (over the context's effect `HttpClient`).
 *
 * @example
 * ```ts
 * import { AccountOverviewsRemote } from "@account-overview/sdk/fetch"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const remote = yield* AccountOverviewsRemote
 *   return yield* remote.overview("customer@example.com")
 * }).pipe(Effect.provide(AccountOverviewsRemote.layerConfig()))
 * ```
 *
 * @since 0.1.0
 * @category services
 */
export class AccountOverviewsRemote extends RemoteService {
  /**
   * The service and core's `AccountOverviews`, over fetch.
   *
   * @since 0.1.0
   * @category layers
   */
  static readonly layer = layers.layer
  /**
   * `layer` with the base URL and credentials read through `Config`.
   *
   * @since 0.1.0
   * @category layers
   */
  static readonly layerConfig = layers.layerConfig
  /**
   * `layer` over the effect `HttpClient` of the context.
   *
   * @since 0.1.0
   * @category layers
   */
  static readonly layerHttpClient = layers.layerHttpClient
}
