import { randomBytes } from "node:crypto"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import { Ledger } from "../src/Ledger.js"
import { layerSqlClientPg } from "../src/LedgerSql.js"
import { migrate } from "../src/Migrations.js"
import { ledgerSuite } from "./LedgerSuite.js"
import { timeZoneSuite } from "./TimeZoneSuite.js"

const url = process.env.PG_URL ?? "postgres://postgres@127.0.0.1:5432/test"
const schema = `ao_test_${randomBytes(6).toString("hex")}`

const dropSchema = Layer.effectDiscard(
  Effect.addFinalizer(() =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      yield* sql`DROP SCHEMA IF EXISTS ${sql(schema)} CASCADE`
    }).pipe(Effect.provide(layerSqlClientPg(url)), Effect.orDie)
  )
)

const suiteLayer = Ledger.layerSql.pipe(
  Layer.provideMerge(Layer.effectDiscard(migrate).pipe(Layer.provideMerge(layerSqlClientPg(url, { schema })))),
  Layer.provideMerge(dropSchema)
)

ledgerSuite("Ledger on PostgreSQL (internal/sqlLedger.ts, internal/ingest.ts, Migrations.ts, LedgerSql.ts)", {
  layer: suiteLayer,
  secondInstance: Ledger.layerPg(url, { schema })
})

timeZoneSuite(
  "time zones, package assignments and cycles on PostgreSQL (internal/billingLedger.ts, internal/reading.ts, internal/zones.ts)",
  suiteLayer
)

describe("Ledger.layerPg", () => {
  it.effect("a database that does not answer is Unavailable and the URL's password is not shown", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Effect.gen(function* () {
          return yield* (yield* Ledger).ping()
        }).pipe(Effect.provide(Ledger.layerPg("postgres://app:hunter2@127.0.0.1:1/ledger")))
      )
      assert.strictEqual(error._tag, "Unavailable")
      assert.strictEqual(error.reason, "store")
      assert.notInclude(error.message, "hunter2")
      assert.notInclude(JSON.stringify(error), "hunter2")
    })
  )
})
