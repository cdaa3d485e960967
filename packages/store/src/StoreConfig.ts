/**
 * Where the ledger lives: `DATABASE_URL` read with Effect `Config`, and the
 * `SqlClient` layers of SQLite and PostgreSQL it selects.
 *
 * @since 0.1.0
 */

import { mkdirSync } from "node:fs"
import { dirname } from "node:path"
import { Unavailable } from "@account-overview/core"
import * as PgClient from "@effect/sql-pg/PgClient"
import { Cause, Config, ConfigProvider, Context, Effect, Layer, Redacted } from "effect"
import * as Reactivity from "effect/reactivity/Reactivity"
import { SqlClient } from "effect/sql"
import { migrate } from "./Migrations.js"
import * as SqliteClient from "./SqliteClient.js"

/**
 * A store named by a database URL.
 *
 * @since 0.1.0
 * @category models
 */
export type StoreTarget =
  | { readonly _tag: "sqlite"; readonly filename: string }
  | { readonly _tag: "pg"; readonly url: Redacted.Redacted<string> }

/**
 * The embedded default: a SQLite file under `./data`.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultDatabaseUrl = "sqlite:./data/account-overview.db"

/**
 * Reads a database URL: `sqlite:<path>` (also `sqlite://<path>` and
 * `sqlite::memory:`), `postgres://…` or `postgresql://…`; anything else is
 * `undefined`.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseDatabaseUrl = (url: Redacted.Redacted<string> | string): StoreTarget | undefined => {
  const raw = (typeof url === "string" ? url : Redacted.value(url)).trim()
  if (raw.startsWith("sqlite:")) {
    const rest = raw.slice("sqlite:".length)
    const filename = rest.startsWith("//") ? rest.slice(2) : rest
    return filename === "" ? undefined : { _tag: "sqlite", filename }
  }
  if (/^postgres(ql)?:\/\//i.test(raw)) {
    return { _tag: "pg", url: typeof url === "string" ? Redacted.make(url, { label: "DATABASE_URL" }) : url }
  }
  return undefined
}

/**
 * The message of a `DATABASE_URL` that names no store. It never repeats the
 * value.
 *
 * @since 0.1.0
 * @category constants
 */
export const databaseUrlError =
  "DATABASE_URL must be sqlite:<path>, postgres://… or postgresql://… (the value is not shown: it may hold a password)"

/**
 * `DATABASE_URL`, read redacted since it may hold a password; defaults to
 * the embedded SQLite file.
 *
 * @since 0.1.0
 * @category config
 */
export const databaseUrl: Config.Config<StoreTarget> = Config.Redacted("DATABASE_URL").pipe(
  Config.withDefault(Redacted.make(defaultDatabaseUrl, { label: "DATABASE_URL" })),
  Config.mapEffect((url) => {
    const target = parseDatabaseUrl(url)
    return target === undefined
      ? Effect.fail(new Config.ConfigError(new ConfigProvider.SourceError({ message: databaseUrlError })))
      : Effect.succeed(target)
  })
)

const unavailable =
  (detail: string) =>
  (cause: unknown): Effect.Effect<never, Unavailable> =>
    Effect.andThen(
      Effect.logWarning(detail, Cause.fail(cause)),
      Effect.fail(new Unavailable({ reason: "store", detail }))
    )

/**
 * Options of the SQLite `SqlClient` layer.
 *
 * @since 0.1.0
 * @category models
 */
export interface SqliteOptions {
  readonly synchronous?: SqliteClient.Synchronous | undefined
}

/**
 * A `SqlClient` on a SQLite file, whose folder is created if absent.
 *
 * @since 0.1.0
 * @category layers
 */
export const sqliteLayer = (
  filename: string,
  options: SqliteOptions = {}
): Layer.Layer<SqlClient.SqlClient, Unavailable> =>
  Layer.effectContext(
    Effect.gen(function* () {
      if (filename !== ":memory:") {
        yield* Effect.try({
          try: () => mkdirSync(dirname(filename), { recursive: true }),
          catch: (cause) => cause
        }).pipe(Effect.catch(unavailable(`cannot create the folder of the SQLite database ${filename}`)))
      }
      const client = yield* SqliteClient.make({ filename, synchronous: options.synchronous }).pipe(
        Effect.catch(unavailable(`cannot open the SQLite database ${filename}`))
      )
      return Context.make(SqlClient.SqlClient, client)
    })
  ).pipe(Layer.provide(Reactivity.layer))

/**
 * Options of the PostgreSQL `SqlClient` layer.
 *
 * @since 0.1.0
 * @category models
 */
export interface PgOptions {
  /** A schema of its own: created if absent and put first on the `search_path`. */
  readonly schema?: string | undefined
  readonly maxConnections?: number | undefined
}

const quoteIdentifier = (name: string): string => `"${name.replaceAll('"', '""')}"`

/**
 * A `SqlClient` on a PostgreSQL pool, in its own schema when one is given.
 *
 * @since 0.1.0
 * @category layers
 */
export const pgLayer = (
  url: Redacted.Redacted<string> | string,
  options: PgOptions = {}
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

/**
 * The `SqlClient` of a store target.
 *
 * @since 0.1.0
 * @category layers
 */
export const urlLayer = (
  target: StoreTarget,
  options: SqliteOptions & PgOptions = {}
): Layer.Layer<SqlClient.SqlClient, Unavailable> =>
  target._tag === "sqlite" ? sqliteLayer(target.filename, options) : pgLayer(target.url, options)

/**
 * The `SqlClient` chosen by `DATABASE_URL`.
 *
 * @since 0.1.0
 * @category layers
 */
export const sqlLayerConfig: Layer.Layer<SqlClient.SqlClient, Unavailable | Config.ConfigError> = Layer.unwrap(
  Effect.map(databaseUrl, (target) => urlLayer(target))
)

/**
 * Runs the pending migrations on the store chosen by `DATABASE_URL` and
 * answers those it ran: the server's `migrate` command.
 *
 * @since 0.1.0
 * @category migrations
 */
export const migrateConfig: Effect.Effect<
  ReadonlyArray<readonly [id: number, name: string]>,
  Unavailable | Config.ConfigError
> = Effect.provide(migrate, sqlLayerConfig)
