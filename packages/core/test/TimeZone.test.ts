import { assert, describe, it } from "@effect/vitest"
import { DateTime, Schema } from "effect"
import * as fc from "fast-check"
import { cycleAt, cycleFor, cycleInstants } from "../src/Billing.js"
import { addCalendarDays, type CalendarDate, calendarDateFromParts, parseCalendarDate } from "../src/CalendarDate.js"
import { isTimeZone, localDateOf, startOfLocalDay, TimeZone } from "../src/TimeZone.js"

const date = (s: string) => parseCalendarDate(s)!

/** Zones with DST, odd offsets and both sides of the date line. */
const zones = [
  "UTC",
  "America/New_York",
  "America/Los_Angeles",
  "Europe/London",
  "Australia/Lord_Howe",
  "Asia/Kathmandu",
  "Pacific/Chatham",
  "Pacific/Kiritimati",
  "Pacific/Pago_Pago",
  "Pacific/Auckland"
] as const

// Effect's zoned DateTime: the oracle the fast path is held to.
const oracle = (millis: number, zone: string): CalendarDate => {
  const parts = DateTime.toParts(DateTime.makeZonedUnsafe(millis, { timeZone: zone }))
  return calendarDateFromParts({ year: parts.year, month: parts.month, day: parts.day })
}

const zone = fc.constantFrom(...zones)
// 1990-2040, leap years and Kiritimati's skipped 1994-12-31 included.
const instant = fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2040, 11, 31) })
const anchorDay = fc.integer({ min: 1, max: 31 })
const anchorOf = (day: number) => calendarDateFromParts({ year: 2000, month: 1, day })

