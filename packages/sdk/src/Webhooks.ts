/**
 * Receiving the service's webhooks: what a delivery's body and event are,
 * the options of `verifyWebhook` and the error it throws when a delivery
 * cannot be taken as genuine for a reason worth telling apart from a wrong
 * signature (decision record 0111). `verifyWebhook` itself comes from the
 * entry point: synchronous over `node:crypto` on Node, a Promise over
 * WebCrypto in `@account-overview/sdk/fetch`; `await` works with both.
 *
 * @since 0.2.0
 */
import type { WebhookEvent as CoreWebhookEvent } from "@account-overview/core"

/**
 * A delivery's raw body exactly as it was received: the text, or its bytes
 * (a `Buffer` is a `Uint8Array`). Never a re-serialised `JSON.parse` of it.
 *
 * @since 0.2.0
 * @category models
 */
export type WebhookBody = string | Uint8Array

/**
 * The endpoint's signing secret, or several (during a rotation, the new and
 * the old one): a delivery is genuine when one of its signatures is the
 * signature under one of them.
 *
 * @since 0.2.0
 * @category models
 */
export type WebhookSecret = string | ReadonlyArray<string>

/**
 * Options of `verifyWebhook`.
 *
 * @since 0.2.0
 * @category models
 */
export interface VerifyWebhookOptions {
  /**
   * How far, in seconds, the signed timestamp may be from `now`, in the past
   * or in the future (default 300); `Infinity` turns the check off.
   */
  readonly tolerance?: number | undefined
  /** The time to compare the timestamp with (default: the clock), as a `Date` or milliseconds since 1970. */
  readonly now?: Date | number | undefined
}

/**
 * The shape of `verifyWebhook` and `verifyWebhookEffect`, answering `A`:
 * `boolean` on Node, `Promise<boolean>` in the fetch entry, an `Effect` in
 * the Effect form.
 *
 * @since 0.2.0
 * @category models
 */
export type WebhookVerifier<A> = (
  body: WebhookBody,
  header: string | null | undefined,
  secret: WebhookSecret,
  options?: VerifyWebhookOptions
) => A

/**
 * Why `verifyWebhook` refused a delivery without answering `false`:
 *
 * - `MalformedHeader`: the `AO-Signature` header is missing, or has no
 *   whole-number `t=` or no `v1=` (a request that is no delivery, or a proxy
 *   that dropped the header);
 * - `TimestampOutsideTolerance`: a signature matches, but its timestamp is
 *   further than the tolerance from now (a replay, or a clock that is off).
 *
 * @since 0.2.0
 * @category models
 */
export type WebhookSignatureReason = "MalformedHeader" | "TimestampOutsideTolerance"

/**
 * A delivery refused for a `reason` other than a wrong signature. Its
 * message never holds the secret, the body or the signatures.
 *
 * @since 0.2.0
 * @category errors
 */
export class WebhookSignatureInvalid extends Error {
  /** The class's name, for `Effect.catchTag`. */
  readonly _tag = "WebhookSignatureInvalid" as const
  override readonly name = "WebhookSignatureInvalid"
  readonly reason: WebhookSignatureReason
  /** The signed timestamp (unix seconds), when the header had one. */
  readonly timestamp: number | undefined
  constructor(reason: WebhookSignatureReason, message: string, timestamp?: number) {
    super(message)
    this.reason = reason
    this.timestamp = timestamp
  }
}

/**
 * Whether a value is a `WebhookSignatureInvalid`.
 *
 * @since 0.2.0
 * @category guards
 */
export const isWebhookSignatureInvalid = (u: unknown): u is WebhookSignatureInvalid =>
  u instanceof WebhookSignatureInvalid

/**
 * The event a delivery carries (its body, parsed after verification; core's
 * `WebhookEvent` schema decodes it): `id` is the receiver's idempotency key
 * (also in the `AO-Event-Id` header), the same on every redelivery.
 *
 * @since 0.2.0
 * @category models
 */
export type WebhookEvent = CoreWebhookEvent
