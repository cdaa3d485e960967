/**
 * The history of billing cycles and package assignments as the operator API
 * shows them: each cycle of a customer with its package and figures, a
 * reseller's report of the cycles that closed on a day, and a customer's
 * package assignment with its scheduled change.
 *
 * @since 0.2.0
 */
import { Schema } from "effect"
import { CalendarDate } from "./CalendarDate.js"
import { Name, Price } from "./LedgerRecords.js"
import { Count } from "./Overview.js"
import { TimeZone } from "./TimeZone.js"

/**
 * One billing cycle of a customer: its local dates, whether it has closed
 * (its process date is today or earlier in the customer's zone), the package
 * in force on its last day (today for the current cycle) and its figures.
 *
 * @since 0.2.0
 * @category models
 */
export const CustomerCycle = Schema.Struct({
  start: CalendarDate,
  end: CalendarDate,
  processDate: CalendarDate,
  closed: Schema.Boolean,
  package: Name,
  creditsAllowed: Count,
  creditsUsed: Count,
  creditsRemain: Count,
  creditsOverage: Count,
  requests: Count,
  overagePrice: Schema.optionalKey(Price)
})

/**
 * @since 0.2.0
 * @category models
 */
export interface CustomerCycle extends Schema.Schema.Type<typeof CustomerCycle> {}

/**
 * A customer's cycles that overlap `from`..`to`, oldest first.
 *
 * @since 0.2.0
 * @category models
 */
export const CustomerCycles = Schema.Struct({
  user: Name,
  timeZone: TimeZone,
  items: Schema.Array(CustomerCycle)
})

/**
 * @since 0.2.0
 * @category models
 */
export interface CustomerCycles extends Schema.Schema.Type<typeof CustomerCycles> {}

/**
 * One line of a reseller's overage report: a customer whose cycle closed on
 * the report's day (its process date), with the overage to bill
 * (`overageAmount = creditsOverage * overagePrice` when the package has a
 * price).
 *
 * @since 0.2.0
 * @category models
 */
export const ResellerCycleLine = Schema.Struct({
  user: Name,
  timeZone: TimeZone,
  ...CustomerCycle.fields,
  overageAmount: Schema.optionalKey(Schema.Finite)
})

/**
 * @since 0.2.0
 * @category models
 */
export interface ResellerCycleLine extends Schema.Schema.Type<typeof ResellerCycleLine> {}

/**
 * A reseller's overage report of the cycles closed on `closedOn`, customers
 * ordered by `user`.
 *
 * @since 0.2.0
 * @category models
 */
export const ResellerCycleReport = Schema.Struct({
  reseller: Name,
  closedOn: CalendarDate,
  items: Schema.Array(ResellerCycleLine)
})

/**
 * @since 0.2.0
 * @category models
 */
export interface ResellerCycleReport extends Schema.Schema.Type<typeof ResellerCycleReport> {}

/**
 * The CSV header of the overage report, in column order.
 *
 * @since 0.2.0
 * @category constants
 */
export const resellerCycleCsvColumns = [
  "user",
  "timeZone",
  "start",
  "end",
  "processDate",
  "package",
  "creditsAllowed",
  "creditsUsed",
  "creditsOverage",
  "requests",
  "overagePrice",
  "overageAmount"
] as const

const csvField = (value: string | number | undefined): string => {
  if (value === undefined) return ""
  const text = String(value)
  return /[",\r\n]/.test(text) || /^[=+\-@\t]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/**
 * The overage report as CSV (RFC 4180, CRLF line ends, a header line).
 *
 * @since 0.2.0
 * @category encoding
 */
export const resellerCycleReportCsv = (report: ResellerCycleReport): string =>
  [
    resellerCycleCsvColumns.join(","),
    ...report.items.map((line) => resellerCycleCsvColumns.map((column) => csvField(line[column])).join(","))
  ]
    .map((line) => `${line}\r\n`)
    .join("")

/**
 * When a package change takes effect: `now` (from today, the customer's
 * local date: the current cycle's allowance becomes the new package's) or
 * `nextCycle` (from the next cycle's first day).
 *
 * @since 0.2.0
 * @category models
 */
export const PackageChangeEffective = Schema.Literals(["now", "nextCycle"])

/**
 * A package in force from a local date.
 *
 * @since 0.2.0
 * @category models
 */
export const PackageAssignment = Schema.Struct({
  package: Name,
  from: CalendarDate
})

/**
 * @since 0.2.0
 * @category models
 */
export interface PackageAssignment extends Schema.Schema.Type<typeof PackageAssignment> {}

/**
 * A customer's package today and the change scheduled after it, if any.
 *
 * @since 0.2.0
 * @category models
 */
export const PackageAssignments = Schema.Struct({
  user: Name,
  current: PackageAssignment,
  scheduled: Schema.optionalKey(PackageAssignment)
})

/**
 * @since 0.2.0
 * @category models
 */
export interface PackageAssignments extends Schema.Schema.Type<typeof PackageAssignments> {}
