#!/usr/bin/env node
// Whether ingestion stalls the wire: the built service over SQLite (and PostgreSQL with --pg),
// seeded with a reseller and customers; one prober calls the wire overview (v1 JSON) and
// /healthz one after the other, each as soon as the previous answered, first with no
// ingestion, then while a second client, on a thread of its own, POSTs 10,000-event batches to
// /v1/usage without pause.
// Prints, last, one JSON line: the p50/p99/max of each, idle and under ingestion, per store.
//
//   pnpm exec turbo run build --filter=@account-overview/http...   (first)
//   node apps/http/bench/stall.mjs [--seconds 5] [--pg postgres://…] [--stores sqlite,pg]
import { spawnSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import http from "node:http"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads"
import { startServer, stop } from "./processes.mjs"

const here = dirname(fileURLToPath(import.meta.url))
const bin = join(here, "..", "dist", "bin.js")
const arg = (name) => {
  const i = process.argv.indexOf(`--${name}`)
  return i < 0 ? undefined : process.argv[i + 1]
}
const seconds = Number(arg("seconds") ?? process.env.BENCH_SECONDS ?? 5)
const pgUrl = arg("pg") ?? process.env.PG_URL ?? "postgres://postgres@127.0.0.1:5432/test"
const storeNames = (arg("stores") ?? process.env.BENCH_STORES ?? "sqlite,pg").split(",")
const token = isMainThread ? randomBytes(24).toString("base64url") : workerData.token
const batchSize = 10_000
const users = Array.from({ length: 50 }, (_, i) => `stall-c${String(i).padStart(3, "0")}`)
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 })

const startService = (env) =>
  startServer([process.execPath, bin, "serve"], {
    ...env,
    ADMIN_TOKEN: token,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "info"
  })

/** One request on the keep-alive agent; resolves with the status and the body. */
function request(base, method, path, { body, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(base + path, { method, agent, headers }, (res) => {
      const chunks = []
      res.on("data", (c) => chunks.push(c))
      res.on("end", () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString("utf8") }))
    })
    req.on("error", reject)
    req.end(body)
  })
}

async function operator(base, method, path, json) {
  const body = json === undefined ? undefined : typeof json === "string" ? json : JSON.stringify(json)
  const answer = await request(base, method, path, {
    body,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) }
  })
  if (answer.status !== 200) throw new Error(`${method} ${path}: ${answer.status} ${answer.text.slice(0, 300)}`)
  return JSON.parse(answer.text)
}

