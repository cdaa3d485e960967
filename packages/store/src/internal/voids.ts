import { type EventProblem, maxEventsPerBatch, type VoidResult } from "@account-overview/core"
import { Clock, Effect, Schema } from "effect"
import type { SqlClient } from "effect/sql/SqlClient"
import type { Ledger } from "../Ledger.js"
import { LedgerRejected } from "../LedgerModels.js"
import { type Daily, dailyTotals } from "./daily.js"
import * as Rows from "./rows.js"

/** The message of a void whose event the ledger does not hold. */
export const unknownEvent = (id: string): string => `no usage event ${JSON.stringify(id)}`

const decodeEvents = Schema.decodeUnknownEffect(Schema.Array(Rows.VoidableEventRow))
const decodeIds = Schema.decodeUnknownEffect(Schema.Array(Rows.EventIdRow))

/**
 * `Ledger.voidEvents` over `sql`: in one transaction, checks that every id
 * is a stored event (else `LedgerRejected`, an `id` problem by index, and
 * nothing voided), appends a row to `usage_voids` for each event not voided
 * yet, and takes the newly voided events out of the daily rollup. The
 * events themselves are never updated.
 */
export const make = (sql: SqlClient): Ledger["Service"]["voidEvents"] => {
  const isPg = sql.onDialectOrElse({ pg: () => true, orElse: () => false })

  const storedEvents = (ids: ReadonlyArray<string>) =>
    (isPg
      ? sql`SELECT id, customer_id, requests, credits, day::text AS day FROM usage_events WHERE id = ANY(${ids}::text[])`
      : sql`SELECT id, customer_id, requests, credits, day FROM usage_events
          WHERE id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`
    ).pipe(Effect.flatMap(decodeEvents))

  const insertVoids = (ids: ReadonlyArray<string>, at: number) =>
    (isPg
      ? sql`INSERT INTO usage_voids (event_id, voided_at)
          SELECT id, ${at} FROM unnest(${ids}::text[]) AS v(id)
          ON CONFLICT (event_id) DO NOTHING RETURNING event_id`
      : sql`INSERT INTO usage_voids (event_id, voided_at)
          SELECT value, ${at} FROM json_each(${JSON.stringify(ids)}) WHERE true
          ON CONFLICT (event_id) DO NOTHING RETURNING event_id`
    ).pipe(Effect.flatMap(decodeIds))

  const subtractDaily = (rows: ReadonlyArray<Daily>) =>
    isPg
      ? sql`UPDATE usage_daily AS d SET requests = d.requests - v.requests, credits = d.credits - v.credits
          FROM unnest(${rows.map((r) => r.customerId)}::integer[], ${rows.map((r) => r.day)}::date[],
            ${rows.map((r) => BigInt(r.requests))}::bigint[], ${rows.map((r) => BigInt(r.credits))}::bigint[])
            AS v(customer_id, day, requests, credits)
          WHERE d.customer_id = v.customer_id AND d.day = v.day`
      : sql`UPDATE usage_daily AS d SET requests = d.requests - v.requests, credits = d.credits - v.credits
          FROM (SELECT value ->> 0 AS customer_id, value ->> 1 AS day, value ->> 2 AS requests, value ->> 3 AS credits
            FROM json_each(${JSON.stringify(rows.map((r) => [r.customerId, r.day, r.requests, r.credits]))})) AS v
          WHERE d.customer_id = v.customer_id AND d.day = v.day`

  const write = Effect.fnUntraced(function* (unique: ReadonlyArray<string>, at: number) {
    const events = new Map<string, typeof Rows.VoidableEventRow.Type>()
    for (const row of yield* storedEvents(unique)) events.set(row.id, row)
    const missing = unique.filter((id) => !events.has(id))
    if (missing.length > 0) return { missing, voided: new Set<string>() }
    const voided = new Set((yield* insertVoids(unique, at)).map((row) => row.event_id))
    // Each event's `day` is its customer's local day: ingestion stores
    // `localDateOf(occurred_at, zone)` and `zones.rebucket` moves it when the
    // zone changes, so it names the rollup row the event was counted in.
    const rollup = dailyTotals(
      Array.from(voided, (id) => {
        const e = events.get(id)!
        return { customerId: e.customer_id, day: e.day, requests: e.requests, credits: e.credits }
      })
    )
    if (rollup.length > 0) yield* subtractDaily(rollup)
    return { missing, voided }
  })

  return Effect.fn("Ledger.voidEvents")(function* (ids: ReadonlyArray<string>) {
    if (ids.length === 0) return { voided: 0, duplicates: [] } satisfies VoidResult
    const unique = [...new Set(ids)].sort()
    if (unique.length > maxEventsPerBatch) {
      return yield* new LedgerRejected({
        problems: [{ index: -1, field: "ids", message: `at most ${maxEventsPerBatch} ids per call` }]
      })
    }
    const at = yield* Clock.currentTimeMillis
    const { missing, voided } = yield* sql.withTransaction(write(unique, at))
    if (missing.length > 0) {
      const absent = new Set(missing)
      const problems: Array<EventProblem> = []
      ids.forEach((id, index) => {
        if (absent.has(id)) problems.push({ index, field: "id", message: unknownEvent(id) })
      })
      return yield* new LedgerRejected({ problems })
    }
    const seen = new Set<string>()
    const duplicates: Array<string> = []
    for (const id of ids) {
      if (voided.has(id) && !seen.has(id)) seen.add(id)
      else duplicates.push(id)
    }
    return { voided: voided.size, duplicates } satisfies VoidResult
  }, Rows.storeFailure("Ledger.voidEvents"))
}
