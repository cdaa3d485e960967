/**
 * The account overview: one customer's package, credit usage and billing
 * cycle, camelCase inside, wire names (`credits_used`) outside.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { CalendarDate } from "./CalendarDate.js"

/**
 * A non-negative integer count (credits, requests).
 *
 * @since 0.1.0
 * @category models
 */
export const Count = Schema.Int.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(0)))

/**
 * A reputation score, a number from 0 to 100.
 *
 * @since 0.1.0
 * @category models
 */
export const Reputation = Schema.Finite.pipe(Schema.check(Schema.isBetween({ minimum: 0, maximum: 100 })))

/**
 * One customer's account overview for its current billing cycle.
 *
 * @since 0.1.0
 * @category models
 */
export const Overview = Schema.Struct({
  reputation: Reputation,
  requests: Count,
  package: Schema.String,
  creditsAllowed: Count,
  creditsUsed: Count,
  creditsRemain: Count,
  creditsOverage: Count,
  billingStartDate: CalendarDate,
  billingEndDate: CalendarDate,
  billingProcessDate: CalendarDate
})

/**
 * @since 0.1.0
 * @category models
 */
export interface Overview extends Schema.Schema.Type<typeof Overview> {}

/**
 * The overview's fields in wire order, each with its wire name: the order of
 * the seed's XML sample, used by every encoder.
 *
 * @since 0.1.0
 * @category wire
 */
export const overviewFields = [
  ["reputation", "reputation"],
  ["requests", "requests"],
  ["package", "package"],
  ["creditsAllowed", "credits_allowed"],
  ["creditsUsed", "credits_used"],
  ["creditsRemain", "credits_remain"],
  ["creditsOverage", "credits_overage"],
  ["billingStartDate", "billing_start_date"],
  ["billingEndDate", "billing_end_date"],
  ["billingProcessDate", "billing_process_date"]
] as const satisfies ReadonlyArray<readonly [keyof Overview, string]>

/**
 * The error body of the wire: `message` is always `error`, with one or more
 * messages.
 *
 * @since 0.1.0
 * @category models
 */
export const ErrorBody = Schema.Struct({
  message: Schema.Literal("error"),
  errors: Schema.NonEmptyArray(Schema.String)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface ErrorBody extends Schema.Schema.Type<typeof ErrorBody> {}

/**
 * The wire format, chosen by the path's extension.
 *
 * @since 0.1.0
 * @category wire
 */
export const Format = Schema.Literals(["json", "xml"])

/**
 * @since 0.1.0
 * @category wire
 */
export type Format = typeof Format.Type

/**
 * The wire dialect: `v1` is `distributor.account` under `/api`, `v2` is
 * `reseller.account` under `/apiv2`.
 *
 * @since 0.1.0
 * @category wire
 */
export const Dialect = Schema.Literals(["v1", "v2"])

/**
 * @since 0.1.0
 * @category wire
 */
export type Dialect = typeof Dialect.Type
