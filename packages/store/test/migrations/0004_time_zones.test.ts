import { randomBytes } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import * as Migrator from "effect/sql/Migrator"
import { layerSqlClientPg, layerSqlClientSqlite } from "../../src/LedgerSql.js"
import { migrate, migrationsTable } from "../../src/Migrations.js"
import ledger from "../../src/migrations/0001_ledger.js"
import usageVoids from "../../src/migrations/0003_usage_voids.js"
import timeZones from "../../src/migrations/0004_time_zones.js"

const url = process.env.PG_URL ?? "postgres://postgres@127.0.0.1:5432/test"

const runOnly = (record: Record<string, Effect.Effect<void, unknown, SqlClient.SqlClient>>) =>
  Migrator.make({})({ loader: Migrator.fromRecord(record as never), table: migrationsTable })

// A ledger as 0001 left it, with a stale rollup and an event whose day is wrong.
const legacy = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* runOnly({ "0001_ledger": ledger })
  yield* sql`INSERT INTO packages (name, credits) VALUES ('p', 10)`
  yield* sql`INSERT INTO resellers (api_user, key_hash) VALUES ('r', 'h')`
  yield* sql`INSERT INTO customers (user_name, reseller_id, package_id, billing_anchor, reputation)
    SELECT 'u', r.id, p.id, '2025-01-01', 1 FROM resellers r, packages p`
  const at = (iso: string) => Date.parse(iso)
  for (const [id, iso, day, credits] of [
    ["e1", "2025-03-31T23:59:59.999Z", "2025-03-31", 3],
    ["e2", "2025-04-01T00:00:00.000Z", "2025-03-31", 4],
    ["e3", "1969-12-31T23:59:59.500Z", "1970-01-01", 5]
  ] as const) {
    yield* sql`INSERT INTO usage_events (id, customer_id, requests, credits, occurred_at, day)
      SELECT ${id}, id, 1, ${credits}, ${at(iso)}, ${day} FROM customers`
  }
  yield* sql`INSERT INTO usage_daily (customer_id, day, requests, credits) SELECT id, '2025-03-31', 9, 99 FROM customers`
})

const rollup = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql<{ day: string; requests: unknown; credits: unknown }>`SELECT CAST(day AS TEXT) AS day,
    requests, credits FROM usage_daily ORDER BY day`
  const days = yield* sql<{
    id: string
    day: string
  }>`SELECT id, CAST(day AS TEXT) AS day FROM usage_events ORDER BY id`
  const assignments = yield* sql<{
    starts_on: string
  }>`SELECT CAST(starts_on AS TEXT) AS starts_on FROM customer_packages`
  return {
    daily: rows.map((r) => [r.day, Number(r.requests), Number(r.credits)]),
    days: days.map((d) => [d.id, d.day]),
    assignments: assignments.map((a) => a.starts_on)
  }
})

const expected = {
  daily: [
    ["1969-12-31", 1, 5],
    ["2025-03-31", 1, 3],
    ["2025-04-01", 1, 4]
  ],
  days: [
    ["e1", "2025-03-31"],
    ["e2", "2025-04-01"],
    ["e3", "1969-12-31"]
  ],
  assignments: ["0001-01-01"]
}

const check = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* legacy
  // Interrupted half-way: nothing of 0004 stays, and it runs again whole.
  const failed = yield* Effect.exit(
    runOnly({
      "0001_ledger": ledger,
      "0003_usage_voids": usageVoids,
      "0004_time_zones": Effect.andThen(timeZones, Effect.fail("power cut"))
    })
  )
  assert.isTrue(failed._tag === "Failure")
  const columns = yield* Effect.exit(sql`SELECT time_zone FROM customers`)
  assert.isTrue(columns._tag === "Failure", "the columns of the failed run are rolled back")
  assert.deepStrictEqual(
    (yield* migrate).map(([id]) => id),
    [2, 3, 4, 5, 6]
  )
  assert.deepStrictEqual(yield* rollup, expected)
  // Its re-bucketing again on its own result changes nothing.
  yield* sql`DELETE FROM usage_daily`
  yield* sql`INSERT INTO usage_daily (customer_id, day, requests, credits)
    SELECT customer_id, day, SUM(requests), SUM(credits) FROM usage_events GROUP BY customer_id, day`
  assert.deepStrictEqual(yield* rollup, expected)
  assert.deepStrictEqual(yield* migrate, [])
})

// A voided event (0003) counts in no day of the rebuilt rollup.
const checkVoided = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* legacy
  yield* runOnly({ "0001_ledger": ledger, "0003_usage_voids": usageVoids })
  yield* sql`INSERT INTO usage_voids (event_id, voided_at) VALUES ('e2', 0)`
  assert.deepStrictEqual(
    (yield* migrate).map(([id]) => id),
    [4, 5, 6]
  )
  assert.deepStrictEqual((yield* rollup).daily, [
    ["1969-12-31", 1, 5],
    ["2025-03-31", 1, 3]
  ])
})

const onPg = <A, E>(effect: Effect.Effect<A, E, SqlClient.SqlClient>) =>
  Effect.gen(function* () {
    const schema = `ao_0004_${randomBytes(6).toString("hex")}`
    return yield* effect.pipe(
      Effect.ensuring(
        Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          yield* sql`DROP SCHEMA IF EXISTS ${sql(schema)} CASCADE`
        }).pipe(Effect.provide(layerSqlClientPg(url)), Effect.orDie)
      ),
      Effect.provide(Layer.fresh(layerSqlClientPg(url, { schema })))
    )
  })

describe("migration 0004 (migrations/0004_time_zones.ts)", () => {
  it.effect("rebuilds the rollup without the voided events, on SQLite and PostgreSQL", () =>
    Effect.gen(function* () {
      const dir = mkdtempSync(join(tmpdir(), "ao-0004-"))
      yield* checkVoided.pipe(Effect.provide(layerSqlClientSqlite(join(dir, "ledger.db"))))
      rmSync(dir, { recursive: true, force: true })
      yield* onPg(checkVoided)
    })
  )

  it.effect("re-buckets a 0001 ledger's events into local (UTC) days, rebuilds the rollup; restartable on SQLite", () =>
    Effect.gen(function* () {
      const dir = mkdtempSync(join(tmpdir(), "ao-0004-"))
      yield* check.pipe(Effect.provide(layerSqlClientSqlite(join(dir, "ledger.db"))))
      rmSync(dir, { recursive: true, force: true })
    })
  )

  it.effect("the same on PostgreSQL", () =>
    Effect.gen(function* () {
      const schema = `ao_0004_${randomBytes(6).toString("hex")}`
      yield* check.pipe(
        Effect.ensuring(
          Effect.gen(function* () {
            const sql = yield* SqlClient.SqlClient
            yield* sql`DROP SCHEMA IF EXISTS ${sql(schema)} CASCADE`
          }).pipe(Effect.provide(layerSqlClientPg(url)), Effect.orDie)
        ),
        Effect.provide(Layer.fresh(layerSqlClientPg(url, { schema })))
      )
    })
  )
})
