import { assert, describe, it } from "@effect/vitest"
import { makeRegistry } from "../src/Metrics.js"

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
