import { readFileSync } from "node:fs"
import { AccountOverviews, type Customer, parseCalendarDate, type UsageEvent } from "@account-overview/core"
import { assert, it } from "@effect/vitest"
import { Effect, Layer, Option, Redacted } from "effect"
import type { SqlClient } from "effect/sql"
import { TestClock } from "effect/testing"
import { Ledger } from "../src/Ledger.js"
import { LedgerOverviews } from "../src/LedgerOverviews.js"
import { ResellerKeys } from "../src/ResellerKeys.js"
import { utcScenario } from "./support/utcScenario.js"

const date = (s: string) => parseCalendarDate(s)!
let counter = 0
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`

const event = (id: string, user: string, occurredAt: string, credits = 1): UsageEvent => ({
  id,
  user,
  requests: 1,
  credits,
  occurredAt
})

const fixture = JSON.parse(readFileSync(new URL("./fixtures/utc-overviews.json", import.meta.url), "utf8")) as {
  readonly operator: Record<string, unknown>
  readonly wire: Record<string, string>
}

/** Packages, a reseller (with a default zone when given) and one customer. */
const seed = (options: { readonly anchor: string; readonly timeZone?: string; readonly resellerZone?: string }) =>
  Effect.gen(function* () {
    const ledger = yield* Ledger
    const small = { name: unique("small"), credits: 10, overagePrice: 0.5 }
    const large = { name: unique("large"), credits: 1000 }
    yield* ledger.upsertPackage(small)
    yield* ledger.upsertPackage(large)
    const reseller = unique("reseller")
    const apiKey = Redacted.make(`key-of-${reseller}`)
    yield* ledger.upsertReseller(reseller, apiKey)
    if (options.resellerZone !== undefined) yield* ledger.setResellerTimeZone(reseller, options.resellerZone)
    const base: Customer = {
      user: `${unique("user")}@example.com`,
      reseller,
      package: small.name,
      billingAnchor: date(options.anchor),
      reputation: 100
    }
    const customer = options.timeZone === undefined ? base : { ...base, timeZone: options.timeZone }
    yield* ledger.upsertCustomer(customer)
    return { small, large, reseller, apiKey, customer, user: customer.user }
  })

/** The time-zone, package-assignment and cycle-history tests, on any store. */
export const timeZoneSuite = (name: string, layer: Layer.Layer<Ledger | SqlClient.SqlClient, unknown>) =>
  it.layer(
    Layer.mergeAll(LedgerOverviews.layer, ResellerKeys.layer).pipe(
      Layer.provideMerge(Layer.merge(layer, ResellerKeys.layer))
    ),
    { timeout: 120_000, excludeTestServices: true }
  )(name, (it) => {
    it.effect("Auckland, anchor on the 1st: 2025-03-31T12:30Z counts in April, not in March", () =>
      Effect.gen(function* () {
        const ledger = yield* Ledger
        const operator = yield* LedgerOverviews
        const wire = yield* AccountOverviews
        const { apiKey, reseller, user } = yield* seed({ anchor: "2025-01-01", timeZone: "Pacific/Auckland" })
        const p = unique("ev")
        yield* ledger.ingest([
          event(`${p}-a`, user, "2025-03-31T12:30:00Z", 7),
          event(`${p}-b`, user, "2025-03-31T10:59:59.999Z", 5)
        ])
        const march = Option.getOrThrow(yield* operator.overviewAt(user, date("2025-03-31")))
        const april = Option.getOrThrow(yield* operator.overviewAt(user, date("2025-04-01")))
        assert.deepStrictEqual(
          [march.billingStartDate, march.billingEndDate, march.billingProcessDate, march.creditsUsed],
          ["2025-03-01", "2025-03-31", "2025-04-01", 5]
        )
        assert.deepStrictEqual(
          [april.billingStartDate, april.billingEndDate, april.billingProcessDate, april.creditsUsed],
          ["2025-04-01", "2025-04-30", "2025-05-01", 7]
        )
        // The wire's today is the customer's local today.
        yield* Effect.gen(function* () {
          yield* TestClock.setTime(Date.parse("2025-03-31T11:00:00Z"))
          const at = yield* wire.overview({ apiUser: reseller, apiKey }, user)
          assert.deepStrictEqual([at.billingStartDate, at.creditsUsed], ["2025-04-01", 7])
          yield* TestClock.setTime(Date.parse("2025-03-31T10:59:59.999Z"))
          const before = yield* wire.overview({ apiUser: reseller, apiKey }, user)
          assert.deepStrictEqual([before.billingStartDate, before.creditsUsed], ["2025-03-01", 5])
          assert.deepStrictEqual(Option.getOrThrow(yield* operator.overviewAt(user)), before)
        }).pipe(Effect.provide(TestClock.layer()))
      })
    )

    it.effect("UTC customers' overviews are byte-identical to the recorded answers", () =>
      Effect.gen(function* () {
        const answers = yield* utcScenario(unique("fx"))
        assert.deepStrictEqual(answers.operator, fixture.operator)
        assert.deepStrictEqual(answers.wire, fixture.wire)
      })
    )

    it.effect("a reseller's default zone applies to its customers without one; a customer's own wins", () =>
      Effect.gen(function* () {
        const ledger = yield* Ledger
        const operator = yield* LedgerOverviews
        const { customer, reseller, user } = yield* seed({ anchor: "2025-01-01", resellerZone: "America/Los_Angeles" })
        assert.deepStrictEqual(
          yield* ledger.getReseller(reseller),
          Option.some({ apiUser: reseller, timeZone: "America/Los_Angeles" })
        )
        assert.deepStrictEqual(yield* ledger.getCustomer(user), Option.some(customer))
        const p = unique("ev")
        // 2025-06-01T06:59:59Z is still 31 May in Los Angeles.
        yield* ledger.ingest([event(`${p}-a`, user, "2025-06-01T06:59:59Z", 3)])
        const may = Option.getOrThrow(yield* operator.overviewAt(user, date("2025-05-31")))
        assert.strictEqual(may.creditsUsed, 3)
        // A zone of its own re-counts its events there (decision 0100).
        yield* ledger.upsertCustomer({ ...customer, timeZone: "UTC" })
        assert.strictEqual(Option.getOrThrow(yield* operator.overviewAt(user, date("2025-05-31"))).creditsUsed, 0)
        assert.strictEqual(Option.getOrThrow(yield* operator.overviewAt(user, date("2025-06-01"))).creditsUsed, 3)
        // Back to the reseller's: and the reseller's default moving re-counts it again.
        yield* ledger.upsertCustomer(customer)
        assert.strictEqual(Option.getOrThrow(yield* operator.overviewAt(user, date("2025-05-31"))).creditsUsed, 3)
        yield* ledger.setResellerTimeZone(reseller, undefined)
        assert.strictEqual(Option.getOrThrow(yield* operator.overviewAt(user, date("2025-06-01"))).creditsUsed, 3)
        const cycles = Option.getOrThrow(
          yield* ledger.customerCycles(user, { from: date("2025-05-01"), to: date("2025-06-01") })
        )
        assert.strictEqual(cycles.timeZone, "UTC")
      })
    )

    it.effect(
      "a scheduled package change shows from the next cycle's first day, not before; past cycles keep theirs",
      () =>
        Effect.gen(function* () {
          const ledger = yield* Ledger
          const operator = yield* LedgerOverviews
          const wire = yield* AccountOverviews
          const { apiKey, large, reseller, small, user } = yield* seed({
            anchor: "2025-01-15",
            timeZone: "Pacific/Auckland"
          })
          yield* Effect.gen(function* () {
            // 2025-03-20 in Auckland: the cycle is 2025-03-15 .. 2025-04-14.
            yield* TestClock.setTime(Date.parse("2025-03-20T00:00:00Z"))
            const scheduled = Option.getOrThrow(yield* ledger.changePackage(user, large.name, "nextCycle"))
            assert.deepStrictEqual(scheduled, {
              user,
              current: { package: small.name, from: date("0001-01-01") },
              scheduled: { package: large.name, from: date("2025-04-15") }
            })
            const atDate = (d: string) =>
              Effect.map(operator.overviewAt(user, date(d)), (o) => [
                Option.getOrThrow(o).package,
                Option.getOrThrow(o).creditsAllowed
              ])
            assert.deepStrictEqual(yield* atDate("2025-04-14"), [small.name, 10])
            assert.deepStrictEqual(yield* atDate("2025-04-15"), [large.name, 1000])
            assert.deepStrictEqual(yield* atDate("2025-02-01"), [small.name, 10])
            // The wire: the last local instant of the cycle, then the first of the next.
            yield* TestClock.setTime(Date.parse("2025-04-14T11:59:59.999Z"))
            assert.strictEqual((yield* wire.overview({ apiUser: reseller, apiKey }, user)).package, small.name)
            yield* TestClock.setTime(Date.parse("2025-04-14T12:00:00Z"))
            const next = yield* wire.overview({ apiUser: reseller, apiKey }, user)
            assert.deepStrictEqual(
              [next.package, next.creditsAllowed, next.billingStartDate],
              [large.name, 1000, "2025-04-15"]
            )
            // An immediate change later keeps the past: the April cycle stays large, March small.
            yield* TestClock.setTime(Date.parse("2025-05-20T00:00:00Z"))
            const now = Option.getOrThrow(yield* ledger.changePackage(user, small.name, "now"))
            assert.deepStrictEqual(now, { user, current: { package: small.name, from: date("2025-05-20") } })
            assert.deepStrictEqual(yield* atDate("2025-04-20"), [large.name, 1000])
            assert.deepStrictEqual(yield* atDate("2025-03-20"), [small.name, 10])
            assert.deepStrictEqual(yield* atDate("2025-05-20"), [small.name, 10])
            // Schedule and cancel.
            yield* ledger.changePackage(user, large.name, "nextCycle")
            const cancelled = Option.getOrThrow(yield* ledger.cancelPackageChange(user))
            assert.deepStrictEqual(cancelled, { user, current: { package: small.name, from: date("2025-05-20") } })
            assert.deepStrictEqual(yield* atDate("2025-06-15"), [small.name, 10])
            // The history: each cycle with the package in force on its last day.
            const history = Option.getOrThrow(
              yield* ledger.customerCycles(user, { from: date("2025-03-01"), to: date("2025-05-31") })
            )
            assert.deepStrictEqual(
              history.items.map((c) => [c.start, c.package, c.closed]),
              [
                ["2025-02-15", small.name, true],
                ["2025-03-15", small.name, true],
                ["2025-04-15", large.name, true],
                ["2025-05-15", small.name, false]
              ]
            )
            assert.isTrue(Option.isNone(yield* ledger.changePackage(unique("nobody"), small.name, "now")))
            const bad = yield* Effect.flip(ledger.changePackage(user, unique("ghost"), "now"))
            assert.strictEqual(bad._tag, "LedgerRejected")
          }).pipe(Effect.provide(TestClock.layer()))
        })
    )

    it.effect("the history of cycles and the reseller's overage report of a closing day", () =>
      Effect.gen(function* () {
        const ledger = yield* Ledger
        const { reseller, small, user } = yield* seed({ anchor: "2025-01-01", timeZone: "Pacific/Auckland" })
        const other = `${unique("other")}@example.com`
        yield* ledger.upsertCustomer({
          user: other,
          reseller,
          package: small.name,
          billingAnchor: date("2025-01-10"),
          reputation: 1
        })
        const p = unique("ev")
        yield* ledger.ingest([
          event(`${p}-1`, user, "2025-02-10T00:00:00Z", 4),
          event(`${p}-2`, user, "2025-03-31T12:30:00Z", 15),
          event(`${p}-3`, other, "2025-03-31T12:30:00Z", 20)
        ])
        yield* Effect.gen(function* () {
          yield* TestClock.setTime(Date.parse("2025-04-05T00:00:00Z"))
          const history = Option.getOrThrow(
            yield* ledger.customerCycles(user, { from: date("2025-02-01"), to: date("2025-04-02") })
          )
          assert.strictEqual(history.timeZone, "Pacific/Auckland")
          assert.deepStrictEqual(
            history.items.map((c) => [
              c.start,
              c.end,
              c.processDate,
              c.closed,
              c.creditsUsed,
              c.creditsOverage,
              c.requests
            ]),
            [
              ["2025-02-01", "2025-02-28", "2025-03-01", true, 4, 0, 1],
              ["2025-03-01", "2025-03-31", "2025-04-01", true, 0, 0, 0],
              ["2025-04-01", "2025-04-30", "2025-05-01", false, 15, 5, 1]
            ]
          )
          const report = Option.getOrThrow(yield* ledger.resellerCycles(reseller, date("2025-05-01")))
          assert.deepStrictEqual(
            report.items.map((l) => [l.user, l.creditsOverage, l.overageAmount, l.closed]),
            [[user, 5, 2.5, false]]
          )
          const april10 = Option.getOrThrow(yield* ledger.resellerCycles(reseller, date("2025-04-10")))
          assert.deepStrictEqual(
            april10.items.map((l) => [l.user, l.start, l.creditsUsed, l.creditsOverage]),
            [[other, "2025-03-10", 20, 10]]
          )
          assert.isTrue(Option.isNone(yield* ledger.resellerCycles(unique("ghost"), date("2025-04-10"))))
          const backwards = yield* Effect.flip(
            ledger.customerCycles(user, { from: date("2025-04-02"), to: date("2025-02-01") })
          )
          assert.strictEqual(backwards._tag, "LedgerRejected")
        }).pipe(Effect.provide(TestClock.layer()))
      })
    )
  })
