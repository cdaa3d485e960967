// Calls/s of the SDK's overview() next to raw undici Pool.request, against a
// bare node:http server in a child process, 50 calls in flight, after a
// warm-up, in interleaved rounds. Run: pnpm --filter @account-overview/sdk bench
// Options: --rounds N (default 5), --ms N per round (default 2000), --all (also fetch and Effect variants).
import { fork } from "node:child_process"
import { parseArgs } from "node:util"
import { Effect, ManagedRuntime } from "effect"
import { FetchHttpClient } from "effect/http"
import { Pool } from "undici"
import { AccountOverviewsRemote, createClient, fetchTransport } from "../dist/index.js"

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "5" },
    ms: { type: "string", default: "2000" },
    all: { type: "boolean", default: false }
  }
})
const rounds = Number(values.rounds)
const roundMs = Number(values.ms)
const inFlight = 50

const server = fork(new URL("./server.mjs", import.meta.url), { stdio: ["ignore", "inherit", "inherit", "ipc"] })
const { port } = await new Promise((resolve) => server.once("message", resolve))
const baseUrl = `http://127.0.0.1:${port}`
const form = "api_user=reseller&api_key=secret&task=overview&user=customer%40example.com"

const pool = new Pool(baseUrl, { connections: inFlight })
const rawHeaders = { "content-type": "application/x-www-form-urlencoded", accept: "application/json" }
const raw = async () => {
  const { body } = await pool.request({
    path: "/api/distributor.account.json",
    method: "POST",
    headers: rawHeaders,
    body: form
  })
  await body.text()
}

const options = { baseUrl, apiUser: "reseller", apiKey: "secret", maxRetries: 0 }
const client = createClient(options)
const sdk = () => client.overview("customer@example.com")

const modes = { "undici Pool.request (raw)": raw, "sdk overview() (undici)": sdk }
const closers = [() => pool.close(), () => client.close()]

if (values.all) {
  const fetchClient = createClient({ ...options, transport: fetchTransport() })
  modes["sdk overview() (fetch transport)"] = () => fetchClient.overview("customer@example.com")
  const layerOptions = { baseUrl, credentials: undefined, maxRetries: 0 }
  const { Redacted } = await import("effect")
  const credentials = { apiUser: "reseller", apiKey: Redacted.make("secret") }
  const effectRuntime = ManagedRuntime.make(AccountOverviewsRemote.layer({ ...layerOptions, credentials }))
  const remote = await effectRuntime.runPromise(Effect.service(AccountOverviewsRemote))
  modes["sdk Effect layer (undici)"] = () => Effect.runPromise(remote.overview("customer@example.com"))
  const { Layer } = await import("effect")
  const httpClientRuntime = ManagedRuntime.make(
    AccountOverviewsRemote.layerHttpClient({ ...layerOptions, credentials }).pipe(Layer.provide(FetchHttpClient.layer))
  )
  const viaHttpClient = await httpClientRuntime.runPromise(Effect.service(AccountOverviewsRemote))
  modes["sdk Effect layer (effect HttpClient, fetch)"] = () =>
    Effect.runPromise(viaHttpClient.overview("customer@example.com"))
  closers.push(
    () => fetchClient.close(),
    () => effectRuntime.dispose(),
    () => httpClientRuntime.dispose()
  )
}

const measure = async (call, ms) => {
  let calls = 0
  const end = performance.now() + ms
  const started = performance.now()
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < end) {
        await call()
        calls++
      }
    })
  )
  return calls / ((performance.now() - started) / 1000)
}

for (const call of Object.values(modes)) await measure(call, Math.min(1000, roundMs))
const samples = Object.fromEntries(Object.keys(modes).map((name) => [name, []]))
for (let round = 0; round < rounds; round++) {
  for (const [name, call] of Object.entries(modes)) samples[name].push(await measure(call, roundMs))
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const baseline = median(samples["undici Pool.request (raw)"])
const results = Object.entries(samples).map(([name, xs]) => ({
  mode: name,
  callsPerSecond: Math.round(median(xs)),
  ratio: Number((median(xs) / baseline).toFixed(2))
}))
console.table(results)
console.log(JSON.stringify({ inFlight, rounds, roundMs, node: process.version, results }))
for (const close of closers) await close()
server.disconnect()
