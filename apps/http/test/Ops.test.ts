import { Unavailable } from "@account-overview/core"
import { Ledger, LedgerOverviews, ResellerKeys } from "@account-overview/store"
import { assert, layer } from "@effect/vitest"
import { Effect, Layer, Option, Redacted } from "effect"
import { Lifecycle } from "../src/Lifecycle.js"
import { parseExposition, promtool, promtoolCheck } from "./fixtures/Exposition.js"
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

  it.effect("/metrics counts requests by method, route and status, with a latency histogram", () =>
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
      assert.include(lines, 'http_requests_total{method="GET",route="/api/distributor.account.json",status="200"} 3')
      assert.include(lines, 'http_requests_total{method="GET",route="/api/distributor.account.json",status="400"} 1')
      assert.include(lines, 'http_requests_total{method="GET",route="other",status="404"} 1')
      assert.include(lines, 'http_request_duration_seconds_count{method="GET",route="/api/distributor.account.json"} 4')
      assert.include(
        lines,
        'http_request_duration_seconds_bucket{method="GET",route="/api/distributor.account.json",le="+Inf"} 4'
      )
      assert.include(lines, "store_errors_total 0")
      assert.include(lines, 'throttled_requests_total{throttle="auth_failures"} 0')
    })
  )
})

const adminToken = `admin-${crypto.randomUUID()}`

layer(harness({ settings: { adminToken: Option.some(Redacted.make(adminToken)) } }))(
  "/metrics of the operator API",
  (it) => {
    it.effect("/metrics labels operator calls by method and route template, and shows the runtime metrics", () =>
      Effect.gen(function* () {
        const { baseUrl } = yield* Harness
        const authorization = { authorization: `Bearer ${adminToken}` }
        for (const user of ["a@acme.example", "b@acme.example", "c@acme.example"]) {
          yield* fetchBytes(`${baseUrl}/v1/customers/${encodeURIComponent(user)}`, { headers: authorization })
        }
        yield* fetchBytes(`${baseUrl}/v1/customers/under%40acme.example/overview`, { headers: authorization })
        yield* fetchBytes(`${baseUrl}/v1/packages/Silver%20Package`, {
          method: "PUT",
          headers: { ...authorization, "content-type": "application/json" },
          body: JSON.stringify({ credits: 50_000, overagePrice: 0.001 })
        })
        yield* fetchBytes(`${baseUrl}/v1/no/such/route/${crypto.randomUUID()}`, { headers: authorization })
        yield* fetchBytes(`${baseUrl}/api/distributor.account.json`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: form(overviewParams("under@acme.example"))
        })
        const metrics = yield* fetchBytes(`${baseUrl}/metrics`)
        const families = parseExposition(metrics.text)
        const lines = metrics.text.split("\n")
        assert.include(lines, 'http_requests_total{method="GET",route="/v1/customers/:user",status="404"} 3')
        assert.include(lines, 'http_requests_total{method="GET",route="/v1/customers/:user/overview",status="200"} 1')
        assert.include(lines, 'http_requests_total{method="PUT",route="/v1/packages/:name",status="200"} 1')
        assert.include(lines, 'http_requests_total{method="GET",route="other",status="404"} 1')
        assert.include(lines, 'http_requests_total{method="POST",route="/api/distributor.account.json",status="200"} 1')
        const routes = new Set(families.get("http_requests_total")!.samples.map((sample) => sample.labels.route))
        for (const route of routes) assert.notMatch(route ?? "", /%40|@|[0-9a-f]{8}-/, "no raw path as a label")
        for (const name of [
          "process_cpu_seconds_total",
          "nodejs_heap_size_used_bytes",
          "account_overview_build_info"
        ]) {
          assert.isTrue(families.has(name), `${name} is exposed`)
        }
        const command = promtool()
        if (command === undefined)
          console.info("promtool is not installed here: /metrics checked by the strict parser only")
        else {
          const checked = promtoolCheck(command, metrics.text)
          assert.strictEqual(checked.status, 0, checked.output)
        }
      })
    )
  }
)

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
