import type { DatabaseSync } from "node:sqlite"
import { classifySqliteError, SqlError } from "effect/sql/SqlError"

/**
 * The `node:sqlite` databases under each SQLite client this package built,
 * for the ledger's hot reads: the client's own connection when it runs on
 * this thread, and for a file in WAL mode a second, read-only one. Kept out
 * of the client object so that they never show in the public API.
 */
export interface Handles {
  /** The client's own connection, when it is on this thread (not in a writer thread). */
  readonly db: DatabaseSync | undefined
  readonly reader: DatabaseSync | undefined
  /** Whether the client's connection is inside a transaction (of any fiber). */
  readonly isTransaction: () => boolean
  /** The writer thread holding the client's connection, when it has one (for the tests). */
  readonly writer?: { readonly terminate: () => Promise<number> } | undefined
}

const databases = new WeakMap<object, Handles>()

export const register = (client: object, handles: Handles): void => {
  databases.set(client, handles)
}

/** What the client registered, if it is one of this package's. */
export const handlesOf = (client: object): Handles | undefined => databases.get(client)

/** The client's own connection (the one its transactions run on), when it is on this thread. */
export const databaseOf = (client: object): DatabaseSync | undefined => databases.get(client)?.db

/**
 * The client's read-only connection: in WAL mode it reads the last committed
 * state while the client's connection holds a write transaction open, so a
 * read never waits for a write. Undefined for `:memory:` (a second connection
 * would be another database) and for a file that is not in WAL mode.
 */
export const readerOf = (client: object): DatabaseSync | undefined => databases.get(client)?.reader

/** A `node:sqlite` exception as `effect/sql`'s `SqlError`, classified by its SQLite result code. */
export const sqlError = (cause: unknown, message: string, operation: string): SqlError => {
  // node:sqlite reports the SQLite result code as `errcode`; the classifier reads `errno`.
  if (
    typeof cause === "object" &&
    cause !== null &&
    "errcode" in cause &&
    typeof cause.errcode === "number" &&
    !("errno" in cause)
  ) {
    Object.defineProperty(cause, "errno", { value: cause.errcode, enumerable: false })
  }
  return new SqlError({ reason: classifySqliteError(cause, { message, operation }) })
}
