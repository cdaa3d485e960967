/**
 * The ledger's migrations, bundled: one numbered set for SQLite and
 * PostgreSQL, recorded in the table `ledger_migrations`.
 *
 * @since 0.1.0
 */
import { Unavailable } from "@account-overview/core"
import { Effect } from "effect"
import * as Migrator from "effect/sql/Migrator"
import type { SqlClient } from "effect/sql/SqlClient"
import { logFailure, rootMessage } from "./internal/failure.js"
import { LedgerNamesCollide } from "./LedgerModels.js"
import ledger from "./migrations/0001_ledger.js"
import nameKeys from "./migrations/0002_name_keys.js"
import usageVoids from "./migrations/0003_usage_voids.js"
import timeZones from "./migrations/0004_time_zones.js"
import pageSessions from "./migrations/0005_page_sessions.js"
import webhooks from "./migrations/0006_webhooks.js"

/**
 * The table that records which migrations ran.
 *
 * @since 0.1.0
 * @category constants
 */
export const migrationsTable = "ledger_migrations"

/**
 * The migrations, in order.
 *
 * @since 0.1.0
 * @category migrations
 */
export const migrations: Migrator.Loader = Migrator.fromRecord({
  "0001_ledger": ledger,
  "0002_name_keys": nameKeys,
  "0003_usage_voids": usageVoids,
  "0004_time_zones": timeZones,
  "0005_page_sessions": pageSessions,
  "0006_webhooks": webhooks
})

const run = Migrator.make({})

/**
 * Runs the migrations that have not run yet, in one transaction, and
 * answers those it ran. Safe to run again and from several instances at once
 * (PostgreSQL serialises them on a lock). A failure is an `Unavailable`
 * whose detail names the migration or says what the database answered
 * (`cannot migrate the ledger: connect ECONNREFUSED 127.0.0.1:5432`); it
 * is logged in one line at warning level, the whole cause at debug level.
 *
 * @since 0.1.0
 * @category migrations
 */
export const migrate: Effect.Effect<ReadonlyArray<readonly [id: number, name: string]>, Unavailable, SqlClient> = run({
  loader: migrations,
  table: migrationsTable
}).pipe(
  Effect.catch((error) =>
    Effect.andThen(
      logFailure("ledger migrations failed", error),
      Effect.fail(
        new Unavailable({
          reason: "store",
          detail:
            error._tag === "MigrationError"
              ? error.cause instanceof LedgerNamesCollide
                ? `cannot migrate the ledger: ${error.message}: ${error.cause.message}`
                : `cannot migrate the ledger: ${error.message}`
              : `cannot migrate the ledger: ${rootMessage(error)}`
        })
      )
    )
  ),
  Effect.withSpan("Ledger.migrate")
)
