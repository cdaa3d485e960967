import { inspect } from "node:util"
import type { Customer, UsageEvent } from "@account-overview/core"
import { afterAll, assert, describe, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import {
  type AccountOverviewError,
  ConfigurationError,
  ConnectionError,
  createOperatorClient,
  DecodeError,
  NotFoundError,
  OperatorClient,
  type OperatorClientOptions,
  ServerError,
  TimeoutError
} from "../src/index.js"
import { overview, startServer, type TestServer } from "./support/servers.js"
import { packageVersion } from "./support/version.js"

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

const customer = (n: number): Customer =>
  ({
    user: `c${n}@acme.example`,
    reseller: "acme",
    package: "Silver",
    billingAnchor: "2024-01-31",
    reputation: 100
  }) as Customer

/** Pages of `total` customers, `limit` a page (the query's), the cursor an offset; an empty page ends. */
const pagesOf =
  (total: number) => (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://x")
    const offset = Number(url.searchParams.get("cursor") ?? "0")
    const limit = Number(url.searchParams.get("limit") ?? "100")
    const items = Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, i) => offset + i)
    const next = offset + limit < total ? String(offset + limit) : undefined
    if (url.pathname.endsWith("/overviews")) {
      return json(res, 200, {
        items: items.map((n) => ({ user: `c${n}@acme.example`, overview })),
        ...(next === undefined ? {} : { nextCursor: next })
      })
    }
    json(res, 200, { items: items.map(customer), ...(next === undefined ? {} : { nextCursor: next }) })
  }

describe("operator client: auto-pagination", () => {
  it("customers.listAll follows the cursors to the end, as an async iterable", async () => {
    const server = await serve(pagesOf(5))
    const users: Array<string> = []
    for await (const c of operatorFor(server).customers.listAll({ reseller: "acme", limit: 2 })) users.push(c.user)
    assert.deepStrictEqual(users, [
      "c0@acme.example",
      "c1@acme.example",
      "c2@acme.example",
      "c3@acme.example",
      "c4@acme.example"
    ])
    assert.deepStrictEqual(
      server.requests.map((r) => r.url),
      [
        "/v1/customers?reseller=acme&limit=2",
        "/v1/customers?reseller=acme&limit=2&cursor=2",
        "/v1/customers?reseller=acme&limit=2&cursor=4"
      ]
    )
  })

  it("resellers.overviewsAll starts from a given cursor; breaking out of the loop sends no more requests", async () => {
    const server = await serve(pagesOf(10))
    const users: Array<string> = []
    for await (const item of operatorFor(server).resellers.overviewsAll("acme", { limit: 3, cursor: "3" })) {
      users.push(item.user)
      assert.deepStrictEqual("overview" in item ? item.overview : item.problem, overview)
      if (users.length === 4) break
    }
    assert.deepStrictEqual(users, ["c3@acme.example", "c4@acme.example", "c5@acme.example", "c6@acme.example"])
    assert.deepStrictEqual(
      server.requests.map((r) => r.url),
      ["/v1/resellers/acme/overviews?limit=3&cursor=3", "/v1/resellers/acme/overviews?limit=3&cursor=6"]
    )
  })

  it("a failed page throws the SDK's error from the loop; a closed client's iteration is refused", async () => {
    const server = await serve((req, res, _r, n) =>
      n === 0 ? pagesOf(4)(req, res) : json(res, 404, { _tag: "OperatorNotFound", message: "no reseller acme" })
    )
    const operator = operatorFor(server)
    const seen: Array<string> = []
    const error = await (async () => {
      for await (const c of operator.customers.listAll({ limit: 2 })) seen.push(c.user)
    })().catch((e: unknown) => e)
    assert.instanceOf(error, NotFoundError)
    assert.deepStrictEqual(seen, ["c0@acme.example", "c1@acme.example"])
    await operator.close()
    const closed = await (async () => {
      for await (const _ of operator.customers.listAll()) {
        // nothing
      }
    })().catch((e: unknown) => e)
    assert.strictEqual((closed as AccountOverviewError).code, "aborted")
    assert.strictEqual(server.requests.length, 2)
  })

  it("stops at an empty page even when it names a next cursor", async () => {
    const server = await serve((_req, res) => json(res, 200, { items: [], nextCursor: "again" }))
    const all: Array<unknown> = []
    for await (const c of operatorFor(server).customers.listAll()) all.push(c)
    assert.deepStrictEqual(all, [])
    assert.strictEqual(server.requests.length, 1)
  })

  it.effect("the Effect service gives the same as Streams, failing with the SDK's errors", () =>
    Effect.gen(function* () {
      const server = yield* Effect.promise(() => serve(pagesOf(7)))
      const layer = OperatorClient.layer({ baseUrl: server.url, adminToken, env: {} })
      const operator = yield* Effect.provide(Effect.service(OperatorClient), layer)
      const users = yield* Stream.runCollect(Stream.map(operator.customers.listAll({ limit: 3 }), (c) => c.user))
      assert.deepStrictEqual(
        users,
        Array.from({ length: 7 }, (_, n) => `c${n}@acme.example`)
      )
      const overviews = yield* Stream.runCollect(operator.resellers.overviewsAll("acme", { limit: 4 }))
      assert.strictEqual(overviews.length, 7)
      assert.strictEqual(server.requests.length, 3 + 2)
      const down = yield* Effect.promise(() => serve((_req, res) => json(res, 503, {})))
      const failing = yield* Effect.provide(
        Effect.service(OperatorClient),
        OperatorClient.layer({ baseUrl: down.url, adminToken, env: {}, maxRetries: 0 })
      )
      const error = yield* Effect.flip(Stream.runDrain(failing.customers.listAll()))
      assert.strictEqual(error._tag, "ServerError")
    })
  )
})

