import { assert, describe, it } from "@effect/vitest"
import { Effect, type Layer } from "effect"
import { SqlClient } from "effect/sql"
import { databaseOf } from "../../src/internal/sqliteHandle.js"
import { layerSqliteClient } from "../../src/SqliteClient.js"

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
})
