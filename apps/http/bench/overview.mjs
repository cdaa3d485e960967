#!/usr/bin/env node
// The hot path's benchmark: v1 JSON and v1 XML overview calls (form POST) against the built
// service over a seeded SQLite file, compared with a bare node:http server answering a fixed body
// of the same size and type. Server on core 0, load (autocannon, 50 keep-alive connections) on
// core 1; a warm-up, then two interleaved rounds. Prints req/s, p50, p99 and the ratio, and the
// same figures as one JSON line (last line) for a suite that runs this file. Also the server's CPU
// time per request (Linux /proc), which a machine shared with other work disturbs less than req/s.
//
//   pnpm --filter @account-overview/http bench            (after a build)
//   BENCH_SECONDS=10 node apps/http/bench/overview.mjs
import { spawn, spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import autocannon from "autocannon"
import { hasTaskset, pinned, runPinned, stop } from "./processes.mjs"

const here = dirname(fileURLToPath(import.meta.url))
const bin = join(here, "..", "dist", "bin.js")
const seconds = Number(process.env.BENCH_SECONDS ?? 5)
const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 2)
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50)
const children = new Set()
const reapChildrenOnExit = () => {
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.on(signal, () => {
      for (const child of children) child.kill("SIGKILL")
      process.exit(1)
    })
  }
  process.on("exit", () => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL")
  })
}

function startProcess(args, env) {
  const [command, argv] = pinned(args)
  const child = spawn(command, argv, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] })
  children.add(child)
  return new Promise((resolve, reject) => {
    let buffered = ""
    const onData = (chunk) => {
      buffered += chunk
      for (const line of buffered.split("\n")) {
        const match = /"url":"(http:\/\/[^"]+)"/.exec(line) ?? /^listening (http:\/\/\S+)/.exec(line)
        if (match) {
          child.stdout.off("data", onData)
          child.stdout.resume()
          resolve({ child, url: match[1] })
          return
        }
      }
    }
    child.stdout.setEncoding("utf8")
    child.stdout.on("data", onData)
    child.on("exit", (code) => reject(new Error(`server exited with ${code} before listening`)))
  })
}

// The bare baseline: a fixed body, answered after reading the request body.
const bareSource = `
const http = require("node:http")
const body = Buffer.from(process.env.BODY, "base64")
const type = process.env.TYPE
const server = http.createServer((req, res) => {
  req.on("data", () => {})
  req.on("end", () => {
    res.writeHead(200, { "content-type": type, "content-length": body.length })
    res.end(body)
  })
})
server.listen(0, "127.0.0.1", () => console.log("listening http://127.0.0.1:" + server.address().port))
process.on("SIGTERM", () => server.close(() => process.exit(0)))
`

// CPU time (user + system) of a process in milliseconds, from /proc (Linux); undefined elsewhere.
function cpuMillis(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ")
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100
  } catch {
    return undefined
  }
}

