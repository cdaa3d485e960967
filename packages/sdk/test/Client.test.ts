import { encodeErrorBody, encodeOverview, type Format } from "@account-overview/core"
import { assert, describe, it } from "@effect/vitest"
import {
  AbortedError,
  type AccountOverviewError,
  ConfigurationError,
  createClient,
  InvalidRequestError,
  NotFoundError,
  type OverviewResult,
  type Transport,
  type TransportRequest,
  type TransportResponse
} from "../src/index.js"
import { overview, startServer } from "./support/servers.js"

const env = {
  ACCOUNT_OVERVIEW_BASE_URL: "http://env.example",
  ACCOUNT_OVERVIEW_API_USER: "env-user",
  ACCOUNT_OVERVIEW_API_KEY: "env-key"
}

const formatOf = (url: string): Format => (url.split("?")[0]!.endsWith(".xml") ? "xml" : "json")

const answer = (request: TransportRequest): TransportResponse => ({
  status: 200,
  headers: { "content-type": formatOf(request.url) === "xml" ? "text/xml; charset=ISO-8859-1" : "application/json" },
  body: encodeOverview(overview, formatOf(request.url), request.url.includes("/apiv2/") ? "v2" : "v1")
})

const recorder = (respond: (request: TransportRequest) => Promise<TransportResponse> | TransportResponse = answer) => {
  const requests: Array<TransportRequest> = []
  const transport: Transport = async (request) => {
    requests.push(request)
    return respond(request)
  }
  return { transport, requests }
}

const paramsOf = (request: TransportRequest) =>
  Object.fromEntries(new URLSearchParams(request.body ?? request.url.split("?")[1] ?? ""))

const thrown = (f: () => unknown): unknown => {
  try {
    f()
  } catch (error) {
    return error
  }
  throw new Error("expected a throw")
}

