/**
 * The demo data: one reseller (`demo`, with a fixed, documented, public
 * key) and four customers that show the interesting cases: under the
 * allowance, in overage, anchored on the 31st, and a package name outside
 * ASCII. Usage events sit in each customer's current cycle, with ids made
 * from the customer and the cycle, so seeding again stores nothing new.
 *
 * @since 0.1.0
 */
import {
  type CalendarDate,
  calendarDateFromEpochMillis,
  cycleFor,
  type Package,
  type UsageEvent
} from "@account-overview/core"
import { Ledger } from "@account-overview/store"
import { Clock, Effect, Redacted } from "effect"

/**
 * The demo reseller's api_user.
 *
 * @since 0.1.0
 * @category constants
 */
export const demoApiUser = "demo"

/**
 * The demo reseller's key. Public on purpose: never use it for real data.
 *
 * @since 0.1.0
 * @category constants
 */
export const demoApiKey = "demo-key-not-secret-0123456789"

/**
 * The demo packages.
 *
 * @since 0.1.0
 * @category constants
 */
export const demoPackages: ReadonlyArray<Package> = [
  { name: "Silver Package", credits: 50_000, overagePrice: 0.001 },
  { name: "Paket Größe 5 — Ü", credits: 5_000 }
]

interface DemoCustomer {
  readonly user: string
  readonly package: string
  readonly billingAnchor: CalendarDate
  readonly reputation: number
  readonly usage: ReadonlyArray<{ readonly requests: number; readonly credits: number }>
}

/**
 * The demo customers and the usage each gets in its current cycle.
 *
 * @since 0.1.0
 * @category constants
 */
export const demoCustomers: ReadonlyArray<DemoCustomer> = [
  {
    user: "under@demo.example",
    package: "Silver Package",
    billingAnchor: "2024-01-15" as CalendarDate,
    reputation: 99,
    usage: [
      { requests: 1_200, credits: 9_000 },
      { requests: 800, credits: 3_500 }
    ]
  },
  {
    user: "over@demo.example",
    package: "Silver Package",
    billingAnchor: "2010-08-30" as CalendarDate,
    reputation: 100,
    usage: [
      { requests: 30_000, credits: 60_000 },
      { requests: 20_000, credits: 40_000 }
    ]
  },
  {
    user: "month-end@demo.example",
    package: "Silver Package",
    billingAnchor: "2024-01-31" as CalendarDate,
    reputation: 87.5,
    usage: [{ requests: 400, credits: 2_000 }]
  },
  {
    user: "umlaut@demo.example",
    package: "Paket Größe 5 — Ü",
    billingAnchor: "2024-02-29" as CalendarDate,
    reputation: 75,
    usage: [
      { requests: 50, credits: 4_000 },
      { requests: 25, credits: 1_500 }
    ]
  }
]

/**
 * The usage events of the demo for the cycles that hold `today`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const demoEvents = (today: CalendarDate): ReadonlyArray<UsageEvent> =>
  demoCustomers.flatMap((customer) => {
    const cycle = cycleFor(customer.billingAnchor, today)
    return customer.usage.map((usage, index) => ({
      id: `demo:${customer.user}:${cycle.start}:${index}`,
      user: customer.user,
      requests: usage.requests,
      credits: usage.credits,
      occurredAt: `${cycle.start}T00:00:0${index}Z`
    }))
  })

/**
 * Writes the demo into the ledger (idempotent): packages, the reseller,
 * the customers and the current cycle's events. Answers how many events
 * were new.
 *
 * @since 0.1.0
 * @category seeding
 */
export const seedDemo = Effect.gen(function* () {
  const ledger = yield* Ledger
  for (const pkg of demoPackages) yield* ledger.upsertPackage(pkg)
  yield* ledger.upsertReseller(demoApiUser, Redacted.make(demoApiKey))
  for (const customer of demoCustomers) {
    yield* ledger.upsertCustomer({
      user: customer.user,
      reseller: demoApiUser,
      package: customer.package,
      billingAnchor: customer.billingAnchor,
      reputation: customer.reputation
    })
  }
  const today = calendarDateFromEpochMillis(yield* Clock.currentTimeMillis)
  return yield* ledger.ingest(demoEvents(today))
})

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`

/**
 * The curl lines that call the demo: a JSON call (POST, form body) for the
 * customer whose package name is not ASCII, and an XML call (GET, key in an
 * `Authorization: Bearer` header) for the customer in overage.
 *
 * @since 0.1.0
 * @category demo
 */
export const demoCurlLines = (baseUrl: string): ReadonlyArray<string> => [
  `curl -s -X POST ${shellQuote(`${baseUrl}/api/distributor.account.json`)} -d api_user=${demoApiUser} -d api_key=${demoApiKey} -d task=overview -d user=umlaut@demo.example`,
  `curl -s -H ${shellQuote(`Authorization: Bearer ${demoApiKey}`)} ${shellQuote(`${baseUrl}/api/distributor.account.xml?api_user=${demoApiUser}&task=overview&user=over%40demo.example`)}`
]

/**
 * The lines that point at the page: its address and the demo reseller's
 * sign-in.
 *
 * @since 0.2.0
 * @category demo
 */
export const demoPageLines = (baseUrl: string): ReadonlyArray<string> => [
  `The page: ${baseUrl}/app/ (sign in with API user "${demoApiUser}", API key "${demoApiKey}")`
]
