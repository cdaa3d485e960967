/**
 * The ledger's records as the operator API and the store see them: packages,
 * resellers, customers and usage events, and the outcome of an ingestion.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { AlertThresholds } from "./AlertThresholds.js"
import { CalendarDate, isCalendarDate } from "./CalendarDate.js"
import { Count, Reputation } from "./Overview.js"
import { TimeZone } from "./TimeZone.js"

/**
 * The longest name (of a package, a reseller, a customer, an event id), in
 * UTF-16 code units: the one limit the schemas and every operator path
 * apply. A longer name in an operator path is a 400 naming the field.
 *
 * @since 0.2.0
 * @category constants
 */
export const maxNameLength = 255

/**
 * The largest `requests` or `credits` one usage event may carry (10^12). A
 * larger value is refused with a 400 naming the field.
 *
 * @since 0.2.0
 * @category constants
 */
export const maxEventCount = 1_000_000_000_000

/**
 * The largest `requests` or `credits` one customer may collect on one day
 * (10^14); ingestion refuses a batch that would pass it. A billing cycle
 * holds at most 31 days, so its totals stay below 2^53 (by a factor of
 * almost 3) and are exact as JavaScript numbers.
 *
 * @since 0.2.0
 * @category constants
 */
export const maxDailyTotal = 100_000_000_000_000

/**
 * A count one usage event carries: an integer from 0 to `maxEventCount`.
 *
 * @since 0.2.0
 * @category models
 */
export const EventCount = Count.pipe(
  Schema.check(Schema.makeFilter((n: number) => n <= maxEventCount || `at most ${maxEventCount} (10^12) per event`))
)

/**
 * The largest number of usage events one ingestion call takes.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxEventsPerBatch = 10_000

/**
 * A name of a package, a reseller's api_user or a customer's user: 1 to
 * `maxNameLength` (255) characters, no control characters, no leading or
 * trailing white space.
 *
 * @since 0.1.0
 * @category models
 */
export const Name = Schema.String.pipe(
  Schema.check(
    Schema.makeFilter(
      (s: string) =>
        (s.length >= 1 && s.length <= maxNameLength && s.trim() === s && !/[\u0000-\u001f\u007f]/.test(s)) ||
        `1 to ${maxNameLength} characters, no control characters, no surrounding white space`
    )
  )
)

/**
 * A price per credit past the allowance, a non-negative finite number.
 *
 * @since 0.1.0
 * @category models
 */
export const Price = Schema.Finite.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(0)))

/**
 * A package: its allowance of credits per billing cycle and the price of each
 * credit past it.
 *
 * @since 0.1.0
 * @category models
 */
