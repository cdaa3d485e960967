import { type CalendarDate, cycleFor } from "@account-overview/core"
import { assert, describe, it } from "@effect/vitest"
import { demoApiKey, demoApiUser, demoCurlLines, demoCustomers, demoEvents, demoPageLines } from "../src/Demo.js"

describe("Demo (seedDemo through bin.test.ts)", () => {
  it("puts every customer's usage in its current cycle, with ids that do not change within the cycle", () => {
    const today = "2024-03-15" as CalendarDate
    const events = demoEvents(today)
    assert.strictEqual(
      events.length,
      demoCustomers.reduce((n, c) => n + c.usage.length, 0)
    )
    for (const event of events) {
      const customer = demoCustomers.find((c) => c.user === event.user)!
      const cycle = cycleFor(customer.billingAnchor, today)
      assert.isTrue(event.occurredAt.slice(0, 10) >= cycle.start && event.occurredAt.slice(0, 10) <= cycle.end)
      assert.include(event.id, cycle.start)
    }
    assert.deepStrictEqual(demoEvents("2024-03-16" as CalendarDate), events)
    assert.strictEqual(new Set(events.map((e) => e.id)).size, events.length)
  })

  it("prints a JSON call by POST and an XML call with a Bearer key, quoted for a shell", () => {
    const [json, xml] = demoCurlLines("http://127.0.0.1:3000")
    assert.include(json!, "'http://127.0.0.1:3000/api/distributor.account.json'")
    assert.include(json!, `-d api_user=${demoApiUser} -d api_key=${demoApiKey}`)
    assert.include(xml!, `'Authorization: Bearer ${demoApiKey}'`)
    assert.include(xml!, "/api/distributor.account.xml?api_user=demo&task=overview&user=over%40demo.example")
  })
})

describe("demoPageLines", () => {
  it("prints the page's address and the demo reseller's sign-in", () => {
    const [line] = demoPageLines("http://127.0.0.1:3000")
    assert.include(line, "http://127.0.0.1:3000/app/")
    assert.include(line, `API user "${demoApiUser}"`)
    assert.include(line, `API key "${demoApiKey}"`)
  })
})
