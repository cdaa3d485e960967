import {
  addCalendarDays,
  type CalendarDate,
  type Customer,
  calendarDateFromEpochMillis,
  nameKey,
  type Package,
  type Reseller
} from "@account-overview/core"
import { Effect, Option, Redacted, Schema } from "effect"
import { SqlClient } from "effect/sql"
import type { Fragment } from "effect/sql/Statement"
import type { Ledger } from "../Ledger.js"
import type { OverviewReading, OverviewSource, UsageTotals } from "../LedgerModels.js"
import * as Alerts from "./alerts.js"
import * as BillingLedger from "./billingLedger.js"
import * as HotReads from "./hotReads.js"
import * as Ingest from "./ingest.js"
import * as Reading from "./reading.js"
import * as Rows from "./rows.js"
import * as Scrypt from "./scrypt.js"
import * as SqliteHandle from "./sqliteHandle.js"
import * as Voids from "./voids.js"

/** Opaque page cursor: the last `user` of a page, base64url. */
export const encodeCursor = (user: string): string => Buffer.from(user, "utf8").toString("base64url")
export const decodeCursor = (cursor: string): string => Buffer.from(cursor, "base64url").toString("utf8")

const toCustomer = (row: typeof Rows.CustomerRow.Type): Customer => {
  const customer: Customer = {
    user: row.user_name,
    reseller: row.api_user,
    package: row.package_name,
    billingAnchor: row.billing_anchor,
    reputation: row.reputation
  }
  const zoned = row.time_zone === null ? customer : { ...customer, timeZone: row.time_zone }
  const thresholds = Alerts.thresholdsOf(row.alert_thresholds ?? null)
  return thresholds === undefined ? zoned : { ...zoned, alertThresholds: thresholds }
}

const decodePackages = Schema.decodeUnknownEffect(Schema.Array(Rows.PackageRow))
const decodeCustomers = Schema.decodeUnknownEffect(Schema.Array(Rows.CustomerRow))
const decodeKeyHashes = Schema.decodeUnknownEffect(Schema.Array(Rows.KeyHashRow))
const decodeResellerZones = Schema.decodeUnknownEffect(
  Schema.Array(Schema.Struct({ api_user: Schema.String, time_zone: Schema.NullOr(Schema.String) }))
)