describe("operator client: raw responses and user-agent", () => {
  const withHeaders =
    (status: number, body: unknown) =>
    (_req: unknown, res: import("node:http").ServerResponse, _r: unknown, n: number) =>
      json(res, status, body, { "x-request-id": `op-${n}`, "x-served-by": "test" })

  it("withResponse gives each call's value with the status, headers and request id of its answer", async () => {
    const server = await serve(withHeaders(200, [{ name: "Gold", credits: 1 }]))
    const operator = operatorFor(server)
    const { data, response } = await operator.withResponse.packages.list()
    assert.deepStrictEqual(data, [{ name: "Gold", credits: 1 }])
    assert.strictEqual(response.status, 200)
    assert.strictEqual(response.requestId, "op-0")
    assert.strictEqual(response.headers["x-served-by"], "test")
    assert.deepStrictEqual(await operator.packages.list(), [{ name: "Gold", credits: 1 }], "the plain call unchanged")
  })

  it("withResponse covers every single-request call, with the request line of the call", async () => {
    const server = await serve((req, res, _r, n) => {
      const path = new URL(req.url ?? "/", "http://x").pathname
      const body =
        path === "/v1/packages"
          ? []
          : path.startsWith("/v1/packages/")
            ? { name: "Gold", credits: 1 }
            : path.endsWith("/overviews")
              ? { items: [] }
              : path.startsWith("/v1/resellers/")
                ? { apiUser: "acme", created: true }
                : path.endsWith("/overview")
                  ? overview
                  : path === "/v1/customers"
                    ? { items: [] }
                    : customer(1)
      json(res, 200, body, { "x-request-id": `r${n}` })
    })
    const raw = operatorFor(server).withResponse
    const answers = [
      await raw.packages.set("Gold", { credits: 1 }),
      await raw.packages.list(),
      await raw.resellers.set("acme"),
      await raw.resellers.rotateKey("acme"),
      await raw.resellers.overviews("acme"),
      await raw.customers.set("c1@acme.example", {
        reseller: "acme",
        package: "Silver",
        billingAnchor: "2024-01-31",
        reputation: 100
      }),
      await raw.customers.get("c1@acme.example"),
      await raw.customers.list(),
      await raw.customers.overview("c1@acme.example")
    ]
    assert.deepStrictEqual(
      answers.map((a) => a.response.requestId),
      answers.map((_, n) => `r${n}`)
    )
    assert.deepStrictEqual(answers[8]!.data, overview)
    assert.deepStrictEqual(
      server.requests.map((r) => `${r.method} ${r.url.split("?")[0]}`),
      [
        "PUT /v1/packages/Gold",
        "GET /v1/packages",
        "PUT /v1/resellers/acme",
        "POST /v1/resellers/acme/rotate-key",
        "GET /v1/resellers/acme/overviews",
        "PUT /v1/customers/c1%40acme.example",
        "GET /v1/customers/c1%40acme.example",
        "GET /v1/customers",
        "GET /v1/customers/c1%40acme.example/overview"
      ]
    )
  })

  it.effect("the Effect service's withResponse fails as the plain call, the request id on the error", () =>
    Effect.gen(function* () {
      const server = yield* Effect.promise(() =>
        serve(withHeaders(404, { _tag: "OperatorNotFound", message: "no customer x" }))
      )
      const operator = yield* Effect.provide(
        Effect.service(OperatorClient),
        OperatorClient.layer({ baseUrl: server.url, adminToken, env: {} })
      )
      const error = yield* Effect.flip(operator.withResponse.customers.get("x"))
      assert.instanceOf(error, NotFoundError)
      assert.strictEqual(error.requestId, "op-0")
      assert.strictEqual(error.path, "/v1/customers/x")
    })
  )

  it("sends the package's version as the user-agent, or the userAgent option", async () => {
    const server = await serve((_req, res) => json(res, 200, []))
    await operatorFor(server).packages.list()
    await operatorFor(server, { userAgent: "my-tool/2.0" }).packages.list()
    assert.deepStrictEqual(
      server.requests.map((r) => r.headers["user-agent"]),
      [`account-overview-sdk/${packageVersion}`, "my-tool/2.0"]
    )
  })
})

