import { assert, describe, it } from "@effect/vitest"
import { byCustomerAndDay, dailyTotals } from "../../src/internal/daily.js"

describe("the daily rollup's rows (internal/daily.ts)", () => {
  it("sums the events by (customer, day), in the lock order: customer, then day", () => {
    const events = [
      { customerId: 7, day: "2025-03-02", requests: 1, credits: 10 },
      { customerId: 2, day: "2025-03-02", requests: 2, credits: 20 },
      { customerId: 7, day: "2025-03-01", requests: 3, credits: 30 },
      { customerId: 7, day: "2025-03-02", requests: 4, credits: 40 },
      { customerId: 10, day: "2025-02-28", requests: 0, credits: 0 }
    ]
    assert.deepStrictEqual(dailyTotals(events), [
      { customerId: 2, day: "2025-03-02", requests: 2, credits: 20 },
      { customerId: 7, day: "2025-03-01", requests: 3, credits: 30 },
      { customerId: 7, day: "2025-03-02", requests: 5, credits: 50 },
      { customerId: 10, day: "2025-02-28", requests: 0, credits: 0 }
    ])
    assert.deepStrictEqual(dailyTotals([]), [])
  })

  it("leaves the events as they were", () => {
    const event = { customerId: 1, day: "2025-01-01", requests: 1, credits: 1 }
    dailyTotals([event, event])
    assert.deepStrictEqual(event, { customerId: 1, day: "2025-01-01", requests: 1, credits: 1 })
  })

  it("orders customers by number, not as text, and days as dates", () => {
    const row = (customerId: number, day: string) => ({ customerId, day, requests: 0, credits: 0 })
    assert.isBelow(byCustomerAndDay(row(9, "2025-01-01"), row(10, "2024-01-01")), 0)
    assert.isAbove(byCustomerAndDay(row(3, "2025-01-02"), row(3, "2025-01-01")), 0)
    assert.strictEqual(byCustomerAndDay(row(3, "2025-01-01"), row(3, "2025-01-01")), 0)
  })
})
