// The book's pure parts: the state of a row, sorting, the CSV (the CLI's
// columns: user, then the wire's overview fields in the wire's order).
import { dayOfCycle } from "./dates.js"

export interface Overview {
  readonly reputation: number
  readonly requests: number
  readonly package: string
  readonly creditsAllowed: number
  readonly creditsUsed: number
  readonly creditsRemain: number
  readonly creditsOverage: number
  readonly billingStartDate: string
  readonly billingEndDate: string
  readonly billingProcessDate: string
}

export interface BookRow {
  readonly user: string
  readonly overview: Overview
}

export type StateName = "under" | "near" | "over"

export type SortKey = "user" | "package" | "used" | "overage" | "state" | "requests" | "reputation" | "cycle" | "left"

/** over: past the allowance; near: at 80 % of it or more; else under. */
export const stateOf = (o: Overview): StateName =>
  o.creditsUsed > o.creditsAllowed
    ? "over"
    : o.creditsUsed >= o.creditsAllowed * 0.8 && o.creditsUsed > 0
      ? "near"
      : "under"

const stateRank: Record<StateName, number> = { under: 0, near: 1, over: 2 }

const keyOf =
  (key: SortKey, today: string) =>
  (row: BookRow): number | string => {
    const o = row.overview
    switch (key) {
      case "user":
        return row.user
      case "package":
        return o.package
      case "used":
        return o.creditsAllowed === 0 ? o.creditsUsed : o.creditsUsed / o.creditsAllowed
      case "overage":
        return o.creditsOverage
      case "state":
        return stateRank[stateOf(o)]
      case "requests":
        return o.requests
      case "reputation":
        return o.reputation
      case "cycle":
        return o.billingStartDate
      case "left":
        return dayOfCycle(o.billingStartDate, o.billingEndDate, today).left
    }
  }

/** The rows sorted by a column (ties by user), in place. */
export const sortRows = (rows: Array<BookRow>, key: SortKey, descending: boolean, today: string): Array<BookRow> => {
  const of = keyOf(key, today)
  const keyed = rows.map((row) => ({ row, k: of(row) }))
  const sign = descending ? -1 : 1
  keyed.sort((a, b) => {
    if (a.k !== b.k) return (a.k < b.k ? -1 : 1) * sign
    return a.row.user < b.row.user ? -1 : a.row.user > b.row.user ? 1 : 0
  })
  return keyed.map((k) => k.row)
}

/** The wire's overview fields in the wire's order, each with its wire name (core's `overviewFields`). */
export const wireFields: ReadonlyArray<readonly [keyof Overview, string]> = [
  ["reputation", "reputation"],
  ["requests", "requests"],
  ["package", "package"],
  ["creditsAllowed", "credits_allowed"],
  ["creditsUsed", "credits_used"],
  ["creditsRemain", "credits_remain"],
  ["creditsOverage", "credits_overage"],
  ["billingStartDate", "billing_start_date"],
  ["billingEndDate", "billing_end_date"],
  ["billingProcessDate", "billing_process_date"]
]

/** The CLI's CSV header: `user` and the wire's overview fields. */
export const csvColumns: ReadonlyArray<readonly [keyof Overview | "user", string]> = [["user", "user"], ...wireFields]

const needsQuotes = /[",\r\n]/

/** One CSV field as the CLI writes it. */
export const csvField = (value: string | number): string => {
  const text = String(value)
  return needsQuotes.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** The rows as the CLI's CSV. */
export const bookCsv = (rows: ReadonlyArray<BookRow>): string => {
  const lines = [csvColumns.map(([, name]) => name).join(",")]
  for (const row of rows) {
    lines.push(csvColumns.map(([key]) => csvField(key === "user" ? row.user : row.overview[key])).join(","))
  }
  return `${lines.join("\n")}\n`
}
