/**
 * The statements of a SQLite connection, run by `node:sqlite`: one module for
 * both places a connection lives. The client of `SqliteClient.ts` runs them on
 * its own thread (`:memory:`, read-only files), or, for a file it writes, in a
 * worker thread that runs this module: a COMMIT's fsync and a statement over
 * 1,000 rows then hold that thread, not the one that answers HTTP.
 *
 * Only `node:` imports here: the worker runs this file as it is (the built
 * `.js`, or under the tests the `.ts` source, which Node strips of its types).
 */
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite"
import { isMainThread, parentPort, workerData } from "node:worker_threads"

/** How a statement's answer is shaped: rows as objects, `run`'s counts, or rows as arrays. */
export type Mode = "rows" | "raw" | "values"

/** How a connection is opened (`SqliteClientConfig`, resolved). */
export interface OpenOptions {
  readonly filename: string
  readonly readOnly: boolean
  readonly timeoutMs: number
  readonly synchronous: "FULL" | "NORMAL"
}

/** Opens a connection: WAL for a file that is written, the sync level, foreign keys. */
export const openDatabase = (options: OpenOptions): DatabaseSync => {
  const db = new DatabaseSync(options.filename, {
    readOnly: options.readOnly,
    timeout: options.timeoutMs,
    enableForeignKeyConstraints: true
  })
  try {
    if (options.filename !== ":memory:" && options.filename !== "" && !options.readOnly) {
      db.exec("PRAGMA journal_mode = WAL")
    }
    db.exec(`PRAGMA synchronous = ${options.synchronous}`)
    db.exec("PRAGMA foreign_keys = ON")
  } catch (cause) {
    db.close()
    throw cause
  }
  return db
}

/** The connection's journal mode, lower case (`wal`, `delete`, `memory`, …). */
export const journalMode = (db: DatabaseSync): string => {
  const row = db.prepare("PRAGMA journal_mode").get() as { journal_mode?: unknown } | undefined
  return typeof row?.journal_mode === "string" ? row.journal_mode.toLowerCase() : ""
}

interface Prepared {
  readonly statement: StatementSync
  readonly returnsRows: boolean
  readBigInts: boolean
}

/** Runs one statement; throws what `node:sqlite` throws. */
export type Execute = (
  sql: string,
  params: ReadonlyArray<SQLInputValue>,
  mode: Mode,
  cached: boolean,
  readBigInts: boolean
) => unknown

/** The statements of `db`, the last `cacheSize` of them kept prepared. */
export const makeExecute = (db: DatabaseSync, cacheSize: number): Execute => {
  const cache = new Map<string, Prepared>()

  const prepareOnce = (sql: string): Prepared => {
    const statement = db.prepare(sql)
    return { statement, returnsRows: statement.columns().length > 0, readBigInts: false }
  }

  const prepare = (sql: string): Prepared => {
    const hit = cache.get(sql)
    if (hit !== undefined) {
      cache.delete(sql)
      cache.set(sql, hit)
      return hit
    }
    const prepared = prepareOnce(sql)
    if (cacheSize > 0) {
      if (cache.size >= cacheSize) cache.delete(cache.keys().next().value!)
      cache.set(sql, prepared)
    }
    return prepared
  }

  return (sql, params, mode, cached, readBigInts) => {
    const prepared = cached ? prepare(sql) : prepareOnce(sql)
    const { statement } = prepared
    if (prepared.readBigInts !== readBigInts) {
      statement.setReadBigInts(readBigInts)
      prepared.readBigInts = readBigInts
    }
    if (!prepared.returnsRows) {
      const result = statement.run(...params)
      return mode === "raw" ? { changes: result.changes, lastInsertRowid: result.lastInsertRowid } : []
    }
    if (mode === "values") {
      statement.setReturnArrays(true)
      try {
        return statement.all(...params)
      } finally {
        statement.setReturnArrays(false)
      }
    }
    const rows = statement.all(...params)
    const out = new Array<Record<string, unknown>>(rows.length)
    for (let i = 0; i < rows.length; i++) out[i] = { ...rows[i] }
    return out
  }
}

/** What the worker is started with. */
export interface WriterData {
  readonly kind: typeof writerKind
  readonly open: OpenOptions
  readonly cacheSize: number
}

export const writerKind = "@account-overview/store/sqlite-writer"

/** A statement for the worker. */
export interface Request {
  readonly id: number
  readonly sql: string
  readonly params: ReadonlyArray<SQLInputValue>
  readonly mode: Mode
  readonly cached: boolean
  readonly readBigInts: boolean
}

/** A `node:sqlite` exception, as it crosses the thread (its result code included). */
export interface ErrorData {
  readonly message: string
  readonly code?: unknown
  readonly errcode?: unknown
  readonly errstr?: unknown
}

/**
 * The worker's answer to request `id` (0: the opening, whose value is the
 * journal mode), with whether its connection is inside a transaction after it.
 */
export type Reply =
  | { readonly id: number; readonly ok: true; readonly value: unknown; readonly inTransaction: boolean }
  | { readonly id: number; readonly ok: false; readonly error: ErrorData; readonly inTransaction: boolean }

export const errorData = (cause: unknown): ErrorData => {
  if (typeof cause !== "object" || cause === null) return { message: String(cause) }
  const e = cause as { message?: unknown; code?: unknown; errcode?: unknown; errstr?: unknown }
  return {
    message: typeof e.message === "string" ? e.message : String(cause),
    code: e.code,
    errcode: e.errcode,
    errstr: e.errstr
  }
}

/** The exception again, on the client's side: an `Error` with the same message and codes. */
export const errorOf = (data: ErrorData): Error =>
  Object.assign(new Error(data.message), { code: data.code, errcode: data.errcode, errstr: data.errstr })

// The worker: opens the database, answers each request in the order it came, closes the
// database when the client says "close" (or its port closes).
const serve = (data: WriterData): void => {
  const port = parentPort!
  let db: DatabaseSync
  try {
    db = openDatabase(data.open)
    port.postMessage({ id: 0, ok: true, value: journalMode(db), inTransaction: false } satisfies Reply)
  } catch (cause) {
    port.postMessage({ id: 0, ok: false, error: errorData(cause), inTransaction: false } satisfies Reply)
    port.close()
    return
  }
  const execute = makeExecute(db, data.cacheSize)
  const close = () => {
    if (db.isOpen) db.close()
    port.close()
  }
  port.on("message", (request: Request | "close") => {
    if (request === "close") return close()
    let reply: Reply
    try {
      const value = execute(request.sql, request.params, request.mode, request.cached, request.readBigInts)
      reply = { id: request.id, ok: true, value, inTransaction: db.isTransaction }
    } catch (cause) {
      reply = { id: request.id, ok: false, error: errorData(cause), inTransaction: db.isOpen && db.isTransaction }
    }
    port.postMessage(reply)
  })
  port.on("close", () => db.isOpen && db.close())
}

if (!isMainThread && (workerData as Partial<WriterData> | null)?.kind === writerKind) serve(workerData as WriterData)
