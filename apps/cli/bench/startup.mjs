#!/usr/bin/env node
// Start-up of the bundled `account-overview`, as ratios against `node -e 0`
// measured in the same run: median wall time of N runs of each of
//   node -e 0
//   account-overview --help
//   account-overview overview <user>   (against a local node:http server
//                                       answering a fixed overview body)
// Usage: node bench/startup.mjs [--runs N] [--no-compile-cache] [--help-only]
// Target: --help within 4x of node -e 0.
import { spawn } from "node:child_process"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { createServer } from "node:http"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const bin = join(root, "dist", "account-overview.mjs")
if (!existsSync(bin)) {
  console.error("dist/account-overview.mjs is missing: run `pnpm --filter @account-overview/cli build` first")
  process.exit(1)
}
const argValue = (name, fallback) => {
  const i = process.argv.indexOf(name)
  return i === -1 ? fallback : process.argv[i + 1]
}
const runs = Number(argValue("--runs", "21"))
const compileCache = !process.argv.includes("--no-compile-cache")

const body = JSON.stringify({
  reputation: 100,
  requests: 50000,
  package: "Silver Package",
  credits_allowed: 50000,
  credits_used: 100000,
  credits_remain: 0,
  credits_overage: 50000,
  billing_start_date: "2010-08-30",
  billing_end_date: "2010-09-29",
  billing_process_date: "2010-09-30"
})
const server = createServer((request, response) => {
  request.resume()
  request.on("end", () => {
    response.writeHead(200, { "content-type": "application/json; charset=utf-8" })
    response.end(body)
  })
})
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve))
const baseUrl = `http://127.0.0.1:${server.address().port}`

// The bin enables Node's compile cache itself (module.enableCompileCache);
// a fresh cache directory keeps runs comparable, and --no-compile-cache
// switches it off to show what it is worth.
const cacheDir = mkdtempSync(join(tmpdir(), "ao-bench-cache-"))
const env = {
  ...process.env,
  NO_COLOR: "1",
  NODE_COMPILE_CACHE: cacheDir,
  ...(compileCache ? {} : { NODE_DISABLE_COMPILE_CACHE: "1" }),
  ACCOUNT_OVERVIEW_BASE_URL: baseUrl,
  ACCOUNT_OVERVIEW_API_USER: "bench",
  ACCOUNT_OVERVIEW_API_KEY: "bench-key"
}

// The server runs in this process, so each child is spawned without
// blocking the event loop, and timed from spawn to close.
const baselineEnv = { ...process.env }
delete baselineEnv.NODE_COMPILE_CACHE
const timeOnce = (args) =>
  new Promise((resolve, reject) => {
    const start = process.hrtime.bigint()
    const child = spawn(process.execPath, args, {
      env: args[0] === "-e" ? baselineEnv : env,
      stdio: ["ignore", "ignore", "pipe"]
    })
    let stderr = ""
    child.stderr.on("data", (chunk) => {
      stderr += chunk
    })
    child.on("error", reject)
    child.on("close", (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6
      if (code !== 0) reject(new Error(`${args.join(" ")} exited ${code}: ${stderr}`))
      else resolve(ms)
    })
  })

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

const onlyHelp = process.argv.includes("--help-only")
const cases = [
  ["node -e 0", ["-e", "0"]],
  ["account-overview --help", [bin, "--help"]],
  ["account-overview overview (local server)", [bin, "overview", "alice@example.com", "--output", "json"]]
].slice(0, onlyHelp ? 2 : 3)

// Warm the file cache and the compile cache once.
for (const [, args] of cases) await timeOnce(args)
const results = new Map(cases.map(([name]) => [name, []]))
for (let i = 0; i < runs; i++) {
  for (const [name, args] of cases) results.get(name).push(await timeOnce(args))
}
server.close()
rmSync(cacheDir, { recursive: true, force: true })

const baseline = median(results.get("node -e 0"))
console.log(`node ${process.version}, ${runs} runs each, compile cache ${compileCache ? "on" : "off"}`)
for (const [name, times] of results) {
  const m = median(times)
  console.log(`${name.padEnd(42)} median ${m.toFixed(1).padStart(7)} ms  ${(m / baseline).toFixed(2)}x`)
}
const helpRatio = median(results.get("account-overview --help")) / baseline
console.log(`--help ratio ${helpRatio.toFixed(2)}x (target <= 4x): ${helpRatio <= 4 ? "met" : "NOT met"}`)
