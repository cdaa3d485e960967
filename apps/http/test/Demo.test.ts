import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type CalendarDate, cycleFor } from "@account-overview/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import {
  demoAdminToken,
  demoAdminTokenFile,
  demoApiKey,
  demoApiUser,
  demoBanner,
  demoCurlLines,
  demoCustomers,
  demoEvents
} from "../src/Demo.js"

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

describe("Demo's admin token (demoAdminToken, demoBanner)", () => {
  const folder = () => mkdtempSync(join(tmpdir(), "ao-demo-token-"))

  it.effect("makes a random token in DATA_DIR/admin-token with mode 0600 once, then reads it back", () =>
    Effect.gen(function* () {
      const dir = join(folder(), "data")
      const first = yield* demoAdminToken(dir)
      assert.isTrue(first.created)
      assert.strictEqual(first.file, join(dir, demoAdminTokenFile))
      assert.strictEqual(statSync(first.file).mode & 0o777, 0o600)
      assert.match(Redacted.value(first.token), /^[A-Za-z0-9_-]{43}$/)
      assert.notInclude(String(first.token), Redacted.value(first.token))
      const second = yield* demoAdminToken(dir)
      assert.isFalse(second.created)
      assert.strictEqual(Redacted.value(second.token), Redacted.value(first.token))
      const other = yield* demoAdminToken(join(folder(), "data"))
      assert.notStrictEqual(Redacted.value(other.token), Redacted.value(first.token))
    })
  )

  it.effect("narrows a file others can read to 0600, and replaces a file that holds no token", () =>
    Effect.gen(function* () {
      const dir = folder()
      const file = join(dir, demoAdminTokenFile)
      writeFileSync(file, "k".repeat(43), { mode: 0o644 })
      const kept = yield* demoAdminToken(dir)
      assert.isFalse(kept.created)
      assert.strictEqual(Redacted.value(kept.token), "k".repeat(43))
      assert.strictEqual(statSync(file).mode & 0o777, 0o600)
      writeFileSync(file, "short\n")
      const replaced = yield* demoAdminToken(dir)
      assert.isTrue(replaced.created)
      assert.strictEqual(readFileSync(file, "utf8").trim(), Redacted.value(replaced.token))
    })
  )

  it.effect("fails with a DemoTokenError naming the file when it cannot write it", () =>
    Effect.gen(function* () {
      const dir = folder()
      writeFileSync(join(dir, "file"), "")
      const error = yield* Effect.flip(demoAdminToken(join(dir, "file", "data")))
      assert.strictEqual(error._tag, "DemoTokenError")
      assert.include(error.message, join(dir, "file", "data", demoAdminTokenFile))
    })
  )

  it("prints the curl lines first, then the token kept in the data folder with a call that uses it", () => {
    const token = Redacted.make("t".repeat(43))
    const kept = demoBanner("http://127.0.0.1:3000", { _tag: "Kept", token, file: "/srv/ao/admin-token" })
    const curls = kept.split("\n").filter((line) => line.startsWith("curl "))
    assert.deepStrictEqual(curls.slice(0, 2), [...demoCurlLines("http://127.0.0.1:3000")])
    assert.strictEqual(
      curls[2],
      `curl -s -H 'Authorization: Bearer ${"t".repeat(43)}' 'http://127.0.0.1:3000/v1/customers?reseller=demo'`
    )
    assert.include(kept, `ADMIN_TOKEN=${"t".repeat(43)}`)
    assert.include(kept, "/srv/ao/admin-token (mode 0600)")
    assert.include(kept, "http://127.0.0.1:3000/docs")
    const env = demoBanner("http://127.0.0.1:3000", { _tag: "Environment" })
    assert.include(
      env,
      `curl -s -H "Authorization: Bearer $ADMIN_TOKEN" 'http://127.0.0.1:3000/v1/customers?reseller=demo'`
    )
  })
})
