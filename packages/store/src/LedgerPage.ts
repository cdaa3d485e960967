/**
 * What the page of the microservice keeps in and reads from the ledger
 * beyond `Ledger`: its sessions (migration 0005, keyed by a hash of the
 * session token, never the token), a customer's daily usage rows and the
 * names of the resellers. Every layer of `Ledger` over SQL provides it on
 * the same client.
 *
 * @since 0.2.0
 */
import type { CalendarDate, Unavailable } from "@account-overview/core"
import { Context, Effect, Layer, Option } from "effect"
import { SqlClient } from "effect/sql"
import * as Rows from "./internal/rows.js"

/**
 * One session of the page: who it speaks for (`apiUser`; `undefined` for the
 * operator), the key hash it was signed in with (a reseller's stored key
 * hash, or a digest of the admin token), its CSRF token and its expiry
 * (epoch milliseconds).
 *
 * @since 0.2.0
 * @category models
 */
export interface PageSession {
  readonly tokenHash: string
  readonly apiUser: string | undefined
  readonly keyHash: string
  readonly csrfToken: string
  readonly expiresAt: number
}

/**
 * One day of a customer's usage rollup.
 *
 * @since 0.2.0
 * @category models
 */
export interface DailyUsage {
  readonly day: CalendarDate
  readonly requests: number
  readonly credits: number
}

const toNumber = (value: unknown): number => (typeof value === "bigint" ? Number(value) : Number(value))

const toDay = (value: unknown): CalendarDate =>
  (value instanceof Date ? value.toISOString().slice(0, 10) : String(value)) as CalendarDate

/**
 * The page's sessions and reads.
 *
 * @since 0.2.0
 * @category services
 */
export class LedgerPage extends Context.Service<
  LedgerPage,
  {
    /** Stores a session; drops the expired ones on the way. */
    readonly createSession: (session: PageSession, now: number) => Effect.Effect<void, Unavailable>
    /** The session of a token hash, unless it expired at `now`. */
    readonly findSession: (tokenHash: string, now: number) => Effect.Effect<Option.Option<PageSession>, Unavailable>
    readonly revokeSession: (tokenHash: string) => Effect.Effect<void, Unavailable>
    /** A customer's daily rows from `from` to `to` (inclusive), by day. */
    readonly dailyUsage: (
      user: string,
      from: CalendarDate,
      to: CalendarDate
    ) => Effect.Effect<ReadonlyArray<DailyUsage>, Unavailable>
    readonly resellerNames: () => Effect.Effect<ReadonlyArray<string>, Unavailable>
  }
>()("@account-overview/store/LedgerPage") {
  /**
   * The service on the current `SqlClient` (SQLite or PostgreSQL), whose
   * ledger has run its migrations.
   *
   * @since 0.2.0
   */
  static readonly layerSql: Layer.Layer<LedgerPage, never, SqlClient.SqlClient> = Layer.effect(
    LedgerPage,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const dayColumn = sql.onDialectOrElse({
        pg: () => sql.literal("to_char(d.day, 'YYYY-MM-DD') AS day"),
        orElse: () => sql.literal("d.day AS day")
      })
      return LedgerPage.of({
        createSession: (session, now) =>
          Effect.gen(function* () {
            yield* sql`DELETE FROM page_sessions WHERE expires_at <= ${now}`
            yield* sql`INSERT INTO page_sessions (token_hash, api_user, key_hash, csrf_token, expires_at)
              VALUES (${session.tokenHash}, ${session.apiUser ?? null}, ${session.keyHash}, ${session.csrfToken},
                ${session.expiresAt})`
          }).pipe(Rows.storeFailure("LedgerPage.createSession")),
        findSession: (tokenHash, now) =>
          sql<Record<string, unknown>>`SELECT api_user, key_hash, csrf_token, expires_at FROM page_sessions
              WHERE token_hash = ${tokenHash} AND expires_at > ${now}`.pipe(
            Effect.map((rows) => {
              const row = rows[0]
              if (row === undefined) return Option.none<PageSession>()
              return Option.some<PageSession>({
                tokenHash,
                apiUser: row.api_user === null || row.api_user === undefined ? undefined : String(row.api_user),
                keyHash: String(row.key_hash),
                csrfToken: String(row.csrf_token),
                expiresAt: toNumber(row.expires_at)
              })
            }),
            Rows.storeFailure("LedgerPage.findSession")
          ),
        revokeSession: (tokenHash) =>
          sql`DELETE FROM page_sessions WHERE token_hash = ${tokenHash}`.pipe(
            Effect.asVoid,
            Rows.storeFailure("LedgerPage.revokeSession")
          ),
        dailyUsage: (user, from, to) =>
          sql<Record<string, unknown>>`SELECT ${dayColumn}, d.requests, d.credits
              FROM usage_daily d JOIN customers c ON c.id = d.customer_id
              WHERE c.user_name = ${user} AND d.day >= ${from} AND d.day <= ${to}
              ORDER BY d.day`.pipe(
            Effect.map((rows) =>
              rows.map(
                (row): DailyUsage => ({
                  day: toDay(row.day),
                  requests: toNumber(row.requests),
                  credits: toNumber(row.credits)
                })
              )
            ),
            Rows.storeFailure("LedgerPage.dailyUsage")
          ),
        resellerNames: () =>
          sql<{ readonly api_user: string }>`SELECT api_user FROM resellers ORDER BY api_user`.pipe(
            Effect.map((rows) => rows.map((row) => String(row.api_user))),
            Rows.storeFailure("LedgerPage.resellerNames")
          )
      })
    })
  )
}
