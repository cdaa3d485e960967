/**
 * Names compared without regard to case: a canonical key column beside
 * customers' `user_name` and resellers' `api_user` (core's `nameKey`), with a
 * unique index, for SQLite and PostgreSQL. The stored spellings stay for
 * display. A ledger holding two names that are one under the new rule is
 * not migrated: the migration fails with `LedgerNamesCollide`, listing
 * them, and changes nothing (it runs in the migrations' transaction).
 *
 * @since 0.2.0
 */
import { nameKey } from "@account-overview/core"
import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import { LedgerNamesCollide, type NameCollision } from "../LedgerModels.js"

const collisionsOf = (
  table: NameCollision["table"],
  rows: ReadonlyArray<{ readonly id: unknown; readonly name: unknown }>
): Array<NameCollision> => {
  const byKey = new Map<string, Array<string>>()
  for (const row of rows) {
    const name = String(row.name)
    const key = nameKey(name)
    const names = byKey.get(key)
    if (names === undefined) byKey.set(key, [name])
    else names.push(name)
  }
  const out: Array<NameCollision> = []
  for (const names of byKey.values()) {
    if (names.length > 1) out.push({ table, names: names.sort() })
  }
  return out
}

const chunk = 5_000

/**
 * Adds `customers.user_key` and `resellers.api_user_key`, fills them and
 * indexes them uniquely, or fails with `LedgerNamesCollide`.
 *
 * @since 0.2.0
 * @category migrations
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const isPg = sql.onDialectOrElse({ pg: () => true, orElse: () => false })
  const customers = yield* sql<{ id: unknown; name: unknown }>`SELECT id, user_name AS name FROM customers`
  const resellers = yield* sql<{ id: unknown; name: unknown }>`SELECT id, api_user AS name FROM resellers`
  const collisions = [...collisionsOf("resellers", resellers), ...collisionsOf("customers", customers)]
  if (collisions.length > 0) return yield* new LedgerNamesCollide({ collisions })

  const keyType = sql.literal(isPg ? `text COLLATE "C"` : "TEXT")
  yield* sql`ALTER TABLE customers ADD COLUMN user_key ${keyType}`
  yield* sql`ALTER TABLE resellers ADD COLUMN api_user_key ${keyType}`
  const fill = (table: "customers" | "resellers", column: "user_key" | "api_user_key", rows: typeof customers) =>
    Effect.gen(function* () {
      for (let i = 0; i < rows.length; i += chunk) {
        const part = rows.slice(i, i + chunk)
        const ids = part.map((row) => Number(row.id))
        const keys = part.map((row) => nameKey(String(row.name)))
        if (isPg) {
          yield* sql`UPDATE ${sql(table)} t SET ${sql(column)} = v.k
            FROM unnest(${ids}::integer[], ${keys}::text[]) AS v(id, k) WHERE t.id = v.id`
        } else {
          const pairs = JSON.stringify(ids.map((id, j) => [id, keys[j]]))
          yield* sql`UPDATE ${sql(table)} SET ${sql(column)} = j.value ->> 1
            FROM json_each(${pairs}) AS j WHERE ${sql(table)}.id = j.value ->> 0`
        }
      }
    })
  yield* fill("customers", "user_key", customers)
  yield* fill("resellers", "api_user_key", resellers)
  if (isPg) {
    yield* sql`ALTER TABLE customers ALTER COLUMN user_key SET NOT NULL`
    yield* sql`ALTER TABLE resellers ALTER COLUMN api_user_key SET NOT NULL`
  }
  yield* sql`CREATE UNIQUE INDEX customers_by_user_key ON customers (user_key)`
  yield* sql`CREATE UNIQUE INDEX resellers_by_api_user_key ON resellers (api_user_key)`
})
