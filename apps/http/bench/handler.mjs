#!/usr/bin/env node
// Where the CPU of one overview call goes inside the process, without HTTP: the built service's
// WireHandler.answer (parameters, throttles, overview, encoding) over the demo data in a SQLite
// file, against AccountOverviews.overview alone and WireHandler.answer over a constant overview
// (the handler's own cost), each call run as its own fiber as the listener runs it; the handler
// is built as the service builds it (layerWireSpans: tracing off unless OTEL_* says so), and the
// constant one once more with tracing on, its spans exported over OTLP/HTTP to a local sink.
// CPU time per call (process.cpuUsage), medians of interleaved rounds; the last line is the same
// as JSON.
//
//   node apps/http/bench/handler.mjs [--calls 20000] [--rounds 7]
//
// Build first: pnpm exec turbo run build --filter=@account-overview/http...
import { mkdtempSync, rmSync } from "node:fs"
import { createServer } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { AccountOverviews } from "@account-overview/core"
import { Ledger } from "@account-overview/store"
import { Context, Effect, Layer, Option, Redacted } from "effect"
import { demoApiKey, demoApiUser, seedDemo } from "../dist/Demo.js"
import { Metrics } from "../dist/Metrics.js"
import { Settings } from "../dist/Settings.js"
import { overLedger } from "../dist/Store.js"
import { Throttles } from "../dist/Throttle.js"
import { layerTracer, layerWireSpans } from "../dist/Tracing.js"
import { WireHandler } from "../dist/wire/Handler.js"
import { constantOverviews } from "./constantOverview.mjs"

const { values: args } = parseArgs({
  options: { calls: { type: "string", default: "20000" }, rounds: { type: "string", default: "7" } }
})
const calls = Number(args.calls)
const rounds = Number(args.rounds)
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const cpuPerCall = (f) => {
  const before = process.cpuUsage()
  for (let i = 0; i < calls; i++) f()
  const used = process.cpuUsage(before)
  return (used.user + used.system) / calls
}

const dir = mkdtempSync(join(tmpdir(), "ao-handler-"))
const user = "over@demo.example"
const params = `api_user=${demoApiUser}&api_key=${encodeURIComponent(demoApiKey)}&task=overview&user=over%40demo.example`
const call = (format) => ({
  format,
  dialect: "v1",
  query: params,
  bearer: undefined,
  address: "127.0.0.1",
  requestId: "r"
})
// The spans' destination when tracing is on: answers every export 200.
const sink = createServer((request, response) => {
  request.resume()
  request.on("end", () => response.writeHead(200, { "content-type": "application/json" }).end("{}"))
})
await new Promise((resolve) => sink.listen(0, "127.0.0.1", resolve))
const tracingOn = Option.some({
  url: `http://127.0.0.1:${sink.address().port}/v1/traces`,
  protocol: "http/protobuf",
  serviceName: "bench",
  headers: Option.none()
})
const handlerOver = (store, tracing = Option.none()) =>
  layerWireSpans.pipe(
    Layer.provide(WireHandler.layer),
    Layer.provideMerge(Layer.mergeAll(Throttles.layer, Metrics.layer, store)),
    Layer.provide(layerTracer(() => "bench")),
    Layer.provide(Settings.layerTest({ logLevel: "Warn", tracing }))
  )

const report = await Effect.runPromise(
  Effect.scoped(
    Effect.gen(function* () {
      const real = yield* Layer.build(handlerOver(overLedger(Ledger.layerSqlite(join(dir, "bench.db")))))
      yield* Effect.provide(seedDemo, real)
      const stub = yield* Layer.build(handlerOver(constantOverviews))
      const traced = yield* Layer.build(handlerOver(constantOverviews, tracingOn))
      const runReal = Effect.runSyncWith(real)
      const runStub = Effect.runSyncWith(stub)
      const runTraced = Effect.runSyncWith(traced)
      const handler = Context.get(real, WireHandler)
      const stubHandler = Context.get(stub, WireHandler)
      const tracedHandler = Context.get(traced, WireHandler)
      const overviews = Context.get(real, AccountOverviews)
      const credentials = { apiUser: demoApiUser, apiKey: Redacted.make(demoApiKey) }
      const json = call("json")
      const xml = call("xml")
      for (const c of [json, xml]) {
        // The first call verifies the key with scrypt (asynchronous); then the key is cached.
        const answer = yield* handler.answer(c)
        if (answer.status !== 200) throw new Error(`the demo call answered ${answer.status}`)
      }
      const steps = {
        "AccountOverviews.overview": () => runReal(overviews.overview(credentials, user)),
        "WireHandler.answer, v1 JSON": () => runReal(handler.answer(json)),
        "WireHandler.answer, v1 XML": () => runReal(handler.answer(xml)),
        "WireHandler.answer, v1 JSON, constant overview": () => runStub(stubHandler.answer(json)),
        "WireHandler.answer, v1 JSON, constant overview, traced": () => runTraced(tracedHandler.answer(json))
      }
      const samples = Object.fromEntries(Object.keys(steps).map((name) => [name, []]))
      for (const f of Object.values(steps)) cpuPerCall(f)
      for (let round = 0; round < rounds; round++) {
        for (const [name, f] of Object.entries(steps)) samples[name].push(cpuPerCall(f))
      }
      return Object.fromEntries(Object.entries(samples).map(([name, xs]) => [name, median(xs)]))
    })
  )
)
rmSync(dir, { recursive: true, force: true })
sink.close()

console.log(`one overview call in-process, SQLite, CPU us per call, ${calls} calls x ${rounds} rounds, medians`)
for (const [name, us] of Object.entries(report)) console.log(`  ${name.padEnd(56)} ${us.toFixed(2).padStart(7)} us`)
console.log(JSON.stringify({ bench: "http-handler", calls, rounds, cpuMicros: report }))
