import { afterAll, assert, describe, it } from "@effect/vitest"
import { DecodeError, type Transport } from "../../src/index.js"
import { startServer, type TestServer } from "./servers.js"

const request = (url: string, overrides: Partial<Parameters<Transport>[0]> = {}) => ({
  method: "POST" as const,
  url,
  headers: { "content-type": "text/plain", "x-test": "1" },
  body: "hello",
  signal: new AbortController().signal,
  maxResponseBytes: 1024,
  ...overrides
})

/** The behaviour every transport shares, against local servers. */
export const transportSuite = (name: string, make: () => Transport) => {
  const servers: Array<TestServer> = []
  afterAll(() => Promise.all(servers.map((s) => s.close())))
  const serve = async (handler: Parameters<typeof startServer>[0]) => {
    const server = await startServer(handler)
    servers.push(server)
    return server
  }
  describe(name, () => {
    it("sends method, headers and body; answers status, lower-case headers and bytes", async () => {
      const server = await serve((_req, res) => {
        res.writeHead(201, { "X-Request-Id": "abc", "Content-Type": "text/plain" })
        res.end("körper")
      })
      const transport = make()
      const response = await transport(request(`${server.url}/p/q?x=1`))
      const seen = server.requests[0]!
      assert.strictEqual(seen.method, "POST")
      assert.strictEqual(seen.url, "/p/q?x=1")
      assert.strictEqual(seen.headers["x-test"], "1")
      assert.strictEqual(seen.body, "hello")
      assert.strictEqual(response.status, 201)
      assert.strictEqual(response.headers["x-request-id"], "abc")
      assert.strictEqual(new TextDecoder().decode(response.body), "körper")
      await transport.close?.()
    })

    it("refuses a declared Content-Length past the limit before reading", async () => {
      const server = await serve((_req, res) => {
        res.writeHead(200, { "content-length": 4096 })
        res.write("x".repeat(100))
      })
      const transport = make()
      const error = await transport(request(server.url)).catch((e: unknown) => e)
      assert.instanceOf(error, DecodeError)
      assert.strictEqual((error as DecodeError).status, 200)
      await transport.close?.()
    })

    it("refuses a chunked body as it grows past the limit", async () => {
      const server = await serve((_req, res) => {
        res.writeHead(200)
        const timer = setInterval(() => res.write("y".repeat(512)), 1)
        res.on("close", () => clearInterval(timer))
      })
      const transport = make()
      const error = await transport(request(server.url)).catch((e: unknown) => e)
      assert.instanceOf(error, DecodeError)
      await transport.close?.()
    })

    it("rejects when the signal aborts, while waiting for headers or for the body", async () => {
      const server = await serve((req, res) => {
        if (req.url === "/body") {
          res.writeHead(200)
          res.write("partial")
        }
      })
      const transport = make()
      for (const path of ["/headers", "/body"]) {
        const controller = new AbortController()
        const pending = transport(request(server.url + path, { signal: controller.signal }))
        setTimeout(() => controller.abort(), 30)
        const error = await pending.catch((e: unknown) => e)
        assert.instanceOf(error, Error, path)
        assert.notInstanceOf(error, DecodeError)
      }
      const already = await transport(request(server.url, { signal: AbortSignal.abort() })).catch((e: unknown) => e)
      assert.instanceOf(already, Error)
      await transport.close?.()
    })

    it("sends GET without a body", async () => {
      const server = await serve((_req, res) => res.end("ok"))
      const transport = make()
      const response = await transport(request(server.url, { method: "GET", body: undefined }))
      assert.strictEqual(server.requests[0]!.method, "GET")
      assert.strictEqual(new TextDecoder().decode(response.body), "ok")
      await transport.close?.()
    })
  })
}
