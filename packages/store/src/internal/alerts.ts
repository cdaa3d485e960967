import { randomBytes } from "node:crypto"
import {
  type AlertThreshold,
  AlertThresholds,
  alertThresholdKey,
  type CalendarDate,
  cycleFor,
  effectiveAlertThresholds,
  localDateOf,
  nameKey,
  thresholdsReached,
  usageThresholdCrossed,
  type WebhookEvent
} from "@account-overview/core"
import { Effect, Option, Schema } from "effect"
import type { SqlClient } from "effect/sql/SqlClient"
import * as Rows from "./rows.js"

/** A customer with events newly stored by a batch, and the local days of those events. */
export interface Touched {
  readonly customerId: number
  readonly zone: string
  readonly anchor: CalendarDate
  readonly days: ReadonlyArray<string>
}

const StandingRow = Schema.Struct({
  id: Rows.DbNumber,
  cycle_start: Schema.String,
  cycle_end: Schema.String,
  user_name: Schema.String,
  api_user: Schema.String,
  customer_thresholds: Schema.NullOr(Schema.String),
  next_from: Schema.NullOr(Schema.String),
  package_credits: Rows.DbCount,
  package_thresholds: Schema.NullOr(Schema.String),
  next_credits: Schema.NullOr(Rows.DbCount),
  next_thresholds: Schema.NullOr(Schema.String),
  used: Rows.DbCount
})
const decodeStandings = Schema.decodeUnknownEffect(Schema.Array(StandingRow))

const EndpointRow = Schema.Struct({ id: Schema.String, events: Schema.String, resellers: Schema.NullOr(Schema.String) })
const decodeEndpoints = Schema.decodeUnknownEffect(Schema.Array(EndpointRow))

const decodeThresholds = Schema.decodeUnknownOption(Schema.fromJsonString(AlertThresholds))

/** The thresholds a column holds: undefined when null (inherited) or unreadable. */
export const thresholdsOf = (column: string | null): ReadonlyArray<AlertThreshold> | undefined =>
  column === null ? undefined : Option.getOrUndefined(decodeThresholds(column))

/** A column's value for thresholds: null when inherited. */
export const thresholdsColumn = (thresholds: ReadonlyArray<AlertThreshold> | undefined): string | null =>
  thresholds === undefined ? null : JSON.stringify(thresholds)

const newId = (prefix: string): string => `${prefix}_${randomBytes(12).toString("hex")}`

const names = (column: string | null): ReadonlyArray<string> | undefined => {
  if (column === null) return undefined
  const parsed: unknown = JSON.parse(column)
  return Array.isArray(parsed) ? parsed.map(String) : undefined
}

interface Alert {
  readonly id: string
  readonly customerId: number
  readonly cycleStart: string
  readonly threshold: string
  readonly reseller: string
  readonly body: string
}

/**
 * The usage alerts of a batch, inside its transaction (decision 0110): when
 * an enabled endpoint wants them, for each customer whose current cycle (at
 * `now`, in its zone) got new events,
 * one read of its cycle total, allowance and thresholds; each threshold
 * reached becomes an alert unique per (customer, cycle start, threshold),
 * inserted unless present, and a new alert one delivery per enabled
 * endpoint that covers its reseller. Events of any other cycle (a closed
 * one, or one still to come) raise nothing. Answers how many deliveries it
 * queued.
 */
