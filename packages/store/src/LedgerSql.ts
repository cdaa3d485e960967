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
import { type Config, Context, Effect, Layer, Redacted } from "effect"
import * as Reactivity from "effect/reactivity/Reactivity"
import { SqlClient } from "effect/sql"
import * as DatabaseUrl from "./internal/databaseUrl.js"
import { logFailure, rootMessage } from "./internal/failure.js"
import type { PgLedgerOptions, SqliteLedgerOptions } from "./LedgerModels.js"
import { makeSqliteClient } from "./SqliteClient.js"

/**
 * The data folder used when `DATA_DIR` is not set: `./data`, under the
 * working folder.
 *
 * @since 0.2.0
 * @category constants
 */
export const defaultDataDir: string = DatabaseUrl.defaultDataDir

/**
 * The store used when `DATABASE_URL` is not set: the SQLite file
 * `account-overview.db` in `DATA_DIR` (`sqlite:./data/account-overview.db`
 * when `DATA_DIR` is not set either).
 *
 * @since 0.2.0
 * @category constants
 */
export const defaultDatabaseUrl: string = DatabaseUrl.defaultDatabaseUrl

/**
 * `DATA_DIR`, the folder of the service's files (the SQLite database when
 * `DATABASE_URL` is not set), read through Effect `Config` and resolved to
 * an absolute path against the working folder; `defaultDataDir` when unset
 * or empty.
 *
 * @since 0.2.0
 * @category config
 */
export const dataDirConfig: Config.Config<string> = DatabaseUrl.dataDirConfig

const unavailable =
  (detail: string, secrets: ReadonlyArray<string> = []) =>
  (cause: unknown): Effect.Effect<never, Unavailable> =>
    Effect.andThen(
      logFailure(detail, cause, secrets),
      Effect.fail(new Unavailable({ reason: "store", detail: `${detail}: ${rootMessage(cause, secrets)}` }))
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
 * (created if absent and put first on the `search_path`), or else in the
 * schema the URL puts first on the `search_path`
 * (`?options=-c%20search_path%3Dledger`), created if absent too. The URL
 * may hold a password: it is kept redacted. `migrate` in the options is not
 * read here.
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
      const secrets = secretsOf(redacted)
      const client = yield* PgClient.make({
        url: redacted,
        applicationName: "account-overview",
        maxConnections: options.maxConnections,
        startupParameters: options.schema === undefined ? undefined : { search_path: quoteIdentifier(options.schema) }
      }).pipe(Effect.catch(unavailable("cannot connect to PostgreSQL", secrets)))
      const schema = options.schema ?? DatabaseUrl.searchPathSchema(redacted)
      if (schema !== undefined) {
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
          Effect.catch(unavailable(`cannot create the PostgreSQL schema ${schema}`, secrets))
        )
      }
      return Context.make(SqlClient.SqlClient, client)
    })
  ).pipe(Layer.provide(Reactivity.layer))

// What must not appear in a message: the URL and its password.
const secretsOf = (url: Redacted.Redacted<string>): ReadonlyArray<string> => {
  const raw = Redacted.value(url)
  try {
    const password = decodeURIComponent(new URL(raw).password)
    return password === "" ? [raw] : [raw, password]
  } catch {
    return [raw]
  }
}
