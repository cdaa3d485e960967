/**
 * `@account-overview/sdk` for Node: the client of the Reseller Account
 * Overview call (`distributor.account` v1, `reseller.account` v2), as
 * Effect layers (`AccountOverviewsRemote`) and as Promises (`createClient`),
 * over a keep-alive undici pool; plus the operator client.
 *
 * @since 0.1.0
 */
import { makeEntry } from "./internal/entry.js"
import { effectForm } from "./internal/webhook.js"
import { verifyWebhookNode } from "./internal/webhookNode.js"
import { undiciTransport } from "./UndiciTransport.js"

export * from "./Client.js"
export * from "./Errors.js"
export * from "./HttpClientTransport.js"
export * from "./OperatorClient.js"
export * from "./Transport.js"
export * from "./UndiciTransport.js"
export * from "./Webhooks.js"
export * from "./WithResponse.js"

const entry = makeEntry(() => undiciTransport())

/**
 * Creates a client (over undici). Options left out come from the
 * environment (`ACCOUNT_OVERVIEW_BASE_URL`, `ACCOUNT_OVERVIEW_API_USER`,
 * `ACCOUNT_OVERVIEW_API_KEY`, read now) or take their defaults; a missing or
 * invalid setting throws `ConfigurationError`.
 *
 * @example
 * ```ts
 * import { createClient } from "@account-overview/sdk"
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
export const createClient = entry.createClient

/**
 * The remote overview call as an Effect service (failing with the SDK's
 * error classes), and the remote layer of core's `AccountOverviews`:
 * `layer(options)`, `layerConfig(options?)` (settings from `Config`, the
 * key through `Config.Redacted`), `layerHttpClient(options)` (over the
 * context's effect `HttpClient`); undici beneath `layer` and `layerConfig`.
 *
 * @example
 * ```ts
 * import { AccountOverviewsRemote } from "@account-overview/sdk"
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
export class AccountOverviewsRemote extends entry.AccountOverviewsRemote {}

/**
 * Whether a webhook delivery is genuine: `true` when one of the
 * `AO-Signature` header's `v1` signatures is the HMAC-SHA256 of
 * `<t>.<body>` under one of the secrets (compared in constant time) and `t`
 * is within `tolerance` seconds of now (default 300); `false` when no
 * signature matches (a wrong secret, a changed body). Throws
 * `WebhookSignatureInvalid` for a missing or unreadable header
 * (`MalformedHeader`) and for a matching signature whose timestamp is out
 * of the tolerance (`TimestampOutsideTolerance`: a replay, or a clock that
 * is off); `ConfigurationError` for no secret or a bad option. Pass the raw
 * body, as received. Synchronous, over `node:crypto`.
 *
 * @example
 * ```ts
 * import { verifyWebhook } from "@account-overview/sdk"
 *
 * // body: the raw request body (string or Buffer); header: the AO-Signature header
 * const genuine = (body: string, header: string | undefined) => verifyWebhook(body, header, "whsec_...")
 * ```
 *
 * @since 0.2.0
 * @category webhooks
 */
export const verifyWebhook = verifyWebhookNode

/**
 * `verifyWebhook` as an Effect: `true` or `false` as its value,
 * `WebhookSignatureInvalid` as its failure, a `ConfigurationError` as a
 * defect.
 *
 * @since 0.2.0
 * @category webhooks
 */
export const verifyWebhookEffect = effectForm(verifyWebhookNode)
