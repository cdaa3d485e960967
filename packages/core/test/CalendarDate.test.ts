import { assert, describe, it } from "@effect/vitest"
import { Schema } from "effect"
import {
  addCalendarDays,
  CalendarDate,
  calendarDateFromEpochMillis,
  calendarDateFromParts,
  calendarDateToEpochMillis,
  calendarDateToParts,
  daysInMonth,
  isCalendarDate,
  isLeapYear,
  parseCalendarDate
} from "../src/CalendarDate.js"

const date = (s: string) => Schema.decodeUnknownSync(CalendarDate)(s)

describe("CalendarDate", () => {
  it("accepts real days and refuses impossible ones", () => {
    assert.isTrue(isCalendarDate("2010-08-30"))
    assert.isTrue(isCalendarDate("2024-02-29"))
    assert.isFalse(isCalendarDate("2010-02-30"))
    assert.isFalse(isCalendarDate("2023-02-29"))
    assert.isFalse(isCalendarDate("1900-02-29"))
    assert.isTrue(isCalendarDate("2000-02-29"))
    assert.isFalse(isCalendarDate("2010-13-01"))
    assert.isFalse(isCalendarDate("2010-8-30"))
    assert.isFalse(isCalendarDate(" 2010-08-30"))
    assert.throws(() => date("2010-02-30"))
  })

  it("parses only real days", () => {
    assert.strictEqual(parseCalendarDate("2024-02-29"), date("2024-02-29"))
    assert.isUndefined(parseCalendarDate("2023-02-29"))
    assert.isUndefined(parseCalendarDate("2024-02-29T00:00:00Z"))
  })

  it("knows leap years and month lengths", () => {
    assert.deepStrictEqual(
      [isLeapYear(2024), isLeapYear(1900), isLeapYear(2000), isLeapYear(2023)],
      [true, false, true, false]
    )
    assert.deepStrictEqual(
      [daysInMonth(2024, 2), daysInMonth(2023, 2), daysInMonth(2024, 4), daysInMonth(2024, 12)],
      [29, 28, 30, 31]
    )
  })

  it("converts to and from parts and epoch milliseconds, years before 100 included", () => {
    assert.deepStrictEqual(calendarDateToParts(date("2024-02-29")), { year: 2024, month: 2, day: 29 })
    assert.strictEqual(calendarDateFromParts({ year: 7, month: 3, day: 4 }), "0007-03-04")
    assert.strictEqual(calendarDateToEpochMillis(date("1970-01-02")), 86_400_000)
    assert.strictEqual(calendarDateFromEpochMillis(Date.parse("2024-02-29T23:30:00Z")), "2024-02-29")
    assert.strictEqual(calendarDateFromEpochMillis(Date.parse("2024-02-29T23:30:00Z"), 60), "2024-03-01")
    const early = date("0050-06-15")
    assert.strictEqual(calendarDateFromEpochMillis(calendarDateToEpochMillis(early)), early)
  })

  it("adds days across month and year ends", () => {
    assert.strictEqual(addCalendarDays(date("2024-02-28"), 1), "2024-02-29")
    assert.strictEqual(addCalendarDays(date("2024-12-31"), 1), "2025-01-01")
    assert.strictEqual(addCalendarDays(date("2024-03-01"), -1), "2024-02-29")
  })
})
