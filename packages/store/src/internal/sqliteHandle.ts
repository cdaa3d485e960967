import type { DatabaseSync } from "node:sqlite"
import { classifySqliteError, SqlError } from "effect/sql/SqlError"

/**
 * The `node:sqlite` database under each SQLite client this package built,
 * for the ledger's hot reads. Kept out of the client object so that it never
 * shows in the public API.
 */
const databases = new WeakMap<object, DatabaseSync>()

export const register = (client: object, db: DatabaseSync): void => {
  databases.set(client, db)
}

export const databaseOf = (client: object): DatabaseSync | undefined => databases.get(client)

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
