import { resolve } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Redacted } from "effect"
import * as DatabaseUrl from "../../src/internal/databaseUrl.js"
import { Ledger } from "../../src/Ledger.js"
import { dataDirConfig, defaultDatabaseUrl, defaultDataDir } from "../../src/LedgerSql.js"

const env = (vars: Record<string, string>) => ConfigProvider.fromEnv({ env: vars })

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

  it.effect("DATA_DIR holds the SQLite file when DATABASE_URL is unset, and DATABASE_URL wins when set", () =>
    Effect.gen(function* () {
      assert.deepStrictEqual(yield* DatabaseUrl.config.parse(env({ DATA_DIR: "/var/lib/ao" })), {
        _tag: "sqlite",
        filename: "/var/lib/ao/account-overview.db"
      })
      assert.deepStrictEqual(yield* DatabaseUrl.config.parse(env({ DATA_DIR: "/var/lib/ao/" })), {
        _tag: "sqlite",
        filename: "/var/lib/ao/account-overview.db"
      })
      assert.deepStrictEqual(yield* DatabaseUrl.config.parse(env({ DATA_DIR: "", DATABASE_URL: " " })), {
        _tag: "sqlite",
        filename: "./data/account-overview.db"
      })
      assert.deepStrictEqual(
        yield* DatabaseUrl.config.parse(env({ DATA_DIR: "/var/lib/ao", DATABASE_URL: "sqlite:/elsewhere/x.db" })),
        { _tag: "sqlite", filename: "/elsewhere/x.db" }
      )
      assert.strictEqual(defaultDatabaseUrl, DatabaseUrl.databaseUrlIn(defaultDataDir))
    })
  )

  it.effect("dataDirConfig is DATA_DIR as an absolute path, ./data under the working folder by default", () =>
    Effect.gen(function* () {
      assert.strictEqual(yield* dataDirConfig.parse(env({})), resolve("data"))
      assert.strictEqual(yield* dataDirConfig.parse(env({ DATA_DIR: "  " })), resolve("data"))
      assert.strictEqual(yield* dataDirConfig.parse(env({ DATA_DIR: "var/ao" })), resolve("var/ao"))
      assert.strictEqual(yield* dataDirConfig.parse(env({ DATA_DIR: "/srv/ao" })), "/srv/ao")
    })
  )

  it("searchPathSchema reads the schema a URL's options put first on the search_path", () => {
    const of = DatabaseUrl.searchPathSchema
    assert.strictEqual(of("postgres://h/db?options=-c%20search_path%3Dledger"), "ledger")
    assert.strictEqual(of("postgres://h/db?options=-csearch_path%3Dledger,public"), "ledger")
    assert.strictEqual(of("postgres://h/db?options=--search_path%3D%22%24user%22,billing"), "billing")
    assert.strictEqual(of("postgres://h/db?options=-c%20statement_timeout%3D5s%20-c%20search_path%3Dx"), "x")
    assert.strictEqual(of("postgres://h/db?options=-c%20search_path%3DMy%5C%20Ledger"), "My Ledger")
    assert.strictEqual(of(Redacted.make("postgres://u:p@h/db?options=-c%20search_path%3Ds1")), "s1")
    assert.isUndefined(of("postgres://h/db"))
    assert.isUndefined(of("postgres://h/db?options=-c%20statement_timeout%3D5s"))
    assert.isUndefined(of("not a url"))
  })

  it("describe names the SQLite file as an absolute path, and PostgreSQL without user or password", () => {
    assert.deepStrictEqual(DatabaseUrl.describe({ _tag: "sqlite", filename: "./data/x.db" }), {
      store: "sqlite",
      file: resolve("data/x.db")
    })
    const pg = DatabaseUrl.describe({
      _tag: "pg",
      url: Redacted.make("postgres://app:hunter2@db.internal/ledger?options=-c%20search_path%3Dbilling")
    })
    assert.deepStrictEqual(pg, {
      store: "postgresql",
      host: "db.internal",
      port: "5432",
      database: "ledger",
      schema: "billing"
    })
    assert.notInclude(JSON.stringify(pg), "hunter2")
    assert.notInclude(JSON.stringify(pg), "app")
  })
})
