/**
 * `@account-overview/sdk/fetch`, for browsers, edge runtimes, Deno and Bun:
 * the client of the Reseller Account Overview call (`distributor.account`
 * v1, `reseller.account` v2), as Effect layers (`AccountOverviewsRemote`)
 * and as Promises (`createClient`), over the Fetch API; plus the operator
 * client. Imports nothing from Node.
 *
 * @since 0.1.0
 */
import { makeEntry } from "./internal/entry.js"
import { effectForm } from "./internal/webhook.js"
import { verifyWebhookWeb } from "./internal/webhookWeb.js"
import { fetchTransport } from "./Transport.js"

export * from "./Client.js"
export * from "./Errors.js"
export * from "./HttpClientTransport.js"
export * from "./OperatorClient.js"
export * from "./Transport.js"
export * from "./Webhooks.js"
export * from "./WithResponse.js"

const entry = makeEntry(() => fetchTransport())

/**
 * Creates a client (over fetch); as `createClient` of the Node entry.
 *
 * @example
 * ```ts
 * import { createClient } from "@account-overview/sdk/fetch"
 *
 * const client = createClient({ baseUrl: "https://api.example.com", apiUser: "reseller", apiKey: "secret" })
 * const overview = await client.overview("customer@example.com")
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const createClient = entry.createClient

/**
 * The remote overview call as an Effect service, as `AccountOverviewsRemote`
 * of the Node entry (the same service key), with fetch beneath `layer` and
 * `layerConfig`.
 *
 * @since 0.1.0
 * @category services
 */
export class AccountOverviewsRemote extends entry.AccountOverviewsRemote {}

/**
 * `verifyWebhook` of the Node entry, over WebCrypto (`crypto.subtle`): the
 * same answers and errors, as a Promise (WebCrypto is asynchronous), so
 * code that `await`s it runs on both entries.
 *
 * @since 0.2.0
 * @category webhooks
 */
export const verifyWebhook = verifyWebhookWeb

/**
 * `verifyWebhook` as an Effect, as `verifyWebhookEffect` of the Node entry.
 *
 * @since 0.2.0
 * @category webhooks
 */
export const verifyWebhookEffect = effectForm(verifyWebhookWeb)
