/**
 * Voided usage events: one row per voided event, appended, never updated.
 * The event itself stays as it was sent; the daily rollup no longer counts
 * it.
 *
 * @since 0.2.0
 */
import { Effect } from "effect"
import { SqlClient } from "effect/sql"

/**
 * Creates the `usage_voids` table.
 *
 * @since 0.2.0
 * @category migrations
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql.onDialectOrElse({
    pg: () => sql`CREATE TABLE usage_voids (
        event_id text COLLATE "C" PRIMARY KEY REFERENCES usage_events (id),
        voided_at bigint NOT NULL
      )`,
    orElse: () => sql`CREATE TABLE usage_voids (
        event_id TEXT NOT NULL PRIMARY KEY REFERENCES usage_events (id),
        voided_at INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID`
  })
})
