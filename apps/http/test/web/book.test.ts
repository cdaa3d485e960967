import { overviewFields } from "@account-overview/core"
import { assert, describe, it } from "@effect/vitest"
import { type BookRow, bookCsv, csvColumns, sortRows, stateOf, wireFields } from "../../web/src/book.js"
import { cumulative, dayOfCycle, daysBetween } from "../../web/src/dates.js"

const row = (user: string, used: number, allowed = 100): BookRow => ({
  user,
  overview: {
    reputation: 90,
    requests: 1,
    package: 'Pack, "A"',
    creditsAllowed: allowed,
    creditsUsed: used,
    creditsRemain: Math.max(0, allowed - used),
    creditsOverage: Math.max(0, used - allowed),
    billingStartDate: "2024-03-01",
    billingEndDate: "2024-03-31",
    billingProcessDate: "2024-04-01"
  }
})

describe("the book (web/src/book.ts)", () => {
  it("exports the CLI's CSV columns: user, then core's wire fields in order", () => {
    assert.deepStrictEqual(
      csvColumns.map(([, name]) => name),
      ["user", ...overviewFields.map(([, wire]) => wire)]
    )
    assert.deepStrictEqual(
      csvColumns.slice(1).map(([key]) => key),
      overviewFields.map(([key]) => key)
    )
    assert.strictEqual(
      bookCsv([row("a@x", 150)]).split("\n")[1],
      'a@x,90,1,"Pack, ""A""",100,150,0,50,2024-03-01,2024-03-31,2024-04-01'
    )
  })

  it("exports the wire's fields (the page's overview table) as core's, in order", () => {
    assert.deepStrictEqual(
      wireFields.map(([key, wire]) => [key, wire]),
      overviewFields.map(([key, wire]) => [key, wire])
    )
    assert.deepStrictEqual(csvColumns.slice(1), [...wireFields])
  })

  it("names the state: over past the allowance, near from 80 %, else under", () => {
    assert.deepStrictEqual(
      [row("a", 0), row("b", 79), row("c", 80), row("d", 100), row("e", 101), row("f", 0, 0)].map((r) =>
        stateOf(r.overview)
      ),
      ["under", "under", "near", "near", "over", "under"]
    )
  })

  it("sorts by a column both ways, ties by name", () => {
    const rows = [row("b", 50), row("a", 50), row("c", 10)]
    assert.deepStrictEqual(
      sortRows(rows, "used", false, "2024-03-10").map((r) => r.user),
      ["c", "a", "b"]
    )
    assert.deepStrictEqual(
      sortRows(rows, "used", true, "2024-03-10").map((r) => r.user),
      ["a", "b", "c"]
    )
  })

  it("counts the days of a cycle", () => {
    assert.deepStrictEqual(dayOfCycle("2024-03-01", "2024-03-31", "2024-03-15"), { day: 15, of: 31, left: 16 })
    assert.deepStrictEqual(dayOfCycle("2024-02-29", "2024-03-28", "2024-02-29"), { day: 1, of: 29, left: 28 })
    assert.strictEqual(daysBetween("2024-02-27", "2024-03-01").length, 4)
    assert.deepStrictEqual(cumulative([1, 2, 3]), [1, 3, 6])
  })
})
