import {
  CalendarDate,
  type Customer,
  isCalendarDate,
  maxNameLength,
  Name,
  nameKey,
  type Package,
  Unavailable
} from "@account-overview/core"
import { Cause, Data, Effect, Option, Schema, SchemaGetter } from "effect"
import type { SqlError } from "effect/sql/SqlError"
import type { OverviewSource, UsageTotals } from "../LedgerModels.js"

/** The decoder of a statement's rows, each a struct of `fields`. */
export const rowsDecoder = <const Fields extends Schema.Struct.Fields>(fields: Fields) =>
  Schema.decodeUnknownEffect(Schema.Array(Schema.Struct(fields)))

/** A number as a driver returns it: a number (SQLite), a bigint (PG int8) or a numeric string (PG numeric). */
export const DbNumber = Schema.Union([Schema.Number, Schema.BigInt, Schema.String]).pipe(
  Schema.decodeTo(Schema.Finite, {
    decode: SchemaGetter.transform((u: number | bigint | string) => Number(u)),
    encode: SchemaGetter.transform((n: number) => n)
  })
)

export const DbCount = DbNumber.pipe(Schema.check(Schema.isInt(), Schema.isGreaterThanOrEqualTo(0)))

export const CustomerRow = Schema.Struct({
  user_name: Name,
  api_user: Name,
  package_name: Name,
  billing_anchor: CalendarDate,
  reputation: DbNumber,
  time_zone: Schema.NullOr(Schema.String),
  alert_thresholds: Schema.optional(Schema.NullOr(Schema.String))
})

export const EventDayRow = Schema.Struct({
  id: Schema.String,
  customer_id: DbNumber,
  occurred_at: DbNumber,
  day: Schema.String
})

/** A date column as a driver returns it: text (SQLite, or PG `CAST(.. AS TEXT)`, as the statements select them) or a JS Date at UTC midnight. */
export const dbDate = (u: unknown): CalendarDate | undefined => {
  if (typeof u === "string") return isCalendarDate(u) ? (u as CalendarDate) : undefined
  if (u instanceof Date && Number.isFinite(u.getTime())) {
    const text = u.toISOString().slice(0, 10)
    return isCalendarDate(text) ? (text as CalendarDate) : undefined
  }
  return undefined
}

export const PackageRow = Schema.Struct({
  name: Name,
  credits: DbCount,
  overage_price: Schema.NullOr(DbNumber),
  alert_thresholds: Schema.optional(Schema.NullOr(Schema.String))
})

export const OverviewRow = Schema.Struct({
  key_hash: Schema.String,
  user_name: Schema.NullOr(Name),
  billing_anchor: Schema.NullOr(CalendarDate),
  reputation: Schema.NullOr(DbNumber),
  package_name: Schema.NullOr(Name),
  package_credits: Schema.NullOr(DbCount),
  overage_price: Schema.NullOr(DbNumber)
})

export const TotalsRow = Schema.Struct({ requests: DbCount, credits: DbCount })

export const IdRow = Schema.Struct({ id: Schema.String })

export const EventIdRow = Schema.Struct({ event_id: Schema.String })

export const VoidableEventRow = Schema.Struct({
  id: Schema.String,
  customer_id: DbNumber,
  requests: DbCount,
  credits: DbCount,
  day: Schema.String
})

export const DailyRow = Schema.Struct({
  customer_id: DbNumber,
  day: Schema.String,
  requests: DbCount,
  credits: DbCount
})

export const CustomerIdRow = Schema.Struct({
  id: DbNumber,
  user_name: Schema.String,
  time_zone: Schema.optional(Schema.NullOr(Schema.String)),
  billing_anchor: Schema.optional(Schema.String)
})

export const StoredEventRow = Schema.Struct({
  id: Schema.String,
  customer_id: DbNumber,
  requests: DbNumber,
  credits: DbNumber,
  occurred_at: DbNumber
})

export const KeyHashRow = Schema.Struct({ key_hash: Schema.String })

/**
 * A row of the hot path that does not fit its shape. It names the column and
 * what was expected, never the value.
 */
export class BadRow extends Data.TaggedError("BadRow")<{
  readonly row: string
  readonly column: string
  readonly expected: string
}> {
  override get message(): string {
    return `${this.row}.${this.column}: expected ${this.expected}`
  }
}

// The hot path's rows are checked by hand, without Schema, with the rules of
// the schemas above (test/internal/rows.test.ts holds them to the same answers).

const controlCharacters = /[\u0000-\u001f\u007f]/