describe("operator client: webhooks", () => {
  const event = {
    id: "evt_1",
    type: "usage.threshold_crossed",
    created: "2026-12-02T01:00:00Z",
    data: {
      reseller: "acme",
      customer: "c1@acme.example",
      cycle: { start: "2026-11-15", end: "2026-12-14" },
      threshold: 80,
      creditsUsed: 85,
      creditsAllowed: 100,
      timeZone: "UTC"
    }
  }
  const endpoint = {
    id: "ops",
    url: "https://hooks.example/ao",
    events: ["usage.threshold_crossed"],
    enabled: true,
    createdAt: "2026-12-02T00:00:00Z"
  }
  const delivery = {
    id: "dlv_1",
    eventId: "evt_1",
    type: "usage.threshold_crossed",
    status: "delivered",
    attempts: 1,
    lastStatus: 200,
    createdAt: "2026-12-02T01:00:00Z",
    deliveredAt: "2026-12-02T01:00:01Z",
    event
  }
  const answer = (req: import("node:http").IncomingMessage) => {
    const path = new URL(req.url ?? "/", "http://x").pathname
    if (path === "/v1/webhooks") return [endpoint]
    if (path.endsWith("/rotate-secret")) return { secret: "whsec_new", previousSecretExpiresAt: "2026-12-03T00:00:00Z" }
    if (path.endsWith("/deliveries")) return { items: [delivery], nextCursor: "c2" }
    if (path.endsWith("/redeliver")) return { ...delivery, status: "pending", nextAttemptAt: "2026-12-02T01:05:00Z" }
    return req.method === "PUT" ? { ...endpoint, secret: "whsec_once" } : endpoint
  }

  it("every call sends its request line and body, and decodes its answer, on both faces", async () => {
    const server = await serve((req, res, _r, n) => json(res, 200, answer(req), { "x-request-id": `w${n}` }))
    const operator = operatorFor(server)
    const created = await operator.webhooks.set("ops", {
      url: "https://hooks.example/ao",
      events: ["usage.threshold_crossed"],
      resellers: ["acme"],
      enabled: false
    })
    assert.strictEqual(created.secret, "whsec_once")
    assert.deepStrictEqual<unknown>(await operator.webhooks.list(), [endpoint])
    assert.deepStrictEqual<unknown>(await operator.webhooks.get("ops"), endpoint)
    assert.deepStrictEqual<unknown>(await operator.webhooks.remove("ops"), endpoint)
    assert.strictEqual((await operator.webhooks.rotateSecret("ops", { graceSeconds: 60 })).secret, "whsec_new")
    await operator.webhooks.rotateSecret("ops")
    const page = await operator.webhooks.deliveries("ops", { limit: 10, cursor: "c1" })
    assert.deepStrictEqual<unknown>(page.items[0]!.event, event)
    assert.strictEqual(page.nextCursor, "c2")
    assert.strictEqual((await operator.webhooks.redeliver("ops", "dlv_1")).status, "pending")
    const raw = await operator.withResponse.webhooks.redeliver("ops", "dlv/1")
    assert.strictEqual(raw.response.requestId, "w8")
    const effect = await Effect.runPromise(
      Effect.provide(
        Effect.flatMap(Effect.service(OperatorClient), (client) => client.webhooks.get("ops")),
        OperatorClient.layer({ baseUrl: server.url, adminToken, env: {} })
      )
    )
    assert.deepStrictEqual<unknown>(effect, endpoint)
    assert.deepStrictEqual(
      server.requests.map((r) => `${r.method} ${r.url} ${r.body}`),
      [
        'PUT /v1/webhooks/ops {"url":"https://hooks.example/ao","events":["usage.threshold_crossed"],"resellers":["acme"],"enabled":false}',
        "GET /v1/webhooks ",
        "GET /v1/webhooks/ops ",
        "DELETE /v1/webhooks/ops ",
        'POST /v1/webhooks/ops/rotate-secret {"graceSeconds":60}',
        "POST /v1/webhooks/ops/rotate-secret {}",
        "GET /v1/webhooks/ops/deliveries?limit=10&cursor=c1 ",
        "POST /v1/webhooks/ops/deliveries/dlv_1/redeliver ",
        "POST /v1/webhooks/ops/deliveries/dlv%2F1/redeliver ",
        "GET /v1/webhooks/ops "
      ]
    )
  })

  it("never retries rotateSecret (a second rotation would lose the secret shown once); an abort names both path parameters", async () => {
    const server = await serve((_req, res) => json(res, 502, {}))
    const error = await failure(operatorFor(server).webhooks.rotateSecret("ops"))
    assert.instanceOf(error, ServerError)
    assert.strictEqual(server.requests.length, 1)
    const controller = new AbortController()
    controller.abort()
    const aborted = await failure(operatorFor(server, { signal: controller.signal }).webhooks.redeliver("ops", "dlv_9"))
    assert.strictEqual((aborted as AccountOverviewError).path, "/v1/webhooks/ops/deliveries/dlv_9/redeliver")
  })

  it("packages.set and customers.set send alertThresholds when given", async () => {
    const server = await serve((req, res) =>
      json(
        res,
        200,
        req.url?.startsWith("/v1/packages")
          ? { name: "Gold", credits: 100, alertThresholds: [50, "overage"] }
          : { ...customer(1), alertThresholds: [] }
      )
    )
    const operator = operatorFor(server)
    const saved = await operator.packages.set("Gold", { credits: 100, alertThresholds: [50, "overage"] })
    assert.deepStrictEqual(saved.alertThresholds, [50, "overage"])
    await operator.packages.set("Gold", { credits: 100 })
    await operator.customers.set("c1@acme.example", {
      reseller: "acme",
      package: "Gold",
      billingAnchor: "2024-01-31",
      reputation: 100,
      alertThresholds: []
    })
    assert.deepStrictEqual(
      server.requests.map((r) => r.body),
      [
        '{"credits":100,"alertThresholds":[50,"overage"]}',
        '{"credits":100}',
        '{"reseller":"acme","package":"Gold","billingAnchor":"2024-01-31","reputation":100,"alertThresholds":[]}'
      ]
    )
  })
})
