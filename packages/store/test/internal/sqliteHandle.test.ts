import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import { databaseOf, readerOf } from "../../src/internal/sqliteHandle.js"
import { layerSqliteClient } from "../../src/SqliteClient.js"
import { scopedDir } from "../support/ledgerLayers.js"

const clientOf = (layer: Layer.Layer<SqlClient.SqlClient, unknown>) =>
  Effect.gen(function* () {
    return yield* SqlClient.SqlClient
  }).pipe(Effect.provide(layer))

describe("sqliteHandle", () => {
  it.effect("each client registers its own database, open while its scope is", () =>
    Effect.gen(function* () {
      const a = yield* clientOf(layerSqliteClient({ filename: ":memory:" }))
      const b = yield* clientOf(layerSqliteClient({ filename: ":memory:" }))
      const dbA = databaseOf(a)
      const dbB = databaseOf(b)
      assert.isDefined(dbA)
      assert.isDefined(dbB)
      assert.notStrictEqual(dbA, dbB)
      // Both scopes have closed: so have the databases.
      assert.isFalse(dbA!.isOpen)
    })
  )

  it.effect("a client that renames result columns is not registered: its reads stay on effect/sql", () =>
    Effect.gen(function* () {
      const renaming = yield* clientOf(
        layerSqliteClient({ filename: ":memory:", transformResultNames: (s) => s.toUpperCase() })
      )
      assert.isUndefined(databaseOf(renaming))
      assert.isUndefined(databaseOf(new Proxy(renaming, {})))
    })
  )

  it.effect("a file in WAL mode has a read-only second connection, closed with the client; :memory: has none", () =>
    Effect.gen(function* () {
      const dir = yield* scopedDir("ao-handle")
      const file = yield* clientOf(layerSqliteClient({ filename: join(dir, "ledger.db") }))
      const reader = readerOf(file)
      assert.isDefined(reader)
      assert.notStrictEqual(reader, databaseOf(file))
      assert.isFalse(reader!.isOpen)
      assert.isUndefined(readerOf(yield* clientOf(layerSqliteClient({ filename: ":memory:" }))))
    }).pipe(Effect.scoped)
  )

  it.effect("the read connection sees what the client commits, and cannot write", () =>
    Effect.gen(function* () {
      const dir = yield* scopedDir("ao-handle")
      const context = yield* Layer.build(layerSqliteClient({ filename: join(dir, "ledger.db") }))
      const sql = Context.get(context, SqlClient.SqlClient)
      yield* sql`CREATE TABLE t (x INTEGER)`
      yield* sql`INSERT INTO t (x) VALUES (41)`
      const reader = readerOf(sql)!
      assert.deepStrictEqual(reader.prepare("SELECT x FROM t").all(), [{ x: 41 }])
      assert.throws(() => reader.exec("INSERT INTO t (x) VALUES (1)"), /readonly/)
    }).pipe(Effect.scoped)
  )
})
