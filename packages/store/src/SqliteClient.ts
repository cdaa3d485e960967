/**
 * A thin `effect/sql` client over Node's built-in `node:sqlite`: one
 * connection shared through a semaphore, a prepared-statement cache, WAL,
 * a busy timeout and foreign keys (and, for a file in WAL mode, a second,
 * read-only connection that the ledger's hot reads use, so that they never
 * wait for a write transaction). Shaped like `@effect/sql-sqlite-node`
 * (its `layer` and `make` are `layerSqliteClient` and `makeSqliteClient`
 * here) so that it can be swapped for it.
 *
 * @since 0.1.0
 */

import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite"
import { Context, Duration, Effect, Layer, type Scope, Semaphore, Stream } from "effect"
import * as Reactivity from "effect/reactivity/Reactivity"
import * as Client from "effect/sql/SqlClient"
import type { Connection } from "effect/sql/SqlConnection"
import { ConnectionError, SqlError } from "effect/sql/SqlError"
import * as Statement from "effect/sql/Statement"
import { register, sqlError } from "./internal/sqliteHandle.js"

const TypeId = "~@account-overview/store/SqliteClient" as const

/**
 * How SQLite syncs the write-ahead log. `FULL` syncs at every commit, so a
 * committed transaction survives a power loss; `NORMAL` syncs only at
 * checkpoints, so a power loss (not a process crash) may lose the last
 * commits.
 *
 * @since 0.2.0
 * @category models
 */
export type SqliteSynchronous = "FULL" | "NORMAL"

/**
 * Settings of a SQLite client.
 *
 * @since 0.1.0
 * @category models
 */
export interface SqliteClientConfig {
  /** A file name, or `:memory:` for a private in-memory database. */
  readonly filename: string
  readonly readonly?: boolean | undefined
  /** Defaults to `FULL`: a commit that returned is on disk. */
  readonly synchronous?: SqliteSynchronous | undefined
  /** How long a statement waits for another process's lock. Defaults to 5 seconds. */
  readonly busyTimeout?: Duration.Input | undefined
  /** How many prepared statements are kept. Defaults to 200. */
  readonly prepareCacheSize?: number | undefined
  readonly spanAttributes?: Record<string, unknown> | undefined
  readonly transformResultNames?: ((str: string) => string) | undefined
  readonly transformQueryNames?: ((str: string) => string) | undefined
}

/**
 * The SQLite client: an `SqlClient` with its settings.
 *
 * @since 0.1.0
 * @category models
 */
export interface SqliteClient extends Client.SqlClient {
  readonly [TypeId]: typeof TypeId
  readonly config: SqliteClientConfig
}

/**
 * The SQLite client service.
 *
 * @since 0.1.0
 * @category services
 */
export const SqliteClient = Context.Service<SqliteClient>("@account-overview/store/SqliteClient")

interface Prepared {
  readonly statement: StatementSync
  readonly returnsRows: boolean
  readBigInts: boolean
}

/**
 * Converts a parameter to a value `node:sqlite` binds positionally: a `Date`
 * becomes its ISO string, a boolean 0 or 1, `undefined` null, an array or a
 * plain object its JSON text (for `json_each`).
 *
 * @since 0.1.0
 * @category conversions
 */
export const toSqliteParameter = (value: unknown): SQLInputValue => {
  switch (typeof value) {
    case "string":
    case "number":
    case "bigint":
      return value
    case "boolean":
      return value ? 1 : 0
    case "undefined":
      return null
    case "object":
      if (value === null) return null
      if (value instanceof Date) return value.toISOString()
      if (ArrayBuffer.isView(value)) {
        return new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
      }
      return JSON.stringify(value)
    default:
      throw new TypeError(`cannot bind a ${typeof value} as a SQLite parameter`)
  }
}

const toParameters = (params: ReadonlyArray<unknown>): Array<SQLInputValue> => {
  const out = new Array<SQLInputValue>(params.length)
  for (let i = 0; i < params.length; i++) out[i] = toSqliteParameter(params[i])
  return out
}