export const make = (sql: SqlClient) => {
  const isPg = sql.onDialectOrElse({ pg: () => true, orElse: () => false })

  const standings = (rows: ReadonlyArray<readonly [number, string, string]>) =>
    (isPg
      ? sql`SELECT t.id, t.cycle_start::text AS cycle_start, t.cycle_end::text AS cycle_end, c.user_name, r.api_user,
            c.alert_thresholds AS customer_thresholds, CAST(c.next_package_from AS TEXT) AS next_from,
            p.credits AS package_credits, p.alert_thresholds AS package_thresholds,
            np.credits AS next_credits, np.alert_thresholds AS next_thresholds,
            (SELECT COALESCE(SUM(d.credits), 0) FROM usage_daily d
              WHERE d.customer_id = t.id AND d.day >= t.cycle_start AND d.day <= t.cycle_end) AS used
          FROM unnest(${rows.map((r) => r[0])}::integer[], ${rows.map((r) => r[1])}::date[],
            ${rows.map((r) => r[2])}::date[]) AS t (id, cycle_start, cycle_end)
          JOIN customers c ON c.id = t.id
          JOIN resellers r ON r.id = c.reseller_id
          JOIN packages p ON p.id = c.package_id
          LEFT JOIN packages np ON np.id = c.next_package_id`
      : sql`SELECT c.id, t.value ->> 1 AS cycle_start, t.value ->> 2 AS cycle_end, c.user_name, r.api_user,
            c.alert_thresholds AS customer_thresholds, c.next_package_from AS next_from,
            p.credits AS package_credits, p.alert_thresholds AS package_thresholds,
            np.credits AS next_credits, np.alert_thresholds AS next_thresholds,
            (SELECT COALESCE(SUM(d.credits), 0) FROM usage_daily d
              WHERE d.customer_id = c.id AND d.day >= t.value ->> 1 AND d.day <= t.value ->> 2) AS used
          FROM json_each(${JSON.stringify(rows)}) t
          JOIN customers c ON c.id = t.value ->> 0
          JOIN resellers r ON r.id = c.reseller_id
          JOIN packages p ON p.id = c.package_id
          LEFT JOIN packages np ON np.id = c.next_package_id`
    ).pipe(Effect.flatMap(decodeStandings))

  const insertAlerts = (alerts: ReadonlyArray<Alert>, now: number) =>
    (isPg
      ? sql`INSERT INTO usage_alerts (id, customer_id, cycle_start, threshold, body, created_at)
          SELECT *, ${BigInt(now)}::bigint FROM unnest(${alerts.map((a) => a.id)}::text[],
            ${alerts.map((a) => a.customerId)}::integer[], ${alerts.map((a) => a.cycleStart)}::text[],
            ${alerts.map((a) => a.threshold)}::text[], ${alerts.map((a) => a.body)}::text[])
          ON CONFLICT (customer_id, cycle_start, threshold) DO NOTHING RETURNING id`
      : sql`INSERT INTO usage_alerts (id, customer_id, cycle_start, threshold, body, created_at)
          SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, ${now}
          FROM json_each(${JSON.stringify(alerts.map((a) => [a.id, a.customerId, a.cycleStart, a.threshold, a.body]))})
          WHERE true
          ON CONFLICT (customer_id, cycle_start, threshold) DO NOTHING RETURNING id`
    ).pipe(Effect.flatMap(Schema.decodeUnknownEffect(Schema.Array(Rows.IdRow))))

  const insertDeliveries = (rows: ReadonlyArray<readonly [string, string, string]>, now: number) =>
    isPg
      ? sql`INSERT INTO webhook_deliveries (id, endpoint_id, alert_id, status, next_attempt_at, retry_from, created_at)
          SELECT d.id, d.endpoint_id, d.alert_id, 'pending', ${BigInt(now)}::bigint, ${BigInt(now)}::bigint,
            ${BigInt(now)}::bigint
          FROM unnest(${rows.map((r) => r[0])}::text[], ${rows.map((r) => r[1])}::text[],
            ${rows.map((r) => r[2])}::text[]) AS d (id, endpoint_id, alert_id)
          ON CONFLICT (endpoint_id, alert_id) DO NOTHING`
      : sql`INSERT INTO webhook_deliveries (id, endpoint_id, alert_id, status, next_attempt_at, retry_from, created_at)
          SELECT value ->> 0, value ->> 1, value ->> 2, 'pending', ${now}, ${now}, ${now}
          FROM json_each(${JSON.stringify(rows)})
          WHERE true
          ON CONFLICT (endpoint_id, alert_id) DO NOTHING`

  return Effect.fnUntraced(function* (touched: ReadonlyArray<Touched>, now: number) {
    const current: Array<readonly [number, string, string]> = []
    const zoneOf = new Map<number, { readonly zone: string; readonly today: CalendarDate }>()
    for (const t of touched) {
      const today = localDateOf(now, t.zone)
      const cycle = cycleFor(t.anchor, today)
      if (!t.days.some((day) => day >= cycle.start && day <= cycle.end)) continue
      current.push([t.customerId, cycle.start, cycle.end])
      zoneOf.set(t.customerId, { zone: t.zone, today })
    }
    if (current.length === 0) return 0
    // No endpoint wants the event: nothing to record (an endpoint added later gets the
    // thresholds its customers have reached with their next usage).
    const endpoints = (yield* decodeEndpoints(
      yield* sql`SELECT id, events, resellers FROM webhook_endpoints WHERE enabled = 1 ORDER BY id`
    )).filter((endpoint) => (names(endpoint.events) ?? []).includes(usageThresholdCrossed))
    if (endpoints.length === 0) return 0
    // PostgreSQL: two batches of one customer on different days lock no row in common; each
    // would read the cycle total without the other's credits. Taking the customers' rows (in
    // one order, a lock that foreign-key checks do not wait on) before reading serialises them.
    if (isPg) {
      const ids = current.map((c) => c[0]).sort((a, b) => a - b)
      yield* sql`SELECT id FROM customers WHERE id = ANY(${ids}::integer[]) ORDER BY id FOR NO KEY UPDATE`
    }
    const created = new Date(now).toISOString()
    const alerts: Array<Alert> = []
    for (const row of yield* standings(current)) {
      const { today, zone } = zoneOf.get(row.id)!
      const next = row.next_from !== null && row.next_from <= today && row.next_credits !== null
      const allowed = next ? row.next_credits! : row.package_credits
      const thresholds = effectiveAlertThresholds(
        thresholdsOf(row.customer_thresholds),
        thresholdsOf(next ? row.next_thresholds : row.package_thresholds)
      )
      for (const threshold of thresholdsReached(thresholds, row.used, allowed)) {
        const id = newId("evt")
        const event: WebhookEvent = {
          id,
          type: usageThresholdCrossed,
          created,
          data: {
            reseller: row.api_user,
            customer: row.user_name,
            cycle: { start: row.cycle_start as CalendarDate, end: row.cycle_end as CalendarDate },
            threshold,
            creditsUsed: row.used,
            creditsAllowed: allowed,
            timeZone: zone
          }
        }
        alerts.push({
          id,
          customerId: row.id,
          cycleStart: row.cycle_start,
          threshold: alertThresholdKey(threshold),
          reseller: row.api_user,
          body: JSON.stringify(event)
        })
      }
    }
    if (alerts.length === 0) return 0
    const inserted = new Set((yield* insertAlerts(alerts, now)).map((row) => row.id))
    if (inserted.size === 0) return 0
    const deliveries: Array<readonly [string, string, string]> = []
    for (const endpoint of endpoints) {
      const covered = names(endpoint.resellers)
      const keys = covered === undefined ? undefined : new Set(covered.map(nameKey))
      for (const alert of alerts) {
        if (!inserted.has(alert.id)) continue
        if (keys !== undefined && !keys.has(nameKey(alert.reseller))) continue
        deliveries.push([newId("dlv"), endpoint.id, alert.id])
      }
    }
    if (deliveries.length > 0) yield* insertDeliveries(deliveries, now)
    return deliveries.length
  })
}
