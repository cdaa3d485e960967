/**
 * Usage alerts by signed webhook: alert thresholds on packages and customers
 * (`alert_thresholds`, a JSON array; null: inherited), the webhook endpoints,
 * the outbox of alerts (`usage_alerts`, one per customer, cycle and
 * threshold, written in the transaction of the ingestion that reaches it)
 * and one delivery per alert and endpoint (`webhook_deliveries`), leased by
 * the instance that attempts it.
 *
 * @since 0.2.0
 */
import { Effect } from "effect"
import { SqlClient } from "effect/sql"

/**
 * Adds the threshold columns and the webhook tables.
 *
 * @since 0.2.0
 * @category migrations
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const statements = sql.onDialectOrElse({
    pg: () => [
      sql`ALTER TABLE packages ADD COLUMN alert_thresholds text`,
      sql`ALTER TABLE customers ADD COLUMN alert_thresholds text`,
      sql`CREATE TABLE webhook_endpoints (
        id text COLLATE "C" PRIMARY KEY,
        url text NOT NULL,
        events text NOT NULL,
        resellers text,
        enabled integer NOT NULL,
        secret text NOT NULL,
        previous_secret text,
        previous_secret_expires_at bigint,
        created_at bigint NOT NULL
      )`,
      sql`CREATE TABLE usage_alerts (
        id text COLLATE "C" PRIMARY KEY,
        customer_id integer NOT NULL REFERENCES customers (id),
        cycle_start text NOT NULL,
        threshold text NOT NULL,
        body text NOT NULL,
        created_at bigint NOT NULL,
        UNIQUE (customer_id, cycle_start, threshold)
      )`,
      sql`CREATE TABLE webhook_deliveries (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id text COLLATE "C" NOT NULL UNIQUE,
        endpoint_id text COLLATE "C" NOT NULL,
        alert_id text COLLATE "C" NOT NULL REFERENCES usage_alerts (id),
        status text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        last_status integer,
        last_error text,
        next_attempt_at bigint NOT NULL,
        retry_from bigint NOT NULL,
        locked_until bigint,
        lease text,
        delivered_at bigint,
        created_at bigint NOT NULL,
        UNIQUE (endpoint_id, alert_id)
      )`,
      sql`CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'`,
      sql`CREATE INDEX webhook_deliveries_log ON webhook_deliveries (endpoint_id, seq)`
    ],
    orElse: () => [
      sql`ALTER TABLE packages ADD COLUMN alert_thresholds TEXT`,
      sql`ALTER TABLE customers ADD COLUMN alert_thresholds TEXT`,
      sql`CREATE TABLE webhook_endpoints (
        id TEXT NOT NULL PRIMARY KEY,
        url TEXT NOT NULL,
        events TEXT NOT NULL,
        resellers TEXT,
        enabled INTEGER NOT NULL,
        secret TEXT NOT NULL,
        previous_secret TEXT,
        previous_secret_expires_at INTEGER,
        created_at INTEGER NOT NULL
      ) STRICT`,
      sql`CREATE TABLE usage_alerts (
        id TEXT NOT NULL PRIMARY KEY,
        customer_id INTEGER NOT NULL REFERENCES customers (id),
        cycle_start TEXT NOT NULL,
        threshold TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        UNIQUE (customer_id, cycle_start, threshold)
      ) STRICT`,
      sql`CREATE TABLE webhook_deliveries (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        endpoint_id TEXT NOT NULL,
        alert_id TEXT NOT NULL REFERENCES usage_alerts (id),
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_status INTEGER,
        last_error TEXT,
        next_attempt_at INTEGER NOT NULL,
        retry_from INTEGER NOT NULL,
        locked_until INTEGER,
        lease TEXT,
        delivered_at INTEGER,
        created_at INTEGER NOT NULL,
        UNIQUE (endpoint_id, alert_id)
      ) STRICT`,
      sql`CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'`,
      sql`CREATE INDEX webhook_deliveries_log ON webhook_deliveries (endpoint_id, seq)`
    ]
  })
  for (const statement of statements) yield* statement
})
