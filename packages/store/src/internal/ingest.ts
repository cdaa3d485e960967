import {
  type CalendarDate,
  defaultTimeZone,
  type EventProblem,
  type IngestResult,
  localDateOf,
  maxDailyTotal,
  type UsageEvent
} from "@account-overview/core"
import { Clock, Data, Effect, Schema } from "effect"
import type { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import type { Ledger } from "../Ledger.js"
import { type IngestOptions, LedgerRejected } from "../LedgerModels.js"
import * as Alerts from "./alerts.js"
import { type Daily, dailyTotals } from "./daily.js"
import * as Rows from "./rows.js"
import { lookupKey } from "./rows.js"

/**
 * Rows per statement: one JSON document (SQLite) or a few arrays
 * (PostgreSQL) per chunk, each one parameter, so the database's parameter
 * limit never applies. A batch of up to 10,000 events is one statement of
 * each kind.
 */
export const chunkSize = 10_000

/**
 * Rows per insert statement on SQLite, whose statements run synchronously:
 * about a few milliseconds each, with the event loop let run between them,
 * so that a batch of 10,000 never holds it for long.
 */
export const sqliteWriteChunk = 1_000

// A macrotask: pending I/O runs before the next statement.
const yieldToIo = Effect.callback<void>((resume) => {
  const handle = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(handle))
})

const transientReasons = new Set(["DeadlockError", "SerializationError", "LockTimeoutError"])
const isTransient = (error: unknown): boolean =>
  typeof error === "object" &&
  error !== null &&
  "_tag" in error &&
  error._tag === "SqlError" &&
  transientReasons.has((error as SqlError).reason._tag)

