import { CalendarDate, isCalendarDate, maxNameLength, Name, type Package, Unavailable } from "@account-overview/core"
import { Cause, Data, Effect, Option, Schema, SchemaGetter } from "effect"
import type { SqlError } from "effect/sql/SqlError"
import type { OverviewSource, UsageTotals } from "../LedgerModels.js"

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
  reputation: DbNumber
})

export const PackageRow = Schema.Struct({
  name: Name,
  credits: DbCount,
  overage_price: Schema.NullOr(DbNumber)
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

export const CustomerIdRow = Schema.Struct({ id: DbNumber, user_name: Schema.String })

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
  "api_user"
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
  return Option.some({
    keyHash,
    customer: Option.some({
      customer: {
        user,
        reseller: apiUser,
        package: packageName,
        billingAnchor: anchor as CalendarDate,
        reputation
      },
      package: toPackage(packageName, credits, overagePrice)
    })
  })
}

/** `TotalsRow` checked by hand, from its two values. */
export const totalsOf = (requestsValue: unknown, creditsValue: unknown): UsageTotals | BadRow => {
  const requests = dbCount(requestsValue)
  if (requests === undefined) return bad("totals", "requests", "a count")
  const credits = dbCount(creditsValue)
  if (credits === undefined) return bad("totals", "credits", "a count")
  return { requests, credits }
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
