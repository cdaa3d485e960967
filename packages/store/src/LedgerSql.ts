/**
 * Where the ledger lives: the `SqlClient` layers of a SQLite file and of a
 * PostgreSQL pool that `Ledger.layerSqlite`, `Ledger.layerPg` and
 * `Ledger.layerConfig` run on, and the database URL used when
 * `DATABASE_URL` is not set. Failures to open are `Unavailable` (reason
 * `store`) with a plain detail; the cause is logged.
 *
 * @since 0.2.0
 */
import { mkdirSync } from "node:fs"
import { dirname } from "node:path"
import { Unavailable } from "@account-overview/core"
import * as PgClient from "@effect/sql-pg/PgClient"
import { Cause, Context, Effect, Layer, Redacted } from "effect"
import * as Reactivity from "effect/reactivity/Reactivity"
import { SqlClient } from "effect/sql"
import type { PgLedgerOptions, SqliteLedgerOptions } from "./LedgerModels.js"
import { makeSqliteClient } from "./SqliteClient.js"

/**
 * The store used when `DATABASE_URL` is not set: a SQLite file under
 * `./data`.
 *
 * @since 0.2.0
 * @category constants
 */
export const defaultDatabaseUrl = "sqlite:./data/account-overview.db"

const unavailable =
  (detail: string) =>
  (cause: unknown): Effect.Effect<never, Unavailable> =>
    Effect.andThen(
      Effect.logWarning(detail, Cause.fail(cause)),
      Effect.fail(new Unavailable({ reason: "store", detail }))
    )

/**
 * A `SqlClient` on a SQLite file, whose folder is created if absent.
 * `migrate` in the options is not read here.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerSqlClientSqlite = (
  filename: string,
  options: SqliteLedgerOptions = {}
): Layer.Layer<SqlClient.SqlClient, Unavailable> =>
  Layer.effectContext(
    Effect.gen(function* () {
      if (filename !== ":memory:") {
        yield* Effect.try({
          try: () => mkdirSync(dirname(filename), { recursive: true }),
          catch: (cause) => cause
        }).pipe(Effect.catch(unavailable(`cannot create the folder of the SQLite database ${filename}`)))
      }
      const client = yield* makeSqliteClient({ filename, synchronous: options.synchronous }).pipe(
        Effect.catch(unavailable(`cannot open the SQLite database ${filename}`))
      )
      return Context.make(SqlClient.SqlClient, client)
    })
  ).pipe(Layer.provide(Reactivity.layer))

const quoteIdentifier = (name: string): string => `"${name.replaceAll('"', '""')}"`

/**
 * A `SqlClient` on a PostgreSQL pool, in its own schema when one is given
 * (created if absent and put first on the `search_path`). The URL may hold
 * a password: it is kept redacted. `migrate` in the options is not read
 * here.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerSqlClientPg = (
  url: Redacted.Redacted<string> | string,
  options: PgLedgerOptions = {}
): Layer.Layer<SqlClient.SqlClient, Unavailable> =>
  Layer.effectContext(
    Effect.gen(function* () {
      const redacted = typeof url === "string" ? Redacted.make(url, { label: "DATABASE_URL" }) : url
      const client = yield* PgClient.make({
        url: redacted,
        applicationName: "account-overview",
        maxConnections: options.maxConnections,
        startupParameters: options.schema === undefined ? undefined : { search_path: quoteIdentifier(options.schema) }
      }).pipe(Effect.catch(unavailable("cannot connect to PostgreSQL")))
      if (options.schema !== undefined) {
        const schema = options.schema
        // Created only when absent, so a role without CREATE can use an existing
        // schema; two instances creating it at once: the loser's error is harmless.
        const exists = Effect.map(
          client`SELECT 1 AS found FROM pg_namespace WHERE nspname = ${schema}`,
          (rows) => rows.length > 0
        )
        const create = Effect.flatMap(exists, (found) =>
          found ? Effect.void : Effect.asVoid(client`CREATE SCHEMA IF NOT EXISTS ${client(schema)}`)
        )
        yield* create.pipe(
          Effect.catch(() => create),
          Effect.catch(unavailable(`cannot create the PostgreSQL schema ${schema}`))
        )
      }
      return Context.make(SqlClient.SqlClient, client)
    })
  ).pipe(Layer.provide(Reactivity.layer))
