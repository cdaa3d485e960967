/**
 * A thin `effect/sql` client over Node's built-in `node:sqlite`: one
 * connection shared through a semaphore, a prepared-statement cache, WAL,
 * a busy timeout and foreign keys. A file that is written has that
 * connection in a worker thread of its own (a COMMIT's fsync and a
 * statement over many rows never hold the caller's event loop), and, in WAL
 * mode, a second, read-only connection on the caller's thread that the
 * ledger's hot reads use, so that they never wait for a write transaction.
 * Shaped like `@effect/sql-sqlite-node` (its `layer` and `make` are
 * `layerSqliteClient` and `makeSqliteClient` here) so that it can be
 * swapped for it.
 *
 * @since 0.1.0
 */

import { DatabaseSync, type SQLInputValue } from "node:sqlite"
import { Worker } from "node:worker_threads"
import { Context, Duration, Effect, Layer, type Scope, Semaphore, Stream } from "effect"
import * as Reactivity from "effect/reactivity/Reactivity"
import * as Client from "effect/sql/SqlClient"
import type { Connection } from "effect/sql/SqlConnection"
import { ConnectionError, SqlError } from "effect/sql/SqlError"
import * as Statement from "effect/sql/Statement"
import * as Exec from "./internal/sqliteExec.js"
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
  /**
   * Whether a file that is written gets a thread of its own for the client's
   * connection. Defaults to true: the statements, a COMMIT's fsync among
   * them, then never hold the calling thread. `:memory:` and read-only files
   * always run on the calling thread.
   */
  readonly writerThread?: boolean | undefined
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

const executeFailed = (cause: unknown) => sqlError(cause, "Failed to execute statement", "execute")

/** Where the client's statements run: on this thread, or in the writer thread. */
interface Runner {
  readonly run: (
    sql: string,
    params: ReadonlyArray<SQLInputValue>,
    mode: Exec.Mode,
    cached: boolean,
    readBigInts: boolean
  ) => Effect.Effect<unknown, SqlError>
  readonly isTransaction: () => boolean
}

const inlineRunner = (db: DatabaseSync, cacheSize: number): Runner => {
  const execute = Exec.makeExecute(db, cacheSize)
  return {
    run: (sql, params, mode, cached, readBigInts) => {
      try {
        return Effect.succeed(execute(sql, params, mode, cached, readBigInts))
      } catch (cause) {
        return Effect.fail(executeFailed(cause))
      }
    },
    isTransaction: () => db.isOpen && db.isTransaction
  }
}

const connectionFailed = (message: string, cause?: unknown) =>
  new SqlError({ reason: new ConnectionError({ cause, message, operation: "connect" }) })

/**
 * The writer thread: a worker that owns the client's connection and runs its
 * statements one after the other, in the order they were sent. The worker
 * keeps the process alive only while a statement is on its way.
 */
const writerRunner = (
  config: SqliteClientConfig,
  open: Exec.OpenOptions
): Effect.Effect<Runner & { readonly journalMode: string; readonly worker: Worker }, SqlError, Scope.Scope> =>
  Effect.gen(function* () {
    // The fibers waiting for the worker, by request id.
    const pending = new Map<number, (answer: Effect.Effect<unknown, SqlError>) => void>()
    let nextId = 1
    let inTransaction = false
    let gone: SqlError | undefined
    const data: Exec.WriterData = {
      kind: Exec.writerKind,
      open,
      cacheSize: config.prepareCacheSize ?? 200
    }
    const worker = yield* Effect.acquireRelease(
      Effect.try({
        try: () =>
          new Worker(
            new URL(
              import.meta.url.endsWith(".ts") ? "./internal/sqliteExec.ts" : "./internal/sqliteExec.js",
              import.meta.url
            ),
            // The worker inherits the process's Node options but `--input-type`, which Node
            // refuses for a worker's file (a script run with `node --input-type=module -e`).
            { workerData: data, execArgv: process.execArgv.filter((arg) => !arg.startsWith("--input-type")) }
          ),
        catch: (cause) =>
          connectionFailed(`Cannot start the writer thread of the SQLite database ${config.filename}`, cause)
      }),
      (worker) =>
        Effect.callback<void>((resume) => {
          if (gone !== undefined) return resume(Effect.void)
          worker.ref()
          worker.once("exit", () => resume(Effect.void))
          worker.postMessage("close")
        })
    )
    const fail = (error: SqlError) => {
      gone ??= error
      const waiting = [...pending.values()]
      pending.clear()
      worker.unref()
      for (const resume of waiting) resume(Effect.fail(gone))
    }
    worker.on("message", (reply: Exec.Reply) => {
      inTransaction = reply.inTransaction
      const resume = pending.get(reply.id)
      if (resume === undefined) return
      pending.delete(reply.id)
      if (pending.size === 0) worker.unref()
      if (reply.ok) return resume(Effect.succeed(reply.value))
      const cause = Exec.errorOf(reply.error)
      resume(
        Effect.fail(
          reply.id === 0
            ? connectionFailed(`Cannot open the SQLite database ${config.filename}`, cause)
            : executeFailed(cause)
        )
      )
    })
    worker.on("error", (cause) =>
      fail(connectionFailed(`The writer thread of the SQLite database ${config.filename} failed`, cause))
    )
    worker.on("exit", () =>
      fail(connectionFailed(`The writer thread of the SQLite database ${config.filename} has stopped`))
    )
    // Request 0 is the opening: the worker answers it with the journal mode.
    const journalMode = yield* Effect.callback<unknown, SqlError>((resume) => {
      pending.set(0, resume)
    })
    return {
      worker,
      journalMode: String(journalMode),
      isTransaction: () => inTransaction,
      run: (sql, params, mode, cached, readBigInts) =>
        Effect.callback<unknown, SqlError>((resume) => {
          if (gone !== undefined) return resume(Effect.fail(gone))
          const id = nextId++
          const request: Exec.Request = { id, sql, params, mode, cached, readBigInts }
          pending.set(id, resume)
          if (pending.size === 1) worker.ref()
          worker.postMessage(request)
        })
    }
  })

