import {
  addCalendarDays,
  type BillingCycle,
  type CalendarDate,
  type Customer,
  type CustomerCycle,
  type CustomerCycles,
  credits,
  cycleFor,
  defaultTimeZone,
  type EventProblem,
  localDateOf,
  nameKey,
  type Package,
  type PackageAssignments,
  type ResellerCycleLine,
  type ResellerCycleReport
} from "@account-overview/core"
import { Clock, Effect, Option, Schema } from "effect"
import type { SqlClient } from "effect/sql/SqlClient"
import { LedgerRejected, type UsageTotals } from "../LedgerModels.js"
import { firstAssignmentDay } from "../migrations/0004_time_zones.js"
import * as Alerts from "./alerts.js"
import * as Rows from "./rows.js"
import * as Zones from "./zones.js"

/** The most cycles one history answers. */
export const maxCycles = 400

const decodeStates = Rows.rowsDecoder({
  id: Rows.DbNumber,
  billing_anchor: Schema.String,
  zone: Schema.NullOr(Schema.String),
  package_id: Rows.DbNumber,
  package_name: Schema.String,
  package_from: Schema.String,
  next_package_id: Schema.NullOr(Rows.DbNumber),
  next_package_name: Schema.NullOr(Schema.String),
  next_package_from: Schema.NullOr(Schema.String)
})
const decodeDays = Rows.rowsDecoder({ day: Schema.String, requests: Rows.DbCount, credits: Rows.DbCount })
const decodeAssignments = Rows.rowsDecoder({
  starts_on: Schema.String,
  name: Schema.String,
  credits: Rows.DbCount,
  overage_price: Schema.NullOr(Rows.DbNumber)
})
const decodeResolve = Rows.rowsDecoder({
  reseller_id: Schema.NullOr(Rows.DbNumber),
  reseller_zone: Schema.NullOr(Schema.String),
  package_id: Schema.NullOr(Rows.DbNumber)
})
const decodeUserNames = Rows.rowsDecoder({ user_name: Schema.String })
const decodeIdRows = Rows.rowsDecoder({ id: Rows.DbNumber })
const decodeReportCustomers = Rows.rowsDecoder({
  id: Rows.DbNumber,
  user_name: Schema.String,
  billing_anchor: Schema.String,
  zone: Schema.NullOr(Schema.String)
})
const decodeResellerZones = Rows.rowsDecoder({ id: Rows.DbNumber, time_zone: Schema.NullOr(Schema.String) })

interface State {
  readonly id: number
  readonly anchor: CalendarDate
  readonly zone: string
  packageId: number
  packageName: string
  packageFrom: CalendarDate
  nextPackageId: number | null
  nextPackageName: string | null
  nextPackageFrom: CalendarDate | null
}

const asDate = (s: string): CalendarDate => s as CalendarDate

const laterDate = (a: CalendarDate, b: CalendarDate): CalendarDate => (a < b ? b : a)

const cycleLine = (cycle: BillingCycle, today: CalendarDate, pkg: Package, usage: UsageTotals): CustomerCycle => {
  const { overage, remain } = credits(pkg.credits, usage.credits)
  const line: CustomerCycle = {
    start: cycle.start,
    end: cycle.end,
    processDate: cycle.processDate,
    closed: cycle.processDate <= today,
    package: pkg.name,
    creditsAllowed: pkg.credits,
    creditsUsed: usage.credits,
    creditsRemain: remain,
    creditsOverage: overage,
    requests: usage.requests
  }
  return pkg.overagePrice === undefined ? line : { ...line, overagePrice: pkg.overagePrice }
}

/**
 * The ledger's time-zone and package-assignment operations (decisions 0100
 * and 0101): customers' upserts with their zone, package changes now or from
 * the next cycle, the history of cycles and a reseller's overage report.
 */