export const Package = Schema.Struct({
  name: Name,
  credits: Count,
  overagePrice: Schema.optionalKey(Price),
  /** Its customers' usage alert thresholds (since 0.2.0); absent: 80 % and 100 %. */
  alertThresholds: Schema.optionalKey(AlertThresholds)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface Package extends Schema.Schema.Type<typeof Package> {}

/**
 * A reseller as shown by the operator API (its key never is).
 *
 * @since 0.1.0
 * @category models
 */
export const Reseller = Schema.Struct({
  apiUser: Name,
  /** The zone of its customers that name none (since 0.2.0); `UTC` when absent. */
  timeZone: Schema.optionalKey(TimeZone)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface Reseller extends Schema.Schema.Type<typeof Reseller> {}

const customerSettingsFields = {
  reseller: Name,
  package: Name,
  billingAnchor: CalendarDate,
  reputation: Reputation,
  timeZone: Schema.optionalKey(TimeZone),
  /** Its own usage alert thresholds (since 0.2.0); absent: its package's. */
  alertThresholds: Schema.optionalKey(AlertThresholds)
}

/**
 * What `PUT /v1/customers/{user}` sets: a `Customer` but its name, which the
 * path carries.
 *
 * @since 0.2.0
 * @category models
 */
export const CustomerSettings = Schema.Struct(customerSettingsFields)

/**
 * @since 0.2.0
 * @category models
 */
export interface CustomerSettings extends Schema.Schema.Type<typeof CustomerSettings> {}

/**
 * A customer of a reseller: its package, billing anchor (only the day of
 * month matters), reputation and time zone (since 0.2.0; absent: its
 * reseller's, else `UTC`).
 *
 * @since 0.1.0
 * @category models
 */
export const Customer = Schema.Struct({
  user: Name,
  ...customerSettingsFields
})

/**
 * @since 0.1.0
 * @category models
 */
export interface Customer extends Schema.Schema.Type<typeof Customer> {}

const rfc3339 = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-](\d{2}):(\d{2}))$/

/**
 * Whether `input` is an RFC 3339 timestamp with an offset, naming a day that
 * exists and a time of day that exists (no `T24:00`, no leap second, no
 * `2024-02-30` that a lenient parser would roll over to March).
 *
 * @since 0.1.0
 * @category predicates
 */
export const isInstant = (input: string): boolean => {
  const m = rfc3339.exec(input)
  if (m === null || !isCalendarDate(m[1]!)) return false
  if (Number(m[2]) > 23 || Number(m[3]) > 59 || Number(m[4]) > 59) return false
  if (m[7] !== undefined && (Number(m[7]) > 23 || Number(m[8]) > 59)) return false
  return Number.isFinite(Date.parse(input))
}

/**
 * An instant written in RFC 3339 with an explicit offset
 * (`2024-02-29T13:45:00Z`, `2024-02-29T14:45:00.123+01:00`).
 *
 * @since 0.1.0
 * @category models
 */
export const Instant = Schema.String.pipe(
  Schema.check(
    Schema.makeFilter(
      (s: string) => isInstant(s) || "an RFC 3339 timestamp with an offset, such as 2024-02-29T13:45:00Z"
    )
  )
)

/**
 * One usage event. `id` is chosen by the sender and makes ingestion
 * idempotent: the same id with the same content counts once. `requests` and
 * `credits` are at most `maxEventCount` each. This schema is
 * the only check of an event's fields; the store checks only that its
 * customer exists.
 *
 * @since 0.1.0
 * @category models
 */
export const UsageEvent = Schema.Struct({
  id: Name,
  user: Name,
  requests: EventCount,
  credits: EventCount,
  occurredAt: Instant
})

/**
 * @since 0.1.0
 * @category models
 */
export interface UsageEvent extends Schema.Schema.Type<typeof UsageEvent> {}

/**
 * What is wrong with one event of a batch: its index in the batch, the field
 * (empty for the event as a whole) and why.
 *
 * @since 0.1.0
 * @category models
 */
export const EventProblem = Schema.Struct({
  index: Schema.Int,
  field: Schema.String,
  message: Schema.String
})

/**
 * @since 0.1.0
 * @category models
 */
export interface EventProblem extends Schema.Schema.Type<typeof EventProblem> {}

/**
 * The outcome of an ingested batch: how many events were newly stored, and
 * the ids of duplicates (already stored with the same content, not counted
 * again) and conflicts (already stored with other content, not stored).
 *
 * @since 0.1.0
 * @category models
 */
export const IngestResult = Schema.Struct({
  accepted: Schema.Int,
  duplicates: Schema.Array(Schema.String),
  conflicts: Schema.Array(Schema.String)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface IngestResult extends Schema.Schema.Type<typeof IngestResult> {}

/**
 * The outcome of a batch of voids: how many events were newly voided, and
 * the ids already voided before (or repeated in the batch), not voided
 * again. A voided event counts nowhere, as if it was never sent; sending its
 * id again is a duplicate, not counted.
 *
 * @since 0.2.0
 * @category models
 */
export const VoidResult = Schema.Struct({
  voided: Schema.Int,
  duplicates: Schema.Array(Schema.String)
})

/**
 * @since 0.2.0
 * @category models
 */
export interface VoidResult extends Schema.Schema.Type<typeof VoidResult> {}

/**
 * A page of a listing, with the cursor of the next page when there is one.
 *
 * @since 0.1.0
 * @category models
 */
export const Page = <S extends Schema.Top>(item: S) =>
  Schema.Struct({
    items: Schema.Array(item),
    nextCursor: Schema.optionalKey(Schema.String)
  })