const plainRows = (rows: ReadonlyArray<Record<string, unknown>>): Array<Record<string, unknown>> => {
  const out = new Array<Record<string, unknown>>(rows.length)
  for (let i = 0; i < rows.length; i++) out[i] = { ...rows[i] }
  return out
}

const openDatabase = (config: SqliteClientConfig): DatabaseSync => {
  const db = new DatabaseSync(config.filename, {
    readOnly: config.readonly ?? false,
    timeout: Duration.toMillis(config.busyTimeout ?? Duration.seconds(5)),
    enableForeignKeyConstraints: true
  })
  try {
    if (config.filename !== ":memory:" && config.filename !== "" && config.readonly !== true) {
      db.exec("PRAGMA journal_mode = WAL")
    }
    db.exec(`PRAGMA synchronous = ${config.synchronous === "NORMAL" ? "NORMAL" : "FULL"}`)
    db.exec("PRAGMA foreign_keys = ON")
  } catch (cause) {
    db.close()
    throw cause
  }
  return db
}

// The read-only connection beside a file database in WAL mode (the ledger's hot reads),
// or undefined where a second connection would not read the same committed state.
const openReader = (config: SqliteClientConfig, db: DatabaseSync): DatabaseSync | undefined => {
  if (config.filename === ":memory:" || config.filename === "" || config.readonly === true) return undefined
  const mode = db.prepare("PRAGMA journal_mode").get() as { journal_mode?: unknown } | undefined
  if (mode?.journal_mode !== "wal") return undefined
  return new DatabaseSync(config.filename, {
    readOnly: true,
    timeout: Duration.toMillis(config.busyTimeout ?? Duration.seconds(5)),
    enableForeignKeyConstraints: true
  })
}

const makeConnection = (db: DatabaseSync, cacheSize: number) => {
  const cache = new Map<string, Prepared>()

  const prepare = (sql: string): Prepared => {
    const hit = cache.get(sql)
    if (hit !== undefined) {
      cache.delete(sql)
      cache.set(sql, hit)
      return hit
    }
    const statement = db.prepare(sql)
    const prepared: Prepared = { statement, returnsRows: statement.columns().length > 0, readBigInts: false }
    if (cacheSize > 0) {
      if (cache.size >= cacheSize) cache.delete(cache.keys().next().value!)
      cache.set(sql, prepared)
    }
    return prepared
  }

  const prepareOnce = (sql: string): Prepared => {
    const statement = db.prepare(sql)
    return { statement, returnsRows: statement.columns().length > 0, readBigInts: false }
  }

  const run = <A>(
    sql: string,
    params: ReadonlyArray<unknown>,
    mode: "rows" | "raw" | "values",
    cached: boolean
  ): Effect.Effect<A, SqlError> =>
    Effect.withFiber((fiber) => {
      const readBigInts = fiber.getRef(Client.SafeIntegers)
      try {
        const prepared = cached ? prepare(sql) : prepareOnce(sql)
        const { statement } = prepared
        if (prepared.readBigInts !== readBigInts) {
          statement.setReadBigInts(readBigInts)
          prepared.readBigInts = readBigInts
        }
        const bound = toParameters(params)
        if (!prepared.returnsRows) {
          const result = statement.run(...bound)
          const answer: unknown =
            mode === "raw" ? { changes: result.changes, lastInsertRowid: result.lastInsertRowid } : []
          return Effect.succeed(answer as A)
        }
        if (mode === "values") {
          statement.setReturnArrays(true)
          try {
            return Effect.succeed(statement.all(...bound) as unknown as A)
          } finally {
            statement.setReturnArrays(false)
          }
        }
        return Effect.succeed(plainRows(statement.all(...bound)) as unknown as A)
      } catch (cause) {
        return Effect.fail(sqlError(cause, "Failed to execute statement", "execute"))
      }
    })

  type Rows = ReadonlyArray<Record<string, unknown>>
  type Transform = (<A extends object>(rows: ReadonlyArray<A>) => ReadonlyArray<A>) | undefined
  const rows = (sql: string, params: ReadonlyArray<unknown>, transformRows: Transform, cached: boolean) =>
    transformRows
      ? Effect.map(run<Rows>(sql, params, "rows", cached), transformRows)
      : run<Rows>(sql, params, "rows", cached)

  const connection: Connection = {
    execute: (sql, params, transformRows) => rows(sql, params, transformRows, true),
    executeRaw: (sql, params) => run<unknown>(sql, params, "raw", true),
    executeValues: (sql, params) => run<ReadonlyArray<ReadonlyArray<unknown>>>(sql, params, "values", true),
    executeValuesUnprepared: (sql, params) => run<ReadonlyArray<ReadonlyArray<unknown>>>(sql, params, "values", false),
    executeUnprepared: (sql, params, transformRows) => rows(sql, params, transformRows, false),
    executeStream: (sql, params, transformRows) => Stream.fromIterableEffect(rows(sql, params, transformRows, true))
  }
  return connection
}

