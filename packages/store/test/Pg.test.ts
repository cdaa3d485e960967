import { randomBytes } from "node:crypto"
import { Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import { Ledger } from "../src/Ledger.js"
import { migrate } from "../src/Migrations.js"
import { pgLayer } from "../src/StoreConfig.js"
import { ledgerSuite } from "./LedgerSuite.js"

const url = process.env.PG_URL ?? "postgres://postgres@127.0.0.1:5432/test"
const schema = `ao_test_${randomBytes(6).toString("hex")}`

const dropSchema = Layer.effectDiscard(
  Effect.addFinalizer(() =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      yield* sql`DROP SCHEMA IF EXISTS ${sql(schema)} CASCADE`
    }).pipe(Effect.provide(pgLayer(url)), Effect.orDie)
  )
)

const suiteLayer = Ledger.layerSql.pipe(
  Layer.provideMerge(Layer.effectDiscard(migrate).pipe(Layer.provideMerge(pgLayer(url, { schema })))),
  Layer.provideMerge(dropSchema)
)

ledgerSuite("Ledger on PostgreSQL", {
  layer: suiteLayer,
  secondInstance: Ledger.layerPg(url, { schema })
})
