import { randomBytes } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { AccountOverviews } from "@account-overview/core"
import { Ledger, LedgerOverviews, layerSqlClientPg, ResellerKeys } from "@account-overview/store"
import { Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"

/** The shared PostgreSQL of the machine (`PG_URL` overrides). */
export const pgUrl = process.env.PG_URL ?? "postgres://postgres@127.0.0.1:5432/test"

export type StoreKind = "sqlite" | "pg"

export const storeKinds: ReadonlyArray<StoreKind> = ["sqlite", "pg"]

export type StoreServices = Ledger | LedgerOverviews | ResellerKeys | AccountOverviews

/** A fresh schema name, one per test run. */
export const freshSchema = (): string => `ao_op_${randomBytes(6).toString("hex")}`

/** The database URL of `url` with `schema` first on the search path (for spawned servers). */
export const urlWithSchema = (url: string, schema: string): string => {
  const u = new URL(url)
  u.searchParams.set("options", `-c search_path=${schema}`)
  return u.toString()
}

/** Drops `schema` (and everything in it) when the scope closes. */
export const dropSchemaOnClose = (url: string, schema: string) =>
  Effect.addFinalizer(() =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      yield* sql`DROP SCHEMA IF EXISTS ${sql(schema)} CASCADE`
    }).pipe(Effect.provide(layerSqlClientPg(url)), Effect.orDie)
  )

/** Creates `schema` now (spawned servers then migrate into it). */
export const createSchema = (url: string, schema: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql`CREATE SCHEMA IF NOT EXISTS ${sql(schema)}`
  }).pipe(Effect.provide(layerSqlClientPg(url)), Effect.orDie)

/** A temporary folder removed when the scope closes. */
export const tempDir = (prefix: string) =>
  Effect.acquireRelease(
    Effect.sync(() => mkdtempSync(join(tmpdir(), prefix))),
    (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
  )

/**
 * A database URL for a spawned server: a SQLite file in a temporary folder (`prefix`), or a
 * fresh schema of the shared PostgreSQL, dropped when the scope closes.
 */
export const databaseUrlFor = (kind: StoreKind, prefix: string) =>
  Effect.gen(function* () {
    if (kind === "sqlite") return `sqlite:${join(yield* tempDir(prefix), "ledger.db")}`
    const schema = freshSchema()
    yield* createSchema(pgUrl, schema)
    yield* dropSchemaOnClose(pgUrl, schema)
    return urlWithSchema(pgUrl, schema)
  })

/** The ledger layer of a store kind: a SQLite file in a temp folder, or a PostgreSQL schema of its own. */
export const ledgerLayer = (kind: StoreKind): Layer.Layer<Ledger> =>
  Layer.unwrap(
    Effect.gen(function* () {
      if (kind === "sqlite") {
        const dir = yield* tempDir("ao-operator-")
        return Ledger.layerSqlite(join(dir, "ledger.db"))
      }
      const schema = freshSchema()
      yield* dropSchemaOnClose(pgUrl, schema)
      return Ledger.layerPg(pgUrl, { schema })
    })
  ).pipe(Layer.orDie)

/** Everything the operator routes need, over a fresh store of that kind. */
export const storeLayer = (kind: StoreKind): Layer.Layer<StoreServices> =>
  LedgerOverviews.layer.pipe(Layer.provideMerge(ResellerKeys.layer), Layer.provideMerge(ledgerLayer(kind)))
