/**
 * Time zones and package assignments: a zone per customer and a default per
 * reseller (`time_zone`, null: the reseller's, else `UTC`), the customer's
 * package assignments with their first local day (`customer_packages`, and on
 * the customer row the assignment in force with the one scheduled after it,
 * for the overview's one read), and the rollup re-bucketed from the stored
 * events into each customer's local days.
 *
 * Every customer is in `UTC` when this runs (the zone columns are new), so
 * the local day of an event is its UTC day: the re-bucketing recomputes each
 * event's `day` from `occurred_at` and rebuilds `usage_daily` from the
 * events that are not voided (0003's `usage_voids`, which runs before). It
 * is idempotent, and it is restartable: the migrator runs it in one
 * transaction, so an interrupted run leaves nothing and runs again whole.
 *
 * @since 0.2.0
 */
import { Effect } from "effect"
import { SqlClient } from "effect/sql"

/**
 * The first local day of a customer's first package assignment: before any
 * date the ledger is asked about.
 *
 * @since 0.2.0
 * @category constants
 */
export const firstAssignmentDay = "0001-01-01"

/**
 * Adds the zone and assignment columns and tables, and re-buckets the rollup.
 *
 * @since 0.2.0
 * @category migrations
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const statements = sql.onDialectOrElse({
    pg: () => [
      sql`ALTER TABLE resellers ADD COLUMN time_zone text`,
      sql`ALTER TABLE customers ADD COLUMN time_zone text`,
      sql`ALTER TABLE customers ADD COLUMN package_from date NOT NULL DEFAULT DATE '0001-01-01'`,
      sql`ALTER TABLE customers ADD COLUMN next_package_id integer REFERENCES packages (id)`,
      sql`ALTER TABLE customers ADD COLUMN next_package_from date`,
      sql`CREATE TABLE customer_packages (
        customer_id integer NOT NULL REFERENCES customers (id),
        starts_on date NOT NULL,
        package_id integer NOT NULL REFERENCES packages (id),
        PRIMARY KEY (customer_id, starts_on)
      )`,
      sql`INSERT INTO customer_packages (customer_id, starts_on, package_id)
        SELECT id, package_from, package_id FROM customers
        ON CONFLICT (customer_id, starts_on) DO NOTHING`,
      // Each event's local day: UTC for every customer at this point.
      sql`UPDATE usage_events e SET day = (to_timestamp(e.occurred_at / 1000.0) AT TIME ZONE 'UTC')::date
        WHERE e.day <> (to_timestamp(e.occurred_at / 1000.0) AT TIME ZONE 'UTC')::date`
    ],
    orElse: () => [
      sql`ALTER TABLE resellers ADD COLUMN time_zone TEXT`,
      sql`ALTER TABLE customers ADD COLUMN time_zone TEXT`,
      sql`ALTER TABLE customers ADD COLUMN package_from TEXT NOT NULL DEFAULT '0001-01-01'`,
      sql`ALTER TABLE customers ADD COLUMN next_package_id INTEGER REFERENCES packages (id)`,
      sql`ALTER TABLE customers ADD COLUMN next_package_from TEXT`,
      sql`CREATE TABLE customer_packages (
        customer_id INTEGER NOT NULL REFERENCES customers (id),
        starts_on TEXT NOT NULL,
        package_id INTEGER NOT NULL REFERENCES packages (id),
        PRIMARY KEY (customer_id, starts_on)
      ) STRICT, WITHOUT ROWID`,
      sql`INSERT INTO customer_packages (customer_id, starts_on, package_id)
        SELECT id, package_from, package_id FROM customers
        WHERE true
        ON CONFLICT (customer_id, starts_on) DO NOTHING`,
      // Each event's local day: UTC for every customer at this point (the
      // UTC midnight before the instant, in whole seconds, as a date).
      sql`UPDATE usage_events
        SET day = date((occurred_at - ((occurred_at % 86400000) + 86400000) % 86400000) / 1000, 'unixepoch')
        WHERE day <> date((occurred_at - ((occurred_at % 86400000) + 86400000) % 86400000) / 1000, 'unixepoch')`
    ]
  })
  for (const statement of statements) yield* statement
  // The rollup again from the events, by (customer, local day); a voided
  // event (0003's `usage_voids`) counts in no day.
  yield* sql`DELETE FROM usage_daily`
  yield* sql`INSERT INTO usage_daily (customer_id, day, requests, credits)
    SELECT e.customer_id, e.day, SUM(e.requests), SUM(e.credits) FROM usage_events e
    WHERE NOT EXISTS (SELECT 1 FROM usage_voids v WHERE v.event_id = e.id)
    GROUP BY e.customer_id, e.day`
})
