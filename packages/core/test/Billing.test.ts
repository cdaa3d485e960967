import { assert, describe, it } from "@effect/vitest"
import { Schema } from "effect"
import * as fc from "fast-check"
import { credits, cycleFor } from "../src/Billing.js"
import {
  addCalendarDays,
  CalendarDate,
  calendarDateFromParts,
  calendarDateToParts,
  daysInMonth
} from "../src/CalendarDate.js"

const date = (s: string) => Schema.decodeUnknownSync(CalendarDate)(s)

describe("cycleFor", () => {
  it("matches the seed sample", () => {
    const cycle = cycleFor(date("2010-01-30"), date("2010-09-15"))
    assert.deepStrictEqual(cycle, {
      start: date("2010-08-30"),
      end: date("2010-09-29"),
      processDate: date("2010-09-30")
    })
  })

  it("clamps an anchor on the 31st without drifting", () => {
    const anchor = date("2024-01-31")
    assert.strictEqual(cycleFor(anchor, date("2024-02-10")).start, "2024-01-31")
    assert.strictEqual(cycleFor(anchor, date("2024-02-29")).start, "2024-02-29")
    assert.strictEqual(cycleFor(anchor, date("2024-02-29")).end, "2024-03-30")
    assert.strictEqual(cycleFor(anchor, date("2024-03-31")).start, "2024-03-31")
    assert.strictEqual(cycleFor(anchor, date("2024-04-30")).start, "2024-04-30")
    assert.strictEqual(cycleFor(anchor, date("2023-02-28")).start, "2023-02-28")
    assert.strictEqual(cycleFor(anchor, date("2024-12-31")).processDate, "2025-01-31")
  })

  const anchorDay = fc.integer({ min: 1, max: 31 })
  const year = fc.integer({ min: 1999, max: 2102 })

  it("tiles the calendar: no gap, no overlap, every start on the anchor day or the month's last day", () => {
    fc.assert(
      fc.property(anchorDay, year, fc.integer({ min: 1, max: 12 }), (day, y, m) => {
        const anchor = calendarDateFromParts({ year: 2000, month: 1, day })
        let d = calendarDateFromParts({ year: y, month: m, day: 1 })
        let cycle = cycleFor(anchor, d)
        for (let i = 0; i < 70; i++) {
          d = addCalendarDays(d, 1)
          const next = cycleFor(anchor, d)
          if (next.start !== cycle.start) {
            assert.strictEqual(next.start, cycle.processDate)
            assert.strictEqual(addCalendarDays(cycle.end, 1), next.start)
            cycle = next
          }
          assert.isTrue(cycle.start <= d && d <= cycle.end)
          const s = calendarDateToParts(cycle.start)
          assert.isTrue(s.day === day || s.day === daysInMonth(s.year, s.month))
          assert.isTrue(s.day <= day)
        }
      })
    )
  })

  it("remain - overage == allowed - used", () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), (allowed, used) => {
        const c = credits(allowed, used)
        assert.strictEqual(c.remain - c.overage, allowed - used)
        assert.isTrue(c.remain >= 0 && c.overage >= 0)
      })
    )
  })
})
