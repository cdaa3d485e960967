import { randomBytes } from "node:crypto"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import { Ledger } from "../src/Ledger.js"
import { layerSqlClientPg, layerSqlClientSqlite } from "../src/LedgerSql.js"

const url = process.env.PG_URL ?? "postgres://postgres@127.0.0.1:5432/test"
const withSearchPath = (schema: string) =>
  `${url}${url.includes("?") ? "&" : "?"}options=${encodeURIComponent(`-c search_path=${schema}`)}`

const dropSchema = (schema: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql`DROP SCHEMA IF EXISTS ${sql(schema)} CASCADE`
  }).pipe(Effect.provide(layerSqlClientPg(url)), Effect.orDie)

describe("LedgerSql", () => {
  it.effect("creates the schema a URL puts first on the search_path when it is absent, and migrates into it", () => {
    const schema = `ao_sp_${randomBytes(6).toString("hex")}`
    return Effect.gen(function* () {
      const ledger = yield* Ledger
      yield* ledger.upsertPackage({ name: "Silver", credits: 10 })
      const sql = yield* SqlClient.SqlClient
      const tables = yield* sql<{
        readonly table_name: string
      }>`SELECT table_name FROM information_schema.tables WHERE table_schema = ${schema} ORDER BY table_name`
      assert.include(
        tables.map((t) => t.table_name),
        "ledger_migrations"
      )
      assert.deepStrictEqual(yield* ledger.listPackages(), [{ name: "Silver", credits: 10 }])
    }).pipe(
      Effect.provide(Ledger.layerPg(withSearchPath(schema))),
      Effect.provide(layerSqlClientPg(withSearchPath(schema))),
      Effect.ensuring(dropSchema(schema))
    )
  })

  it.effect("uses a schema on the search_path that exists already", () => {
    const schema = `ao_sp_${randomBytes(6).toString("hex")}`
    return Effect.gen(function* () {
      yield* Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* sql`CREATE SCHEMA ${sql(schema)}`
      }).pipe(Effect.provide(layerSqlClientPg(url)))
      const packages = yield* Effect.gen(function* () {
        return yield* (yield* Ledger).listPackages()
      }).pipe(Effect.provide(Ledger.layerPg(withSearchPath(schema))))
      assert.deepStrictEqual(packages, [])
    }).pipe(Effect.ensuring(dropSchema(schema)))
  })

  it.effect("a SQLite file that cannot be opened is an Unavailable that says why in one line", () => {
    const dir = mkdtempSync(join(tmpdir(), "ao-ledger-sql-"))
    const notAFolder = join(dir, "file")
    writeFileSync(notAFolder, "")
    return Effect.gen(function* () {
      const error = yield* Effect.flip(
        Effect.gen(function* () {
          return yield* SqlClient.SqlClient
        }).pipe(Effect.provide(layerSqlClientSqlite(join(notAFolder, "x.db"))))
      )
      assert.strictEqual(error._tag, "Unavailable")
      assert.match(error.message, /^cannot create the folder of the SQLite database .*: .*(EEXIST|ENOTDIR)/)
      assert.notInclude(error.message, "\n")
    }).pipe(Effect.ensuring(Effect.sync(() => rmSync(dir, { recursive: true, force: true }))))
  })
})
