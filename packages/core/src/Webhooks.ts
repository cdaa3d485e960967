/**
 * Webhooks as the operator API and a receiver see them: an endpoint (where
 * deliveries go, which events, which resellers), the signed event a
 * delivery carries (`usage.threshold_crossed`), and the delivery log.
 *
 * @since 0.2.0
 */
import { Schema } from "effect"
import { AlertThreshold } from "./AlertThresholds.js"
import { CalendarDate } from "./CalendarDate.js"
import { Instant, Name } from "./LedgerRecords.js"
import { Count } from "./Overview.js"
import { TimeZone } from "./TimeZone.js"

/**
 * The one event type so far: a customer's usage reached a threshold of its
 * cycle's allowance.
 *
 * @since 0.2.0
 * @category constants
 */
export const usageThresholdCrossed = "usage.threshold_crossed"

/**
 * The type of an event an endpoint may ask for.
 *
 * @since 0.2.0
 * @category models
 */
export const WebhookEventType = Schema.Literal(usageThresholdCrossed)

/**
 * @since 0.2.0
 * @category models
 */
export type WebhookEventType = typeof WebhookEventType.Type

/**
 * What a `usage.threshold_crossed` event says: the customer and its
 * reseller, the cycle (local dates in `timeZone`), the threshold reached and
 * the credits used and allowed when it was.
 *
 * @since 0.2.0
 * @category models
 */
export const UsageThresholdCrossed = Schema.Struct({
  reseller: Schema.String,
  customer: Schema.String,
  cycle: Schema.Struct({ start: CalendarDate, end: CalendarDate }),
  threshold: AlertThreshold,
  creditsUsed: Count,
  creditsAllowed: Count,
  timeZone: TimeZone
})

/**
 * @since 0.2.0
 * @category models
 */
export interface UsageThresholdCrossed extends Schema.Schema.Type<typeof UsageThresholdCrossed> {}

/**
 * The JSON body of a delivery. `id` (`evt_...`) is the same on every
 * attempt and redelivery: the receiver's idempotency key; `created` is when
 * the event was raised.
 *
 * @since 0.2.0
 * @category models
 */
export const WebhookEvent = Schema.Struct({
  id: Schema.String,
  type: WebhookEventType,
  created: Instant,
  data: UsageThresholdCrossed
})

/**
 * @since 0.2.0
 * @category models
 */
export interface WebhookEvent extends Schema.Schema.Type<typeof WebhookEvent> {}

/**
 * The headers of a delivery besides `AO-Signature` (see `WebhookSignature`):
 * the event id again, so a receiver can deduplicate before parsing.
 *
 * @since 0.2.0
 * @category constants
 */
export const webhookEventIdHeader = "AO-Event-Id"

/**
 * The body of `PUT /v1/webhooks/{id}`: the URL deliveries are `POST`ed to
 * (`http` or `https`, to a host the operator allows), the events it wants,
 * optionally the resellers it covers (absent: all), and whether it is
 * enabled (default `true`).
 *
 * @since 0.2.0
 * @category models
 */
export const WebhookEndpointInput = Schema.Struct({
  url: Schema.String,
  events: Schema.NonEmptyArray(WebhookEventType),
  resellers: Schema.optionalKey(Schema.Array(Name)),
  enabled: Schema.optionalKey(Schema.Boolean)
})

/**
 * @since 0.2.0
 * @category models
 */
export interface WebhookEndpointInput extends Schema.Schema.Type<typeof WebhookEndpointInput> {}

/**
 * A webhook endpoint. `secret` (`whsec_...`) is present only in the answer
 * that created the endpoint, shown this once; `previousSecretExpiresAt`
 * while a rotated-out secret still signs deliveries.
 *
 * @since 0.2.0
 * @category models
 */
export const WebhookEndpoint = Schema.Struct({
  id: Name,
  url: Schema.String,
  events: Schema.Array(WebhookEventType),
  resellers: Schema.optionalKey(Schema.Array(Name)),
  enabled: Schema.Boolean,
  createdAt: Instant,
  previousSecretExpiresAt: Schema.optionalKey(Instant),
  secret: Schema.optionalKey(Schema.String)
})

/**
 * @since 0.2.0
 * @category models
 */
export interface WebhookEndpoint extends Schema.Schema.Type<typeof WebhookEndpoint> {}

/**
 * The default grace period of a rotated-out secret: 24 hours, in seconds.
 *
 * @since 0.2.0
 * @category constants
 */
export const defaultSecretGraceSeconds = 86_400

/**
 * The body of `POST /v1/webhooks/{id}/rotate-secret`: how long the old
 * secret keeps signing (0 to 30 days, in seconds; 24 hours when absent).
 *
 * @since 0.2.0
 * @category models
 */
export const WebhookRotateInput = Schema.Struct({
  graceSeconds: Schema.optionalKey(
    Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 0, maximum: 30 * 86_400 })))
  )
})

/**
 * What a rotation answers: the new secret, shown this once, and when the
 * old one stops signing.
 *
 * @since 0.2.0
 * @category models
 */
export const WebhookSecretRotation = Schema.Struct({
  secret: Schema.String,
  previousSecretExpiresAt: Instant
})

/**
 * @since 0.2.0
 * @category models
 */
export interface WebhookSecretRotation extends Schema.Schema.Type<typeof WebhookSecretRotation> {}

/**
 * Where a delivery stands: `pending` (due now or at `nextAttemptAt`),
 * `delivered` (a 2xx answer), `failed` (no 2xx within the retry window).
 *
 * @since 0.2.0
 * @category models
 */
export const WebhookDeliveryStatus = Schema.Literals(["pending", "delivered", "failed"])

/**
 * @since 0.2.0
 * @category models
 */
export type WebhookDeliveryStatus = typeof WebhookDeliveryStatus.Type

/**
 * One delivery of one event to one endpoint, with the event it carries.
 * `lastStatus` is the HTTP status of the last attempt (absent when it got no
 * answer), `lastError` why it failed.
 *
 * @since 0.2.0
 * @category models
 */
export const WebhookDelivery = Schema.Struct({
  id: Schema.String,
  eventId: Schema.String,
  type: WebhookEventType,
  status: WebhookDeliveryStatus,
  attempts: Count,
  lastStatus: Schema.optionalKey(Schema.Int),
  lastError: Schema.optionalKey(Schema.String),
  nextAttemptAt: Schema.optionalKey(Instant),
  deliveredAt: Schema.optionalKey(Instant),
  createdAt: Instant,
  event: WebhookEvent
})

/**
 * @since 0.2.0
 * @category models
 */
export interface WebhookDelivery extends Schema.Schema.Type<typeof WebhookDelivery> {}
