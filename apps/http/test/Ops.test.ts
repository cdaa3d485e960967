import { Unavailable } from "@account-overview/core"
import { Ledger, LedgerOverviews, ResellerKeys } from "@account-overview/store"
import { assert, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { Lifecycle } from "../src/Lifecycle.js"
import { fetchBytes, form, Harness, harness, overviewParams } from "./fixtures/Harness.js"

layer(harness())("operations endpoints", (it) => {
  it.effect("/healthz says the process is up, /readyz that the store answers", () =>
    Effect.gen(function* () {
      const { baseUrl } = yield* Harness
      const health = yield* fetchBytes(`${baseUrl}/healthz`)
      assert.strictEqual(health.status, 200)
      assert.deepStrictEqual(JSON.parse(health.text), { status: "ok" })
      const ready = yield* fetchBytes(`${baseUrl}/readyz`)
      assert.strictEqual(ready.status, 200)
      assert.deepStrictEqual(JSON.parse(ready.text), { status: "ready" })
      assert.isNotNull(ready.headers.get("x-request-id"))
    })
  )

  it.effect("/metrics counts requests by route and status, with a latency histogram", () =>
    Effect.gen(function* () {
      const { baseUrl } = yield* Harness
      const json = `${baseUrl}/api/distributor.account.json`
      for (let i = 0; i < 3; i++) yield* fetchBytes(`${json}?${form(overviewParams("under@acme.example"))}`)
      yield* fetchBytes(`${json}?api_key=k&user=x`)
      yield* fetchBytes(`${baseUrl}/nowhere`)
      const metrics = yield* fetchBytes(`${baseUrl}/metrics`)
      assert.strictEqual(metrics.status, 200)
      assert.match(metrics.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/)
      const lines = metrics.text.split("\n")
      assert.include(lines, 'http_requests_total{route="/api/distributor.account.json",status="200"} 3')
      assert.include(lines, 'http_requests_total{route="/api/distributor.account.json",status="400"} 1')
      assert.include(lines, 'http_requests_total{route="other",status="404"} 1')
      assert.include(lines, 'http_request_duration_seconds_count{route="/api/distributor.account.json"} 4')
      assert.include(lines, 'http_request_duration_seconds_bucket{route="/api/distributor.account.json",le="+Inf"} 4')
      assert.include(lines, "store_errors_total 0")
      assert.include(lines, 'throttled_requests_total{throttle="auth_failures"} 0')
    })
  )
})

layer(harness())("operations endpoints, shutting down", (it) => {
  it.effect("/readyz answers 503 once draining starts, and responses close their connection", () =>
    Effect.gen(function* () {
      const { baseUrl } = yield* Harness
      assert.strictEqual((yield* fetchBytes(`${baseUrl}/readyz`)).status, 200)
      const lifecycle = yield* Lifecycle
      lifecycle.beginDrain()
      const ready = yield* fetchBytes(`${baseUrl}/readyz`)
      assert.strictEqual(ready.status, 503)
      assert.deepStrictEqual(JSON.parse(ready.text), { status: "draining" })
      const wire = yield* fetchBytes(
        `${baseUrl}/api/distributor.account.json?${form(overviewParams("under@acme.example"))}`
      )
      assert.strictEqual(wire.status, 200)
      assert.strictEqual(wire.headers.get("connection"), "close")
    })
  )
})

const downLedger = Layer.succeed(
  Ledger,
  Ledger.of(
    new Proxy({} as Ledger["Service"], {
      get: () => () => Effect.fail(new Unavailable({ reason: "store" }))
    })
  )
)

layer(
  harness({
    store: LedgerOverviews.layer.pipe(Layer.provideMerge(ResellerKeys.layer), Layer.provideMerge(downLedger))
  })
)("operations endpoints, store down", (it) => {
  it.effect("/readyz answers 503 while /healthz stays 200", () =>
    Effect.gen(function* () {
      const { baseUrl } = yield* Harness
      const ready = yield* fetchBytes(`${baseUrl}/readyz`)
      assert.strictEqual(ready.status, 503)
      assert.deepStrictEqual(JSON.parse(ready.text), { status: "store unavailable" })
      assert.strictEqual((yield* fetchBytes(`${baseUrl}/healthz`)).status, 200)
      const metrics = yield* fetchBytes(`${baseUrl}/metrics`)
      assert.match(metrics.text, /^store_errors_total 1$/m)
    })
  )
})
