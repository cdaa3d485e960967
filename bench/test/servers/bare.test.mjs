import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, assert, describe, it } from "vitest"
import { startServer, stop } from "../../lib/process.mjs"

const bare = fileURLToPath(new URL("../../servers/bare.mjs", import.meta.url))
const fastify = fileURLToPath(new URL("../../servers/fastify.mjs", import.meta.url))
const dir = mkdtempSync(join(tmpdir(), "ao-bench-servers-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const json = Buffer.from('{"reputation":100,"package":"Silver Package"}')
const xml = Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?>\n<result>Gr\xf6\xdfe</result>\n', "latin1")
const bodies = {
  "/api/distributor.account.json": { type: "application/json", body: json.toString("base64") },
  "/api/distributor.account.xml": { type: "text/xml; charset=ISO-8859-1", body: xml.toString("base64") }
}
const form = "api_user=a&api_key=b&task=overview&user=c%40example.com"

const call = async (url, path, body = form) => {
  const response = await fetch(url + path, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body
  })
  return {
    status: response.status,
    type: response.headers.get("content-type"),
    bytes: Buffer.from(await response.arrayBuffer())
  }
}

describe.each([
  ["bare node:http", bare, {}],
  ["bare node:http with one SQLite read", bare, { BENCH_SQLITE: join(dir, "read.db") }],
  ["fastify 5 + formbody", fastify, {}]
])("%s", (_name, file, env) => {
  it("answers each path with its fixed body, byte for byte, and 404 elsewhere", async () => {
    const server = await startServer([process.execPath, file], {
      env: { ...env, BENCH_BODIES: JSON.stringify(bodies) }
    })
    try {
      for (let i = 0; i < 3; i++) {
        const a = await call(server.url, "/api/distributor.account.json")
        assert.strictEqual(a.status, 200)
        assert.strictEqual(a.type, "application/json")
        assert.isTrue(a.bytes.equals(json))
        const b = await call(server.url, "/api/distributor.account.xml")
        assert.strictEqual(b.type, "text/xml; charset=ISO-8859-1")
        assert.isTrue(b.bytes.equals(xml))
      }
      assert.strictEqual((await call(server.url, "/api/other.json")).status, 404)
    } finally {
      await stop(server.child)
    }
  })
})

describe("fastify 5 + formbody", () => {
  it("parses the form: a call without task=overview gets 400", async () => {
    const server = await startServer([process.execPath, fastify], { env: { BENCH_BODIES: JSON.stringify(bodies) } })
    try {
      assert.strictEqual((await call(server.url, "/api/distributor.account.json", "task=other")).status, 400)
    } finally {
      await stop(server.child)
    }
  })
})
