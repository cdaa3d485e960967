import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import { Metrics, makeRegistry, methodLabel } from "../src/Metrics.js"
import { Settings } from "../src/Settings.js"
import { serviceVersion } from "../src/Version.js"
import { parseExposition, promtool, promtoolCheck } from "./fixtures/Exposition.js"

describe("makeRegistry", () => {
  it("renders counters and a cumulative latency histogram in Prometheus text format", () => {
    const metrics = makeRegistry()
    metrics.observeRequest("/api/distributor.account.json", 200, 0.0004)
    metrics.observeRequest("/api/distributor.account.json", 200, 0.003)
    metrics.observeRequest("/api/distributor.account.json", 401, 0.2)
    metrics.storeError()
    metrics.throttled("rate_limit")
    const text = metrics.render()
    const lines = text.split("\n")
    assert.include(lines, 'http_requests_total{route="/api/distributor.account.json",status="200"} 2')
    assert.include(lines, 'http_requests_total{route="/api/distributor.account.json",status="401"} 1')
    assert.include(lines, 'http_request_duration_seconds_bucket{route="/api/distributor.account.json",le="0.0005"} 1')
    assert.include(lines, 'http_request_duration_seconds_bucket{route="/api/distributor.account.json",le="0.005"} 2')
    assert.include(lines, 'http_request_duration_seconds_bucket{route="/api/distributor.account.json",le="0.25"} 3')
    assert.include(lines, 'http_request_duration_seconds_bucket{route="/api/distributor.account.json",le="+Inf"} 3')
    assert.include(lines, 'http_request_duration_seconds_count{route="/api/distributor.account.json"} 3')
    assert.include(lines, "store_errors_total 1")
    assert.include(lines, 'throttled_requests_total{throttle="rate_limit"} 1')
    assert.include(lines, "# TYPE http_request_duration_seconds histogram")
    assert.isTrue(text.endsWith("\n"))
  })

  it("escapes label values", () => {
    const metrics = makeRegistry()
    metrics.observeRequest('a"b\\c', 404, 0.001)
    assert.include(metrics.render(), 'route="a\\"b\\\\c"')
  })
})

describe("methodLabel", () => {
  it("keeps the methods HTTP defines and folds every other one into other", () => {
    for (const method of ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"]) {
      assert.strictEqual(methodLabel(method), method)
    }
    for (const method of ["get", "BREW", "", undefined]) assert.strictEqual(methodLabel(method), "other")
  })

  it("labels requests and latency by method when the caller gives it", () => {
    const metrics = makeRegistry()
    metrics.observeRequest("/v1/customers/:user", 200, 0.002, "GET")
    metrics.observeRequest("/v1/customers/:user", 200, 0.003, "PUT")
    metrics.observeRequest("/v1/customers/:user", 404, 0.001, "PUT")
    metrics.observeRequest("/v1/customers/:user", 405, 0.001, "X-ANYTHING")
    const lines = metrics.render().split("\n")
    assert.include(lines, 'http_requests_total{method="GET",route="/v1/customers/:user",status="200"} 1')
    assert.include(lines, 'http_requests_total{method="PUT",route="/v1/customers/:user",status="200"} 1')
    assert.include(lines, 'http_requests_total{method="PUT",route="/v1/customers/:user",status="404"} 1')
    assert.include(lines, 'http_requests_total{method="other",route="/v1/customers/:user",status="405"} 1')
    assert.include(lines, 'http_request_duration_seconds_count{method="PUT",route="/v1/customers/:user"} 2')
    assert.include(
      lines,
      'http_request_duration_seconds_bucket{method="GET",route="/v1/customers/:user",le="0.0025"} 1'
    )
  })

  it("counts webhook deliveries delivered and failed, and shows the backlog the worker last read", () => {
    const metrics = makeRegistry()
    assert.include(metrics.render(), "webhook_deliveries_pending 0\n")
    metrics.webhookDelivery("delivered")
    metrics.webhookDelivery("delivered")
    metrics.webhookDelivery("failed")
    metrics.webhookBacklog(3, 12.5)
    const text = metrics.render()
    assert.include(text, "# TYPE webhook_deliveries_pending gauge\nwebhook_deliveries_pending 3\n")
    assert.include(text, "# TYPE webhook_deliveries_delivered_total counter\nwebhook_deliveries_delivered_total 2\n")
    assert.include(text, "# TYPE webhook_deliveries_failed_total counter\nwebhook_deliveries_failed_total 1\n")
    assert.include(text, "# TYPE webhook_oldest_pending_age_seconds gauge\nwebhook_oldest_pending_age_seconds 12.5\n")
  })

  it("appends what `more` gives to each exposition", () => {
    let calls = 0
    const metrics = makeRegistry({
      more: () => {
        calls += 1
        return "# HELP extra_total An extra.\n# TYPE extra_total counter\nextra_total 7\n"
      }
    })
    const text = metrics.render()
    assert.isTrue(
      text.endsWith(
        'store_errors_total 0\n# HELP throttled_requests_total Calls answered 429, by throttle.\n# TYPE throttled_requests_total counter\nthrottled_requests_total{throttle="auth_failures"} 0\nthrottled_requests_total{throttle="rate_limit"} 0\n# HELP extra_total An extra.\n# TYPE extra_total counter\nextra_total 7\n'
      )
    )
    assert.strictEqual(calls, 1)
  })
})

describe("Metrics.layer", () => {
  it.effect("renders the request metrics, then the runtime metrics and the build info: valid Prometheus text", () =>
    Effect.gen(function* () {
      const metrics = yield* Metrics
      metrics.observeRequest("/api/distributor.account.json", 200, 0.001, "POST")
      metrics.observeRequest("/v1/packages/:name", 200, 0.004, "PUT")
      const text = metrics.render()
      const families = parseExposition(text)
      for (const name of [
        "http_requests_total",
        "http_request_duration_seconds",
        "process_cpu_seconds_total",
        "process_resident_memory_bytes",
        "nodejs_heap_size_used_bytes",
        "nodejs_eventloop_lag_p99_seconds",
        "nodejs_gc_duration_seconds",
        "nodejs_active_resources",
        "account_overview_build_info"
      ]) {
        assert.isTrue(families.has(name), `${name} is exposed`)
      }
      const [info] = families.get("account_overview_build_info")!.samples
      assert.deepStrictEqual(info, {
        name: "account_overview_build_info",
        labels: { version: serviceVersion, node_version: process.version, commit: "0123abc" },
        value: 1
      })
      const command = promtool()
      if (command === undefined) {
        console.info("promtool is not installed here: the exposition was checked by the strict parser only")
      } else {
        const checked = promtoolCheck(command, text)
        assert.strictEqual(checked.status, 0, checked.output)
      }
    }).pipe(
      Effect.provide(Metrics.layer.pipe(Layer.provide(Settings.layerTest({ buildCommit: Option.some("0123abc") })))),
      Effect.scoped
    )
  )
})
