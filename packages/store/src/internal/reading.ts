import {
  type BillingCycle,
  type CalendarDate,
  type Customer,
  cycleFor,
  localDateOf,
  type Package
} from "@account-overview/core"
import { Option } from "effect"
import type { OverviewReading, UsageTotals } from "../LedgerModels.js"
import * as Rows from "./rows.js"

/**
 * What an overview row says before the usage is read: the reseller's key
 * hash and, with the customer, its id, the local date asked (the date given,
 * or the local date in the customer's zone of the instant given), the cycle
 * that holds it, and the package in force that day: undefined when the day
 * is before the assignment on the row, whose package the caller reads from
 * `customer_packages`.
 */
export interface Plan {
  readonly keyHash: string
  readonly customer: Option.Option<{
    readonly id: number
    readonly customer: Customer
    readonly zone: string
    readonly date: CalendarDate
    readonly cycle: BillingCycle
    readonly package: Package | undefined
  }>
}

export const plan = (
  apiUser: string | undefined,
  values: ReadonlyArray<unknown> | undefined,
  when: CalendarDate | number
): Option.Option<Plan> | Rows.BadRow => {
  const source = Rows.overviewSourceOf(apiUser, values)
  if (source instanceof Rows.BadRow) return source
  if (Option.isNone(source)) return Option.none()
  const { customer, keyHash } = source.value
  if (Option.isNone(customer)) return Option.some({ keyHash, customer: Option.none() })
  const id = Rows.dbCount(values?.[7])
  if (id === undefined) return new Rows.BadRow({ row: "overview", column: "customer_id", expected: "an id" })
  const assignments = Rows.assignmentsOf(values!)
  if (assignments instanceof Rows.BadRow) return assignments
  const { next, packageFrom, zone } = assignments
  const date = typeof when === "number" ? localDateOf(when, zone) : when
  const pkg =
    next !== undefined && date >= next.from ? next.package : date >= packageFrom ? customer.value.package : undefined
  return Option.some({
    keyHash,
    customer: Option.some({
      id,
      customer: customer.value.customer,
      zone,
      date,
      cycle: cycleFor(customer.value.customer.billingAnchor, date),
      package: pkg
    })
  })
}

/** The reading of a plan, its package and usage read. */
export const readingOf = (
  keyHash: string,
  found: Option.Option.Value<Plan["customer"]>,
  pkg: Package,
  usage: UsageTotals
): OverviewReading => ({
  keyHash,
  customer: Option.some({
    customer: found.customer.package === pkg.name ? found.customer : { ...found.customer, package: pkg.name },
    package: pkg,
    cycle: found.cycle,
    usage
  })
})