describe("createClient settings (covers internal/client.ts, internal/entry.ts)", () => {
  it("reads the three connection settings from the environment when the client is created", async () => {
    const { transport, requests } = recorder()
    const client = createClient({ env, transport })
    await client.overview("c")
    const request = requests[0]!
    assert.strictEqual(request.url, "http://env.example/api/distributor.account.json")
    assert.deepStrictEqual(paramsOf(request), { api_user: "env-user", api_key: "env-key", task: "overview", user: "c" })
  })

  it("takes client options over the environment, and call options over the client's", async () => {
    const { transport, requests } = recorder()
    const client = createClient({
      env,
      transport,
      baseUrl: "https://client.example/prefix/",
      apiUser: "client-user",
      apiKey: "client-key",
      format: "xml",
      dialect: "v2",
      timeoutMs: 1234
    })
    await client.overview("c")
    assert.strictEqual(requests[0]!.url, "https://client.example/prefix/apiv2/reseller.account.xml")
    assert.strictEqual(paramsOf(requests[0]!).api_user, "client-user")
    assert.strictEqual(paramsOf(requests[0]!).api_key, "client-key")
    await client.overview("c", { format: "json", dialect: "v1" })
    assert.strictEqual(requests[1]!.url, "https://client.example/prefix/api/distributor.account.json")
  })

  it("applies the per-call timeout over the client's", async () => {
    const hang: Transport = (request) =>
      new Promise((_resolve, reject) => request.signal.addEventListener("abort", () => reject(new Error("aborted"))))
    const client = createClient({ env, transport: hang, timeoutMs: 5_000, maxRetries: 0 })
    const started = performance.now()
    const error = await client.overview("c", { timeoutMs: 30 }).catch((e: AccountOverviewError) => e)
    assert.strictEqual((error as AccountOverviewError).code, "timeout")
    assert.isBelow(performance.now() - started, 1_000)
  })

  it("a missing setting throws ConfigurationError naming the option and the variable", () => {
    const error = thrown(() => createClient({ env: { ...env, ACCOUNT_OVERVIEW_API_KEY: undefined } }))
    assert.instanceOf(error, ConfigurationError)
    assert.strictEqual((error as ConfigurationError).setting, "apiKey")
    assert.include((error as Error).message, "ACCOUNT_OVERVIEW_API_KEY")
    const blank = thrown(() => createClient({ env: { ...env, ACCOUNT_OVERVIEW_BASE_URL: "  " } }))
    assert.strictEqual((blank as ConfigurationError).setting, "baseUrl")
  })

  it("an invalid setting names the setting, never its value", () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ baseUrl: "not a url with secret-value" }, "baseUrl"],
      [{ baseUrl: "ftp://secret-value.example" }, "baseUrl"],
      [{ baseUrl: "https://user:secret-value@example.com" }, "baseUrl"],
      [{ format: "yaml" }, "format"],
      [{ dialect: "v3" }, "dialect"],
      [{ method: "PUT" }, "method"],
      [{ timeoutMs: 0 }, "timeoutMs"],
      [{ maxRetries: -1 }, "maxRetries"],
      [{ maxResponseBytes: 1.5 }, "maxResponseBytes"]
    ]
    for (const [options, setting] of cases) {
      const error = thrown(() => createClient({ env, ...options }))
      assert.instanceOf(error, ConfigurationError, setting)
      assert.strictEqual((error as ConfigurationError).setting, setting)
      assert.notInclude((error as Error).message, "secret-value")
    }
  })

  it("refuses an empty user without a request", async () => {
    const { transport, requests } = recorder()
    const error = await createClient({ env, transport })
      .overview("")
      .catch((e: unknown) => e)
    assert.instanceOf(error, InvalidRequestError)
    assert.strictEqual(requests.length, 0)
  })

  it("withOptions changes some options and keeps the others and the transport", async () => {
    const { transport, requests } = recorder()
    const client = createClient({ env, transport, format: "xml" })
    const derived = client.withOptions({ dialect: "v2", apiUser: "other" })
    await derived.overview("c")
    assert.strictEqual(requests[0]!.url, "http://env.example/apiv2/reseller.account.xml")
    assert.strictEqual(paramsOf(requests[0]!).api_user, "other")
    await client.overview("c")
    assert.strictEqual(requests[1]!.url, "http://env.example/api/distributor.account.xml")
  })

  it("close() closes the pool it created; derived clients share it", async () => {
    const server = await startServer((_req, res) => {
      const body = encodeOverview(overview, "json", "v1")
      res.writeHead(200, { "content-type": "application/json", "content-length": body.byteLength })
      res.end(body)
    })
    const client = createClient({ baseUrl: server.url, apiUser: "u", apiKey: "k", env: {} })
    const derived = client.withOptions({ timeoutMs: 2_000 })
    assert.deepStrictEqual(await derived.overview("c"), overview)
    await derived.close()
    assert.deepStrictEqual(await client.overview("c"), overview)
    await client.close()
    const after = await client.overview("c").catch((e: AccountOverviewError) => e)
    assert.strictEqual((after as AccountOverviewError).code, "connection_error")
    await server.close()
  })
})

