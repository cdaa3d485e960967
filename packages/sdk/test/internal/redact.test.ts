import { inspect } from "node:util"
import { afterAll, assert, describe, it } from "@effect/vitest"
import { type AccountOverviewError, createClient, type Transport } from "../../src/index.js"
import { makeScrub, safeCause } from "../../src/internal/redact.js"
import { contentType, sendError, startServer, type TestServer } from "../support/servers.js"

const apiKey = "s3cr3t key+/=&ü%41"
const spellings = [apiKey, encodeURIComponent(apiKey), new URLSearchParams({ k: apiKey }).toString().slice(2)]

const everything = (error: unknown): string => {
  const e = error as Error
  return [
    String(error),
    e.message,
    e.stack ?? "",
    inspect(error, { depth: 20, showHidden: true }),
    inspect(e.cause, { depth: 20, showHidden: true }),
    JSON.stringify(error),
    JSON.stringify((error as AccountOverviewError).messages)
  ].join("\n")
}

const assertNoKey = (error: unknown, label: string) => {
  const text = everything(error)
  for (const form of spellings) assert.notInclude(text, form, `${label}: the key leaked`)
}

const servers: Array<TestServer> = []
afterAll(() => Promise.all(servers.map((s) => s.close())))

const scenarios: Record<string, Parameters<typeof startServer>[0]> = {
  "401 echoing the key": (_req, res, request) =>
    sendError(res, 401, [`wrong key ${new URLSearchParams(request.body || request.url.split("?")[1]).get("api_key")}`]),
  "500 echoing the raw request": (_req, res, request) =>
    sendError(res, 500, [`failed: ${request.url} ${request.body}`]),
  "200 garbage echoing the key": (_req, res, request) => {
    res.writeHead(200, { "content-type": contentType.json })
    res.end(`{"reputation": "${new URLSearchParams(request.body || request.url.split("?")[1]).get("api_key")}"`)
  },
  "200 invalid field echoing the key": (_req, res, request) => {
    res.writeHead(200, { "content-type": contentType.json })
    const key = new URLSearchParams(request.body || request.url.split("?")[1]).get("api_key")
    res.end(JSON.stringify({ reputation: key, requests: key }))
  },
  "connection reset": (req) => req.socket.destroy(),
  "hang (timeout)": () => undefined,
  "429": (_req, res) => sendError(res, 429, ["Too many requests"], { "retry-after": "0" }),
  "too large": (_req, res) => {
    res.writeHead(200, { "content-type": contentType.json, "content-length": 10_000_000 })
    res.write("x".repeat(1000))
  }
}

describe("no error holds the key", () => {
  for (const method of ["GET", "POST"] as const) {
    for (const [name, handler] of Object.entries(scenarios)) {
      it(`${method}: ${name}`, async () => {
        const server = await startServer(handler)
        servers.push(server)
        const client = createClient({
          baseUrl: server.url,
          apiUser: "reseller",
          apiKey,
          method,
          maxRetries: 1,
          timeoutMs: 100,
          maxResponseBytes: 4096,
          backoff: { baseMs: 1, capMs: 2 },
          env: {}
        })
        const error = await client.overview("c").catch((e: unknown) => e)
        assert.instanceOf(error, Error)
        assertNoKey(error, name)
        await client.close()
      })
    }

    it(`${method}: a refused connection`, async () => {
      const server = await startServer(() => undefined)
      await server.close()
      const client = createClient({ baseUrl: server.url, apiUser: "r", apiKey, method, maxRetries: 0, env: {} })
      const error = await client.overview("c").catch((e: unknown) => e)
      assert.strictEqual((error as AccountOverviewError).code, "connection_error")
      assertNoKey(error, "refused")
    })

    it(`${method}: a transport that throws the URL and body back`, async () => {
      const transport: Transport = async (request) => {
        const inner = new Error(`cannot reach ${request.url} with ${request.body}`)
        throw new TypeError("fetch failed", { cause: inner })
      }
      const client = createClient({
        baseUrl: "http://x.example",
        apiUser: "r",
        apiKey,
        method,
        maxRetries: 0,
        transport,
        env: {}
      })
      const error = await client.overview("c").catch((e: unknown) => e)
      assert.strictEqual((error as AccountOverviewError).code, "connection_error")
      assert.include(String((error as Error).cause), "cannot reach http://x.example/api/distributor.account.json")
      assertNoKey(error, "transport")
    })

    it(`${method}: an abort`, async () => {
      const server = await startServer(() => undefined)
      servers.push(server)
      const client = createClient({ baseUrl: server.url, apiUser: "r", apiKey, method, env: {} })
      const error = await client.overview("c", { signal: AbortSignal.timeout(30) }).catch((e: unknown) => e)
      assert.strictEqual((error as AccountOverviewError).code, "aborted")
      assertNoKey(error, "abort")
    })
  }
})

describe("scrub", () => {
  it("replaces every spelling of a secret", () => {
    const scrub = makeScrub([apiKey])
    for (const form of spellings) assert.strictEqual(scrub(`a ${form} b ${form}`), "a <redacted> b <redacted>")
  })

  it("a safe cause keeps the name, the code and the chained messages, scrubbed, and no stack frames", () => {
    const inner = Object.assign(new Error(`connect ECONNREFUSED for ${apiKey}`), { code: "ECONNREFUSED" })
    const outer = new TypeError("fetch failed", { cause: inner })
    const safe = safeCause(outer, makeScrub([apiKey]))
    assert.strictEqual(safe.name, "TypeError")
    assert.strictEqual((safe as { code?: string }).code, "ECONNREFUSED")
    assert.strictEqual(safe.message, "fetch failed: connect ECONNREFUSED for <redacted>")
    assert.strictEqual(safe.stack, "TypeError: fetch failed: connect ECONNREFUSED for <redacted>")
    assert.isUndefined(safe.cause)
  })
})
