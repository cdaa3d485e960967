// Ingestion throughput of the built ledger (dist), in batches of 10,000 new
// events, against a baseline measured in the same run, batch for batch: the
// same number of rows inserted by the bare driver in one transaction per batch
// (a node:sqlite prepared statement per row; one PostgreSQL unnest through the
// same pool), without the ledger's checks, duplicate detection or rollup.
// Rates are medians over the batches.
//
//   node bench/ingest.mjs [--batches 20] [--pg postgres://postgres@127.0.0.1:5432/test] [--no-pg]
//
// Build first: pnpm exec turbo run build --filter=@account-overview/store...
import { randomBytes } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DatabaseSync } from "node:sqlite"
import { parseArgs } from "node:util"
import { Effect, Layer, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import { Ledger, layerSqlClientPg, layerSqlClientSqlite, migrate } from "../dist/index.js"

const { values: args } = parseArgs({
  options: {
    batches: { type: "string", default: "20" },
    pg: { type: "string", default: process.env.PG_URL ?? "postgres://postgres@127.0.0.1:5432/test" },
    "no-pg": { type: "boolean", default: false }
  }
})
const batches = Number(args.batches)
const batchSize = 10_000
const customers = 1000

const makeBatch = (run, b) => {
  const events = new Array(batchSize)
  const start = Date.UTC(2024, 0, 1)
  for (let i = 0; i < batchSize; i++) {
    const n = b * batchSize + i
    events[i] = {
      id: `${run}-${n}`,
      user: `user-${n % customers}@example.com`,
      requests: 1 + (n % 3),
      credits: 1 + (n % 17),
      occurredAt: new Date(start + ((n * 7919) % (30 * 86_400_000))).toISOString()
    }
  }
  return events
}

const seed = Effect.gen(function* () {
  const ledger = yield* Ledger
  yield* ledger.upsertPackage({ name: "Bench", credits: 1_000_000 })
  yield* ledger.upsertReseller("bench", Redacted.make("bench-key"))
  for (let c = 0; c < customers; c++) {
    yield* ledger.upsertCustomer({
      user: `user-${c}@example.com`,
      reseller: "bench",
      package: "Bench",
      billingAnchor: "2024-01-01",
      reputation: 100
    })
  }
})

const fmt = (n) => Math.round(n).toLocaleString("en-US")
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}

/**
 * Alternates a ledger batch and a baseline batch, so that load from other
 * processes weighs on both alike; answers the median rate of each.
 */
const measure = (label, baselineBatch) =>
  Effect.gen(function* () {
    const ledger = yield* Ledger
    const run = randomBytes(4).toString("hex")
    yield* ledger.ingest(makeBatch(`${run}-warm`, 0))
    yield* baselineBatch(makeBatch(`${run}-base-warm`, 0))
    const ledgerRates = []
    const baselineRates = []
    for (let b = 0; b < batches; b++) {
      const batch = makeBatch(run, b)
      const t0 = performance.now()
      const result = yield* ledger.ingest(batch)
      ledgerRates.push((batchSize / (performance.now() - t0)) * 1000)
      if (result.accepted !== batchSize) throw new Error(`${label}: accepted ${result.accepted}`)
      const base = makeBatch(`${run}-base`, b)
      const t1 = performance.now()
      yield* baselineBatch(base)
      baselineRates.push((batchSize / (performance.now() - t1)) * 1000)
    }
    const t2 = performance.now()
    const dup = yield* ledger.ingest(makeBatch(run, 0))
    const dupRate = (batchSize / (performance.now() - t2)) * 1000
    if (dup.duplicates.length !== batchSize) throw new Error(`${label}: duplicates ${dup.duplicates.length}`)
    return { eventsPerSecond: median(ledgerRates), baseline: median(baselineRates), duplicatesPerSecond: dupRate }
  })

const customerIds = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql`SELECT id, user_name FROM customers`
  return new Map(rows.map((r) => [r.user_name, Number(r.id)]))
})