/** The ledger's statements over any `SqlClient` whose dialect is SQLite or PostgreSQL. */
export const make: Effect.Effect<Ledger["Service"], never, SqlClient.SqlClient> = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const isPg = sql.onDialectOrElse({ pg: () => true, orElse: () => false })

  // The customer's effective zone and package assignments (rows.ts `assignmentsOf`), in the same read.
  const assignmentColumns = sql.literal(`COALESCE(c.time_zone, r.time_zone) AS time_zone, c.time_zone AS own_time_zone,
          CAST(c.package_from AS TEXT) AS package_from, CAST(c.next_package_from AS TEXT) AS next_package_from,
          np.name AS next_package_name, np.credits AS next_package_credits, np.overage_price AS next_overage_price`)

  // The statements of the overview hot path are compiled once, in the
  // client's dialect, and run with their parameters (user, api_user; the
  // key-only read: user). The columns are selected in `Rows.overviewColumns`
  // order, then `more`. A key-only call reads the customer, its package and
  // its own reseller's key hash.
  const readingSql = (more: Fragment) => {
    const columns = sql`r.key_hash, c.user_name, c.billing_anchor, c.reputation,
          p.name AS package_name, p.credits AS package_credits, p.overage_price, c.id AS customer_id, r.api_user,
          ${assignmentColumns}${more}`
    const packages = sql.literal(`LEFT JOIN packages p ON p.id = c.package_id
        LEFT JOIN packages np ON np.id = c.next_package_id`)
    const [byReseller] = sql`SELECT ${columns}
        FROM resellers r
        LEFT JOIN customers c ON c.user_key = ${""} AND c.reseller_id = r.id
        ${packages}
        WHERE r.api_user_key = ${""}`.compile()
    const [keyOnly] = sql`SELECT ${columns}
        FROM customers c
        JOIN resellers r ON r.id = c.reseller_id
        ${packages}
        WHERE c.user_key = ${""}`.compile()
    return { byReseller, keyOnly }
  }

  const { byReseller: overviewSql, keyOnly: keyOnlySql } = readingSql(sql.literal(""))

  // Rows of the hot path are checked by hand (rows.ts), in both dialects.
  // Names are looked up by their keys (`Rows.lookupKey`), here and in hotReads.ts.
  const overviewSource = (
    apiUser: string | undefined,
    user: string
  ): Effect.Effect<Option.Option<OverviewSource>, Rows.Failure> =>
    Effect.flatMap(
      apiUser === undefined
        ? sql.unsafe<Record<string, unknown>>(keyOnlySql, [Rows.lookupKey(user)])
        : sql.unsafe<Record<string, unknown>>(overviewSql, [Rows.lookupKey(user), Rows.lookupKey(apiUser)]),
      (rows) => {
        const row = rows[0]
        const source = Rows.overviewSourceOf(apiUser, row === undefined ? undefined : Rows.overviewValues(row))
        return source instanceof Rows.BadRow ? Effect.fail(source) : Effect.succeed(source)
      }
    )

  const sums = isPg
    ? sql.literal("COALESCE(SUM(d.requests), 0)::bigint AS requests, COALESCE(SUM(d.credits), 0)::bigint AS credits")
    : sql.literal("COALESCE(SUM(d.requests), 0) AS requests, COALESCE(SUM(d.credits), 0) AS credits")

  // Parameters: from, to, user.
  const [usageSql] = sql`SELECT ${sums}
        FROM customers c
        JOIN usage_daily d ON d.customer_id = c.id AND d.day >= ${""} AND d.day <= ${""}
        WHERE c.user_key = ${""}`.compile()

  const usageBetween = (user: string, from: CalendarDate, to: CalendarDate): Effect.Effect<UsageTotals, Rows.Failure> =>
    Effect.flatMap(sql.unsafe<Record<string, unknown>>(usageSql, [from, to, Rows.lookupKey(user)]), (rows) => {
      const totals = Rows.totalsOf(rows[0]?.requests, rows[0]?.credits)
      return totals instanceof Rows.BadRow ? Effect.fail(totals) : Effect.succeed(totals)
    })

  // Parameters: customer id, from, to.
  const [usageByIdSql] = sql`SELECT ${sums} FROM usage_daily d
        WHERE d.customer_id = ${0} AND d.day >= ${""} AND d.day <= ${""}`.compile()

  const usageById = (id: number, from: CalendarDate, to: CalendarDate): Effect.Effect<UsageTotals, Rows.Failure> =>
    Effect.flatMap(sql.unsafe<Record<string, unknown>>(usageByIdSql, [id, from, to]), (rows) => {
      const totals = Rows.totalsOf(rows[0]?.requests, rows[0]?.credits)
      return totals instanceof Rows.BadRow ? Effect.fail(totals) : Effect.succeed(totals)
    })

  // Parameters: customer id, date. The package assigned on the latest day at or before the date.
  const [packageAtSql] = sql`SELECT p.name, p.credits, p.overage_price
        FROM customer_packages cp JOIN packages p ON p.id = cp.package_id
        WHERE cp.customer_id = ${0} AND cp.starts_on <= ${""}
        ORDER BY cp.starts_on DESC LIMIT 1`.compile()

  const firstRow = (rows: ReadonlyArray<Record<string, unknown>>, columns: ReadonlyArray<string>) =>
    rows[0] === undefined ? undefined : columns.map((column) => rows[0]![column])

  // PostgreSQL: the overview row and the usage in one statement, one round
  // trip (decision 0085): the columns of `overviewSql`/`keyOnlySql` plus the
  // customer's usage rows of the days around the date, as a JSON array of
  // [day, requests, credits], from which the planned cycle is summed here.
  // The window is [UTC date - 32, UTC date + 32] days: the local date of an
  // instant is within one day of its UTC date and a cycle that holds it is at
  // most 31 days long, so the window covers the cycle. Parameters: from, to,
  // user, api_user (the key-only read: from, to, user).
  const usageRows = sql`(SELECT json_agg(json_build_array(d.day, d.requests, d.credits)) FROM usage_daily d
          WHERE d.customer_id = c.id AND d.day >= ${""} AND d.day <= ${""}) AS usage`
  const { byReseller: pgOverviewSql, keyOnly: pgKeyOnlySql } = readingSql(sql`, ${usageRows}`)

  const overviewRows = (
    apiUser: string | undefined,
    user: string,
    when: CalendarDate | number
  ): Effect.Effect<ReadonlyArray<Record<string, unknown>>, Rows.Failure> => {
    if (!isPg) {
      return apiUser === undefined
        ? sql.unsafe<Record<string, unknown>>(keyOnlySql, [Rows.lookupKey(user)])
        : sql.unsafe<Record<string, unknown>>(overviewSql, [Rows.lookupKey(user), Rows.lookupKey(apiUser)])
    }
    const around = typeof when === "number" ? calendarDateFromEpochMillis(when) : when
    const from = addCalendarDays(around, -32)
    const to = addCalendarDays(around, 32)
    return apiUser === undefined
      ? sql.unsafe<Record<string, unknown>>(pgKeyOnlySql, [from, to, Rows.lookupKey(user)])
      : sql.unsafe<Record<string, unknown>>(pgOverviewSql, [from, to, Rows.lookupKey(user), Rows.lookupKey(apiUser)])
  }

  // The usage of the planned cycle: on PostgreSQL summed from the row's
  // `usage` column, elsewhere read by the customer's id.
  const cycleUsage = (
    row: Record<string, unknown> | undefined,
    found: Option.Option.Value<Reading.Plan["customer"]>
  ): Effect.Effect<UsageTotals, Rows.Failure> => {
    if (!isPg) return usageById(found.id, found.cycle.start, found.cycle.end)
    const usage = Rows.cycleTotalsOf(row?.usage, found.cycle.start, found.cycle.end)
    return usage instanceof Rows.BadRow ? Effect.fail(usage) : Effect.succeed(usage)
  }

  const overviewReading = (
    apiUser: string | undefined,
    user: string,
    when: CalendarDate | number
  ): Effect.Effect<Option.Option<OverviewReading>, Rows.Failure> =>
    Effect.flatMap(overviewRows(apiUser, user, when), (rows) => {
      const planned = Reading.plan(apiUser, firstRow(rows, Rows.overviewColumns), when)
      if (planned instanceof Rows.BadRow) return Effect.fail(planned)
      if (Option.isNone(planned)) return Effect.succeed(Option.none())
      const { customer, keyHash } = planned.value
      if (Option.isNone(customer)) return Effect.succeed(Option.some({ keyHash, customer: Option.none() }))
      const found = customer.value
      const pkg: Effect.Effect<Package | undefined, Rows.Failure> =
        found.package !== undefined
          ? Effect.succeed(found.package)
          : Effect.flatMap(sql.unsafe<Record<string, unknown>>(packageAtSql, [found.id, found.date]), (rows) => {
              const inForce = Rows.packageOf(firstRow(rows, ["name", "credits", "overage_price"]))
              return inForce instanceof Rows.BadRow ? Effect.fail(inForce) : Effect.succeed(inForce)
            })
      return Effect.flatMap(pkg, (inForce) =>
        inForce === undefined
          ? Effect.succeed(Option.some({ keyHash, customer: Option.none() }))
          : Effect.map(cycleUsage(rows[0], found), (usage) =>
              Option.some(Reading.readingOf(keyHash, found, inForce, usage))
            )
      )
    })

  // On this package's SQLite client the hot reads skip effect/sql (hotReads.ts).
  const onSql: HotReads.HotReads = {
    overviewSource: (apiUser, user) => Rows.storeFailure("Ledger.overviewSource")(overviewSource(apiUser, user)),
    overviewReading: (apiUser, user, when) =>
      Rows.storeFailure("Ledger.overviewReading")(overviewReading(apiUser, user, when)),
    usageBetween: (user, from, to) => Rows.storeFailure("Ledger.usageBetween")(usageBetween(user, from, to))
  }
  const handles = SqliteHandle.handlesOf(sql)
  const hot =
    handles === undefined
      ? onSql
      : HotReads.make(handles, {
          transaction: sql.transactionService,
          overviewSql,
          keyOnlySql,
          usageSql,
          usageByIdSql,
          packageAtSql,
          onSql
        })

  const upsertPackage = Effect.fn("Ledger.upsertPackage")(function* (pkg: Package) {
    yield* sql`INSERT INTO packages (name, credits, overage_price, alert_thresholds)
        VALUES (${pkg.name}, ${pkg.credits}, ${pkg.overagePrice ?? null}, ${Alerts.thresholdsColumn(pkg.alertThresholds)})
        ON CONFLICT (name) DO UPDATE SET credits = excluded.credits, overage_price = excluded.overage_price,
          alert_thresholds = excluded.alert_thresholds`
    return pkg
  }, Rows.storeFailure("Ledger.upsertPackage"))

  const listPackages = Effect.fn("Ledger.listPackages")(function* () {
    const rows = yield* decodePackages(
      yield* sql`SELECT name, credits, overage_price, alert_thresholds FROM packages ORDER BY name`
    )
    return rows.map((row): Package => {
      const pkg = Rows.toPackage(row.name, row.credits, row.overage_price)
      const thresholds = Alerts.thresholdsOf(row.alert_thresholds ?? null)
      return thresholds === undefined ? pkg : { ...pkg, alertThresholds: thresholds }
    })
  }, Rows.storeFailure("Ledger.listPackages"))

  const keyHashOf = (apiUser: string) =>
    sql`SELECT key_hash FROM resellers WHERE api_user_key = ${Rows.lookupKey(apiUser)}`.pipe(
      Effect.flatMap(decodeKeyHashes),
      Effect.map((rows) => Option.fromNullishOr(rows[0]?.key_hash))
    )

  const upsertReseller = Effect.fn("Ledger.upsertReseller")(function* (
    apiUser: string,
    apiKey: Redacted.Redacted<string>
  ) {
    const existing = yield* keyHashOf(apiUser)
    // The same key again keeps the stored hash: the upsert is idempotent
    // and the verified-key caches of other instances stay warm.
    if (Option.isSome(existing) && (yield* Scrypt.verify(existing.value, Redacted.value(apiKey)))) {
      return { created: false }
    }
    const keyHash = yield* Scrypt.hash(Redacted.value(apiKey))
    // Another spelling of a stored name is the same reseller; the stored spelling stays.
    yield* sql`INSERT INTO resellers (api_user, api_user_key, key_hash) VALUES (${apiUser}, ${nameKey(apiUser)}, ${keyHash})
               ON CONFLICT (api_user_key) DO UPDATE SET key_hash = excluded.key_hash`
    return { created: Option.isNone(existing) }
  }, Rows.storeFailure("Ledger.upsertReseller"))

  const getReseller = Effect.fn("Ledger.getReseller")(function* (apiUser: string) {
    const rows = yield* decodeResellerZones(
      yield* sql`SELECT api_user, time_zone FROM resellers WHERE api_user_key = ${Rows.lookupKey(apiUser)}`
    )
    return Option.map(
      Option.fromNullishOr(rows[0]),
      (row): Reseller =>
        row.time_zone === null ? { apiUser: row.api_user } : { apiUser: row.api_user, timeZone: row.time_zone }
    )
  }, Rows.storeFailure("Ledger.getReseller"))

  const customerColumns = sql.literal(`c.user_name, r.api_user, p.name AS package_name, c.billing_anchor, c.reputation,
    c.time_zone, c.alert_thresholds
    FROM customers c
    JOIN resellers r ON r.id = c.reseller_id
    JOIN packages p ON p.id = c.package_id`)

  const getCustomer = Effect.fn("Ledger.getCustomer")(function* (user: string) {
    const rows = yield* decodeCustomers(
      yield* sql`SELECT ${customerColumns} WHERE c.user_key = ${Rows.lookupKey(user)}`
    )
    return Option.map(Option.fromNullishOr(rows[0]), toCustomer)
  }, Rows.storeFailure("Ledger.getCustomer"))

  const listCustomers = Effect.fn("Ledger.listCustomers")(function* (options: {
    readonly reseller?: string | undefined
    readonly limit: number
    readonly cursor?: string | undefined
  }) {
    const limit = Number.isFinite(options.limit) ? Math.max(1, Math.floor(options.limit)) : 1
    const after = options.cursor === undefined ? "" : decodeCursor(options.cursor)
    const ofReseller: Fragment =
      options.reseller === undefined
        ? sql.literal("")
        : sql`AND c.reseller_id = (SELECT id FROM resellers WHERE api_user_key = ${Rows.lookupKey(options.reseller)})`
    const rows = yield* decodeCustomers(
      yield* sql`SELECT ${customerColumns}
        WHERE c.user_name > ${after} ${ofReseller}
        ORDER BY c.user_name LIMIT ${limit + 1}`
    )
    const items = rows.slice(0, limit).map(toCustomer)
    const last = items[items.length - 1]
    return rows.length > limit && last !== undefined ? { items, nextCursor: encodeCursor(last.user) } : { items }
  }, Rows.storeFailure("Ledger.listCustomers"))

  const ping = Effect.fn("Ledger.ping")(function* () {
    yield* sql`SELECT 1`
  }, Rows.storeFailure("Ledger.ping"))

  const billing = BillingLedger.make(sql)

  return {
    ...billing,
    overviewSource: hot.overviewSource,
    overviewReading: hot.overviewReading,
    usageBetween: hot.usageBetween,
    upsertPackage,
    listPackages,
    upsertReseller,
    getReseller,
    getCustomer,
    listCustomers,
    ingest: Ingest.make(sql),
    voidEvents: Voids.make(sql),
    ping
  }
})
