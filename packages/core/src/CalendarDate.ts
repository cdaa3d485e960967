/**
 * Calendar dates as they travel on the wire: `YYYY-MM-DD`, validated as a real
 * day of the proleptic Gregorian calendar (`2010-02-30` is refused).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

const pattern = /^(\d{4})-(\d{2})-(\d{2})$/

/**
 * Whether `input` is a `YYYY-MM-DD` string naming a day that exists.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isCalendarDate = (input: string): boolean => {
  const match = pattern.exec(input)
  if (match === null) return false
  const year = Number(match[1])
  const month = Number(match[2])
  const day = Number(match[3])
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)
}

/**
 * A calendar date written `YYYY-MM-DD`; strings of this brand order the same
 * way as the days they name.
 *
 * @since 0.1.0
 * @category models
 */
export const CalendarDate = Schema.String.pipe(
  Schema.check(
    Schema.makeFilter(
      (s: string) => isCalendarDate(s) || `a real calendar date written YYYY-MM-DD, not ${JSON.stringify(s)}`
    )
  ),
  Schema.brand("CalendarDate")
)

/**
 * @since 0.1.0
 * @category models
 */
export type CalendarDate = typeof CalendarDate.Type

/**
 * Days in a month (1-12) of a year, leap years included.
 *
 * @since 0.1.0
 * @category math
 */
export const daysInMonth = (year: number, month: number): number =>
  month === 2 ? (isLeapYear(year) ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31

/**
 * @since 0.1.0
 * @category math
 */
export const isLeapYear = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0

/**
 * The parts of a calendar date.
 *
 * @since 0.2.0
 * @category models
 */
export interface CalendarDateParts {
  readonly year: number
  readonly month: number
  readonly day: number
}

/**
 * Splits a calendar date into year, month (1-12) and day.
 *
 * @since 0.2.0
 * @category conversions
 */
export const calendarDateToParts = (date: CalendarDate): CalendarDateParts => ({
  year: Number(date.slice(0, 4)),
  month: Number(date.slice(5, 7)),
  day: Number(date.slice(8, 10))
})

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`)

/**
 * Builds a calendar date from valid parts (the caller guarantees validity).
 *
 * @since 0.2.0
 * @category constructors
 */
export const calendarDateFromParts = (parts: CalendarDateParts): CalendarDate =>
  `${String(parts.year).padStart(4, "0")}-${pad2(parts.month)}-${pad2(parts.day)}` as CalendarDate

/**
 * The UTC calendar date of an instant given in epoch milliseconds (or the
 * calendar date in a fixed offset, in minutes east of UTC).
 *
 * @since 0.2.0
 * @category constructors
 */
export const calendarDateFromEpochMillis = (millis: number, offsetMinutes = 0): CalendarDate => {
  const d = new Date(millis + offsetMinutes * 60_000)
  return calendarDateFromParts({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() })
}

/**
 * The calendar date `days` days after `date` (negative goes back).
 *
 * @since 0.2.0
 * @category math
 */
export const addCalendarDays = (date: CalendarDate, days: number): CalendarDate =>
  calendarDateFromEpochMillis(calendarDateToEpochMillis(date) + days * 86_400_000)

/**
 * Milliseconds since the epoch of the start (00:00 UTC) of a calendar date.
 *
 * @since 0.2.0
 * @category conversions
 */
export const calendarDateToEpochMillis = (date: CalendarDate): number => {
  const { day, month, year } = calendarDateToParts(date)
  const ms = Date.UTC(year, month - 1, day)
  return year < 100 ? new Date(ms).setUTCFullYear(year, month - 1, day) : ms
}

/**
 * Decodes a string into a calendar date, or `undefined` when it is not one.
 *
 * @since 0.2.0
 * @category constructors
 */
export const parseCalendarDate = (input: string): CalendarDate | undefined =>
  isCalendarDate(input) ? (input as CalendarDate) : undefined
