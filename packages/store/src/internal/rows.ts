import { CalendarDate, Name, Unavailable } from "@account-overview/core"
import { Cause, Effect, Schema, SchemaGetter } from "effect"
import type { SqlError } from "effect/sql/SqlError"

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

export const CustomerIdRow = Schema.Struct({ id: DbNumber, user_name: Schema.String })

export const StoredEventRow = Schema.Struct({
  id: Schema.String,
  customer_id: DbNumber,
  requests: DbNumber,
  credits: DbNumber,
  occurred_at: DbNumber
})

export const KeyHashRow = Schema.Struct({ key_hash: Schema.String })

export type Failure = SqlError | Schema.SchemaError

/**
 * Maps the database's own failures (SQL errors, rows that do not decode) to
 * `Unavailable`, logging the cause at warning level. Statements never carry
 * keys, only their hashes.
 */
const isFailure = (e: unknown): e is Failure =>
  typeof e === "object" && e !== null && "_tag" in e && (e._tag === "SqlError" || e._tag === "SchemaError")

export const storeFailure =
  (operation: string) =>
  <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, Exclude<E, Failure> | Unavailable, R> =>
    Effect.catchIf(self, isFailure, (error) =>
      Effect.andThen(
        Effect.logWarning(`store failure in ${operation}`, Cause.fail(error)),
        Effect.fail(new Unavailable({ reason: "store" }))
      )
    ) as Effect.Effect<A, Exclude<E, Failure> | Unavailable, R>
