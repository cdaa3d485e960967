/**
 * The daily rollup's rows as the writers of the ledger compute them: the
 * events of a batch summed by (customer, day), in the one lock order of
 * every writer of `usage_daily` (ingestion adds them, voiding subtracts
 * them), so that two writers never wait on each other in a circle.
 */

/** One `usage_daily` row's change: the customer, its local day, the sums. */
export interface Daily {
  readonly customerId: number
  readonly day: string
  requests: number
  credits: number
}

/** The lock order of the rollup: rows by customer, then by day. */
export const byCustomerAndDay = (a: Daily, b: Daily): number =>
  a.customerId !== b.customerId ? a.customerId - b.customerId : a.day < b.day ? -1 : a.day > b.day ? 1 : 0

/** The events' requests and credits summed by (customer, day), in the lock order. */
export const dailyTotals = (
  events: Iterable<{
    readonly customerId: number
    readonly day: string
    readonly requests: number
    readonly credits: number
  }>
): Array<Daily> => {
  const totals = new Map<string, Daily>()
  for (const e of events) {
    const key = `${e.customerId} ${e.day}`
    const row = totals.get(key) ?? { customerId: e.customerId, day: e.day, requests: 0, credits: 0 }
    row.requests += e.requests
    row.credits += e.credits
    totals.set(key, row)
  }
  return [...totals.values()].sort(byCustomerAndDay)
}
