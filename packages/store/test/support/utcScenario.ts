import { AccountOverviews, encodeOverview, parseCalendarDate, type UsageEvent } from "@account-overview/core"
import { Effect, Option, Redacted } from "effect"
import { TestClock } from "effect/testing"
import { Ledger } from "../../src/Ledger.js"
import { LedgerOverviews } from "../../src/LedgerOverviews.js"

/**
 * A fixed ledger of UTC customers (no time zone set anywhere), its events
 * around UTC midnights of anchor days, and the overviews it answers: the
 * operator's for many dates and the wire's (JSON and XML, v1 and v2) at many
 * instants. `test/fixtures/utc-overviews.json` holds these answers as the
 * ledger gave them before time zones existed.
 */
export const utcScenario = (prefix: string) =>
  Effect.gen(function* () {
    const ledger = yield* Ledger
    const operator = yield* LedgerOverviews
    const wire = yield* AccountOverviews
    const pkg = { name: `${prefix}-Paket Größe 5 — Ü`, credits: 40, overagePrice: 0.25 }
    yield* ledger.upsertPackage(pkg)
    const reseller = `${prefix}-reseller`
    const apiKey = Redacted.make(`${prefix}-key-0123456789`)
    yield* ledger.upsertReseller(reseller, apiKey)
    const anchors = [...Array.from({ length: 31 }, (_, i) => `2023-01-${String(i + 1).padStart(2, "0")}`), "2024-02-29"]
    const users: Array<string> = []
    const events: Array<UsageEvent> = []
    for (const [i, anchor] of anchors.entries()) {
      const user = `${prefix}-u${i}@example.com`
      users.push(user)
      yield* ledger.upsertCustomer({
        user,
        reseller,
        package: pkg.name,
        billingAnchor: parseCalendarDate(anchor)!,
        reputation: 90 + (i % 10)
      })
      const day = anchor.slice(8)
      for (const month of ["2024-01", "2024-02", "2024-03", "2025-02", "2025-03"]) {
        const last = new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5)), 0)).getUTCDate()
        const d = String(Math.min(Number(day), last)).padStart(2, "0")
        const at = Date.parse(`${month}-${d}T00:00:00Z`)
        for (const [j, offset] of [-1, 0, 1, 12 * 3_600_000, 86_400_000 - 1].entries()) {
          events.push({
            id: `${prefix}-e-${i}-${month}-${j}`,
            user,
            requests: 1 + j,
            credits: 3 + i + j * 5,
            occurredAt: new Date(at + offset).toISOString()
          })
        }
      }
    }
    yield* ledger.ingest(events)
    const dates = [
      "2024-01-01",
      "2024-01-15",
      "2024-01-30",
      "2024-01-31",
      "2024-02-01",
      "2024-02-28",
      "2024-02-29",
      "2024-03-01",
      "2024-03-31",
      "2025-02-28",
      "2025-03-01",
      "2025-03-31"
    ]
    const operatorAnswers: Record<string, unknown> = {}
    for (const [i, user] of users.entries()) {
      for (const date of dates) {
        operatorAnswers[`${i} ${date}`] = Option.getOrUndefined(
          yield* operator.overviewAt(user, parseCalendarDate(date)!)
        )
      }
    }
    const instants = [
      "2024-01-31T23:59:59.999Z",
      "2024-02-01T00:00:00.000Z",
      "2024-02-29T00:00:00.000Z",
      "2025-03-01T12:00:00.000Z"
    ]
    const wireAnswers: Record<string, string> = {}
    yield* Effect.gen(function* () {
      for (const instant of instants) {
        yield* TestClock.setTime(Date.parse(instant))
        for (const [i, user] of users.entries()) {
          const overview = yield* wire.overview({ apiUser: reseller, apiKey }, user)
          for (const format of ["json", "xml"] as const) {
            for (const dialect of ["v1", "v2"] as const) {
              wireAnswers[`${i} ${instant} ${format} ${dialect}`] = Buffer.from(
                encodeOverview({ ...overview, package: overview.package.slice(prefix.length + 1) }, format, dialect)
              ).toString("latin1")
            }
          }
        }
      }
    }).pipe(Effect.provide(TestClock.layer()))
    const strip = (answers: Record<string, unknown>) =>
      Object.fromEntries(
        Object.entries(answers).map(([k, v]) => [
          k,
          v === undefined
            ? null
            : { ...(v as object), package: (v as { package: string }).package.slice(prefix.length + 1) }
        ])
      )
    return { operator: strip(operatorAnswers), wire: wireAnswers }
  })