export const make = (sql: SqlClient) => {
  const now = Clock.currentTimeMillis

  const readState = Effect.fnUntraced(function* (user: string) {
    const rows = yield* decodeStates(
      yield* sql`SELECT c.id, c.billing_anchor, COALESCE(c.time_zone, r.time_zone) AS zone, c.package_id,
          p.name AS package_name, CAST(c.package_from AS TEXT) AS package_from, c.next_package_id,
          np.name AS next_package_name, CAST(c.next_package_from AS TEXT) AS next_package_from
        FROM customers c
        JOIN resellers r ON r.id = c.reseller_id
        JOIN packages p ON p.id = c.package_id
        LEFT JOIN packages np ON np.id = c.next_package_id
        WHERE c.user_key = ${Rows.lookupKey(user)}`
    )
    const row = rows[0]
    if (row === undefined) return Option.none<State>()
    return Option.some<State>({
      id: row.id,
      anchor: asDate(row.billing_anchor),
      zone: row.zone ?? defaultTimeZone,
      packageId: row.package_id,
      packageName: row.package_name,
      packageFrom: asDate(row.package_from),
      nextPackageId: row.next_package_id,
      nextPackageName: row.next_package_name,
      nextPackageFrom: row.next_package_from === null ? null : asDate(row.next_package_from)
    })
  })

  /** A scheduled change whose first day has come becomes the assignment in force. */
  const materialise = Effect.fnUntraced(function* (state: State, today: CalendarDate) {
    if (state.nextPackageFrom === null || state.nextPackageFrom > today || state.nextPackageId === null) return
    yield* sql`UPDATE customers SET package_id = next_package_id, package_from = next_package_from,
        next_package_id = NULL, next_package_from = NULL WHERE id = ${state.id}`
    state.packageId = state.nextPackageId
    state.packageName = state.nextPackageName!
    state.packageFrom = state.nextPackageFrom
    state.nextPackageId = null
    state.nextPackageName = null
    state.nextPackageFrom = null
  })

  const dropScheduled = Effect.fnUntraced(function* (state: State, today: CalendarDate) {
    yield* sql`DELETE FROM customer_packages WHERE customer_id = ${state.id} AND starts_on > ${today}`
    yield* sql`UPDATE customers SET next_package_id = NULL, next_package_from = NULL WHERE id = ${state.id}`
    state.nextPackageId = null
    state.nextPackageName = null
    state.nextPackageFrom = null
  })

  const assign = (customerId: number, from: CalendarDate, packageId: number) =>
    sql`INSERT INTO customer_packages (customer_id, starts_on, package_id) VALUES (${customerId}, ${from}, ${packageId})
      ON CONFLICT (customer_id, starts_on) DO UPDATE SET package_id = excluded.package_id`

  /** The package `packageId` from today on, for the whole current cycle (decision 0101); drops a scheduled change. */
  const changeNow = Effect.fnUntraced(function* (state: State, packageId: number, name: string, today: CalendarDate) {
    yield* dropScheduled(state, today)
    if (packageId === state.packageId) return
    yield* assign(state.id, today, packageId)
    yield* sql`UPDATE customers SET package_id = ${packageId}, package_from = ${today} WHERE id = ${state.id}`
    state.packageId = packageId
    state.packageName = name
    state.packageFrom = today
  })

  const changeNextCycle = Effect.fnUntraced(function* (
    state: State,
    packageId: number,
    name: string,
    today: CalendarDate
  ) {
    yield* dropScheduled(state, today)
    if (packageId === state.packageId) return
    const from = cycleFor(state.anchor, today).processDate
    yield* assign(state.id, from, packageId)
    yield* sql`UPDATE customers SET next_package_id = ${packageId}, next_package_from = ${from} WHERE id = ${state.id}`
    state.nextPackageId = packageId
    state.nextPackageName = name
    state.nextPackageFrom = from
  })

  const assignmentsOf = (user: string, state: State): PackageAssignments => {
    const current = { package: state.packageName, from: state.packageFrom }
    return state.nextPackageFrom === null || state.nextPackageName === null
      ? { user, current }
      : { user, current, scheduled: { package: state.nextPackageName, from: state.nextPackageFrom } }
  }

  const resolve = (reseller: string, pkg: string) =>
    Effect.flatMap(
      sql`SELECT (SELECT id FROM resellers WHERE api_user_key = ${Rows.lookupKey(reseller)}) AS reseller_id,
        (SELECT time_zone FROM resellers WHERE api_user_key = ${Rows.lookupKey(reseller)}) AS reseller_zone,
        (SELECT id FROM packages WHERE name = ${pkg}) AS package_id`,
      decodeResolve
    ).pipe(Effect.map((rows) => rows[0]))

  const upsertCustomer = Effect.fn("Ledger.upsertCustomer")(function* (customer: Customer) {
    const millis = yield* now
    const written = yield* sql.withTransaction(
      Effect.gen(function* () {
        const ids = yield* resolve(customer.reseller, customer.package)
        if (ids === undefined || ids.reseller_id === null || ids.package_id === null)
          return { ids, user: customer.user }
        const { package_id: packageId, reseller_id: resellerId } = ids
        const zone = customer.timeZone ?? null
        const thresholds = Alerts.thresholdsColumn(customer.alertThresholds)
        const inserted = yield* decodeIdRows(
          yield* sql`INSERT INTO customers (user_name, user_key, reseller_id, package_id, billing_anchor, reputation,
              time_zone, alert_thresholds)
            VALUES (${customer.user}, ${nameKey(customer.user)}, ${resellerId}, ${packageId}, ${customer.billingAnchor},
              ${customer.reputation}, ${zone}, ${thresholds})
            ON CONFLICT (user_key) DO NOTHING RETURNING id`
        )
        if (inserted[0] !== undefined) {
          yield* assign(inserted[0].id, firstAssignmentDay as CalendarDate, packageId)
          return { ids, user: customer.user }
        }
        // Another spelling of a stored name is the same customer; the stored spelling stays.
        const state = Option.getOrThrow(yield* readState(customer.user))
        const [stored] = yield* decodeUserNames(yield* sql`SELECT user_name FROM customers WHERE id = ${state.id}`)
        const today = localDateOf(millis, state.zone)
        yield* materialise(state, today)
        yield* sql`UPDATE customers SET reseller_id = ${resellerId}, billing_anchor = ${customer.billingAnchor},
            reputation = ${customer.reputation}, time_zone = ${zone}, alert_thresholds = ${thresholds}
          WHERE id = ${state.id}`
        if (packageId !== state.packageId) yield* changeNow(state, packageId, customer.package, today)
        const newZone = zone ?? ids.reseller_zone ?? defaultTimeZone
        if (newZone !== state.zone) yield* Zones.rebucket(sql, [{ id: state.id, zone: newZone }])
        return { ids, user: stored?.user_name ?? customer.user }
      })
    )
    const { ids: found, user } = written
    if (found !== undefined && found.reseller_id !== null && found.package_id !== null) return { ...customer, user }
    const problems: Array<EventProblem> = []
    if (found?.reseller_id === null || found === undefined) {
      problems.push({ index: 0, field: "reseller", message: `no reseller ${JSON.stringify(customer.reseller)}` })
    }
    if (found?.package_id === null || found === undefined) {
      problems.push({ index: 0, field: "package", message: `no package ${JSON.stringify(customer.package)}` })
    }
    return yield* new LedgerRejected({ problems })
  }, Rows.storeFailure("Ledger.upsertCustomer"))

  const setResellerTimeZone = Effect.fn("Ledger.setResellerTimeZone")(function* (
    apiUser: string,
    timeZone: string | undefined
  ) {
    return yield* sql.withTransaction(
      Effect.gen(function* () {
        const resellers = yield* decodeResellerZones(
          yield* sql`SELECT id, time_zone FROM resellers WHERE api_user_key = ${Rows.lookupKey(apiUser)}`
        )
        const reseller = resellers[0]
        if (reseller === undefined) return false
        const before = reseller.time_zone ?? defaultTimeZone
        const after = timeZone ?? defaultTimeZone
        yield* sql`UPDATE resellers SET time_zone = ${timeZone ?? null} WHERE id = ${reseller.id}`
        if (before !== after) {
          // Its customers that name no zone of their own move with it.
          const affected = yield* decodeIdRows(
            yield* sql`SELECT id FROM customers WHERE reseller_id = ${reseller.id} AND time_zone IS NULL`
          )
          yield* Zones.rebucket(
            sql,
            affected.map((c) => ({ id: c.id, zone: after }))
          )
        }
        return true
      })
    )
  }, Rows.storeFailure("Ledger.setResellerTimeZone"))

  /**
   * `change` on a customer's state in one transaction, after the scheduled
   * change whose day has come is in force; the assignments after it.
   */
  const changeAssignments = <E, R>(
    user: string,
    change: (state: State, today: CalendarDate) => Effect.Effect<void, E, R>
  ) =>
    Effect.flatMap(now, (millis) =>
      sql.withTransaction(
        Effect.gen(function* () {
          const found = yield* readState(user)
          if (Option.isNone(found)) return Option.none<PackageAssignments>()
          const state = found.value
          const today = localDateOf(millis, state.zone)
          yield* materialise(state, today)
          yield* change(state, today)
          return Option.some(assignmentsOf(user, state))
        })
      )
    )

  const changePackage = Effect.fn("Ledger.changePackage")(function* (
    user: string,
    pkg: string,
    effective: "now" | "nextCycle"
  ) {
    return yield* changeAssignments(
      user,
      Effect.fnUntraced(function* (state: State, today: CalendarDate) {
        const ids = yield* decodeIdRows(yield* sql`SELECT id FROM packages WHERE name = ${pkg}`)
        if (ids[0] === undefined) {
          return yield* new LedgerRejected({
            problems: [{ index: 0, field: "package", message: `no package ${JSON.stringify(pkg)}` }]
          })
        }
        if (effective === "now") yield* changeNow(state, ids[0].id, pkg, today)
        else yield* changeNextCycle(state, ids[0].id, pkg, today)
      })
    )
  }, Rows.storeFailure("Ledger.changePackage"))

  const cancelPackageChange = Effect.fn("Ledger.cancelPackageChange")(function* (user: string) {
    return yield* changeAssignments(user, (state, today) =>
      state.nextPackageFrom === null ? Effect.void : dropScheduled(state, today)
    )
  }, Rows.storeFailure("Ledger.cancelPackageChange"))

  const assignmentsOfCustomer = (id: number) =>
    Effect.flatMap(
      sql`SELECT CAST(cp.starts_on AS TEXT) AS starts_on, p.name, p.credits, p.overage_price
        FROM customer_packages cp JOIN packages p ON p.id = cp.package_id
        WHERE cp.customer_id = ${id} ORDER BY cp.starts_on`,
      decodeAssignments
    ).pipe(
      Effect.map((rows) =>
        rows.map((row) => ({
          from: row.starts_on,
          package: Rows.toPackage(row.name, row.credits, row.overage_price)
        }))
      )
    )

  const inForceOn = (
    assignments: ReadonlyArray<{ readonly from: string; readonly package: Package }>,
    day: CalendarDate
  ): Package | undefined => {
    let found: Package | undefined
    for (const a of assignments) if (a.from <= day) found = a.package
    return found
  }

  const customerCycles = Effect.fn("Ledger.customerCycles")(function* (
    user: string,
    range: { readonly from?: CalendarDate | undefined; readonly to?: CalendarDate | undefined }
  ) {
    const millis = yield* now
    const found = yield* readState(user)
    if (Option.isNone(found)) return Option.none<CustomerCycles>()
    const state = found.value
    const today = localDateOf(millis, state.zone)
    const to = range.to ?? today
    const from = range.from ?? addCalendarDays(to, -365)
    if (from > to) {
      return yield* new LedgerRejected({
        problems: [{ index: 0, field: "from", message: `from ${from} is after to ${to}` }]
      })
    }
    const cycles: Array<BillingCycle> = []
    for (let c = cycleFor(state.anchor, from); c.start <= to; c = cycleFor(state.anchor, c.processDate)) {
      if (cycles.length === maxCycles) {
        return yield* new LedgerRejected({
          problems: [{ index: 0, field: "from", message: `at most ${maxCycles} cycles in one history` }]
        })
      }
      cycles.push(c)
    }
    const first = cycles[0]!
    const last = cycles[cycles.length - 1]!
    const days = yield* decodeDays(
      yield* sql`SELECT CAST(day AS TEXT) AS day, requests, credits FROM usage_daily
        WHERE customer_id = ${state.id} AND day >= ${first.start} AND day <= ${last.end} ORDER BY day`
    )
    const assignments = yield* assignmentsOfCustomer(state.id)
    const items: Array<CustomerCycle> = []
    let i = 0
    for (const cycle of cycles) {
      let requests = 0
      let used = 0
      while (i < days.length && days[i]!.day < cycle.start) i++
      while (i < days.length && days[i]!.day <= cycle.end) {
        requests += days[i]!.requests
        used += days[i]!.credits
        i++
      }
      // The package billed: on its last day when closed, today for the current, its first day for a later one.
      const day = cycle.processDate <= today ? cycle.end : laterDate(cycle.start, today)
      const pkg = inForceOn(assignments, day)
      if (pkg !== undefined) items.push(cycleLine(cycle, today, pkg, { requests, credits: used }))
    }
    return Option.some<CustomerCycles>({ user, timeZone: state.zone, items })
  }, Rows.storeFailure("Ledger.customerCycles"))

  const resellerCycles = Effect.fn("Ledger.resellerCycles")(function* (apiUser: string, closedOn: CalendarDate) {
    const millis = yield* now
    const resellers = yield* decodeResellerZones(
      yield* sql`SELECT id, time_zone FROM resellers WHERE api_user_key = ${Rows.lookupKey(apiUser)}`
    )
    if (resellers[0] === undefined) return Option.none<ResellerCycleReport>()
    const customers = yield* decodeReportCustomers(
      yield* sql`SELECT c.id, c.user_name, c.billing_anchor, COALESCE(c.time_zone, r.time_zone) AS zone
        FROM customers c JOIN resellers r ON r.id = c.reseller_id
        WHERE c.reseller_id = ${resellers[0].id} ORDER BY c.user_name`
    )
    const items: Array<ResellerCycleLine> = []
    for (const customer of customers) {
      const cycle = cycleFor(asDate(customer.billing_anchor), addCalendarDays(closedOn, -1))
      if (cycle.processDate !== closedOn) continue
      const zone = customer.zone ?? defaultTimeZone
      const today = localDateOf(millis, zone)
      const days = yield* decodeDays(
        yield* sql`SELECT CAST(day AS TEXT) AS day, requests, credits FROM usage_daily
          WHERE customer_id = ${customer.id} AND day >= ${cycle.start} AND day <= ${cycle.end}`
      )
      const usage = days.reduce(
        (sum, d) => ({ requests: sum.requests + d.requests, credits: sum.credits + d.credits }),
        {
          requests: 0,
          credits: 0
        }
      )
      const pkg = inForceOn(yield* assignmentsOfCustomer(customer.id), cycle.end)
      if (pkg === undefined) continue
      const line = cycleLine(cycle, today, pkg, usage)
      items.push({
        user: customer.user_name,
        timeZone: zone,
        ...line,
        ...(pkg.overagePrice === undefined ? {} : { overageAmount: line.creditsOverage * pkg.overagePrice })
      })
    }
    return Option.some<ResellerCycleReport>({ reseller: apiUser, closedOn, items })
  }, Rows.storeFailure("Ledger.resellerCycles"))

  return { upsertCustomer, setResellerTimeZone, changePackage, cancelPackageChange, customerCycles, resellerCycles }
}