/** core's `Name`: 1 to `maxNameLength` characters, no control characters, no surrounding white space. */
export const isName = (u: unknown): u is string =>
  typeof u === "string" && u.length >= 1 && u.length <= maxNameLength && u.trim() === u && !controlCharacters.test(u)

/**
 * The value a customer or reseller name is looked up by: its `nameKey`
 * (the `user_key` and `api_user_key` columns). A name with a NUL, which no
 * stored name has and PostgreSQL refuses in a parameter, is looked up as
 * `""`, which no stored name has either: the read costs the same and finds
 * nothing.
 */
export const lookupKey = (name: string): string => (name.indexOf("\u0000") >= 0 ? "" : nameKey(name))

/** `DbNumber`: a number, bigint or numeric string whose value is finite. */
export const dbNumber = (u: unknown): number | undefined => {
  const n = typeof u === "number" ? u : typeof u === "bigint" || typeof u === "string" ? Number(u) : Number.NaN
  return Number.isFinite(n) ? n : undefined
}

/** `DbCount`: a `DbNumber` that is a non-negative safe integer. */
export const dbCount = (u: unknown): number | undefined => {
  const n = dbNumber(u)
  return n !== undefined && Number.isSafeInteger(n) && n >= 0 ? n : undefined
}

const bad = (row: string, column: string, expected: string) => new BadRow({ row, column, expected })

/**
 * The columns of the overview read, in order: the statement selects them in
 * this order, so a row read as an array is checked without names.
 */
export const overviewColumns = [
  "key_hash",
  "user_name",
  "billing_anchor",
  "reputation",
  "package_name",
  "package_credits",
  "overage_price",
  "customer_id",
  "api_user",
  "time_zone",
  "own_time_zone",
  "package_from",
  "next_package_from",
  "next_package_name",
  "next_package_credits",
  "next_overage_price"
] as const

/** A row read as an object, as its values in `overviewColumns` order. */
export const overviewValues = (row: Record<string, unknown>): ReadonlyArray<unknown> =>
  overviewColumns.map((column) => row[column])

export const toPackage = (name: string, credits: number, overagePrice: number | null): Package =>
  overagePrice === null ? { name, credits } : { name, credits, overagePrice }

/**
 * `OverviewRow` checked by hand and turned into the overview's source: none
 * without a row (no such reseller, or for a key-only read no such
 * customer); no customer when the join found none, which reads the same
 * whether the customer is absent or another reseller's. A key-only read
 * (`apiUser` undefined) takes the reseller from its `api_user` column.
 */
export const overviewSourceOf = (
  apiUser: string | undefined,
  values: ReadonlyArray<unknown> | undefined
): Option.Option<OverviewSource> | BadRow => {
  if (values === undefined) return Option.none()
  if (apiUser === undefined) {
    const reseller = values[8]
    if (!isName(reseller)) return bad("overview", "api_user", "a name")
    apiUser = reseller
  }
  const [keyHash, user, anchor, reputationValue, packageName, creditsValue, overageValue] = values
  if (typeof keyHash !== "string") return bad("overview", "key_hash", "a string")
  if (user !== null && !isName(user)) return bad("overview", "user_name", "a name or null")
  if (anchor !== null && !(typeof anchor === "string" && isCalendarDate(anchor))) {
    return bad("overview", "billing_anchor", "a calendar date or null")
  }
  const reputation = reputationValue === null ? null : dbNumber(reputationValue)
  if (reputation === undefined) return bad("overview", "reputation", "a finite number or null")
  if (packageName !== null && !isName(packageName)) return bad("overview", "package_name", "a name or null")
  const credits = creditsValue === null ? null : dbCount(creditsValue)
  if (credits === undefined) return bad("overview", "package_credits", "a non-negative integer or null")
  const overagePrice = overageValue === null ? null : dbNumber(overageValue)
  if (overagePrice === undefined) return bad("overview", "overage_price", "a finite number or null")
  if (user === null || anchor === null || reputation === null || packageName === null || credits === null) {
    return Option.some({ keyHash, customer: Option.none() })
  }
  const ownZone = values[10]
  if (ownZone !== null && ownZone !== undefined && typeof ownZone !== "string") {
    return bad("overview", "own_time_zone", "a string or null")
  }
  const customer: Customer = {
    user,
    reseller: apiUser,
    package: packageName,
    billingAnchor: anchor as CalendarDate,
    reputation
  }
  return Option.some({
    keyHash,
    customer: Option.some({
      customer: typeof ownZone === "string" ? { ...customer, timeZone: ownZone } : customer,
      package: toPackage(packageName, credits, overagePrice)
    })
  })
}

/** The zone and package assignments of an overview row (columns 9 to 15). */
export interface Assignments {
  readonly zone: string
  readonly packageFrom: CalendarDate
  readonly next: { readonly from: CalendarDate; readonly package: Package } | undefined
}