describe("TimeZone", () => {
  it("accepts IANA names and refuses unknown zones and offsets, naming them", () => {
    for (const z of [...zones, "Etc/GMT+5", "America/Argentina/Buenos_Aires"]) assert.isTrue(isTimeZone(z), z)
    for (const z of ["Mars/Olympus", "+05:00", "", " UTC", "Europe/London\n", "../etc"]) {
      assert.isFalse(isTimeZone(z), z)
    }
    const result = Schema.decodeUnknownExit(TimeZone)("Mars/Olympus")
    assert.isTrue(result._tag === "Failure")
    assert.include(String(result), "Mars/Olympus")
  })

  it("golden cases around local midnight", () => {
    // Auckland (+13 in March): 2025-03-31T12:30Z is 01:30 on 1 April.
    assert.strictEqual(localDateOf(Date.parse("2025-03-31T12:30:00Z"), "Pacific/Auckland"), "2025-04-01")
    assert.strictEqual(localDateOf(Date.parse("2025-03-31T10:59:59.999Z"), "Pacific/Auckland"), "2025-03-31")
    assert.strictEqual(startOfLocalDay(date("2025-04-01"), "Pacific/Auckland"), Date.parse("2025-03-31T11:00:00Z"))
    // Los Angeles (-7 in summer): 2025-06-01T06:59:59Z is still 31 May.
    assert.strictEqual(localDateOf(Date.parse("2025-06-01T06:59:59Z"), "America/Los_Angeles"), "2025-05-31")
    assert.strictEqual(localDateOf(Date.parse("2025-06-01T07:00:00Z"), "America/Los_Angeles"), "2025-06-01")
    // Kathmandu +05:45, Chatham +13:45 in January.
    assert.strictEqual(startOfLocalDay(date("2024-02-29"), "Asia/Kathmandu"), Date.parse("2024-02-28T18:15:00Z"))
    assert.strictEqual(startOfLocalDay(date("2025-01-01"), "Pacific/Chatham"), Date.parse("2024-12-31T10:15:00Z"))
    // Kiritimati +14 and Pago Pago -11: the same instant two local dates apart.
    const t = Date.parse("2025-01-01T10:30:00Z")
    assert.strictEqual(localDateOf(t, "Pacific/Kiritimati"), "2025-01-02")
    assert.strictEqual(localDateOf(t, "Pacific/Pago_Pago"), "2024-12-31")
    // Kiritimati skipped 1994-12-31: 30 December ends where 1 January begins.
    assert.strictEqual(
      startOfLocalDay(date("1994-12-31"), "Pacific/Kiritimati"),
      startOfLocalDay(date("1995-01-01"), "Pacific/Kiritimati")
    )
    // Lord Howe moves by half an hour at 02:00 local; its midnight stays.
    assert.strictEqual(startOfLocalDay(date("2025-04-06"), "Australia/Lord_Howe"), Date.parse("2025-04-05T13:00:00Z"))
    assert.strictEqual(startOfLocalDay(date("2025-04-07"), "Australia/Lord_Howe"), Date.parse("2025-04-06T13:30:00Z"))
    // The anchor day's cycle starts at local midnight, not UTC midnight.
    const anchor = date("2025-01-01")
    assert.strictEqual(cycleAt(anchor, Date.parse("2025-03-31T10:59:59.999Z"), "Pacific/Auckland").start, "2025-03-01")
    assert.strictEqual(cycleAt(anchor, Date.parse("2025-03-31T11:00:00Z"), "Pacific/Auckland").start, "2025-04-01")
    assert.strictEqual(cycleAt(anchor, Date.parse("2025-03-31T11:00:00Z"), "UTC").start, "2025-03-01")
  })

  it("the local date of an instant is Effect's zoned DateTime's, cached or not", () => {
    fc.assert(
      fc.property(zone, instant, fc.integer({ min: -3, max: 3 }), (z, t, step) => {
        // Neighbouring instants exercise the cached day and its bounds.
        for (const at of [t, t + step, t + step * 3_600_000]) assert.strictEqual(localDateOf(at, z), oracle(at, z))
      }),
      { numRuns: 2000 }
    )
  })

  it("local days start where the previous ends: every instant is in exactly one local day", () => {
    fc.assert(
      fc.property(zone, instant, (z, t) => {
        const d = localDateOf(t, z)
        const start = startOfLocalDay(d, z)
        const next = startOfLocalDay(addCalendarDays(d, 1), z)
        assert.isTrue(start <= t && t < next, `${z} ${new Date(t).toISOString()} in ${d}`)
        assert.strictEqual(localDateOf(start, z), d)
        assert.isTrue(localDateOf(start - 1, z) < d)
        assert.strictEqual(localDateOf(next - 1, z), d)
      }),
      { numRuns: 1000 }
    )
  })

  it("cycles tile local time: no gap, no overlap, on every anchor day 1-31 and in leap years", () => {
    fc.assert(
      fc.property(zone, anchorDay, instant, (z, day, t) => {
        const anchor = anchorOf(day)
        const cycle = cycleAt(anchor, t, z)
        const { endMillis, startMillis } = cycleInstants(cycle, z)
        // The instant is inside its cycle's instants ...
        assert.isTrue(startMillis <= t && t < endMillis)
        // ... the cycle before ends exactly where this one starts, the next starts where it ends.
        const before = cycleAt(anchor, startMillis - 1, z)
        assert.strictEqual(cycleInstants(before, z).endMillis, startMillis)
        assert.strictEqual(before.processDate, cycle.start)
        const after = cycleAt(anchor, endMillis, z)
        assert.strictEqual(cycleInstants(after, z).startMillis, endMillis)
        assert.strictEqual(after.start, cycle.processDate)
      }),
      { numRuns: 1000 }
    )
  })

  it("each instant counts exactly once: per-day sums over consecutive cycles add up to the total", () => {
    fc.assert(
      fc.property(
        zone,
        anchorDay,
        fc.array(fc.tuple(fc.integer({ min: Date.UTC(2023, 11, 1), max: Date.UTC(2025, 0, 31) }), fc.nat(100)), {
          maxLength: 60
        }),
        (z, day, events) => {
          const anchor = anchorOf(day)
          // The rollup: credits per local day.
          const daily = new Map<string, number>()
          for (const [t, credits] of events) {
            const d = localDateOf(t, z)
            daily.set(d, (daily.get(d) ?? 0) + credits)
          }
          // The cycles from one before the first event's to one after the last's, summed by date range.
          let cycle = cycleFor(anchor, date("2023-10-01"))
          let counted = 0
          while (cycle.start <= "2025-03-31") {
            for (const [d, credits] of daily) if (d >= cycle.start && d <= cycle.end) counted += credits
            // Each event lies in the cycle that holds its instant, and in that one only.
            cycle = cycleFor(anchor, cycle.processDate)
          }
          assert.strictEqual(
            counted,
            events.reduce((sum, [, credits]) => sum + credits, 0)
          )
          for (const [t] of events) {
            const c = cycleAt(anchor, t, z)
            const { endMillis, startMillis } = cycleInstants(c, z)
            assert.isTrue(startMillis <= t && t < endMillis)
          }
        }
      ),
      { numRuns: 300 }
    )
  })

  it("a UTC customer's cycles are today's: the cycle of the UTC date", () => {
    fc.assert(
      fc.property(anchorDay, instant, (day, t) => {
        const anchor = anchorOf(day)
        const utcDate = new Date(t).toISOString().slice(0, 10) as CalendarDate
        assert.deepStrictEqual(cycleAt(anchor, t, "UTC"), cycleFor(anchor, utcDate))
        const { startMillis } = cycleInstants(cycleFor(anchor, utcDate), "UTC")
        assert.strictEqual(new Date(startMillis).toISOString().slice(11), "00:00:00.000Z")
      }),
      { numRuns: 1000 }
    )
  })
})
