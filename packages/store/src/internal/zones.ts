import { localDateOf } from "@account-overview/core"
import { Effect, Schema } from "effect"
import type { SqlClient } from "effect/sql/SqlClient"
import * as Rows from "./rows.js"

const decodeEventDays = Schema.decodeUnknownEffect(Schema.Array(Rows.EventDayRow))

const chunkSize = 10_000

/**
 * Re-buckets the events of `customerIds` into the local days of `zone` and
 * rebuilds their rollup rows from the events that are not voided: what a
 * change of a customer's effective zone does (decision 0100). Runs inside the caller's transaction;
 * idempotent.
 */
export const rebucket = Effect.fnUntraced(function* (
  sql: SqlClient,
  customers: ReadonlyArray<{ readonly id: number; readonly zone: string }>
) {
  if (customers.length === 0) return
  const isPg = sql.onDialectOrElse({ pg: () => true, orElse: () => false })
  const zoneOf = new Map(customers.map((c) => [c.id, c.zone]))
  const ids = customers.map((c) => c.id)
  const idList = isPg ? sql`${ids}::integer[]` : sql`(SELECT value FROM json_each(${JSON.stringify(ids)}))`
  const events = yield* decodeEventDays(
    yield* isPg
      ? sql`SELECT id, customer_id, occurred_at, day::text AS day FROM usage_events WHERE customer_id = ANY(${idList})`
      : sql`SELECT id, customer_id, occurred_at, day FROM usage_events WHERE customer_id IN ${idList}`
  )
  const moved: Array<readonly [string, string]> = []
  for (const e of events) {
    const day = localDateOf(e.occurred_at, zoneOf.get(e.customer_id)!)
    if (day !== e.day) moved.push([e.id, day])
  }
  for (let i = 0; i < moved.length; i += chunkSize) {
    const chunk = moved.slice(i, i + chunkSize)
    yield* isPg
      ? sql`UPDATE usage_events e SET day = m.day
          FROM unnest(${chunk.map((m) => m[0])}::text[], ${chunk.map((m) => m[1])}::date[]) AS m (id, day)
          WHERE e.id = m.id`
      : sql`UPDATE usage_events SET day = m.day
          FROM (SELECT value ->> 0 AS id, value ->> 1 AS day FROM json_each(${JSON.stringify(chunk)})) AS m
          WHERE usage_events.id = m.id`
  }
  yield* isPg
    ? sql`DELETE FROM usage_daily WHERE customer_id = ANY(${idList})`
    : sql`DELETE FROM usage_daily WHERE customer_id IN ${idList}`
  yield* isPg
    ? sql`INSERT INTO usage_daily (customer_id, day, requests, credits)
        SELECT e.customer_id, e.day, SUM(e.requests), SUM(e.credits) FROM usage_events e
        WHERE e.customer_id = ANY(${idList})
          AND NOT EXISTS (SELECT 1 FROM usage_voids v WHERE v.event_id = e.id)
        GROUP BY e.customer_id, e.day`
    : sql`INSERT INTO usage_daily (customer_id, day, requests, credits)
        SELECT e.customer_id, e.day, SUM(e.requests), SUM(e.credits) FROM usage_events e
        WHERE e.customer_id IN ${idList}
          AND NOT EXISTS (SELECT 1 FROM usage_voids v WHERE v.event_id = e.id)
        GROUP BY e.customer_id, e.day`
})