async function seed(base) {
  await operator(base, "PUT", "/v1/packages/stall-silver", { credits: 50_000 })
  await operator(base, "PUT", "/v1/resellers/stall-reseller", { apiKey: "stall-key-0123456789abcdef" })
  for (const user of users) {
    await operator(base, "PUT", `/v1/customers/${user}`, {
      reseller: "stall-reseller",
      package: "stall-silver",
      billingAnchor: "2020-01-01",
      reputation: 100
    })
  }
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
const summary = (ms) => {
  const sorted = [...ms].sort((a, b) => a - b)
  return {
    calls: sorted.length,
    p50: Number(percentile(sorted, 50).toFixed(2)),
    p99: Number(percentile(sorted, 99).toFixed(2)),
    max: Number(sorted[sorted.length - 1].toFixed(2))
  }
}

const today = new Date().toISOString().slice(0, 10)
let batchNumber = 0
function nextBatch() {
  const b = batchNumber++
  const events = new Array(batchSize)
  for (let k = 0; k < batchSize; k++) {
    const i = b * batchSize + k
    events[k] = {
      id: `stall-${b}-${k}`,
      user: users[i % users.length],
      requests: 1,
      credits: 1 + (i % 7),
      occurredAt: `${today}T${String(i % 24).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}:00Z`
    }
  }
  return JSON.stringify(events)
}

const form = `api_user=stall-reseller&api_key=stall-key-0123456789abcdef&task=overview&user=${users[0]}`
const wire = {
  body: form,
  headers: { "content-type": "application/x-www-form-urlencoded", "content-length": Buffer.byteLength(form) }
}

/** Overview and /healthz calls, alternated, for `seconds`: the latency of each. */
async function probe(base, ms) {
  const overview = []
  const healthz = []
  const until = performance.now() + ms
  while (performance.now() < until) {
    let t = performance.now()
    const a = await request(base, "POST", "/api/distributor.account.json", wire)
    if (a.status !== 200) throw new Error(`overview: ${a.status} ${a.text.slice(0, 200)}`)
    overview.push(performance.now() - t)
    t = performance.now()
    const h = await request(base, "GET", "/healthz")
    if (h.status !== 200) throw new Error(`healthz: ${h.status}`)
    healthz.push(performance.now() - t)
  }
  return { overview: summary(overview), healthz: summary(healthz) }
}

/**
 * POSTs batches one after the other until `stop()`, from a worker thread of its own: building
 * and sending 10,000 events takes this process's event loop for a while, and the prober's
 * latencies must be the service's, not its own. Answers how many batches were stored.
 */
function ingestLoop(base) {
  const worker = new Worker(new URL(import.meta.url), { workerData: { base, token, first: batchNumber } })
  let batches = 0
  let failure
  worker.on("message", (m) => {
    if (m === "batch") batches++
  })
  worker.on("error", (e) => {
    failure = e
  })
  const exited = new Promise((resolve) => worker.once("exit", resolve))
  return {
    stop: async () => {
      worker.postMessage("stop")
      await exited
      if (failure !== undefined) throw failure
      return batches
    }
  }
}

// The ingesting thread: batches until told to stop, each counted back to the prober's thread.
async function ingest({ base, first }) {
  batchNumber = first
  let running = true
  parentPort.once("message", () => {
    running = false
  })
  while (running) {
    const answer = await operator(base, "POST", "/v1/usage", nextBatch())
    if (answer.accepted !== batchSize) throw new Error(`accepted ${answer.accepted} of ${batchSize}`)
    parentPort.postMessage("batch")
  }
  agent.destroy()
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "ao-stall-"))
  const schema = `ao_stall_${randomBytes(6).toString("hex")}`
  const started = []
  const results = {}
  try {
    for (const name of storeNames) {
      const env =
        name === "sqlite"
          ? { DATABASE_URL: `sqlite:${join(dir, "stall.db")}` }
          : (() => {
              const u = new URL(pgUrl)
              u.searchParams.set("options", `-c search_path=${schema}`)
              return { DATABASE_URL: u.toString() }
            })()
      if (name === "pg") {
        const { default: postgres } = await import("postgres").catch(() => ({ default: undefined }))
        if (postgres === undefined) {
          const psql = spawnSync("psql", [pgUrl, "-c", `CREATE SCHEMA ${schema}`])
          if (psql.status !== 0) throw new Error("cannot create the PostgreSQL schema")
        } else {
          const sql = postgres(pgUrl)
          await sql.unsafe(`CREATE SCHEMA ${schema}`)
          await sql.end()
        }
      }
      const server = await startService(env)
      started.push(server)
      await seed(server.url)
      // Warm up: the first wire call verifies the key (scrypt), the first batch compiles the statements.
      await probe(server.url, 300)
      await operator(server.url, "POST", "/v1/usage", nextBatch())
      const idle = await probe(server.url, seconds * 1000)
      const loop = ingestLoop(server.url)
      const busy = await probe(server.url, seconds * 1000)
      const batches = await loop.stop()
      results[name] = {
        idle,
        ingesting: { ...busy, batches, eventsPerSecond: Math.round((batches * batchSize) / seconds) }
      }
      console.log(
        `${name.padEnd(7)} overview p99 ${idle.overview.p99} ms idle, ${busy.overview.p99} ms ingesting; ` +
          `/healthz p99 ${idle.healthz.p99} ms idle, ${busy.healthz.p99} ms ingesting (max ${busy.healthz.max} ms); ` +
          `${batches} batches of ${batchSize} in ${seconds} s`
      )
    }
  } finally {
    for (const s of started) await stop(s.child)
    rmSync(dir, { recursive: true, force: true })
    if (storeNames.includes("pg")) spawnSync("psql", [pgUrl, "-c", `DROP SCHEMA IF EXISTS ${schema} CASCADE`])
    agent.destroy()
  }
  console.log(JSON.stringify({ seconds, batchSize, stall: results }))
}

if (isMainThread) await main()
else await ingest(workerData)