const chunks = <A>(items: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

interface Pending {
  readonly id: string
  readonly customerId: number
  readonly requests: number
  readonly credits: number
  readonly at: number
  readonly day: string
}

interface StoredEvent {
  readonly customerId: number
  readonly requests: number
  readonly credits: number
  readonly at: number
}

const sameContent = (a: StoredEvent, b: StoredEvent): boolean =>
  a.customerId === b.customerId && a.requests === b.requests && a.credits === b.credits && a.at === b.at

const byId = (a: Pending, b: Pending): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

/** A (customer, day) whose total would pass core's `maxDailyTotal`: the transaction rolls back. */
class DailyTotalExceeded extends Data.TaggedError("DailyTotalExceeded")<{
  readonly customerId: number
  readonly day: string
  readonly field: "requests" | "credits"
}> {}

/** The message of an event whose day would collect more than `maxDailyTotal`. */
export const dailyTotalExceeded = (field: string): string =>
  `the customer's ${field} of this day would pass ${maxDailyTotal} (10^14); nothing was stored`

const decodeDaily = Schema.decodeUnknownEffect(Schema.Array(Rows.DailyRow))
const decodeIds = Schema.decodeUnknownEffect(Schema.Array(Rows.IdRow))
const decodeCustomerIds = Schema.decodeUnknownEffect(Schema.Array(Rows.CustomerIdRow))
const decodeStoredEvents = Schema.decodeUnknownEffect(Schema.Array(Rows.StoredEventRow))

const empty: IngestResult = { accepted: 0, duplicates: [], conflicts: [] }

/** The message of an event whose customer the ledger does not hold. */
export const unknownCustomer = (user: string): string => `no customer ${JSON.stringify(user)}`

/**
 * `Ledger.ingest` over `sql` (SQLite or PostgreSQL dialect). Statements come
 * in one shape per dialect: arrays through `unnest` in PostgreSQL, one JSON
 * document through `json_each` in SQLite; either way one prepared statement
 * serves every chunk.
 */
export const make = (sql: SqlClient): Ledger["Service"]["ingest"] => {
  const isPg = sql.onDialectOrElse({ pg: () => true, orElse: () => false })

  const resolveCustomers = (users: ReadonlyArray<string>) =>
    (isPg
      ? sql`SELECT c.id, c.user_key AS user_name, COALESCE(c.time_zone, r.time_zone) AS time_zone, c.billing_anchor
          FROM customers c JOIN resellers r ON r.id = c.reseller_id WHERE c.user_key = ANY(${users}::text[])`
      : sql`SELECT c.id, c.user_key AS user_name, COALESCE(c.time_zone, r.time_zone) AS time_zone, c.billing_anchor
          FROM customers c JOIN resellers r ON r.id = c.reseller_id
          WHERE c.user_key IN (SELECT value FROM json_each(${JSON.stringify(users)}))`
    ).pipe(Effect.flatMap(decodeCustomerIds))

  const insertEvents = (events: ReadonlyArray<Pending>) =>
    (isPg
      ? sql`INSERT INTO usage_events (id, customer_id, requests, credits, occurred_at, day)
          SELECT * FROM unnest(${events.map((e) => e.id)}::text[], ${events.map((e) => e.customerId)}::integer[],
            ${events.map((e) => BigInt(e.requests))}::bigint[], ${events.map((e) => BigInt(e.credits))}::bigint[],
            ${events.map((e) => BigInt(e.at))}::bigint[], ${events.map((e) => e.day)}::date[])
          ON CONFLICT (id) DO NOTHING RETURNING id`
      : sql`INSERT INTO usage_events (id, customer_id, requests, credits, occurred_at, day)
          SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5
          FROM json_each(${JSON.stringify(events.map((e) => [e.id, e.customerId, e.requests, e.credits, e.at, e.day]))})
          WHERE true
          ON CONFLICT (id) DO NOTHING RETURNING id`
    ).pipe(Effect.flatMap(decodeIds))

  const storedEvents = (ids: ReadonlyArray<string>) =>
    (isPg
      ? sql`SELECT id, customer_id, requests, credits, occurred_at FROM usage_events WHERE id = ANY(${ids}::text[])`
      : sql`SELECT id, customer_id, requests, credits, occurred_at FROM usage_events
          WHERE id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`
    ).pipe(Effect.flatMap(decodeStoredEvents))

  const addDaily = (rows: ReadonlyArray<Daily>) =>
    isPg
      ? sql`INSERT INTO usage_daily (customer_id, day, requests, credits)
          SELECT * FROM unnest(${rows.map((r) => r.customerId)}::integer[], ${rows.map((r) => r.day)}::date[],
            ${rows.map((r) => BigInt(r.requests))}::bigint[], ${rows.map((r) => BigInt(r.credits))}::bigint[])
          ON CONFLICT (customer_id, day) DO UPDATE SET requests = usage_daily.requests + excluded.requests,
            credits = usage_daily.credits + excluded.credits
          RETURNING customer_id, day::text AS day, requests, credits`.pipe(Effect.flatMap(decodeDaily))
      : sql`INSERT INTO usage_daily (customer_id, day, requests, credits)
          SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3
          FROM json_each(${JSON.stringify(rows.map((r) => [r.customerId, r.day, r.requests, r.credits]))})
          WHERE true
          ON CONFLICT (customer_id, day) DO UPDATE SET requests = usage_daily.requests + excluded.requests,
            credits = usage_daily.credits + excluded.credits
          RETURNING customer_id, day, requests, credits`.pipe(Effect.flatMap(decodeDaily))

  /** Fails (rolling the transaction back) when a day's total passes `maxDailyTotal`. */
  const checkDaily = (row: { readonly customerId: number; readonly day: string; requests: number; credits: number }) =>
    row.requests > maxDailyTotal
      ? Effect.fail(new DailyTotalExceeded({ customerId: row.customerId, day: row.day, field: "requests" }))
      : row.credits > maxDailyTotal
        ? Effect.fail(new DailyTotalExceeded({ customerId: row.customerId, day: row.day, field: "credits" }))
        : Effect.void

  /** The id of each customer of `events` that the ledger holds, in one query per `chunkSize` distinct users. */
  const customerIdsOf = Effect.fnUntraced(function* (events: ReadonlyArray<UsageEvent>) {
    const users = new Set<string>()
    for (const e of events) users.add(lookupKey(e.user))
    // Keyed by `nameKey`: an event names its customer in any case.
    const ids = new Map<string, { readonly id: number; readonly zone: string; readonly anchor: CalendarDate }>()
    for (const chunk of chunks([...users], chunkSize)) {
      for (const row of yield* resolveCustomers(chunk)) {
        ids.set(row.user_name, {
          id: row.id,
          zone: row.time_zone ?? defaultTimeZone,
          anchor: (row.billing_anchor ?? "2000-01-01") as CalendarDate
        })
      }
    }
    return ids
  })

  const raiseAlerts = Alerts.make(sql)

  /**
   * Inserts the first occurrence of each id, then raises the usage alerts
   * the new events reach (in the same transaction); answers the ids this
   * transaction inserted and the others as stored.
   */
  const write = Effect.fnUntraced(function* (
    unique: ReadonlyArray<Pending>,
    customers: ReadonlyMap<number, { readonly zone: string; readonly anchor: CalendarDate }>,
    now: number
  ) {
    const inserted = new Set<string>()
    for (const chunk of chunks(unique, isPg ? chunkSize : sqliteWriteChunk)) {
      for (const row of yield* insertEvents(chunk)) inserted.add(row.id)
      if (!isPg) yield* yieldToIo
    }
    const stored = new Map<string, StoredEvent>()
    const others = unique.filter((e) => !inserted.has(e.id)).map((e) => e.id)
    for (const chunk of chunks(others, chunkSize)) {
      for (const row of yield* storedEvents(chunk)) {
        stored.set(row.id, {
          customerId: row.customer_id,
          requests: row.requests,
          credits: row.credits,
          at: row.occurred_at
        })
      }
    }
    // One lock order for every writer: rows by (customer, day).
    const rollup = dailyTotals(unique.filter((e) => inserted.has(e.id)))
    // The batch alone passes the bound: refused before the rollup is written
    // (the sums in JavaScript are exact up to the bound, which is below 2^53).
    for (const row of rollup) yield* checkDaily(row)
    for (const chunk of chunks(rollup, isPg ? chunkSize : sqliteWriteChunk)) {
      if (!isPg) yield* yieldToIo
      for (const row of yield* addDaily(chunk)) {
        yield* checkDaily({ customerId: row.customer_id, day: row.day, requests: row.requests, credits: row.credits })
      }
    }
    const touched = new Map<number, Array<string>>()
    for (const row of rollup) {
      if (row.credits === 0) continue
      const days = touched.get(row.customerId)
      if (days === undefined) touched.set(row.customerId, [row.day])
      else days.push(row.day)
    }
    const queued = yield* raiseAlerts(
      [...touched].map(([customerId, days]) => ({ customerId, days, ...customers.get(customerId)! })),
      now
    )
    return { inserted, stored, queued }
  })

  return Effect.fn("Ledger.ingest")(function* (events: ReadonlyArray<UsageEvent>, options?: IngestOptions) {
    const before = options?.problems ?? []
    if (events.length === 0 && before.length === 0) return empty
    const customerIds = yield* customerIdsOf(events)
    const problems: Array<EventProblem> = [...before]
    for (let i = 0; i < events.length; i++) {
      const user = events[i]!.user
      if (!customerIds.has(lookupKey(user))) {
        problems.push({ index: options?.indexes?.[i] ?? i, field: "user", message: unknownCustomer(user) })
      }
    }
    if (problems.length > 0) {
      return yield* new LedgerRejected({ problems: problems.sort((a, b) => a.index - b.index) })
    }

    const pending = new Array<Pending>(events.length)
    const firstIndex = new Map<string, number>()
    const unique: Array<Pending> = []
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!
      const at = Date.parse(e.occurredAt)
      const customer = customerIds.get(lookupKey(e.user))!
      const p: Pending = {
        id: e.id,
        customerId: customer.id,
        requests: e.requests,
        credits: e.credits,
        at,
        // The customer's local day (decision 0100): UTC unless it or its reseller names a zone.
        day: localDateOf(at, customer.zone)
      }
      pending[i] = p
      if (!firstIndex.has(e.id)) {
        firstIndex.set(e.id, i)
        unique.push(p)
      }
    }
    // One lock order for every writer: events by id.
    unique.sort(byId)

    const customers = new Map<number, { readonly zone: string; readonly anchor: CalendarDate }>()
    for (const customer of customerIds.values()) customers.set(customer.id, customer)
    const now = yield* Clock.currentTimeMillis
    const { inserted, stored } = yield* sql.withTransaction(write(unique, customers, now)).pipe(
      Effect.retry({ times: 3, while: isTransient }),
      Effect.catchTag("DailyTotalExceeded", (over) => {
        // The first event of the batch on that customer's day names the problem.
        let index = 0
        for (let i = 0; i < events.length; i++) {
          if (pending[i]!.customerId === over.customerId && pending[i]!.day === over.day) {
            index = options?.indexes?.[i] ?? i
            break
          }
        }
        return Effect.fail(
          new LedgerRejected({
            problems: [{ index, field: over.field, message: dailyTotalExceeded(over.field) }]
          })
        )
      })
    )

    const outcome = new Array<"new" | "duplicate" | "conflict">(events.length)
    const duplicates: Array<string> = []
    const conflicts: Array<string> = []
    for (let i = 0; i < events.length; i++) {
      const p = pending[i]!
      const first = firstIndex.get(p.id)!
      let result: "new" | "duplicate" | "conflict"
      if (first === i) {
        if (inserted.has(p.id)) result = "new"
        else {
          const s = stored.get(p.id)
          result = s !== undefined && sameContent(s, p) ? "duplicate" : "conflict"
        }
      } else {
        result = !sameContent(pending[first]!, p) || outcome[first] === "conflict" ? "conflict" : "duplicate"
      }
      outcome[i] = result
      if (result === "duplicate") duplicates.push(p.id)
      else if (result === "conflict") conflicts.push(p.id)
    }
    return { accepted: inserted.size, duplicates, conflicts } satisfies IngestResult
  }, Rows.storeFailure("Ledger.ingest"))
}
