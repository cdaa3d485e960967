/**
 * The ledger's migrations, bundled: one numbered set for SQLite and
 * PostgreSQL, recorded in the table `ledger_migrations`.
 *
 * @since 0.1.0
 */
import { Unavailable } from "@account-overview/core"
import { Cause, Effect } from "effect"
import * as Migrator from "effect/sql/Migrator"
import type { SqlClient } from "effect/sql/SqlClient"
import ledger from "./migrations/0001_ledger.js"
import usageVoids from "./migrations/0003_usage_voids.js"

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
  "0003_usage_voids": usageVoids
})

const run = Migrator.make({})

/**
 * Runs the migrations that have not run yet, in one transaction, and
 * answers those it ran. Safe to run again and from several instances at once
 * (PostgreSQL serialises them on a lock). A failure is an `Unavailable`
 * whose detail names the migration; the cause is logged.
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
      Effect.logWarning("ledger migrations failed", Cause.fail(error)),
      Effect.fail(
        new Unavailable({
          reason: "store",
          detail:
            error._tag === "MigrationError"
              ? `cannot migrate the ledger: ${error.message}`
              : "cannot migrate the ledger: the database failed"
        })
      )
    )
  ),
  Effect.withSpan("Ledger.migrate")
)
