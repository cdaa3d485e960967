/**
 * The ledger's tables: packages, resellers, customers, usage events and the
 * per-day usage rollup, for SQLite and PostgreSQL.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { SqlClient } from "effect/sql"

/**
 * Creates the ledger's tables and indexes.
 *
 * @since 0.1.0
 * @category migrations
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const statements = sql.onDialectOrElse({
    pg: () => [
      sql`CREATE TABLE packages (
        id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        name text COLLATE "C" NOT NULL UNIQUE,
        credits bigint NOT NULL CHECK (credits >= 0),
        overage_price double precision CHECK (overage_price >= 0)
      )`,
      sql`CREATE TABLE resellers (
        id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        api_user text COLLATE "C" NOT NULL UNIQUE,
        key_hash text NOT NULL
      )`,
      sql`CREATE TABLE customers (
        id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        user_name text COLLATE "C" NOT NULL UNIQUE,
        reseller_id integer NOT NULL REFERENCES resellers (id),
        package_id integer NOT NULL REFERENCES packages (id),
        billing_anchor text NOT NULL,
        reputation double precision NOT NULL CHECK (reputation BETWEEN 0 AND 100)
      )`,
      sql`CREATE INDEX customers_reseller_user ON customers (reseller_id, user_name)`,
      sql`CREATE TABLE usage_events (
        id text COLLATE "C" PRIMARY KEY,
        customer_id integer NOT NULL REFERENCES customers (id),
        requests bigint NOT NULL CHECK (requests >= 0),
        credits bigint NOT NULL CHECK (credits >= 0),
        occurred_at bigint NOT NULL,
        day date NOT NULL
      )`,
      sql`CREATE TABLE usage_daily (
        customer_id integer NOT NULL REFERENCES customers (id),
        day date NOT NULL,
        requests bigint NOT NULL,
        credits bigint NOT NULL,
        PRIMARY KEY (customer_id, day)
      )`
    ],
    orElse: () => [
      sql`CREATE TABLE packages (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        credits INTEGER NOT NULL CHECK (credits >= 0),
        overage_price REAL CHECK (overage_price >= 0)
      ) STRICT`,
      sql`CREATE TABLE resellers (
        id INTEGER PRIMARY KEY,
        api_user TEXT NOT NULL UNIQUE,
        key_hash TEXT NOT NULL
      ) STRICT`,
      sql`CREATE TABLE customers (
        id INTEGER PRIMARY KEY,
        user_name TEXT NOT NULL UNIQUE,
        reseller_id INTEGER NOT NULL REFERENCES resellers (id),
        package_id INTEGER NOT NULL REFERENCES packages (id),
        billing_anchor TEXT NOT NULL,
        reputation REAL NOT NULL CHECK (reputation BETWEEN 0 AND 100)
      ) STRICT`,
      sql`CREATE INDEX customers_reseller_user ON customers (reseller_id, user_name)`,
      sql`CREATE TABLE usage_events (
        id TEXT NOT NULL PRIMARY KEY,
        customer_id INTEGER NOT NULL REFERENCES customers (id),
        requests INTEGER NOT NULL CHECK (requests >= 0),
        credits INTEGER NOT NULL CHECK (credits >= 0),
        occurred_at INTEGER NOT NULL,
        day TEXT NOT NULL
      ) STRICT, WITHOUT ROWID`,
      sql`CREATE TABLE usage_daily (
        customer_id INTEGER NOT NULL REFERENCES customers (id),
        day TEXT NOT NULL,
        requests INTEGER NOT NULL,
        credits INTEGER NOT NULL,
        PRIMARY KEY (customer_id, day)
      ) STRICT, WITHOUT ROWID`
    ]
  })
  for (const statement of statements) yield* statement
})
