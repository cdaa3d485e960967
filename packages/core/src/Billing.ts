/**
 * Billing math: the cycle that holds a date for a billing anchor, and the
 * credits that remain or run over. Pure.
 *
 * A cycle starts on the anchor's day of month each month, clamped to the
 * month's last day (anchor on the 31st: Jan 31, Feb 28/29, Mar 31, Apr 30);
 * the clamping never moves the anchor itself. A cycle ends the day before
 * the next starts, and is processed (billed) on the next cycle's first day.
 * Dates are local dates of the customer's time zone: a cycle starts at local
 * midnight of its first day, and an instant counts in the cycle that holds
 * its local date (`cycleAt`).
 *
 * @since 0.1.0
 */
import {
  addCalendarDays,
  type CalendarDate,
  calendarDateFromParts,
  calendarDateToParts,
  daysInMonth
} from "./CalendarDate.js"
import { localDateOf, startOfLocalDay } from "./TimeZone.js"

/**
 * One billing cycle.
 *
 * @since 0.1.0
 * @category models
 */
export interface BillingCycle {
  readonly start: CalendarDate
  readonly end: CalendarDate
  readonly processDate: CalendarDate
}

/**
 * The start of the cycle of `anchorDay` in a given month.
 *
 * @since 0.1.0
 * @category math
 */
export const cycleStartIn = (year: number, month: number, anchorDay: number): CalendarDate =>
  calendarDateFromParts({ year, month, day: Math.min(anchorDay, daysInMonth(year, month)) })

const nextMonth = (year: number, month: number): readonly [number, number] =>
  month === 12 ? [year + 1, 1] : [year, month + 1]

const previousMonth = (year: number, month: number): readonly [number, number] =>
  month === 1 ? [year - 1, 12] : [year, month - 1]

/**
 * The billing cycle that holds `date`, for a customer anchored on `anchor`
 * (only the anchor's day of month matters).
 *
 * @since 0.1.0
 * @category math
 */
export const cycleFor = (anchor: CalendarDate, date: CalendarDate): BillingCycle => {
  const anchorDay = calendarDateToParts(anchor).day
  const { month, year } = calendarDateToParts(date)
  const thisStart = cycleStartIn(year, month, anchorDay)
  const [sy, sm] = date >= thisStart ? [year, month] : previousMonth(year, month)
  const start = date >= thisStart ? thisStart : cycleStartIn(sy, sm, anchorDay)
  const [ny, nm] = nextMonth(sy, sm)
  const processDate = cycleStartIn(ny, nm, anchorDay)
  return { start, end: addCalendarDays(processDate, -1), processDate }
}

/**
 * The billing cycle that holds an instant (epoch milliseconds) for a
 * customer anchored on `anchor` in `zone`: the cycle of the instant's local
 * date there.
 *
 * @since 0.2.0
 * @category math
 */
export const cycleAt = (anchor: CalendarDate, millis: number, zone: string): BillingCycle =>
  cycleFor(anchor, localDateOf(millis, zone))

/**
 * The instants a cycle covers in `zone`: from local midnight of its first
 * day (included) to local midnight of its process date (excluded).
 *
 * @since 0.2.0
 * @category math
 */
export const cycleInstants = (
  cycle: BillingCycle,
  zone: string
): { readonly startMillis: number; readonly endMillis: number } => ({
  startMillis: startOfLocalDay(cycle.start, zone),
  endMillis: startOfLocalDay(cycle.processDate, zone)
})

/**
 * Credits that remain and credits over the allowance:
 * `remain = max(0, allowed - used)`, `overage = max(0, used - allowed)`.
 *
 * @since 0.1.0
 * @category math
 */
export const credits = (allowed: number, used: number): { readonly remain: number; readonly overage: number } => ({
  remain: Math.max(0, allowed - used),
  overage: Math.max(0, used - allowed)
})
