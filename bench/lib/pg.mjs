// A PostgreSQL schema of the suite's own for one measurement, dropped after it.
// Through the store's own layerSqlClientPg (and the effect copy it uses), so nothing else needs installing.
import { randomBytes } from "node:crypto"
import { createRequire } from "node:module"
import { pathToFileURL } from "node:url"

const require = createRequire(import.meta.url)
const storeRequire = createRequire(require.resolve("@account-overview/store/package.json"))
const importFromStore = (name) => import(pathToFileURL(storeRequire.resolve(name)).href)

/**
 * Creates a fresh schema on `url` and answers its name, a URL whose connections put it first on
 * the `search_path`, and `drop()`.
 */
export const createSchema = async (url) => {
  const { Effect } = await importFromStore("effect")
  const { SqlClient } = await importFromStore("effect/sql")
  const { layerSqlClientPg } = await import("@account-overview/store")
  const schema = `ao_bench_${randomBytes(6).toString("hex")}`
  const run = (layer, statement) =>
    Effect.runPromise(
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* statement(sql)
      }).pipe(Effect.provide(layer))
    )
  await run(layerSqlClientPg(url, { schema }), (sql) => sql`SELECT 1`)
  const withSchema = new URL(url)
  withSchema.searchParams.set("options", `-c search_path=${schema}`)
  return {
    schema,
    url: withSchema.toString(),
    drop: () => run(layerSqlClientPg(url), (sql) => sql`DROP SCHEMA IF EXISTS ${sql(schema)} CASCADE`)
  }
}
