import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import {
  AbortedError,
  type AccountOverviewError,
  AuthenticationError,
  type ClientOptions,
  ConnectionError,
  createClient,
  DecodeError,
  InvalidRequestError,
  NotFoundError,
  RateLimitError,
  ServerError,
  TimeoutError
} from "../../src/index.js"
import {
  contentType,
  elapsedSince,
  overview,
  sendError,
  sendOverview,
  startServer,
  type TestServer,
  watchUnhandledRejections,
  wireHandler
} from "../support/servers.js"
import { packageVersion } from "../support/version.js"

const credentials = { apiUser: "reseller", apiKey: "k3y-value" }
const fast = { baseMs: 5, capMs: 20, maxRetryAfterMs: 2_000 }

const rejection = async (promise: Promise<unknown>): Promise<AccountOverviewError> => {
  try {
    await promise
  } catch (error) {
    return error as AccountOverviewError
  }
  throw new Error("expected a rejection")
}

const unhandled = watchUnhandledRejections()
const servers: Array<TestServer> = []
const serve = async (...args: Parameters<typeof startServer>) => {
  const server = await startServer(...args)
  servers.push(server)
  return server
}
const clientFor = (server: TestServer, options: ClientOptions = {}) =>
  createClient({ baseUrl: server.url, ...credentials, backoff: fast, env: {}, ...options })

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()))
  unhandled.stop()
  assert.deepStrictEqual(unhandled.seen, [], "no unhandled rejection")
})

describe("the wire", () => {
  let server: TestServer
  beforeAll(async () => {
    server = await serve(wireHandler)
  })

  it("POSTs a form body to /api/distributor.account.json and decodes the overview", async () => {
    const client = clientFor(server)
    const result = await client.overview("customer@example.com")
    assert.deepStrictEqual(result, overview)
    const request = server.requests.at(-1)!
    assert.strictEqual(request.method, "POST")
    assert.strictEqual(request.url, "/api/distributor.account.json")
    assert.strictEqual(request.headers["content-type"], "application/x-www-form-urlencoded")
    assert.strictEqual(request.headers["user-agent"], `account-overview-sdk/${packageVersion}`)
    const params = new URLSearchParams(request.body)
    assert.deepStrictEqual(Object.fromEntries(params), {
      api_user: "reseller",
      api_key: "k3y-value",
      task: "overview",
      user: "customer@example.com"
    })
    await client.close()
  })

  it("GETs with a query string, XML in ISO-8859-1, v2 paths", async () => {
    const client = clientFor(server, { method: "GET", format: "xml", dialect: "v2" })
    const result = await client.overview("zoë@example.com")
    assert.deepStrictEqual(result, overview)
    const request = server.requests.at(-1)!
    assert.strictEqual(request.method, "GET")
    assert.isTrue(request.url.startsWith("/apiv2/reseller.account.xml?"))
    assert.strictEqual(new URL(request.url, server.url).searchParams.get("user"), "zoë@example.com")
    assert.strictEqual(request.body, "")
    await client.close()
  })
})

