import { randomBytes } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer, Option, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import * as Migrator from "effect/sql/Migrator"
import { Ledger } from "../../src/Ledger.js"
import { layerSqlClientPg, layerSqlClientSqlite } from "../../src/LedgerSql.js"
import { migrate, migrationsTable } from "../../src/Migrations.js"
import ledger from "../../src/migrations/0001_ledger.js"

const url = process.env.PG_URL ?? "postgres://postgres@127.0.0.1:5432/test"

// A ledger as 0.1.0 left it: migration 0001 only.
const migrateTo0001 = Migrator.make({})({
  loader: Migrator.fromRecord({ "0001_ledger": ledger }),
  table: migrationsTable
})

const sqliteClient = Layer.unwrap(
  Effect.gen(function* () {
    const dir = mkdtempSync(join(tmpdir(), "ao-store-0002-"))
    yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
    return layerSqlClientSqlite(join(dir, "ledger.db"))
  })
)

const pgClient = Layer.unwrap(
  Effect.gen(function* () {
    const schema = `ao_test_0002_${randomBytes(6).toString("hex")}`
    yield* Effect.addFinalizer(() =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* sql`DROP SCHEMA IF EXISTS ${sql(schema)} CASCADE`
      }).pipe(Effect.provide(layerSqlClientPg(url)), Effect.orDie)
    )
    return layerSqlClientPg(url, { schema })
  })
)

const seed0001 = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`INSERT INTO packages (name, credits) VALUES ('Gold', 10), ('gold', 20)`
  yield* sql`INSERT INTO resellers (api_user, key_hash) VALUES ('Acme', 'scrypt$x'), ('ACME', 'scrypt$y'), ('other', 'scrypt$z')`
  const [acme] = yield* sql<{ id: unknown }>`SELECT id FROM resellers WHERE api_user = 'Acme'`
  const [other] = yield* sql<{ id: unknown }>`SELECT id FROM resellers WHERE api_user = 'other'`
  const [gold] = yield* sql<{ id: unknown }>`SELECT id FROM packages WHERE name = 'Gold'`
  for (const [user, reseller] of [
    ["Customer@Example.COM", acme!.id],
    ["customer@example.com", other!.id],
    ["Jürgen@Example.de", acme!.id],
    ["JÜRGEN@example.DE", other!.id],
    ["single@example.com", acme!.id]
  ] as const) {
    yield* sql`INSERT INTO customers (user_name, reseller_id, package_id, billing_anchor, reputation)
      VALUES (${user}, ${Number(reseller)}, ${Number(gold!.id)}, '2024-01-15', 100)`
  }
})

const stores = [
  ["SQLite", sqliteClient],
  ["PostgreSQL", pgClient]
] as const

for (const [store, client] of stores) {
  describe(`migration 0002_name_keys on ${store}`, () => {
    it.effect(
      "refuses to run while names collide without regard to case, listing them, and changes nothing; runs once they are fixed",
      () =>
        Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          yield* migrateTo0001
          yield* seed0001
          const refused = yield* Effect.exit(migrate)
          assert.isTrue(Exit.isFailure(refused))
          const error = Exit.isFailure(refused) ? refused.cause.reasons.find((r) => r._tag === "Fail") : undefined
          const detail = error?._tag === "Fail" ? String((error.error as { detail?: string }).detail) : ""
          assert.include(detail, "names that are the same without regard to case")
          assert.include(detail, 'resellers "ACME" = "Acme"')
          assert.include(detail, 'customers "Customer@Example.COM" = "customer@example.com"')
          assert.include(detail, 'customers "JÜRGEN@example.DE" = "Jürgen@Example.de"')
          assert.notInclude(detail, "single@example.com")
          // Package names are compared exactly: Gold and gold are two packages.
          assert.notInclude(detail, "Gold")
          const ran = yield* sql<{ migration_id: unknown }>`SELECT migration_id FROM ledger_migrations`
          assert.deepStrictEqual(
            ran.map((r) => Number(r.migration_id)),
            [1]
          )
          const customers = yield* sql<{ n: unknown }>`SELECT COUNT(*) AS n FROM customers`
          assert.strictEqual(Number(customers[0]!.n), 5)
          const noColumn = yield* Effect.exit(sql`SELECT user_key FROM customers`)
          assert.isTrue(Exit.isFailure(noColumn))

          // The operator settles each collision; the migration then runs.
          yield* sql`DELETE FROM customers WHERE user_name IN ('customer@example.com', 'JÜRGEN@example.DE')`
          yield* sql`DELETE FROM resellers WHERE api_user = 'ACME'`
          assert.deepStrictEqual(yield* migrate, [
            [2, "name_keys"],
            [3, "usage_voids"],
            [4, "time_zones"],
            [5, "page_sessions"],
            [6, "webhooks"]
          ])
          const keys = yield* sql<{ user_name: unknown; user_key: unknown }>`SELECT user_name, user_key FROM customers
            ORDER BY user_key`
          assert.deepStrictEqual(
            keys.map((r) => [r.user_name, r.user_key]),
            [
              ["Customer@Example.COM", "customer@example.com"],
              ["Jürgen@Example.de", "jürgen@example.de"],
              ["single@example.com", "single@example.com"]
            ]
          )
          const l = yield* Ledger
          const found = yield* l.getCustomer("customer@EXAMPLE.com")
          assert.strictEqual(Option.getOrThrow(found).user, "Customer@Example.COM")
          assert.strictEqual(Option.getOrThrow(found).reseller, "Acme")
          assert.isTrue(Option.isSome(yield* l.getCustomer("JÜRGEN@EXAMPLE.DE")))
          const reseller = yield* l.getReseller("aCmE")
          assert.deepStrictEqual(Option.getOrThrow(reseller), { apiUser: "Acme" })
          // A new row with another spelling of a stored name is the same record.
          yield* l.upsertReseller("ACME", Redacted.make("a-new-key"))
          const resellers = yield* sql<{ n: unknown }>`SELECT COUNT(*) AS n FROM resellers`
          assert.strictEqual(Number(resellers[0]!.n), 2)
        }).pipe(Effect.provide(Ledger.layerSql.pipe(Layer.provideMerge(client)))),
      60_000
    )
  })
}
