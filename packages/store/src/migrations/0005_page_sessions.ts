/**
 * Migration 0005: the page's sessions (`page_sessions`), keyed by a hash of
 * the session token, with the reseller's key hash at sign-in so that a
 * rotated key ends them on every instance.
 *
 * @since 0.2.0
 */
import { Effect } from "effect"
import { SqlClient } from "effect/sql"

/**
 * @since 0.2.0
 * @category migrations
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const statements = sql.onDialectOrElse({
    pg: () => [
      sql`CREATE TABLE page_sessions (
        token_hash text COLLATE "C" PRIMARY KEY,
        api_user text COLLATE "C",
        key_hash text NOT NULL,
        csrf_token text NOT NULL,
        expires_at bigint NOT NULL
      )`,
      sql`CREATE INDEX page_sessions_expires ON page_sessions (expires_at)`
    ],
    orElse: () => [
      sql`CREATE TABLE page_sessions (
        token_hash TEXT NOT NULL PRIMARY KEY,
        api_user TEXT,
        key_hash TEXT NOT NULL,
        csrf_token TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID`,
      sql`CREATE INDEX page_sessions_expires ON page_sessions (expires_at)`
    ]
  })
  for (const statement of statements) yield* statement
})