/** The zone and assignment columns of an overview row checked by hand. */
export const assignmentsOf = (values: ReadonlyArray<unknown>): Assignments | BadRow => {
  const zone = values[9] ?? "UTC"
  if (typeof zone !== "string") return bad("overview", "time_zone", "a string or null")
  const packageFrom = dbDate(values[11])
  if (packageFrom === undefined) return bad("overview", "package_from", "a calendar date")
  if (values[12] === null || values[12] === undefined) return { zone, packageFrom, next: undefined }
  const from = dbDate(values[12])
  if (from === undefined) return bad("overview", "next_package_from", "a calendar date or null")
  const name = values[13]
  if (!isName(name)) return bad("overview", "next_package_name", "a name")
  const credits = dbCount(values[14])
  if (credits === undefined) return bad("overview", "next_package_credits", "a non-negative integer")
  const overagePrice = values[15] === null ? null : dbNumber(values[15])
  if (overagePrice === undefined) return bad("overview", "next_overage_price", "a finite number or null")
  return { zone, packageFrom, next: { from, package: toPackage(name, credits, overagePrice) } }
}

/** A package row of the assignment read (name, credits, overage_price) checked by hand. */
export const packageOf = (values: ReadonlyArray<unknown> | undefined): Package | undefined | BadRow => {
  if (values === undefined) return undefined
  const [name, creditsValue, priceValue] = values
  if (!isName(name)) return bad("assignment", "name", "a name")
  const credits = dbCount(creditsValue)
  if (credits === undefined) return bad("assignment", "credits", "a non-negative integer")
  const overagePrice = priceValue === null ? null : dbNumber(priceValue)
  if (overagePrice === undefined) return bad("assignment", "overage_price", "a finite number or null")
  return toPackage(name, credits, overagePrice)
}

/** `TotalsRow` checked by hand, from its two values. */
export const totalsOf = (requestsValue: unknown, creditsValue: unknown): UsageTotals | BadRow => {
  const requests = dbCount(requestsValue)
  if (requests === undefined) return bad("totals", "requests", "a count")
  const credits = dbCount(creditsValue)
  if (credits === undefined) return bad("totals", "credits", "a count")
  return { requests, credits }
}

/**
 * The usage of a cycle from the usage rows of the days around it (a JSON
 * array of `[day, requests, credits]`, as text or parsed; null for none):
 * the rows of the days from `start` to `end` summed.
 */
export const cycleTotalsOf = (value: unknown, start: string, end: string): UsageTotals | BadRow => {
  let rows = value
  if (typeof rows === "string") {
    try {
      rows = JSON.parse(rows)
    } catch {
      return bad("usage", "usage", "a JSON array")
    }
  }
  if (rows === null || rows === undefined) return { requests: 0, credits: 0 }
  if (!Array.isArray(rows)) return bad("usage", "usage", "an array of [day, requests, credits]")
  let requests = 0
  let credits = 0
  for (const entry of rows) {
    if (!Array.isArray(entry) || entry.length !== 3)
      return bad("usage", "usage", "an array of [day, requests, credits]")
    const [day, r, c] = entry as [unknown, unknown, unknown]
    if (typeof day !== "string" || !isCalendarDate(day)) return bad("usage", "day", "a calendar date")
    const dayRequests = dbCount(r)
    if (dayRequests === undefined) return bad("usage", "requests", "a count")
    const dayCredits = dbCount(c)
    if (dayCredits === undefined) return bad("usage", "credits", "a count")
    if (day >= start && day <= end) {
      requests += dayRequests
      credits += dayCredits
    }
  }
  return totalsOf(requests, credits)
}

export type Failure = SqlError | Schema.SchemaError | BadRow

/**
 * Maps the database's own failures (SQL errors, rows that do not decode) to
 * `Unavailable`, logging the cause at warning level. Statements never carry
 * keys, only their hashes.
 */
const isFailure = (e: unknown): e is Failure =>
  typeof e === "object" &&
  e !== null &&
  "_tag" in e &&
  (e._tag === "SqlError" || e._tag === "SchemaError" || e._tag === "BadRow")

export const storeFailure =
  (operation: string) =>
  <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, Exclude<E, Failure> | Unavailable, R> =>
    Effect.catchIf(self, isFailure, (error) =>
      Effect.andThen(
        Effect.logWarning(`store failure in ${operation}`, Cause.fail(error)),
        Effect.fail(new Unavailable({ reason: "store" }))
      )
    ) as Effect.Effect<A, Exclude<E, Failure> | Unavailable, R>
