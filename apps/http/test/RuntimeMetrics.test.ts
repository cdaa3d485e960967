import { readFileSync } from "node:fs"
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Metric, Option } from "effect"
import { PrometheusMetrics } from "effect/observability"
import { buildInfoOf, gcBuckets, startRuntimeMetrics } from "../src/RuntimeMetrics.js"
import { serviceVersion } from "../src/Version.js"
import { parseExposition } from "./fixtures/Exposition.js"

const fresh = () => Context.make(Metric.MetricRegistry, new Map())

const sampleValue = (text: string, name: string, labels: Record<string, string> = {}): number | undefined =>
  parseExposition(text)
    .get(name)
    ?.samples.find((sample) => sample.name === name && Object.entries(labels).every(([k, v]) => sample.labels[k] === v))
    ?.value

describe("buildInfoOf", () => {
  it("names the package's version, the Node.js version and the commit when known", () => {
    const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      version: string
    }
    assert.strictEqual(serviceVersion, manifest.version)
    assert.deepStrictEqual(buildInfoOf(Option.some("4f2c9e1")), {
      version: manifest.version,
      nodeVersion: process.version,
      commit: "4f2c9e1"
    })
    assert.strictEqual(buildInfoOf(Option.none()).commit, "unknown")
  })
})

describe("startRuntimeMetrics", () => {
  it("registers the process and runtime metrics in the given registry, read at each collect", () => {
    const context = fresh()
    const runtime = startRuntimeMetrics(context, buildInfoOf(Option.none()))
    try {
      runtime.collect()
      const text = PrometheusMetrics.formatUnsafe(context)
      const families = parseExposition(text)
      assert.isAbove(sampleValue(text, "process_resident_memory_bytes")!, 1_000_000)
      assert.isAbove(sampleValue(text, "nodejs_heap_size_used_bytes")!, 0)
      assert.isAbove(sampleValue(text, "process_cpu_seconds_total")!, 0)
      assert.approximately(sampleValue(text, "process_start_time_seconds")!, Date.now() / 1000 - process.uptime(), 2)
      assert.isAtLeast(sampleValue(text, "nodejs_eventloop_lag_max_seconds")!, 0)
      assert.strictEqual(sampleValue(text, "account_overview_build_info", { commit: "unknown" }), 1)
      assert.strictEqual(families.get("process_cpu_seconds_total")?.type, "counter")
      assert.strictEqual(families.get("nodejs_gc_duration_seconds")?.type, "histogram")
      const buckets = families
        .get("nodejs_gc_duration_seconds")!
        .samples.filter((s) => s.name.endsWith("_bucket") && s.labels.kind === "major")
        .map((s) => s.labels.le)
      assert.deepStrictEqual(buckets, [...gcBuckets.map(String), "+Inf"])
      if (families.has("process_open_fds")) assert.isAbove(sampleValue(text, "process_open_fds")!, 2)
      const cpuBefore = sampleValue(text, "process_cpu_seconds_total")!
      let spin = 0
      for (let i = 0; i < 2_000_000; i++) spin += i % 7
      assert.isAbove(spin, 0)
      runtime.collect()
      assert.isAtLeast(sampleValue(PrometheusMetrics.formatUnsafe(context), "process_cpu_seconds_total")!, cpuBefore)
    } finally {
      runtime.stop()
    }
    assert.strictEqual(PrometheusMetrics.formatUnsafe(context), "", "stop removes every series")
  })

  it("counts active resources by type: an open timer shows", () => {
    const context = fresh()
    const runtime = startRuntimeMetrics(context, buildInfoOf(Option.none()))
    const timer = setInterval(() => {}, 60_000)
    try {
      runtime.collect()
      assert.isAtLeast(
        sampleValue(PrometheusMetrics.formatUnsafe(context), "nodejs_active_resources", { type: "Timeout" })!,
        1
      )
    } finally {
      clearInterval(timer)
      runtime.stop()
    }
  })

  it.effect("observes garbage collections as they happen", () =>
    Effect.gen(function* () {
      const context = fresh()
      const runtime = startRuntimeMetrics(context, buildInfoOf(Option.none()))
      const collections = () =>
        parseExposition(PrometheusMetrics.formatUnsafe(context))
          .get("nodejs_gc_duration_seconds")!
          .samples.filter((s) => s.name === "nodejs_gc_duration_seconds_count")
          .reduce((sum, s) => sum + s.value, 0)
      let kept: Array<unknown> = []
      // Allocates until the observer has reported a collection (each round yields to the event loop,
      // where the observer's callback runs).
      for (let round = 0; round < 10_000 && collections() === 0; round++) {
        kept = Array.from({ length: 20_000 }, (_, i) => ({ i, s: `x${i}` }))
        yield* Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
      }
      assert.isAbove(kept.length, 0)
      assert.isAbove(collections(), 0)
      runtime.stop()
    })
  )
})
