#!/usr/bin/env node
// The operator API's benchmark: usage ingestion through HTTP (POST /v1/usage, 10,000 events per
// request, JSON) into the built service over SQLite and over PostgreSQL, next to a bare node:http
// server that reads and JSON-parses the same bodies (the floor of moving and parsing them); then
// overview calls (the wire v1 JSON call and the operator GET overview) on both stores in the same
// run, PostgreSQL as a ratio of SQLite. Server on core 0, client on core 1 when taskset exists.
// Prints a table and, last, the same figures as one JSON line for a suite that runs this file.
//
//   pnpm exec turbo run build --filter=@account-overview/http...   (first)
//   node apps/http/bench/ingest.mjs
//   node apps/http/bench/ingest.mjs --rounds 3 --batches 6 --seconds 3 --pg postgres://…   (or --quick)
//   (BENCH_ROUNDS, BENCH_BATCHES, BENCH_SECONDS and PG_URL work too)
import { spawnSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import autocannon from "autocannon"
import { hasTaskset, runPinned, startServer, stop } from "./processes.mjs"

const here = dirname(fileURLToPath(import.meta.url))
const appDir = join(here, "..")
const bin = join(appDir, "dist", "bin.js")
const arg = (name) => {
  const i = process.argv.indexOf(`--${name}`)
  return i < 0 ? undefined : process.argv[i + 1]
}
const quick = process.argv.includes("--quick")
const batches = Number(arg("batches") ?? process.env.BENCH_BATCHES ?? (quick ? 2 : 6))
const rounds = Number(arg("rounds") ?? process.env.BENCH_ROUNDS ?? (quick ? 1 : 3))
const batchSize = 10_000
const customers = Number(process.env.BENCH_CUSTOMERS ?? 200)
const seconds = Number(arg("seconds") ?? process.env.BENCH_SECONDS ?? (quick ? 1 : 3))
const connections = Number(process.env.BENCH_CONNECTIONS ?? 20)
const pgUrl = arg("pg") ?? process.env.PG_URL ?? "postgres://postgres@127.0.0.1:5432/test"
const token = randomBytes(24).toString("base64url")

// The floor: read the body, JSON.parse it, answer a small JSON.
const bareSource = `
const http = require("node:http")
const server = http.createServer((req, res) => {
  const chunks = []
  req.on("data", (c) => chunks.push(c))
  req.on("end", () => {
    const events = JSON.parse(Buffer.concat(chunks).toString("utf8"))
    const body = JSON.stringify({ accepted: events.length, duplicates: [], conflicts: [] })
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
    res.end(body)
  })
})
server.listen(0, "127.0.0.1", () => console.log("listening http://127.0.0.1:" + server.address().port))
process.on("SIGTERM", () => server.close(() => process.exit(0)))
`

async function call(base, method, path, json) {
  const response = await fetch(base + path, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(json === undefined ? {} : { "content-type": "application/json" })
    },
    ...(json === undefined ? {} : { body: typeof json === "string" ? json : JSON.stringify(json) })
  })
  const text = await response.text()
  if (response.status !== 200) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 300)}`)
  return JSON.parse(text)
}

const users = Array.from({ length: customers }, (_, i) => `bench-c${String(i).padStart(4, "0")}`)
const today = new Date().toISOString().slice(0, 10)

function batchBody(prefix, b) {
  const events = new Array(batchSize)
  for (let k = 0; k < batchSize; k++) {
    const i = b * batchSize + k
    events[k] = {
      id: `${prefix}-${i}`,
      user: users[i % users.length],
      requests: 1 + (i % 3),
      credits: 1 + (i % 7),
      occurredAt: `${today}T${String(i % 24).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}:00Z`
    }
  }
  return JSON.stringify(events)
}

async function seed(base) {
  await call(base, "PUT", "/v1/packages/bench-silver", { credits: 50_000 })
  await call(base, "PUT", "/v1/resellers/bench-reseller", { apiKey: "bench-key-0123456789abcdef" })
  for (const user of users) {
    await call(base, "PUT", `/v1/customers/${user}`, {
      reseller: "bench-reseller",
      package: "bench-silver",
      billingAnchor: "2020-01-01",
      reputation: 100
    })
  }
}

// Sequential requests (one batch in flight): events per second end to end, each answer after commit.
async function ingestRun(base, bodies, check) {
  const started = performance.now()
  let accepted = 0
  for (const body of bodies) {
    const answer = await call(base, "POST", "/v1/usage", body)
    accepted += answer.accepted
  }
  const ms = performance.now() - started
  if (check && accepted !== bodies.length * batchSize)
    throw new Error(`accepted ${accepted} events, sent ${bodies.length * batchSize}`)
  return { eventsPerSecond: (bodies.length * batchSize * 1000) / ms, msPerBatch: ms / bodies.length }
}

async function overviewLoad(url, path, options) {
  const result = await autocannon({ url: url + path, connections, pipelining: 1, duration: seconds, ...options })
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(`${path}: ${result.non2xx} non-2xx answers, ${result.errors} errors, ${result.timeouts} timeouts`)
  }
  if (result.requests.total === 0)
    throw new Error(`${path}: no call completed in ${seconds} s (is the machine saturated?)`)
  return { rps: result.requests.average, p99: result.latency.p99 }
}

async function createSchema(schema) {
  const require = createRequire(join(appDir, "package.json"))
  const { Effect } = await import(pathToFileURL(require.resolve("effect")).href)
  const { SqlClient } = await import(pathToFileURL(require.resolve("effect/sql")).href)
  const { layerSqlClientPg } = await import(pathToFileURL(require.resolve("@account-overview/store")).href)
  const run = (statement) =>
    Effect.runPromise(
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* statement(sql)
      }).pipe(Effect.provide(layerSqlClientPg(pgUrl)))
    )
  await run((sql) => sql`CREATE SCHEMA IF NOT EXISTS ${sql(schema)}`)
  return () => run((sql) => sql`DROP SCHEMA IF EXISTS ${sql(schema)} CASCADE`)
}

async function main() {
  if (spawnSync(process.execPath, [bin, "--help"]).status !== 0) {
    console.error("build the service first: pnpm exec turbo run build --filter=@account-overview/http...")
    process.exit(1)
  }
  const dir = mkdtempSync(join(tmpdir(), "ao-bench-ingest-"))
  const schema = `ao_bench_${randomBytes(6).toString("hex")}`
  const dropSchema = await createSchema(schema)
  const pgWithSchema = new URL(pgUrl)
  pgWithSchema.searchParams.set("options", `-c search_path=${schema}`)
  const stores = [
    { name: "sqlite", env: { DATABASE_URL: `sqlite:${join(dir, "bench.db")}` } },
    { name: "pg", env: { DATABASE_URL: pgWithSchema.toString() } }
  ]
  const started = []
  try {
    const bare = await startServer([process.execPath, "-e", bareSource], {})
    started.push(bare)
    for (const store of stores) {
      store.server = await startServer([process.execPath, bin, "serve"], {
        ...store.env,
        ADMIN_TOKEN: token,
        PORT: "0",
        HOST: "127.0.0.1",
        LOG_LEVEL: "info"
      })
      started.push(store.server)
      await seed(store.server.url)
    }

    const warm = [batchBody("warm", 0)]
    await ingestRun(bare.url, warm, false)
    for (const store of stores) await ingestRun(store.server.url, warm, true)

    const form = `api_user=bench-reseller&api_key=bench-key-0123456789abcdef&task=overview&user=${users[0]}`
    const wire = { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: form }
    const operator = { method: "GET", headers: { authorization: `Bearer ${token}` } }
    const overviewCases = [
      ["wire v1 JSON", "/api/distributor.account.json", wire],
      ["operator overview", `/v1/customers/${users[0]}/overview`, operator]
    ]
    // One call first: the first wire call verifies the reseller key with scrypt and caches it;
    // twenty connections at once would each pay that before the cache fills.
    for (const [, path, options] of overviewCases) {
      for (const store of stores) {
        const response = await fetch(store.server.url + path, options)
        if (response.status !== 200)
          throw new Error(`${path} on ${store.name}: ${response.status} ${await response.text()}`)
        await autocannon({ url: store.server.url + path, connections, duration: 1, ...options })
      }
    }

    // Interleaved rounds: the machine's load drifts, so each round measures every case once and
    // the figures are medians of the rounds (ratios taken within a round).
    const samples = []
    for (let round = 0; round < rounds; round++) {
      const bodies = Array.from({ length: batches }, (_, b) => batchBody(`run${round}`, b))
      const order = round % 2 === 0 ? stores : [...stores].reverse()
      const sample = { floor: await ingestRun(bare.url, bodies, false), ingest: {}, overview: {} }
      for (const store of order) {
        sample.ingest[store.name] = await ingestRun(store.server.url, bodies, true)
        sample.ingest[store.name].replay = await ingestRun(store.server.url, bodies.slice(0, 2), false)
      }
      for (const [name, path, options] of overviewCases) {
        sample.overview[name] = {}
        for (const store of order)
          sample.overview[name][store.name] = await overviewLoad(store.server.url, path, options)
      }
      samples.push(sample)
    }
    const median = (xs) => {
      const sorted = [...xs].sort((a, b) => a - b)
      const mid = Math.floor(sorted.length / 2)
      return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
    const floor = median(samples.map((x) => x.floor.eventsPerSecond))
    const ingest = Object.fromEntries(
      stores.map((store) => [
        store.name,
        {
          eventsPerSecond: median(samples.map((x) => x.ingest[store.name].eventsPerSecond)),
          msPerBatch: median(samples.map((x) => x.ingest[store.name].msPerBatch)),
          ratioToBare: median(samples.map((x) => x.ingest[store.name].eventsPerSecond / x.floor.eventsPerSecond)),
          replayEventsPerSecond: median(samples.map((x) => x.ingest[store.name].replay.eventsPerSecond))
        }
      ])
    )
    const overview = Object.fromEntries(
      overviewCases.map(([name]) => [
        name,
        {
          sqliteRps: median(samples.map((x) => x.overview[name].sqlite.rps)),
          pgRps: median(samples.map((x) => x.overview[name].pg.rps)),
          sqliteP99: Math.max(...samples.map((x) => x.overview[name].sqlite.p99)),
          pgP99: Math.max(...samples.map((x) => x.overview[name].pg.p99)),
          pgToSqlite: median(samples.map((x) => x.overview[name].pg.rps / x.overview[name].sqlite.rps))
        }
      ])
    )

    const f = (n) => Math.round(n).toLocaleString("en-US")
    console.log(
      `${rounds} interleaved rounds of ${batches} batches of ${batchSize} events (JSON), one request in flight, ${customers} customers; medians`
    )
    console.log(`bare node:http read + JSON.parse: ${f(floor)} events/s`)
    for (const store of stores) {
      const r = ingest[store.name]
      console.log(
        `${store.name.padEnd(6)} ingest: ${f(r.eventsPerSecond)} events/s (${r.msPerBatch.toFixed(0)} ms per batch, ${r.ratioToBare.toFixed(2)}x bare); replayed as duplicates: ${f(r.replayEventsPerSecond)} events/s`
      )
    }
    console.log(`overview calls, ${connections} connections, ${seconds} s each:`)
    for (const [name, o] of Object.entries(overview)) {
      console.log(
        `${name.padEnd(18)} sqlite ${f(o.sqliteRps)} req/s (p99 ${o.sqliteP99} ms)  pg ${f(o.pgRps)} req/s (p99 ${o.pgP99} ms)  pg/sqlite ${o.pgToSqlite.toFixed(2)}x`
      )
    }
    const round3 = (n) => Number(n.toFixed(3))
    console.log(
      JSON.stringify({
        bench: "http-ingest",
        pinned: hasTaskset,
        rounds,
        batches,
        batchSize,
        bareEventsPerSecond: Math.round(floor),
        ingest: Object.fromEntries(
          Object.entries(ingest).map(([name, r]) => [
            name,
            {
              eventsPerSecond: Math.round(r.eventsPerSecond),
              msPerBatch: Number(r.msPerBatch.toFixed(1)),
              ratioToBare: round3(r.ratioToBare),
              replayEventsPerSecond: Math.round(r.replayEventsPerSecond)
            }
          ])
        ),
        overview: Object.fromEntries(
          Object.entries(overview).map(([name, o]) => [
            name,
            { sqliteRps: Math.round(o.sqliteRps), pgRps: Math.round(o.pgRps), pgToSqlite: round3(o.pgToSqlite) }
          ])
        )
      })
    )
  } finally {
    for (const p of started) await stop(p.child)
    await dropSchema().catch((e) => console.error("could not drop the bench schema", e))
    rmSync(dir, { recursive: true, force: true })
  }
}

await runPinned(import.meta.url, main)
