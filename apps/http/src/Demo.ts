/**
 * The demo data: one reseller (`demo`, with a fixed, documented, public
 * key) and four customers that show the interesting cases: under the
 * allowance, in overage, anchored on the 31st, and a package name outside
 * ASCII. Usage events sit in each customer's current cycle, with ids made
 * from the customer and the cycle, so seeding again stores nothing new.
 *
 * @since 0.1.0
 */
import { randomBytes } from "node:crypto"
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import {
  type CalendarDate,
  calendarDateFromEpochMillis,
  cycleFor,
  type Package,
  type UsageEvent
} from "@account-overview/core"
import { Ledger } from "@account-overview/store"
import { Clock, Effect, Redacted, Schema } from "effect"

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
 * The name of the file, in `DATA_DIR`, that keeps the demo's admin token.
 *
 * @since 0.2.0
 * @category constants
 */
export const demoAdminTokenFile = "admin-token"

/**
 * The demo's admin token could not be read or written.
 *
 * @since 0.2.0
 * @category errors
 */
export class DemoTokenError extends Schema.TaggedError<DemoTokenError>("@account-overview/http/DemoTokenError")(
  "DemoTokenError",
  { message: Schema.String }
) {}

/**
 * The demo's admin token and where it is kept.
 *
 * @since 0.2.0
 * @category models
 */
export interface DemoAdminToken {
  readonly token: Redacted.Redacted<string>
  readonly file: string
  /** Made by this call (the first run on this data folder). */
  readonly created: boolean
}

const tokenPattern = /^[A-Za-z0-9_-]{32,}$/

const systemMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/**
 * The demo's admin token, kept in `dataDir`/`admin-token` with mode 0600:
 * read when the file holds one (its mode is narrowed to 0600 when others
 * could read it), else a new random one (32 bytes, base64url) written
 * there, so that the demo's token stays the same from one run to the next
 * on one data folder.
 *
 * @since 0.2.0
 * @category demo
 */
export const demoAdminToken = Effect.fn("Demo.demoAdminToken")(function* (dataDir: string) {
  const file = join(dataDir, demoAdminTokenFile)
  const kept = yield* Effect.try({
    try: () => {
      try {
        return { text: readFileSync(file, "utf8").trim(), mode: statSync(file).mode & 0o777 }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined
        throw error
      }
    },
    catch: (error) => new DemoTokenError({ message: `cannot read ${file}: ${systemMessage(error)}` })
  })
  if (kept !== undefined && tokenPattern.test(kept.text)) {
    if ((kept.mode & 0o077) !== 0) {
      yield* Effect.try({
        try: () => chmodSync(file, 0o600),
        catch: (error) => new DemoTokenError({ message: `cannot narrow the mode of ${file}: ${systemMessage(error)}` })
      })
      yield* Effect.logWarning("the demo's admin token file could be read by others: its mode is now 0600").pipe(
        Effect.annotateLogs({ file })
      )
    }
    return { token: Redacted.make(kept.text, { label: "ADMIN_TOKEN" }), file, created: false } satisfies DemoAdminToken
  }
  const token = randomBytes(32).toString("base64url")
  yield* Effect.try({
    try: () => {
      mkdirSync(dataDir, { recursive: true })
      writeFileSync(file, `${token}\n`, { mode: 0o600 })
      chmodSync(file, 0o600)
    },
    catch: (error) => new DemoTokenError({ message: `cannot write ${file}: ${systemMessage(error)}` })
  })
  return { token: Redacted.make(token, { label: "ADMIN_TOKEN" }), file, created: true } satisfies DemoAdminToken
})

/**
 * What the demo prints once it listens on `baseUrl`: the curl lines of
 * `demoCurlLines`, then the admin token of the operator API with a call
 * that uses it (`$ADMIN_TOKEN` when the token is the environment's own,
 * which is not printed).
 *
 * @since 0.2.0
 * @category demo
 */
export const demoBanner = (
  baseUrl: string,
  admin:
    | { readonly _tag: "Kept"; readonly token: Redacted.Redacted<string>; readonly file: string }
    | { readonly _tag: "Environment" }
): string => {
  const v1 = shellQuote(`${baseUrl}/v1/customers?reseller=${demoApiUser}`)
  const adminLines =
    admin._tag === "Kept"
      ? [
          `The operator API (${baseUrl}/docs) takes this admin token, kept for the next runs in ${admin.file} (mode 0600):`,
          "",
          `  ADMIN_TOKEN=${Redacted.value(admin.token)}`,
          "",
          `curl -s -H ${shellQuote(`Authorization: Bearer ${Redacted.value(admin.token)}`)} ${v1}`
        ]
      : [
          `The operator API (${baseUrl}/docs) takes your ADMIN_TOKEN (from the environment; not shown):`,
          "",
          `curl -s -H "Authorization: Bearer $ADMIN_TOKEN" ${v1}`
        ]
  return [
    "",
    `The Account Overview demo is up on ${baseUrl} (Ctrl-C stops it). Try:`,
    "",
    ...demoCurlLines(baseUrl),
    "",
    "The XML answer is ISO-8859-1: pipe it through `iconv -f latin1` on a UTF-8 terminal.",
    "",
    ...adminLines,
    "",
    `Also: ${baseUrl}/healthz, /readyz, /metrics, /openapi.json`,
    ""
  ].join("\n")
}
