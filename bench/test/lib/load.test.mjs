import { fileURLToPath } from "node:url"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { parseWrk, post, postAmount } from "../../lib/load.mjs"
import { startServer, stop } from "../../lib/process.mjs"

const wrkReport = `Running 10s test @ http://127.0.0.1:3000/api/distributor.account.json
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.95ms  412.00us  12.31ms   91.20%
    Req/Sec    25.80k     1.10k   27.62k    72.00%
  Latency Distribution
     50%    1.88ms
     75%    2.02ms
     90%    2.31ms
     99%    3.40ms
  256784 requests in 10.00s, 98.21MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 5
Requests/sec:  25676.42
Transfer/sec:      9.82MB
`

describe("parseWrk", () => {
  it("reads req/s, p50 and p99 in ms, the request count, non-2xx answers and socket errors", () => {
    assert.deepStrictEqual(parseWrk(wrkReport), {
      rps: 25676.42,
      p50: 1.88,
      p99: 3.4,
      requests: 256784,
      non2xx: 5,
      errors: 3
    })
  })

  it("converts µs and s latencies", () => {
    const text = wrkReport.replace("50%    1.88ms", "50%  880.00us").replace("99%    3.40ms", "99%    1.20s")
    const r = parseWrk(text)
    assert.closeTo(r.p50, 0.88, 1e-9)
    assert.strictEqual(r.p99, 1200)
  })

  it("refuses a report it cannot read", () => {
    assert.throws(() => parseWrk("wrk: command failed"), /unreadable wrk report/)
  })
})

describe("post against a real server", () => {
  const path = "/api/distributor.account.json"
  let server
  beforeAll(async () => {
    const bodies = { [path]: { type: "application/json", body: Buffer.from('{"ok":1}').toString("base64") } }
    server = await startServer([process.execPath, fileURLToPath(new URL("../../servers/bare.mjs", import.meta.url))], {
      env: { BENCH_BODIES: JSON.stringify(bodies) }
    })
  })
  afterAll(() => stop(server.child))

  it("measures req/s and latencies of a keep-alive load", async () => {
    const r = await post({ url: server.url + path, body: "task=overview", connections: 4, seconds: 1 })
    assert.isAbove(r.rps, 0)
    assert.isAbove(r.requests, 0)
    assert.isAtLeast(r.p99, r.p50)
  })

  it("fails a run that got non-2xx answers", async () => {
    let error
    try {
      await post({ url: `${server.url}/nowhere`, body: "task=overview", connections: 2, seconds: 1 })
    } catch (e) {
      error = e
    }
    assert.match(String(error), /non-2xx answers/)
  })

  it("sends exactly the requested number of requests, cycling through the given ones", async () => {
    const request = { method: "POST", path, headers: { "content-type": "text/plain" }, body: "x" }
    const r = await postAmount({ url: server.url, requests: [request, request], connections: 5, amount: 500 })
    assert.strictEqual(r.requests, 500)
  })
})
