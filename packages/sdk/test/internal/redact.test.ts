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

// A key with every reserved character of a URL, a form, JSON and HTML, a space and non-ASCII.
const hostileKey = `k :/?#[]@!$&'()*+,;=%"<>\\{}|^\`~é€😀-tail`

const hex2 = (b: number) => b.toString(16).padStart(2, "0")
const lowerPercent = (s: string) => encodeURIComponent(s).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())
const htmlOf = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;")
const jsonInner = (s: string) => JSON.stringify(s).slice(1, -1)
const unicodeEscaped = (s: string) =>
  [...Array(s.length).keys()].map((i) => `\\u${s.charCodeAt(i).toString(16).padStart(4, "0")}`).join("")

/** Every spelling an echoing server may give: each is checked in every output. */
const echoes = (key: string): Record<string, string> => ({
  raw: key,
  percentUpper: encodeURIComponent(key),
  percentLower: lowerPercent(key),
  form: new URLSearchParams({ k: key }).toString().slice(2),
  formLower: new URLSearchParams({ k: key })
    .toString()
    .slice(2)
    .replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
  everyByte: [...new TextEncoder().encode(key)].map((b) => `%${hex2(b)}`).join(""),
  encodeUri: encodeURI(key),
  json: jsonInner(key),
  jsonSlash: jsonInner(key).replace(/\//g, "\\/"),
  jsonUnicode: unicodeEscaped(key),
  html: htmlOf(key),
  htmlOfPercent: htmlOf(encodeURIComponent(key)),
  htmlNumeric: [...key].map((c) => `&#${c.codePointAt(0)};`).join(""),
  // Half decoded: the first half percent-encoded, the rest as is.
  partial: encodeURIComponent(key.slice(0, 10)) + key.slice(10),
  mixedCase: encodeURIComponent(key).replace(/%[0-9A-F]{2}/g, (m, i: number) => (i % 2 === 0 ? m.toLowerCase() : m)),
  doubleEncoded: encodeURIComponent(encodeURIComponent(key))
})

/** What a reader could recover from an output: the text and its decodings. */
const decodings = (text: string): Array<string> => {
  const out = [text]
  const tryDecode = (f: () => string) => {
    try {
      out.push(f())
    } catch {}
  }
  for (const t of [...out]) {
    tryDecode(() => decodeURIComponent(t))
    tryDecode(() => decodeURIComponent(decodeURIComponent(t)))
    tryDecode(() => decodeURIComponent(t.replace(/\+/g, " ")))
    tryDecode(() => JSON.parse(`"${t.replace(/"/g, '\\"')}"`))
  }
  return out
}

const assertNoHostileKey = (text: string, label: string) => {
  for (const [name, form] of Object.entries(echoes(hostileKey))) {
    assert.notInclude(text, form, `${label}: the ${name} spelling leaked`)
  }
  for (const reading of decodings(text)) assert.notInclude(reading, hostileKey, `${label}: a decoding leaked`)
}

describe("an echoing server cannot make the key appear in any output", () => {
  for (const [spelling] of Object.entries(echoes(hostileKey))) {
    it(`the ${spelling} spelling, in the body, the messages and X-Request-Id`, async () => {
      const server = await startServer((_req, res) => {
        const form = echoes(hostileKey)[spelling]!
        sendError(res, 500, [`failed for ${form}`, `again: "${form}"`], {
          "x-request-id": Buffer.from(`req-${form}`, "utf8").toString("latin1")
        })
      })
      servers.push(server)
      const client = createClient({
        baseUrl: server.url,
        apiUser: "reseller",
        apiKey: hostileKey,
        maxRetries: 0,
        env: {}
      })
      const error = await client.overview("c").catch((e: unknown) => e)
      assert.instanceOf(error, Error)
      assertNoHostileKey(everything(error), spelling)
      await client.close()
    })

    it(`scrub: the ${spelling} spelling inside other text`, () => {
      const scrub = makeScrub([hostileKey])
      const form = echoes(hostileKey)[spelling]!
      assertNoHostileKey(scrub(`before ${form} after`), spelling)
    })
  }

  it("a text without the key is kept as it was", () => {
    const scrub = makeScrub([hostileKey])
    for (const text of ["customer not found", "a%2Fb &amp; c \\/ d", ""]) assert.strictEqual(scrub(text), text)
  })
})