describe("statuses (covers internal/status.ts)", () => {
  it("401 is an AuthenticationError with the body's messages and the request id, not retried", async () => {
    const server = await serve((_req, res) =>
      sendError(res, 401, ["Permission denied, wrong credentials"], { "x-request-id": "req-1" })
    )
    const error = await rejection(clientFor(server).overview("c"))
    assert.instanceOf(error, AuthenticationError)
    assert.strictEqual(error.code, "authentication_failed")
    assert.strictEqual(error.status, 401)
    assert.deepStrictEqual(error.messages, ["Permission denied, wrong credentials"])
    assert.strictEqual(error.requestId, "req-1")
    assert.strictEqual(error.method, "POST")
    assert.strictEqual(error.path, "/api/distributor.account.json")
    assert.strictEqual(error.attempts, 1)
    assert.strictEqual(server.requests.length, 1)
  })

  it("404 is a NotFoundError naming the user; 400 and 422 are InvalidRequestErrors; none is retried", async () => {
    const server = await serve((_req, res, _r, n) =>
      n === 0 ? sendError(res, 404, ["User not found"]) : sendError(res, n === 1 ? 400 : 422, ["user is required"])
    )
    const client = clientFor(server)
    const notFound = await rejection(client.overview("ghost"))
    assert.instanceOf(notFound, NotFoundError)
    assert.strictEqual(notFound.user, "ghost")
    const invalid = await rejection(client.overview("c"))
    assert.instanceOf(invalid, InvalidRequestError)
    assert.deepStrictEqual(invalid.messages, ["user is required"])
    const unprocessable = await rejection(client.overview("c"))
    assert.instanceOf(unprocessable, InvalidRequestError)
    assert.strictEqual(unprocessable.status, 422)
    assert.strictEqual(server.requests.length, 3)
  })

  it("a 200 carrying an error body is classified by its message", async () => {
    const server = await serve((_req, res) => sendError(res, 200, ["Permission denied, wrong credentials"]))
    const error = await rejection(clientFor(server).overview("c"))
    assert.instanceOf(error, AuthenticationError)
    assert.strictEqual(error.status, 200)
  })

  it("503 is retried maxRetries times, with waits under the backoff cap, then a ServerError", async () => {
    const server = await serve((_req, res) => sendError(res, 503, ["Service unavailable, retry later"]))
    const started = performance.now()
    const error = await rejection(clientFor(server, { maxRetries: 3 }).overview("c"))
    assert.instanceOf(error, ServerError)
    assert.strictEqual(error.status, 503)
    assert.strictEqual(error.attempts, 4)
    assert.strictEqual(server.requests.length, 4)
    const gaps = server.requests.slice(1).map((r, i) => r.at - server.requests[i]!.at)
    for (const gap of gaps) assert.isBelow(gap, fast.capMs + 250)
    assert.isBelow(elapsedSince(started), 1_500)
  })

  it("a 500 then a 200 succeeds on the second attempt", async () => {
    const server = await serve((_req, res, _r, n) =>
      n === 0 ? sendError(res, 500, ["Internal error"]) : sendOverview(res)
    )
    assert.deepStrictEqual(await clientFor(server).overview("c"), overview)
    assert.strictEqual(server.requests.length, 2)
  })

  it("408 is retried, then a TimeoutError with the status", async () => {
    const server = await serve((_req, res) => sendError(res, 408, ["Request timeout"]))
    const error = await rejection(clientFor(server, { maxRetries: 1 }).overview("c"))
    assert.instanceOf(error, TimeoutError)
    assert.strictEqual(error.status, 408)
    assert.strictEqual(server.requests.length, 2)
  })

  it("a redirect is not followed: a ServerError naming the status", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(302, { location: "/elsewhere", "content-length": 0 })
      res.end()
    })
    const error = await rejection(clientFor(server).overview("c"))
    assert.instanceOf(error, ServerError)
    assert.strictEqual(error.status, 302)
    assert.strictEqual(server.requests.length, 1)
  })
})

