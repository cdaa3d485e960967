/**
 * The ledger's records as the operator API and the store see them: packages,
 * resellers, customers and usage events, and the outcome of an ingestion.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { CalendarDate, isCalendarDate } from "./CalendarDate.js"
import { Count, Reputation } from "./Overview.js"
import { TimeZone } from "./TimeZone.js"

/**
 * The largest number of usage events one ingestion call takes.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxEventsPerBatch = 10_000

/**
 * A name of a package, a reseller's api_user or a customer's user: 1 to 255
 * characters, no control characters, no leading or trailing white space.
 *
 * @since 0.1.0
 * @category models
 */
export const Name = Schema.String.pipe(
  Schema.check(
    Schema.makeFilter(
      (s: string) =>
        (s.length >= 1 && s.length <= 255 && s.trim() === s && !/[\u0000-\u001f\u007f]/.test(s)) ||
        "1 to 255 characters, no control characters, no surrounding white space"
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
  overagePrice: Schema.optionalKey(Price)
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
  reseller: Name,
  package: Name,
  billingAnchor: CalendarDate,
  reputation: Reputation,
  timeZone: Schema.optionalKey(TimeZone)
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
 * idempotent: the same id with the same content counts once. This schema is
 * the only check of an event's fields; the store checks only that its
 * customer exists.
 *
 * @since 0.1.0
 * @category models
 */
export const UsageEvent = Schema.Struct({
  id: Name,
  user: Name,
  requests: Count,
  credits: Count,
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
