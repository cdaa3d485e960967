import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Redacted } from "effect"
import * as DatabaseUrl from "../../src/internal/databaseUrl.js"
import { Ledger } from "../../src/Ledger.js"
import { defaultDatabaseUrl } from "../../src/LedgerSql.js"

describe("databaseUrl", () => {
  it.effect("DATABASE_URL defaults to the embedded SQLite file", () =>
    Effect.gen(function* () {
      const target = yield* DatabaseUrl.config.parse(ConfigProvider.fromEnv({ env: {} }))
      assert.deepStrictEqual(target, { _tag: "sqlite", filename: "./data/account-overview.db" })
      assert.strictEqual(defaultDatabaseUrl, "sqlite:./data/account-overview.db")
    })
  )

  it.effect("a postgres DATABASE_URL stays redacted", () =>
    Effect.gen(function* () {
      const raw = "postgres://app:hunter2@db.internal:5432/ledger"
      const target = yield* DatabaseUrl.config.parse(ConfigProvider.fromEnv({ env: { DATABASE_URL: raw } }))
      assert.strictEqual(target._tag, "pg")
      if (target._tag === "pg") {
        assert.strictEqual(Redacted.value(target.url), raw)
        assert.notInclude(String(target.url), "hunter2")
      }
    })
  )

  it.effect("a DATABASE_URL that names no store is a ConfigError that does not echo the value", () =>
    Effect.gen(function* () {
      const provider = ConfigProvider.fromEnv({ env: { DATABASE_URL: "mysql://root:hunter2@db/x" } })
      const error = yield* Effect.flip(
        Ledger.migrateConfig.pipe(Effect.provideService(ConfigProvider.ConfigProvider, provider))
      )
      assert.strictEqual(error._tag, "ConfigError")
      assert.include(error.message, DatabaseUrl.invalidMessage)
      assert.notInclude(error.message, "hunter2")
    })
  )

  it.effect("parse reads sqlite and postgres URLs", () =>
    Effect.sync(() => {
      assert.deepStrictEqual(DatabaseUrl.parse("sqlite:./data/x.db"), { _tag: "sqlite", filename: "./data/x.db" })
      assert.deepStrictEqual(DatabaseUrl.parse("sqlite:///var/x.db"), { _tag: "sqlite", filename: "/var/x.db" })
      assert.deepStrictEqual(DatabaseUrl.parse("sqlite::memory:"), { _tag: "sqlite", filename: ":memory:" })
      assert.strictEqual(DatabaseUrl.parse("postgres://u:p@h/db")?._tag, "pg")
      assert.strictEqual(DatabaseUrl.parse("postgresql://h/db")?._tag, "pg")
      assert.isUndefined(DatabaseUrl.parse("sqlite:"))
      assert.isUndefined(DatabaseUrl.parse("mysql://h/db"))
      assert.isUndefined(DatabaseUrl.parse("./data/x.db"))
    })
  )
})