describe("429 and Retry-After", () => {
  it("waits the Retry-After seconds before the next attempt", async () => {
    const server = await serve((_req, res, _r, n) =>
      n === 0 ? sendError(res, 429, ["Too many requests"], { "retry-after": "1" }) : sendOverview(res)
    )
    assert.deepStrictEqual(await clientFor(server).overview("c"), overview)
    const gap = server.requests[1]!.at - server.requests[0]!.at
    assert.isAtLeast(gap, 990)
    assert.isBelow(gap, 2_500)
  })

  it("honours an HTTP-date Retry-After (in the past: at once)", async () => {
    const server = await serve((_req, res, _r, n) =>
      n === 0
        ? sendError(res, 429, ["Too many requests"], { "retry-after": new Date(Date.now() - 5_000).toUTCString() })
        : sendOverview(res)
    )
    assert.deepStrictEqual(await clientFor(server).overview("c"), overview)
    assert.isBelow(server.requests[1]!.at - server.requests[0]!.at, 500)
  })

  it("gives up at once when Retry-After is past maxRetryAfterMs, carrying it", async () => {
    const server = await serve((_req, res) => sendError(res, 429, ["Too many requests"], { "retry-after": "120" }))
    const started = performance.now()
    const error = await rejection(clientFor(server).overview("c"))
    assert.instanceOf(error, RateLimitError)
    assert.strictEqual((error as RateLimitError).retryAfterMs, 120_000)
    assert.strictEqual(server.requests.length, 1)
    assert.isBelow(elapsedSince(started), 1_000)
  })

  it("gives up at once when Retry-After ends past the deadline", async () => {
    const server = await serve((_req, res) => sendError(res, 429, ["Too many requests"], { "retry-after": "1" }))
    const started = performance.now()
    const error = await rejection(clientFor(server, { deadlineMs: 900 }).overview("c"))
    assert.instanceOf(error, RateLimitError)
    assert.strictEqual(server.requests.length, 1)
    assert.isBelow(elapsedSince(started), 900)
  })

  it("after maxRetries a RateLimitError", async () => {
    const server = await serve((_req, res) => sendError(res, 429, ["Too many requests"], { "retry-after": "0" }))
    const error = await rejection(clientFor(server, { maxRetries: 2 }).overview("c"))
    assert.instanceOf(error, RateLimitError)
    assert.strictEqual(error.attempts, 3)
    assert.strictEqual(server.requests.length, 3)
  })
})

describe("bad bodies and broken connections", () => {
  it("garbage is a DecodeError, not retried", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" })
      res.end("{not json at all")
    })
    const error = await rejection(clientFor(server).overview("c"))
    assert.instanceOf(error, DecodeError)
    assert.strictEqual(error.status, 200)
    assert.strictEqual(server.requests.length, 1)
  })

  it("a well-formed body missing a field is a DecodeError naming it", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { "content-type": contentType.json })
      res.end(JSON.stringify({ reputation: 100 }))
    })
    const error = (await rejection(clientFor(server).overview("c"))) as DecodeError
    assert.instanceOf(error, DecodeError)
    assert.notStrictEqual(error.field, "")
  })

  it("a truncated body (Content-Length larger than sent, then close) is a ConnectionError after the retries", async () => {
    const server = await serve((req, res) => {
      res.writeHead(200, { "content-type": contentType.json, "content-length": 1000 })
      res.write('{"reputation":')
      setTimeout(() => req.socket.destroy(), 5)
    })
    const error = await rejection(clientFor(server, { maxRetries: 2 }).overview("c"))
    assert.instanceOf(error, ConnectionError)
    assert.strictEqual(error.attempts, 3)
    assert.strictEqual(server.requests.length, 3)
    assert.instanceOf(error.cause, Error)
  })

  it("a connection reset is a ConnectionError after the retries", async () => {
    const server = await serve((req) => req.socket.destroy())
    const error = await rejection(clientFor(server, { maxRetries: 1 }).overview("c"))
    assert.instanceOf(error, ConnectionError)
    assert.strictEqual(server.requests.length, 2)
  })

  it("a refused connection is a ConnectionError", async () => {
    const server = await startServer(wireHandler)
    await server.close()
    const error = await rejection(clientFor(server, { maxRetries: 1 }).overview("c"))
    assert.instanceOf(error, ConnectionError)
    assert.strictEqual(error.attempts, 2)
  })

  for (const declared of [true, false]) {
    it(`a 5 MB body ${declared ? "with" : "without"} Content-Length is refused without being read whole`, async () => {
      const size = 5 * 1024 * 1024
      const chunk = Buffer.alloc(64 * 1024, 0x20)
      let written = 0
      let finished: boolean | undefined
      const server = await serve((_req, res) => {
        res.writeHead(200, { "content-type": contentType.json, ...(declared ? { "content-length": size } : {}) })
        res.on("close", () => {
          finished = res.writableFinished
        })
        const pump = () => {
          while (written < size && !res.destroyed) {
            written += chunk.length
            if (!res.write(chunk)) return void res.once("drain", pump)
          }
          if (!res.destroyed) res.end()
        }
        pump()
      })
      const error = (await rejection(clientFor(server, { maxResponseBytes: 256 * 1024 }).overview("c"))) as DecodeError
      assert.instanceOf(error, DecodeError)
      assert.match(error.reason, /larger than 262144 bytes/)
      assert.strictEqual(server.requests.length, 1)
      await new Promise((resolve) => setTimeout(resolve, 50))
      assert.strictEqual(finished, false, "the server could not finish writing: the client hung up")
    })
  }

  it("a body that never ends times out per attempt, then a TimeoutError", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { "content-type": contentType.json })
      res.write('{"reputation":100,')
    })
    const started = performance.now()
    const error = await rejection(clientFor(server, { timeoutMs: 100, maxRetries: 1 }).overview("c"))
    assert.instanceOf(error, TimeoutError)
    assert.strictEqual(error.attempts, 2)
    assert.strictEqual(server.requests.length, 2)
    assert.isAtLeast(elapsedSince(started), 195)
    assert.isBelow(elapsedSince(started), 2_000)
  })

  it("the deadline bounds the whole call, attempts and waits included", async () => {
    const server = await serve(() => undefined)
    const started = performance.now()
    const error = await rejection(clientFor(server, { timeoutMs: 10_000, deadlineMs: 150 }).overview("c"))
    assert.instanceOf(error, TimeoutError)
    assert.isAtLeast(elapsedSince(started), 145)
    assert.isBelow(elapsedSince(started), 2_000)
  })

  it("no wait begins that would end past the deadline", async () => {
    const server = await serve((_req, res) => sendError(res, 503, ["Service unavailable, retry later"]))
    const started = performance.now()
    const error = await rejection(
      clientFor(server, { deadlineMs: 1_000, backoff: { baseMs: 5_000, capMs: 5_000 }, maxRetries: 5 }).overview("c")
    )
    assert.instanceOf(error, ServerError)
    assert.isBelow(elapsedSince(started), 1_000)
  })
})

