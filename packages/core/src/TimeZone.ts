/**
 * Time zones of customers: IANA names (`Pacific/Auckland`, `UTC`), the local
 * calendar date of an instant in one, and the instant a local day starts.
 *
 * The local date of an instant is computed with one cached
 * `Intl.DateTimeFormat` per zone, and the last local day seen in each zone is
 * kept as an interval of instants, so that the hot path (many calls of the
 * same day) answers with two comparisons; `UTC` never touches `Intl`.
 *
 * @since 0.2.0
 */
import { Schema } from "effect"
import {
  addCalendarDays,
  type CalendarDate,
  calendarDateFromEpochMillis,
  calendarDateFromParts,
  calendarDateToEpochMillis
} from "./CalendarDate.js"

/**
 * The zone of a customer when neither it nor its reseller names one.
 *
 * @since 0.2.0
 * @category constants
 */
export const defaultTimeZone = "UTC"

const namePattern = /^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/

const formatters = new Map<string, Intl.DateTimeFormat>()

const formatterOf = (zone: string): Intl.DateTimeFormat => {
  let formatter = formatters.get(zone)
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      hourCycle: "h23",
      era: "short"
    })
    formatters.set(zone, formatter)
  }
  return formatter
}

/**
 * Whether `input` is an IANA time zone name this runtime knows (`UTC`,
 * `Europe/London`, `Pacific/Chatham`); offsets such as `+05:00` are refused.
 *
 * @since 0.2.0
 * @category predicates
 */
export const isTimeZone = (input: string): boolean => {
  if (!namePattern.test(input)) return false
  if (formatters.has(input)) return true
  try {
    formatterOf(input)
    return true
  } catch {
    return false
  }
}

/**
 * An IANA time zone name. An unknown one is refused with a message naming it.
 *
 * @since 0.2.0
 * @category models
 */
export const TimeZone = Schema.String.pipe(
  Schema.check(
    Schema.makeFilter(
      (s: string) => isTimeZone(s) || `an IANA time zone name such as Europe/London, not ${JSON.stringify(s)}`
    )
  )
)

interface WallClock {
  readonly date: CalendarDate
  /** The wall clock read as if it were UTC, in epoch milliseconds (whole seconds). */
  readonly asUtc: number
}

// The local date and wall clock of an instant, from the formatter (the slow path).
const wallClock = (zone: string, millis: number): WallClock => {
  let year = 0
  let month = 0
  let day = 0
  let hour = 0
  let minute = 0
  let second = 0
  let bc = false
  for (const part of formatterOf(zone).formatToParts(millis)) {
    switch (part.type) {
      case "year":
        year = Number(part.value)
        break
      case "month":
        month = Number(part.value)
        break
      case "day":
        day = Number(part.value)
        break
      case "hour":
        hour = Number(part.value)
        break
      case "minute":
        minute = Number(part.value)
        break
      case "second":
        second = Number(part.value)
        break
      case "era":
        bc = part.value === "BC" || part.value === "B"
        break
    }
  }
  const date = calendarDateFromParts({ year: bc ? 1 - year : year, month, day })
  return { date, asUtc: calendarDateToEpochMillis(date) + ((hour * 60 + minute) * 60 + second) * 1000 }
}

const formatDate = (zone: string, millis: number): CalendarDate => wallClock(zone, millis).date

interface LocalDay {
  readonly start: number
  readonly end: number
  readonly date: CalendarDate
}

let utcDay: LocalDay = { start: 0, end: 0, date: "" as CalendarDate }

const maxOffset = 26 * 3_600_000

// Whether `at` is the first instant of local day `date`.
const startsDay = (zone: string, date: CalendarDate, at: number): boolean =>
  formatDate(zone, at) === date && formatDate(zone, at - 1) < date

/**
 * The instant (epoch milliseconds) the local day `date` starts in `zone`:
 * the first instant whose local date is `date` or later (local midnight, or
 * the end of a gap when midnight does not exist that day).
 *
 * @since 0.2.0
 * @category conversions
 */
export const startOfLocalDay = (date: CalendarDate, zone: string): number => {
  const utc = calendarDateToEpochMillis(date)
  if (zone === defaultTimeZone) return utc
  // Midnight at the offset of the UTC midnight, then at the offset of that guess.
  const first = utc - (wallClock(zone, utc).asUtc - Math.floor(utc / 1000) * 1000)
  if (startsDay(zone, date, first)) return first
  const second = utc - (wallClock(zone, first).asUtc - Math.floor(first / 1000) * 1000)
  if (second !== first && startsDay(zone, date, second)) return second
  // A gap or an odd transition: every zone's offset lies within +-26 h, search to the millisecond.
  let lo = utc - maxOffset
  let hi = utc + maxOffset
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2)
    if (formatDate(zone, mid) >= date) hi = mid
    else lo = mid + 1
  }
  return lo
}

// The interval of the local day that holds `millis`, or just that instant
// when the day's bounds do not hold it (a local date that repeats).
const localDayOf = (zone: string, millis: number): LocalDay => {
  const date = formatDate(zone, millis)
  const start = startOfLocalDay(date, zone)
  const end = startOfLocalDay(addCalendarDays(date, 1), zone)
  return start <= millis && millis < end && formatDate(zone, end - 1) === date
    ? { start, end, date }
    : { start: millis, end: millis + 1, date }
}

// Per zone, the local days seen lately, listed under each UTC day they overlap.
const maxCachedDays = 4096
const zoneDays = new Map<string, Map<number, Array<LocalDay>>>()
const lastDays = new Map<string, LocalDay>()

const cachedDay = (zone: string, millis: number): LocalDay => {
  let days = zoneDays.get(zone)
  if (days === undefined) {
    days = new Map()
    zoneDays.set(zone, days)
  }
  const key = Math.floor(millis / 86_400_000)
  const listed = days.get(key)
  if (listed !== undefined) {
    for (const day of listed) if (millis >= day.start && millis < day.end) return day
  }
  const day = localDayOf(zone, millis)
  if (days.size >= maxCachedDays) days.clear()
  for (let k = Math.floor(day.start / 86_400_000); k <= Math.floor((day.end - 1) / 86_400_000); k++) {
    const list = days.get(k)
    if (list === undefined) days.set(k, [day])
    else list.push(day)
  }
  return day
}

/**
 * The calendar date in `zone` of an instant given in epoch milliseconds.
 * `zone` must be valid (`isTimeZone`).
 *
 * @since 0.2.0
 * @category conversions
 */
export const localDateOf = (millis: number, zone: string): CalendarDate => {
  if (zone === defaultTimeZone) {
    if (millis >= utcDay.start && millis < utcDay.end) return utcDay.date
    const start = Math.floor(millis / 86_400_000) * 86_400_000
    utcDay = { start, end: start + 86_400_000, date: calendarDateFromEpochMillis(millis) }
    return utcDay.date
  }
  const last = lastDays.get(zone)
  if (last !== undefined && millis >= last.start && millis < last.end) return last.date
  const day = cachedDay(zone, millis)
  lastDays.set(zone, day)
  return day.date
}