async function load(url, path, body, pid) {
  const cpuBefore = cpuMillis(pid)
  const result = await autocannon({
    url: url + path,
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body,
    connections,
    pipelining: 1,
    duration: seconds
  })
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${path}: ${result.non2xx} non-2xx answers, ${result.errors} errors`)
  }
  const cpuAfter = cpuMillis(pid)
  const cpuMicros =
    cpuBefore === undefined || cpuAfter === undefined
      ? undefined
      : ((cpuAfter - cpuBefore) * 1000) / result.requests.total
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, cpuMicros }
}

async function warm(url, path, body) {
  await autocannon({
    url: url + path,
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body,
    connections,
    duration: warmupSeconds
  })
}

async function main() {
  reapChildrenOnExit()
  if (spawnSync(process.execPath, [bin, "--help"]).status !== 0) {
    console.error("build the service first: pnpm exec turbo run build --filter=@account-overview/http...")
    process.exit(1)
  }
  const dir = mkdtempSync(join(tmpdir(), "ao-bench-"))
  const env = { DATABASE_URL: `sqlite:${join(dir, "bench.db")}`, HOST: "127.0.0.1", PORT: "0", LOG_LEVEL: "warn" }
  const seeded = spawnSync(process.execPath, [bin, "seed-demo"], { env: { ...process.env, ...env } })
  if (seeded.status !== 0) throw new Error(`seed-demo failed: ${seeded.stderr}`)
  const { demoApiKey, demoApiUser } = await import(join(here, "..", "dist", "Demo.js"))
  const form = `api_user=${demoApiUser}&api_key=${encodeURIComponent(demoApiKey)}&task=overview&user=over%40demo.example`

  const service = await startProcess([process.execPath, bin, "serve"], { ...env, LOG_LEVEL: "info" })
  const stub = await startProcess([process.execPath, join(here, "stub-server.mjs")], {})
  const cases = [
    { name: "v1 JSON", path: "/api/distributor.account.json", ours: service },
    { name: "v1 XML", path: "/api/distributor.account.xml", ours: service },
    { name: "v1 JSON, store stubbed", path: "/api/distributor.account.json", ours: stub }
  ]
  const bares = []
  try {
    for (const c of cases) {
      const response = await fetch(c.ours.url + c.path, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: form
      })
      if (response.status !== 200) throw new Error(`${c.path} answered ${response.status}: ${await response.text()}`)
      const bytes = Buffer.from(await response.arrayBuffer())
      c.bytes = bytes.length
      const bare = await startProcess([process.execPath, "-e", bareSource], {
        BODY: bytes.toString("base64"),
        TYPE: response.headers.get("content-type")
      })
      bares.push(bare)
      c.bare = bare
      await warm(c.ours.url, c.path, form)
      await warm(bare.url, c.path, form)
    }
    const rounds = []
    for (let round = 1; round <= 2; round++) {
      for (const c of cases) {
        const bare = await load(c.bare.url, c.path, form, c.bare.child.pid)
        const ours = await load(c.ours.url, c.path, form, c.ours.child.pid)
        rounds.push({ round, name: c.name, bytes: c.bytes, bare, service: ours, ratio: ours.rps / bare.rps })
      }
    }
    console.log(`${connections} keep-alive connections, ${seconds} s per run, server on core 0, load on core 1`)
    const micros = (x) => (x === undefined ? "  n/a" : x.toFixed(1).padStart(6))
    const row = (r) => {
      const cpuRatio =
        r.bare.cpuMicros === undefined || r.service.cpuMicros === undefined
          ? "n/a"
          : `${(r.bare.cpuMicros / r.service.cpuMicros).toFixed(2)}x`
      const side = (s) =>
        `${s.rps.toFixed(0).padStart(10)}  ${String(s.p50).padStart(3)}  ${String(s.p99).padStart(3)}  ${micros(s.cpuMicros)}`
      return `${r.name.padEnd(22)} ${String(r.round).padStart(5)}  ${String(r.bytes).padStart(5)}  ${side(r.bare)} | ${side(r.service)} | ${r.ratio.toFixed(2)}x  ${cpuRatio}`
    }
    console.log(
      "case                   round  bytes  bare req/s  p50  p99  cpu µs | ours req/s  p50  p99  cpu µs | ratio  cpu ratio"
    )
    for (const r of rounds) console.log(row(r))
    const summary = cases.map((c) => {
      const own = rounds.filter((r) => r.name === c.name)
      const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length
      return {
        name: c.name,
        bareRps: Math.round(mean(own.map((r) => r.bare.rps))),
        rps: Math.round(mean(own.map((r) => r.service.rps))),
        p50Ms: Math.max(...own.map((r) => r.service.p50)),
        p99Ms: Math.max(...own.map((r) => r.service.p99)),
        ratio: Number(mean(own.map((r) => r.ratio)).toFixed(3)),
        bareCpuMicros:
          own[0].bare.cpuMicros === undefined ? null : Number(mean(own.map((r) => r.bare.cpuMicros)).toFixed(1)),
        cpuMicros:
          own[0].service.cpuMicros === undefined ? null : Number(mean(own.map((r) => r.service.cpuMicros)).toFixed(1))
      }
    })
    for (const s of summary) {
      console.log(
        `${s.name}: ${s.ratio}x bare (${s.rps} vs ${s.bareRps} req/s), p99 ${s.p99Ms} ms; server CPU ${s.cpuMicros} vs ${s.bareCpuMicros} µs per request`
      )
    }
    console.log(JSON.stringify({ bench: "http-overview", connections, seconds, pinned: hasTaskset, results: summary }))
  } finally {
    await stop(service.child)
    await stop(stub.child)
    for (const bare of bares) await stop(bare.child)
    rmSync(dir, { recursive: true, force: true })
  }
}

// Pin this process (the load generator) to core 1, the servers to core 0.
await runPinned(import.meta.url, main)