const results = []

for (const synchronous of ["FULL", "NORMAL"]) {
  const dir = mkdtempSync(join(tmpdir(), "ao-bench-"))
  const file = join(dir, "bench.db")
  const sql = layerSqlClientSqlite(file, { synchronous })
  const layer = Ledger.layerSql.pipe(Layer.provideMerge(Layer.effectDiscard(migrate).pipe(Layer.provideMerge(sql))))
  const outcome = await Effect.runPromise(
    Effect.gen(function* () {
      yield* seed
      const idOf = yield* customerIds
      const db = new DatabaseSync(file)
      db.exec(`PRAGMA synchronous = ${synchronous}; PRAGMA foreign_keys = ON`)
      const insert = db.prepare(
        "INSERT INTO usage_events (id, customer_id, requests, credits, occurred_at, day) VALUES (?, ?, ?, ?, ?, ?)"
      )
      const baselineBatch = (batch) =>
        Effect.sync(() => {
          db.exec("BEGIN IMMEDIATE")
          for (const e of batch) {
            const at = Date.parse(e.occurredAt)
            insert.run(e.id, idOf.get(e.user), e.requests, e.credits, at, e.occurredAt.slice(0, 10))
          }
          db.exec("COMMIT")
        })
      const result = yield* measure(`sqlite ${synchronous}`, baselineBatch)
      db.close()
      return result
    }).pipe(Effect.provide(layer))
  )
  rmSync(dir, { recursive: true, force: true })
  results.push({ store: `SQLite synchronous=${synchronous}`, ...outcome })
}

if (!args["no-pg"]) {
  const schema = `ao_bench_${randomBytes(4).toString("hex")}`
  const layer = Ledger.layerSql.pipe(
    Layer.provideMerge(Layer.effectDiscard(migrate).pipe(Layer.provideMerge(layerSqlClientPg(args.pg, { schema }))))
  )
  const drop = Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql`DROP SCHEMA IF EXISTS ${sql(schema)} CASCADE`
  }).pipe(Effect.provide(layerSqlClientPg(args.pg)))
  const outcome = await Effect.runPromise(
    Effect.gen(function* () {
      yield* seed
      const idOf = yield* customerIds
      const sql = yield* SqlClient.SqlClient
      const baselineBatch = (batch) =>
        sql.withTransaction(
          sql`INSERT INTO usage_events (id, customer_id, requests, credits, occurred_at, day)
            SELECT * FROM unnest(${batch.map((e) => e.id)}::text[], ${batch.map((e) => idOf.get(e.user))}::integer[],
              ${batch.map((e) => BigInt(e.requests))}::bigint[], ${batch.map((e) => BigInt(e.credits))}::bigint[],
              ${batch.map((e) => BigInt(Date.parse(e.occurredAt)))}::bigint[],
              ${batch.map((e) => e.occurredAt.slice(0, 10))}::date[])`
        )
      return yield* measure("pg", baselineBatch)
    }).pipe(Effect.provide(layer), Effect.ensuring(Effect.ignore(drop)), Effect.result)
  )
  if (outcome._tag === "Success") results.push({ store: "PostgreSQL", ...outcome.success })
  else console.error("PostgreSQL skipped:", String(outcome.failure))
}

console.log(
  `ingestion, ${batches} batches of ${fmt(batchSize)} new events (${fmt(customers)} customers, 30 days), medians`
)
console.log("store                          ledger ev/s   baseline ev/s   ratio   re-sent batch (all duplicates) ev/s")
for (const r of results) {
  console.log(
    `${r.store.padEnd(30)} ${fmt(r.eventsPerSecond).padStart(11)}   ${fmt(r.baseline).padStart(13)}   ${(r.eventsPerSecond / r.baseline).toFixed(2).padStart(5)}   ${fmt(r.duplicatesPerSecond).padStart(11)}`
  )
}