describe("createClient overviews (covers internal/client.ts)", () => {
  const slowTransport = (failing: ReadonlySet<string>) => {
    let inFlight = 0
    let maxInFlight = 0
    const { transport, requests } = recorder(async (request) => {
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
      const user = paramsOf(request).user!
      await new Promise((resolve) => setTimeout(resolve, 5 + ((user.charCodeAt(user.length - 1) * 7) % 20)))
      inFlight--
      if (failing.has(user)) {
        return {
          status: 404,
          headers: { "content-type": "application/json" },
          body: encodeErrorBody(["User not found"], "json")
        }
      }
      return answer(request)
    })
    return { transport, requests, maxInFlight: () => maxInFlight }
  }

  it("gives one result per user, in input order, with one failing user, within the concurrency", async () => {
    const users = Array.from({ length: 30 }, (_, i) => `user-${i}`)
    const fake = slowTransport(new Set(["user-7"]))
    const client = createClient({ env, transport: fake.transport })
    const results: Array<OverviewResult> = []
    for await (const result of client.overviews(users, { concurrency: 4 })) results.push(result)
    assert.deepStrictEqual(
      results.map((r) => r.user),
      users
    )
    const failed = results.filter((r) => !r.ok)
    assert.strictEqual(failed.length, 1)
    assert.strictEqual(failed[0]!.user, "user-7")
    assert.instanceOf(failed[0]!.ok ? undefined : failed[0]!.error, NotFoundError)
    for (const r of results) if (r.ok) assert.deepStrictEqual(r.overview, overview)
    assert.isAtMost(fake.maxInFlight(), 4)
    assert.isAtLeast(fake.maxInFlight(), 2)
  })

  it("takes an async iterable, and reports an empty user as a failed result", async () => {
    const fake = slowTransport(new Set())
    const client = createClient({ env, transport: fake.transport })
    async function* source() {
      yield "a"
      yield ""
      yield "b"
    }
    const results: Array<OverviewResult> = []
    for await (const result of client.overviews(source())) results.push(result)
    assert.deepStrictEqual(
      results.map((r) => [r.user, r.ok]),
      [
        ["a", true],
        ["", false],
        ["b", true]
      ]
    )
  })

  it("breaking out of the loop stops reading the input and aborts the calls in flight", async () => {
    let aborted = 0
    const transport: Transport = (request) =>
      paramsOf(request).user === "first"
        ? Promise.resolve(answer(request))
        : new Promise((_resolve, reject) =>
            request.signal.addEventListener("abort", () => {
              aborted++
              reject(new Error("aborted"))
            })
          )
    let pulled = 0
    function* source() {
      for (const user of ["first", "x1", "x2", "x3", "x4", "x5"]) {
        pulled++
        yield user
      }
    }
    const client = createClient({ env, transport })
    for await (const result of client.overviews(source(), { concurrency: 3 })) {
      assert.strictEqual(result.user, "first")
      break
    }
    await new Promise((resolve) => setTimeout(resolve, 10))
    assert.strictEqual(pulled, 3)
    assert.strictEqual(aborted, 2)
  })

  it("an abort stops the iteration with AbortedError", async () => {
    const fake = slowTransport(new Set())
    const controller = new AbortController()
    const client = createClient({ env, transport: fake.transport })
    const seen: Array<string> = []
    const error = await (async () => {
      for await (const result of client.overviews(["a", "b", "c", "d"], {
        concurrency: 1,
        signal: controller.signal
      })) {
        seen.push(result.user)
        controller.abort()
      }
    })().catch((e: unknown) => e)
    assert.instanceOf(error, AbortedError)
    assert.deepStrictEqual(seen, ["a"])
  })

  it("refuses a concurrency that is not a positive integer", async () => {
    const client = createClient({ env, transport: recorder().transport })
    const error = await (async () => {
      for await (const _ of client.overviews(["a"], { concurrency: 0 })) {
        // nothing
      }
    })().catch((e: unknown) => e)
    assert.instanceOf(error, ConfigurationError)
  })

  it("withResponse.overview gives the overview with the status, headers and request id of its answer", async () => {
    let n = 0
    const fake = recorder((request) => {
      n += 1
      return n === 1
        ? { status: 503, headers: { "x-request-id": "first" }, body: new Uint8Array() }
        : { ...answer(request), headers: { ...answer(request).headers, "x-request-id": "req-7", "x-extra": "yes" } }
    })
    const client = createClient({ env, transport: fake.transport, backoff: { baseMs: 1, capMs: 1 } })
    const { data, response } = await client.withResponse.overview("customer@example.com")
    assert.deepStrictEqual(data, overview)
    assert.strictEqual(response.status, 200)
    assert.strictEqual(response.requestId, "req-7", "the answer of the attempt that succeeded")
    assert.strictEqual(response.headers["x-extra"], "yes")
    assert.strictEqual(response.headers["content-type"], "application/json")
    assert.strictEqual(fake.requests.length, 2)
    assert.deepStrictEqual(await client.overview("customer@example.com"), overview, "the plain call is unchanged")
  })

  it("withResponse.overview rejects as the plain call does, the request id on the error", async () => {
    const fake = recorder(() => ({
      status: 404,
      headers: { "content-type": "application/json", "x-request-id": "r-404" },
      body: encodeErrorBody(["User not found"], "json")
    }))
    const client = createClient({ env, transport: fake.transport })
    const error = await client.withResponse.overview("nobody").catch((e: unknown) => e)
    assert.instanceOf(error, NotFoundError)
    assert.strictEqual((error as NotFoundError).requestId, "r-404")
    assert.strictEqual((error as NotFoundError).status, 404)
    const derived = client.withOptions({ format: "xml" })
    const invalid = await derived.withResponse.overview("").catch((e: unknown) => e)
    assert.instanceOf(invalid, InvalidRequestError)
  })
})
