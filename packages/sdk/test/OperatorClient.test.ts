import { inspect } from "node:util"
import type { UsageEvent } from "@account-overview/core"
import { afterAll, assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import {
  type AccountOverviewError,
  ConfigurationError,
  ConnectionError,
  createOperatorClient,
  DecodeError,
  OperatorClient,
  type OperatorClientOptions,
  ServerError,
  TimeoutError
} from "../src/index.js"
import { startServer, type TestServer } from "./support/servers.js"

const adminToken = "operator-t0ken-value"
const servers: Array<TestServer> = []
afterAll(() => Promise.all(servers.map((s) => s.close())))

const serve = async (handler: Parameters<typeof startServer>[0]) => {
  const server = await startServer(handler)
  servers.push(server)
  return server
}

const json = (res: import("node:http").ServerResponse, status: number, body: unknown, headers = {}) => {
  const text = JSON.stringify(body)
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers })
  res.end(text)
}

const operatorFor = (server: TestServer, options: OperatorClientOptions = {}) =>
  createOperatorClient({ baseUrl: server.url, adminToken, backoff: { baseMs: 1, capMs: 5 }, env: {}, ...options })

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined as unknown,
    (e: unknown) => e
  )

describe("operator client behaviour (covers internal/operator/*: settings, routes, call, errors, ingest, service, promise)", () => {
  it("sends the bearer token and retries a 502 until the list comes", async () => {
    const server = await serve((_req, res, _r, n) => (n < 2 ? json(res, 502, { oops: true }) : json(res, 200, [])))
    const packages = await operatorFor(server).packages.list()
    assert.deepStrictEqual(packages, [])
    assert.strictEqual(server.requests.length, 3)
    assert.strictEqual(server.requests[0]!.headers.authorization, `Bearer ${adminToken}`)
    assert.strictEqual(server.requests[0]!.url, "/v1/packages")
  })

  it("honours 429 with Retry-After", async () => {
    const server = await serve((_req, res, _r, n) =>
      n === 0 ? json(res, 429, {}, { "retry-after": "0" }) : json(res, 200, [{ name: "Gold", credits: 1 }])
    )
    assert.deepStrictEqual(await operatorFor(server).packages.list(), [{ name: "Gold", credits: 1 }])
    assert.strictEqual(server.requests.length, 2)
  })

  it("never retries rotateKey, which is not idempotent", async () => {
    const server = await serve((_req, res) => json(res, 502, {}))
    const error = await failure(operatorFor(server).resellers.rotateKey("acme"))
    assert.instanceOf(error, ServerError)
    assert.strictEqual((error as ServerError).status, 502)
    assert.strictEqual(server.requests.length, 1)
    assert.strictEqual(server.requests[0]!.url, "/v1/resellers/acme/rotate-key")
  })

  it("times out each attempt", async () => {
    const server = await serve(() => undefined)
    const started = performance.now()
    const error = await failure(operatorFor(server, { timeoutMs: 50, maxRetries: 1 }).packages.list())
    assert.instanceOf(error, TimeoutError)
    assert.strictEqual(server.requests.length, 2)
    assert.isBelow(performance.now() - started, 1_000)
  })

  it("a body that does not match the schema is a DecodeError", async () => {
    const server = await serve((_req, res) => json(res, 200, [{ name: 42 }]))
    const error = await failure(operatorFor(server).packages.list())
    assert.instanceOf(error, DecodeError)
    assert.strictEqual(server.requests.length, 1)
  })

  it("a refused connection is a ConnectionError that never shows the token", async () => {
    const server = await startServer(() => undefined)
    await server.close()
    const error = await failure(operatorFor(server, { maxRetries: 0 }).packages.list())
    assert.instanceOf(error, ConnectionError)
    const text = [String(error), (error as Error).stack, inspect(error, { depth: 10, showHidden: true })].join("\n")
    assert.notInclude(text, adminToken)
  })

  it("invalid input is refused before sending; a missing token is a ConfigurationError", async () => {
    const server = await serve((_req, res) => json(res, 200, {}))
    const error = await failure(operatorFor(server).customers.overview("a", { date: "2024-02-30" }))
    assert.strictEqual((error as AccountOverviewError).code, "invalid_request")
    assert.strictEqual(server.requests.length, 0)
    const tooBig = await failure(operatorFor(server).ingest([], { batchSize: 10_001 }))
    assert.instanceOf(tooBig, ConfigurationError)
    assert.throws(() => createOperatorClient({ baseUrl: server.url, env: {} }), /ACCOUNT_OVERVIEW_ADMIN_TOKEN/)
  })

  it("ingest retries a batch that met a 503 and counts it once", async () => {
    const server = await serve((_req, res, request, n) => {
      if (n === 1) return json(res, 503, { _tag: "OperatorUnavailable", message: "store down" })
      const batch = JSON.parse(request.body) as Array<UsageEvent>
      json(res, 200, { accepted: batch.length, duplicates: [], conflicts: [] })
    })
    const events: Array<UsageEvent> = Array.from({ length: 7 }, (_, i) => ({
      id: `e${i}`,
      user: "u",
      requests: 1,
      credits: 1,
      occurredAt: "2024-02-29T12:00:00Z"
    }))
    const summary = await operatorFor(server).ingest(events, { batchSize: 3 })
    assert.deepStrictEqual(summary, { events: 7, accepted: 7, duplicates: 0, conflicts: [], batches: 3 })
    assert.strictEqual(server.requests.length, 4)
    assert.deepStrictEqual(
      server.requests.map((r) => (JSON.parse(r.body) as Array<UsageEvent>).map((e) => e.id).join(",")),
      ["e0,e1,e2", "e3,e4,e5", "e3,e4,e5", "e6"]
    )
  })

  it("calls after close are refused", async () => {
    const server = await serve((_req, res) => json(res, 200, []))
    const operator = operatorFor(server)
    await operator.close()
    const error = await failure(operator.packages.list())
    assert.strictEqual((error as AccountOverviewError).code, "aborted")
    assert.strictEqual(server.requests.length, 0)
  })

  it.effect("the Effect service fails with the SDK's errors by tag, and its layer with ConfigurationError", () =>
    Effect.gen(function* () {
      const server = yield* Effect.promise(() =>
        serve((_req, res) => json(res, 404, { _tag: "OperatorNotFound", message: "no customer x" }))
      )
      const message = yield* Effect.gen(function* () {
        const operator = yield* OperatorClient
        return yield* operator.customers
          .get("x")
          .pipe(Effect.catchTag("NotFoundError", (error) => Effect.succeed(`${error.status} ${error.path}`)))
      }).pipe(Effect.provide(OperatorClient.layer({ baseUrl: server.url, adminToken, env: {} })))
      assert.strictEqual(message, "404 /v1/customers/x")
      const error = yield* Effect.flip(
        Effect.asVoid(Effect.service(OperatorClient)).pipe(
          Effect.provide(OperatorClient.layer({ baseUrl: server.url, env: {} }))
        )
      )
      assert.instanceOf(error, ConfigurationError)
      assert.strictEqual(error.setting, "adminToken")
    })
  )
})