describe("abort (covers internal/promise.ts)", () => {
  it("an abort during a request rejects with AbortedError at once and hangs up", async () => {
    let closed = false
    const server = await serve((req) => req.socket.on("close", () => (closed = true)))
    const controller = new AbortController()
    const pending = clientFor(server).overview("c", { signal: controller.signal })
    await new Promise((resolve) => setTimeout(resolve, 50))
    const aborted = performance.now()
    controller.abort()
    const error = await rejection(pending)
    assert.instanceOf(error, AbortedError)
    assert.strictEqual(error.code, "aborted")
    assert.isBelow(elapsedSince(aborted), 250)
    await new Promise((resolve) => setTimeout(resolve, 50))
    assert.isTrue(closed)
  })

  it("an abort during a backoff wait rejects at once", async () => {
    // Retry-After fixes the wait at 5 s: a full-jitter wait (random from 0 to the cap) was
    // shorter than the 100 ms below one run in fifty, and the retry went out before the abort.
    const server = await serve((_req, res) =>
      sendError(res, 503, ["Service unavailable, retry later"], { "retry-after": "5" })
    )
    const controller = new AbortController()
    const backoff = { baseMs: 5_000, capMs: 5_000, maxRetryAfterMs: 10_000 }
    const pending = clientFor(server, { backoff, maxRetries: 3 }).overview("c", { signal: controller.signal })
    await new Promise((resolve) => setTimeout(resolve, 100))
    const aborted = performance.now()
    controller.abort()
    const error = await rejection(pending)
    assert.instanceOf(error, AbortedError)
    assert.isBelow(elapsedSince(aborted), 250)
    assert.strictEqual(server.requests.length, 1)
  })

  it("an aborted signal sends nothing; the client's own signal aborts its calls", async () => {
    const server = await serve(wireHandler)
    const error = await rejection(clientFor(server).overview("c", { signal: AbortSignal.abort() }))
    assert.instanceOf(error, AbortedError)
    const controller = new AbortController()
    const client = clientFor(server, { signal: controller.signal })
    assert.deepStrictEqual(await client.overview("c"), overview)
    controller.abort()
    assert.instanceOf(await rejection(client.overview("c")), AbortedError)
    assert.strictEqual(server.requests.length, 1)
  })
})
