import { randomBytes } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Layer, type Scope } from "effect"
import { SqlClient } from "effect/sql"
import { Ledger } from "../../src/Ledger.js"
import { layerSqlClientPg } from "../../src/LedgerSql.js"

/** The PostgreSQL of the tests: `PG_URL`, or the machine's at 127.0.0.1:5432. */
export const pgUrl = process.env.PG_URL ?? "postgres://postgres@127.0.0.1:5432/test"

/** A folder of the test's own (`<prefix>-<random>` in the system's temporary folder), removed with its scope. */
export const scopedDir = (prefix: string): Effect.Effect<string, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => mkdtempSync(join(tmpdir(), `${prefix}-`))),
    (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
  )

/**
 * A migrated ledger of the suite's own, on a SQLite file in a folder of its own and on
 * PostgreSQL in a schema of its own (`<prefix>_<random>`), each removed when the layer closes.
 */
export const ledgerLayers = (prefix: string) => ({
  sqlite: Layer.unwrap(
    Effect.gen(function* () {
      const dir = yield* scopedDir(prefix)
      return Ledger.layerSqlite(join(dir, "ledger.db"))
    })
  ).pipe(Layer.orDie),
  pg: Layer.unwrap(
    Effect.gen(function* () {
      const schema = `${prefix}_${randomBytes(6).toString("hex")}`
      yield* Effect.addFinalizer(() =>
        Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          yield* sql`DROP SCHEMA IF EXISTS ${sql(schema)} CASCADE`
        }).pipe(Effect.provide(layerSqlClientPg(pgUrl)), Effect.orDie)
      )
      return Ledger.layerPg(pgUrl, { schema })
    })
  ).pipe(Layer.orDie)
})