/**
 * Opens the database and builds the client. The connection is closed when
 * the scope closes.
 *
 * @since 0.2.0
 * @category constructors
 */
export const makeSqliteClient: (
  config: SqliteClientConfig
) => Effect.Effect<SqliteClient, SqlError, Scope.Scope | Reactivity.Reactivity> = Effect.fn("SqliteClient.make")(
  function* (config: SqliteClientConfig) {
    const db = yield* Effect.acquireRelease(
      Effect.try({
        try: () => openDatabase(config),
        catch: (cause) =>
          new SqlError({
            reason: new ConnectionError({
              cause,
              message: `Cannot open the SQLite database ${config.filename}`,
              operation: "connect"
            })
          })
      }),
      (db) => Effect.sync(() => db.isOpen && db.close())
    )
    const reader = yield* Effect.acquireRelease(
      Effect.try({
        try: () => openReader(config, db),
        catch: (cause) =>
          new SqlError({
            reason: new ConnectionError({
              cause,
              message: `Cannot open a read connection to the SQLite database ${config.filename}`,
              operation: "connect"
            })
          })
      }),
      (reader) => Effect.sync(() => reader?.isOpen && reader.close())
    )
    const connection = makeConnection(db, config.prepareCacheSize ?? 200)
    const acquirers = Client.makeSqliteAcquirers({
      connection: Effect.succeed(connection),
      semaphore: yield* Semaphore.make(1),
      isTransaction: () => db.isTransaction
    })
    const client = yield* Client.make({
      ...acquirers,
      driver: "sqlite-node",
      compiler: Statement.makeCompilerSqlite(config.transformQueryNames),
      // A write transaction takes the write lock at once, so two processes
      // never deadlock upgrading read locks; reads are not transactions here.
      beginTransaction: "BEGIN IMMEDIATE",
      prepareTransactionControls: true,
      releaseSavepoint: (name) => `RELEASE SAVEPOINT ${name}`,
      spanAttributes: [
        ...(config.spanAttributes ? Object.entries(config.spanAttributes) : []),
        ["db.system.name", "sqlite"]
      ],
      transformRows: config.transformResultNames
        ? Statement.defaultTransforms(config.transformResultNames).array
        : undefined
    })
    const sqlite = Object.assign(client, { [TypeId]: TypeId, config }) as SqliteClient
    // The ledger's hot reads go straight to the database; they read columns by
    // their SQL names, so a client that renames result columns gets none.
    if (config.transformResultNames === undefined) register(sqlite, db, reader)
    return sqlite
  }
)

/**
 * A layer of `SqliteClient` and `SqlClient`. Each build of the layer opens
 * its own connection: two builds of `:memory:` are two databases.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerSqliteClient = (config: SqliteClientConfig): Layer.Layer<SqliteClient | Client.SqlClient, SqlError> =>
  Layer.effectContext(
    Effect.map(makeSqliteClient(config), (client) =>
      Context.make(SqliteClient, client).pipe(Context.add(Client.SqlClient, client))
    )
  ).pipe(Layer.provide(Reactivity.layer))