const makeConnection = (runner: Runner): Connection => {
  const run = <A>(
    sql: string,
    params: ReadonlyArray<unknown>,
    mode: Exec.Mode,
    cached: boolean
  ): Effect.Effect<A, SqlError> =>
    Effect.withFiber((fiber) => {
      let bound: Array<SQLInputValue>
      try {
        bound = toParameters(params)
      } catch (cause) {
        return Effect.fail(executeFailed(cause))
      }
      return runner.run(sql, bound, mode, cached, fiber.getRef(Client.SafeIntegers)) as Effect.Effect<A, SqlError>
    })

  type Rows = ReadonlyArray<Record<string, unknown>>
  type Transform = (<A extends object>(rows: ReadonlyArray<A>) => ReadonlyArray<A>) | undefined
  const rows = (sql: string, params: ReadonlyArray<unknown>, transformRows: Transform, cached: boolean) =>
    transformRows
      ? Effect.map(run<Rows>(sql, params, "rows", cached), transformRows)
      : run<Rows>(sql, params, "rows", cached)

  return {
    execute: (sql, params, transformRows) => rows(sql, params, transformRows, true),
    executeRaw: (sql, params) => run<unknown>(sql, params, "raw", true),
    executeValues: (sql, params) => run<ReadonlyArray<ReadonlyArray<unknown>>>(sql, params, "values", true),
    executeValuesUnprepared: (sql, params) => run<ReadonlyArray<ReadonlyArray<unknown>>>(sql, params, "values", false),
    executeUnprepared: (sql, params, transformRows) => rows(sql, params, transformRows, false),
    executeStream: (sql, params, transformRows) => Stream.fromIterableEffect(rows(sql, params, transformRows, true))
  }
}

// A file the client writes gets the writer thread, unless the settings say otherwise.
const wantsWriter = (config: SqliteClientConfig): boolean =>
  config.writerThread !== false && config.filename !== ":memory:" && config.filename !== "" && config.readonly !== true

const acquire = <A>(open: () => A, message: string, close: (a: A) => void): Effect.Effect<A, SqlError, Scope.Scope> =>
  Effect.acquireRelease(Effect.try({ try: open, catch: (cause) => connectionFailed(message, cause) }), (a) =>
    Effect.sync(() => close(a))
  )

const closeDatabase = (db: DatabaseSync | undefined) => {
  if (db?.isOpen) db.close()
}

/**
 * Opens the database and builds the client. The connection is closed (and
 * the writer thread stopped) when the scope closes.
 *
 * @since 0.2.0
 * @category constructors
 */
export const makeSqliteClient: (
  config: SqliteClientConfig
) => Effect.Effect<SqliteClient, SqlError, Scope.Scope | Reactivity.Reactivity> = Effect.fn("SqliteClient.make")(
  function* (config: SqliteClientConfig) {
    const timeoutMs = Duration.toMillis(config.busyTimeout ?? Duration.seconds(5))
    const open: Exec.OpenOptions = {
      filename: config.filename,
      readOnly: config.readonly ?? false,
      timeoutMs,
      synchronous: config.synchronous === "NORMAL" ? "NORMAL" : "FULL"
    }
    // The client's own connection: in the writer thread, or here (`db`).
    let db: DatabaseSync | undefined
    let writer: Worker | undefined
    let runner: Runner
    let journal: string
    if (wantsWriter(config)) {
      const thread = yield* writerRunner(config, open)
      runner = thread
      writer = thread.worker
      journal = thread.journalMode
    } else {
      const inline = yield* acquire(
        () => Exec.openDatabase(open),
        `Cannot open the SQLite database ${config.filename}`,
        closeDatabase
      )
      db = inline
      runner = inlineRunner(inline, config.prepareCacheSize ?? 200)
      journal = Exec.journalMode(inline)
    }
    // A file in WAL mode: a read-only second connection, here, for the ledger's hot reads.
    const reader =
      journal === "wal" && config.readonly !== true
        ? yield* acquire(
            () =>
              new DatabaseSync(config.filename, {
                readOnly: true,
                timeout: timeoutMs,
                enableForeignKeyConstraints: true
              }),
            `Cannot open a read connection to the SQLite database ${config.filename}`,
            closeDatabase
          )
        : undefined
    const acquirers = Client.makeSqliteAcquirers({
      connection: Effect.succeed(makeConnection(runner)),
      semaphore: yield* Semaphore.make(1),
      isTransaction: runner.isTransaction
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
    if (config.transformResultNames === undefined)
      register(sqlite, { db, reader, isTransaction: runner.isTransaction, writer })
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
