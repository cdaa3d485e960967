#!/usr/bin/env node
// What recording one answered request costs on the hot path, in the two ways /metrics could be
// kept (decision 0095): the service's hand-rolled registry (dist/Metrics.js makeRegistry, what
// the listener calls), and Effect's Metric module (a counter by method, route and status and a
// histogram by method and route, each series made once and cached, updated with updateUnsafe, as
// a registry built on effect/observability's PrometheusMetrics would); then what one exposition
// costs in each (PrometheusMetrics.formatUnsafe for the second). A realistic mix: 4 wire routes
// and 4 operator templates, 2 methods, 4 statuses. Medians of interleaved rounds; the last line
// is the same as JSON.
//
//   node apps/http/bench/metrics.mjs [--calls 1000000] [--rounds 7]
//
// Build first: pnpm exec turbo run build --filter=@account-overview/http...
import { parseArgs } from "node:util"
import { Context, Metric } from "effect"
import { PrometheusMetrics } from "effect/observability"
import { latencyBuckets, makeRegistry, methodLabel } from "../dist/Metrics.js"

const { values: args } = parseArgs({
  options: { calls: { type: "string", default: "1000000" }, rounds: { type: "string", default: "7" } }
})
const calls = Number(args.calls)
const rounds = Number(args.rounds)
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

const routes = [
  "/api/distributor.account.json",
  "/api/distributor.account.xml",
  "/apiv2/reseller.account.json",
  "/apiv2/reseller.account.xml",
  "/v1/customers/:user",
  "/v1/customers/:user/overview",
  "/v1/packages/:name",
  "/v1/resellers/:apiUser/overviews"
]
const methods = ["POST", "GET"]
const statuses = [200, 200, 200, 200, 200, 401, 404, 429]
const seconds = [0.0003, 0.0007, 0.0012, 0.004, 0.02]

// The same mix for both, precomputed so that the loop measures the recording only.
const mix = Array.from({ length: 4096 }, (_, i) => ({
  route: routes[i % routes.length],
  method: methods[(i >> 3) % methods.length],
  status: statuses[(i * 7) % statuses.length],
  seconds: seconds[(i * 3) % seconds.length]
}))

const handRolled = () => {
  const registry = makeRegistry()
  return {
    record: (c) => registry.observeRequest(c.route, c.status, c.seconds, c.method),
    render: () => registry.render()
  }
}

const effectMetrics = () => {
  const context = Context.make(Metric.MetricRegistry, new Map())
  // route -> method -> { histogram, counters by status }: the series made once, then looked up.
  const series = new Map()
  const record = (c) => {
    let byMethod = series.get(c.route)
    if (byMethod === undefined) {
      byMethod = new Map()
      series.set(c.route, byMethod)
    }
    const method = methodLabel(c.method)
    let entry = byMethod.get(method)
    if (entry === undefined) {
      entry = {
        latency: Metric.histogram("http_request_duration_seconds", {
          description: "Time from request received to response written, by method and route.",
          boundaries: latencyBuckets,
          attributes: { method, route: c.route }
        }),
        requests: new Map()
      }
      byMethod.set(method, entry)
    }
    let counter = entry.requests.get(c.status)
    if (counter === undefined) {
      counter = Metric.counter("http_requests_total", {
        description: "HTTP requests answered, by method, route and status.",
        attributes: { method, route: c.route, status: String(c.status) }
      })
      entry.requests.set(c.status, counter)
    }
    counter.updateUnsafe(1, context)
    entry.latency.updateUnsafe(c.seconds, context)
  }
  return { record, render: () => PrometheusMetrics.formatUnsafe(context) }
}

const options = { "hand-rolled registry": handRolled(), "Effect Metric + PrometheusMetrics": effectMetrics() }
const nsPerRecord = (f) => {
  const start = process.hrtime.bigint()
  for (let i = 0; i < calls; i++) f(mix[i & 4095])
  return Number(process.hrtime.bigint() - start) / calls
}
const usPerRender = (f) => {
  const n = 200
  const start = process.hrtime.bigint()
  for (let i = 0; i < n; i++) f()
  return Number(process.hrtime.bigint() - start) / n / 1000
}

const samples = Object.fromEntries(Object.keys(options).map((name) => [name, { record: [], render: [] }]))
for (const option of Object.values(options)) nsPerRecord(option.record)
for (let round = 0; round < rounds; round++) {
  for (const [name, option] of Object.entries(options)) {
    samples[name].record.push(nsPerRecord(option.record))
    samples[name].render.push(usPerRender(option.render))
  }
}
const report = Object.fromEntries(
  Object.entries(samples).map(([name, s]) => [name, { recordNs: median(s.record), renderUs: median(s.render) }])
)

console.log(`recording one request (${calls} x ${rounds} rounds) and one exposition, medians`)
for (const [name, r] of Object.entries(report)) {
  console.log(
    `  ${name.padEnd(36)} ${r.recordNs.toFixed(0).padStart(6)} ns per request, ${r.renderUs.toFixed(0).padStart(6)} us per scrape`
  )
}
console.log(JSON.stringify({ bench: "http-metrics", calls, rounds, options: report }))
