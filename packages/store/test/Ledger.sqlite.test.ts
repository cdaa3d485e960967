import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Option, Redacted } from "effect"
import { Ledger } from "../src/Ledger.js"
import { layerSqlClientSqlite } from "../src/LedgerSql.js"
import { migrate } from "../src/Migrations.js"
import { ledgerSuite } from "./LedgerSuite.js"
import { timeZoneSuite } from "./TimeZoneSuite.js"

const tempDir = () => mkdtempSync(join(tmpdir(), "ao-store-"))

const suiteLayer = Layer.unwrap(
  Effect.gen(function* () {
    const dir = tempDir()
    yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
    const sql = layerSqlClientSqlite(join(dir, "nested", "ledger.db"))
    return Ledger.layerSql.pipe(Layer.provideMerge(Layer.effectDiscard(migrate).pipe(Layer.provideMerge(sql))))
  })
)

ledgerSuite("Ledger on SQLite (internal/sqlLedger.ts, internal/ingest.ts, internal/hotReads.ts, Migrations.ts)", {
  layer: suiteLayer
})

timeZoneSuite(
  "time zones, package assignments and cycles on SQLite (internal/billingLedger.ts, internal/reading.ts, internal/zones.ts)",
  suiteLayer
)

describe("Ledger.layerSqlite, Ledger.layerConfig and Ledger.migrateConfig (LedgerSql.ts)", () => {
  it.effect("creates the folder and the file, migrates, and serves", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const file = join(dir, "a", "b", "ledger.db")
      const packages = yield* Effect.provide(
        Effect.gen(function* () {
          const ledger = yield* Ledger
          yield* ledger.upsertPackage({ name: "Silver", credits: 50_000 })
          return yield* ledger.listPackages()
        }),
        Ledger.layerSqlite(file)
      )
      assert.deepStrictEqual(packages, [{ name: "Silver", credits: 50_000 }])
      assert.isTrue(existsSync(file))
      // Reopened: the data is there and migrations do not run again.
      const again = yield* Effect.provide(
        Effect.gen(function* () {
          return yield* (yield* Ledger).listPackages()
        }),
        Ledger.layerSqlite(file)
      )
      assert.deepStrictEqual(again, packages)
      rmSync(dir, { recursive: true, force: true })
    })
  )

  it.effect("DATABASE_URL chooses the store; Ledger.migrateConfig migrates it", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const file = join(dir, "cfg", "ledger.db")
      const provider = ConfigProvider.fromEnv({ env: { DATABASE_URL: `sqlite:${file}` } })
      const ran = yield* Ledger.migrateConfig.pipe(Effect.provideService(ConfigProvider.ConfigProvider, provider))
      assert.deepStrictEqual(ran, [
        [1, "ledger"],
        [2, "name_keys"],
        [3, "usage_voids"],
        [4, "time_zones"],
        [5, "page_sessions"],
        [6, "webhooks"]
      ])
      const reseller = yield* Effect.provide(
        Effect.gen(function* () {
          const ledger = yield* Ledger
          yield* ledger.upsertReseller("acme", Redacted.make("secret"))
          return yield* ledger.getReseller("acme")
        }),
        Ledger.layerConfig.pipe(Layer.provide(Layer.succeed(ConfigProvider.ConfigProvider, provider)))
      )
      assert.deepStrictEqual(reseller, Option.some({ apiUser: "acme" }))
      rmSync(dir, { recursive: true, force: true })
    })
  )

  it.effect("a database failure is Unavailable (reason store), never a SqlError", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Effect.gen(function* () {
          return yield* (yield* Ledger).listPackages()
        }).pipe(Effect.provide(Ledger.layerSqlite(":memory:", { migrate: false })))
      )
      assert.strictEqual(error._tag, "Unavailable")
      assert.strictEqual(error.reason, "store")
    })
  )

  it.effect("a file that cannot be created is Unavailable with a plain detail", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const file = join(dir, "a-file")
      writeFileSync(file, "")
      const error = yield* Effect.flip(
        Effect.gen(function* () {
          return yield* (yield* Ledger).ping()
        }).pipe(Effect.provide(Ledger.layerSqlite(join(file, "sub", "ledger.db"))))
      )
      rmSync(dir, { recursive: true, force: true })
      assert.strictEqual(error._tag, "Unavailable")
      assert.include(error.message, "SQLite")
    })
  )
})
