import * as Net from "node:net"
import { AccountOverviews, decodeResponse, type Overview, Unavailable } from "@account-overview/core"
import { Ledger, LedgerOverviews, ResellerKeys } from "@account-overview/store"
import { assert, describe, it, layer } from "@effect/vitest"
import { Effect, Fiber, Layer, Option, Result } from "effect"
import { parseTrustProxy, type TrustProxy } from "../src/ClientAddress.js"
import { requestIdOf, routeLabel } from "../src/Server.js"
import {
  acme,
  fetchBytes,
  form,
  Harness,
  harness,
  other,
  overviewParams,
  sqliteStore,
  umlautPackage
} from "./fixtures/Harness.js"

const paths = [
  { path: "/api/distributor.account.json", format: "json", dialect: "v1" },
  { path: "/api/distributor.account.xml", format: "xml", dialect: "v1" },
  { path: "/apiv2/reseller.account.json", format: "json", dialect: "v2" },
  { path: "/apiv2/reseller.account.xml", format: "xml", dialect: "v2" }
] as const

const pause = (ms: number) => Effect.promise(() => new Promise((resolve) => setTimeout(resolve, ms)))

const formHeaders = { "content-type": "application/x-www-form-urlencoded" }

const decodeOverview = (body: Uint8Array, contentType: string | null): Overview => {
  const decoded = decodeResponse(body, contentType ?? undefined)
  if (Result.isFailure(decoded)) throw new Error(decoded.failure.message)
  if (decoded.success._tag !== "Overview") throw new Error(`not an overview: ${JSON.stringify(decoded.success)}`)
  return decoded.success.overview
}

const decodeErrors = (body: Uint8Array, contentType: string | null): ReadonlyArray<string> => {
  const decoded = decodeResponse(body, contentType ?? undefined)
  if (Result.isFailure(decoded)) throw new Error(decoded.failure.message)
  if (decoded.success._tag !== "ErrorBody") throw new Error("not an error body")
  return decoded.success.body.errors
}

const overExpected: Overview = {
  reputation: 97.5,
  requests: 60_000,
  package: "Silver Package",
  creditsAllowed: 50_000,
  creditsUsed: 100_000,
  creditsRemain: 0,
  creditsOverage: 50_000,
  billingStartDate: "2024-02-29",
  billingEndDate: "2024-03-29",
  billingProcessDate: "2024-03-30"
} as Overview

/** Sends raw bytes on a new connection and collects what comes back until the server closes or `waitMs` passes. */
const rawExchange = (port: number, chunks: ReadonlyArray<string | Buffer>, waitMs = 3_000) =>
  Effect.promise(
    () =>
      new Promise<{ readonly response: string; readonly closedByServer: boolean }>((resolve) => {
        const socket = Net.connect(port, "127.0.0.1")
        let response = ""
        let closedByServer = false
        const timer = setTimeout(() => {
          socket.destroy()
          resolve({ response, closedByServer })
        }, waitMs)
        socket.on("data", (data) => {
          response += data.toString("latin1")
        })
        socket.on("error", () => {})
        socket.on("close", () => {
          closedByServer = true
          clearTimeout(timer)
          resolve({ response, closedByServer })
        })
        socket.on("connect", () => {
          for (const chunk of chunks) socket.write(chunk)
        })
      })
  )

describe("routeLabel and requestIdOf", () => {
  it("labels the wire paths, the operations paths and groups, from core's route table", () => {
    for (const { path } of paths) assert.strictEqual(routeLabel(path), path)
    assert.strictEqual(routeLabel("/api/distributor.account.csv"), "/api/distributor.account.*")
    assert.strictEqual(routeLabel("/apiv2/reseller.account.json/x"), "/apiv2/reseller.account.*")
    assert.strictEqual(routeLabel("/metrics"), "/metrics")
    assert.strictEqual(routeLabel("/v1/resellers/acme"), "/v1")
    assert.strictEqual(routeLabel("/elsewhere"), "other")
  })

  it("keeps a sane request id and makes one otherwise", () => {
    assert.strictEqual(requestIdOf("req-42.abc"), "req-42.abc")
    assert.match(requestIdOf(["a", "b"]), /^[0-9a-f-]{36}$/)
    assert.match(requestIdOf("x".repeat(129)), /^[0-9a-f-]{36}$/)
  })
})

layer(harness({ settings: { logLevel: "Debug", headersTimeoutMs: 1_500, requestTimeoutMs: 5_000 } }))(
  "wire endpoints",
  (it) => {
    it.effect("answer every path in both methods, in the path's format and dialect", () =>
      Effect.gen(function* () {
        const { baseUrl } = yield* Harness
        for (const { dialect, format, path } of paths) {
          const params = form(overviewParams("over@acme.example"))
          const byGet = yield* fetchBytes(`${baseUrl}${path}?${params}`)
          const byPost = yield* fetchBytes(`${baseUrl}${path}`, { method: "POST", headers: formHeaders, body: params })
          for (const response of [byGet, byPost]) {
            assert.strictEqual(response.status, 200, `${path}: ${response.text}`)
            assert.strictEqual(
              response.headers.get("content-type"),
              format === "xml" ? "text/xml; charset=ISO-8859-1" : "application/json; charset=utf-8"
            )
            assert.deepStrictEqual(decodeOverview(response.body, response.headers.get("content-type")), overExpected)
          }
          assert.deepStrictEqual(byGet.body, byPost.body)
          if (format === "json") {
            const json = JSON.parse(byGet.text)
            assert.strictEqual(typeof json.credits_used, dialect === "v1" ? "number" : "string")
            assert.strictEqual(json.credits_remain, 0)
          } else {
            assert.isTrue(byGet.text.startsWith('<?xml version="1.0" encoding="ISO-8859-1"?>'))
          }
        }
      })
    )

    it.effect("takes the query string, a form body, a multipart body, both together, and a bearer token", () =>
      Effect.gen(function* () {
        const { baseUrl } = yield* Harness
        const url = `${baseUrl}/api/distributor.account.json`
        const multipart = new FormData()
        for (const [name, value] of Object.entries(overviewParams("under@acme.example"))) multipart.append(name, value)
        const answers = [
          yield* fetchBytes(`${url}?${form(overviewParams("under@acme.example"))}`),
          yield* fetchBytes(url, { method: "POST", body: multipart }),
          yield* fetchBytes(`${url}?api_user=acme&task=overview`, {
            method: "POST",
            headers: formHeaders,
            body: form({ api_key: acme.apiKey, user: "under@acme.example" })
          }),
          yield* fetchBytes(`${url}?api_user=acme&task=overview&user=under%40acme.example`, {
            headers: { authorization: `Bearer ${acme.apiKey}` }
          }),
          yield* fetchBytes(`${url}?task=overview&user=under%40acme.example`, {
            headers: { authorization: `bearer ${acme.apiKey}` }
          }),
          yield* fetchBytes(url, {
            method: "POST",
            headers: formHeaders,
            body: form({ api_user: "apikey", api_key: acme.apiKey, task: "overview", user: "under@acme.example" })
          })
        ]
        for (const answer of answers) {
          assert.strictEqual(answer.status, 200, answer.text)
          const overview = decodeOverview(answer.body, answer.headers.get("content-type"))
          assert.strictEqual(overview.creditsUsed, 12_000)
          assert.strictEqual(overview.creditsRemain, 38_000)
        }
      })
    )

    it.effect("a bearer token without api_user speaks for the customer's own reseller only", () =>
      Effect.gen(function* () {
        const { baseUrl } = yield* Harness
        const url = `${baseUrl}/api/distributor.account.json?task=overview&user=theirs%40other.example`
        const foreign = yield* fetchBytes(url, { headers: { authorization: `Bearer ${acme.apiKey}` } })
        assert.strictEqual(foreign.status, 401)
        const absent = yield* fetchBytes(`${baseUrl}/api/distributor.account.json?task=overview&user=nobody`, {
          headers: { authorization: `Bearer ${acme.apiKey}` }
        })
        assert.strictEqual(absent.status, 401)
        assert.deepStrictEqual(absent.body, foreign.body)
        const own = yield* fetchBytes(url, { headers: { authorization: `Bearer ${other.apiKey}` } })
        assert.strictEqual(own.status, 200)
      })
    )

    it.effect("answers 400 naming the missing or repeated parameter or the wrong task, in the path's format", () =>
      Effect.gen(function* () {
        const { baseUrl } = yield* Harness
        const json = `${baseUrl}/api/distributor.account.json`
        const missing = yield* fetchBytes(`${json}?api_user=acme&api_key=k&task=overview`)
        assert.strictEqual(missing.status, 400)
        assert.deepStrictEqual(decodeErrors(missing.body, missing.headers.get("content-type")), [
          "missing parameter: user"
        ])
        const repeated = yield* fetchBytes(`${json}?user=a`, {
          method: "POST",
          headers: formHeaders,
          body: form(overviewParams("b"))
        })
        assert.strictEqual(repeated.status, 400)
        assert.deepStrictEqual(decodeErrors(repeated.body, repeated.headers.get("content-type")), [
          "parameter user is repeated"
        ])
        const bearerAndKey = yield* fetchBytes(`${json}?${form(overviewParams("under@acme.example"))}`, {
          headers: { authorization: `Bearer ${acme.apiKey}` }
        })
        assert.strictEqual(bearerAndKey.status, 400)
        assert.include(bearerAndKey.text, "parameter api_key is repeated")
        const task = yield* fetchBytes(`${baseUrl}/apiv2/reseller.account.xml`, {
          method: "POST",
          headers: formHeaders,
          body: form({ ...overviewParams("under@acme.example"), task: "list" })
        })
        assert.strictEqual(task.status, 400)
        assert.strictEqual(task.headers.get("content-type"), "text/xml; charset=ISO-8859-1")
        assert.deepStrictEqual(decodeErrors(task.body, task.headers.get("content-type")), [
          "parameter task must be overview"
        ])
        const badMultipart = yield* fetchBytes(json, {
          method: "POST",
          headers: { "content-type": "multipart/form-data; boundary=zz" },
          body: '--zz\r\nContent-Disposition: form-data; name="user"\r\n\r\nx'
        })
        assert.strictEqual(badMultipart.status, 400)
        assert.notInclude(missing.text + repeated.text + bearerAndKey.text, acme.apiKey)
      })
    )

    it.effect("answers 401 for a wrong key or an unknown reseller, with the same body", () =>
      Effect.gen(function* () {
        const { baseUrl } = yield* Harness
        const url = `${baseUrl}/api/distributor.account.xml`
        const wrongKey = yield* fetchBytes(
          `${url}?${form({ ...overviewParams("under@acme.example"), api_key: "nope" })}`
        )
        const unknown = yield* fetchBytes(
          `${url}?${form({ ...overviewParams("under@acme.example"), api_user: "ghost", api_key: "nope" })}`
        )
        assert.strictEqual(wrongKey.status, 401)
        assert.strictEqual(unknown.status, 401)
        assert.deepStrictEqual(wrongKey.body, unknown.body)
        assert.deepStrictEqual(decodeErrors(wrongKey.body, wrongKey.headers.get("content-type")), [
          "Permission denied, wrong credentials"
        ])
      })
    )

    it.effect(
      "answers 404 alike for another reseller's customer and an absent one, in alike time",
      () =>
        Effect.gen(function* () {
          const { baseUrl } = yield* Harness
          const url = `${baseUrl}/api/distributor.account.json`
          const foreign = yield* fetchBytes(`${url}?${form(overviewParams("theirs@other.example"))}`)
          const absent = yield* fetchBytes(`${url}?${form(overviewParams("nobody@nowhere.example"))}`)
          assert.strictEqual(foreign.status, 404)
          assert.strictEqual(absent.status, 404)
          assert.deepStrictEqual(foreign.body, absent.body)
          assert.deepStrictEqual(decodeErrors(foreign.body, foreign.headers.get("content-type")), ["User not found"])
          const time = (user: string) =>
            Effect.gen(function* () {
              const started = performance.now()
              const answer = yield* fetchBytes(`${url}?${form(overviewParams(user))}`)
              assert.strictEqual(answer.status, 404)
              return performance.now() - started
            })
          const foreignTimes: Array<number> = []
          const absentTimes: Array<number> = []
          for (let i = 0; i < 150; i++) {
            foreignTimes.push(yield* time("theirs@other.example"))
            absentTimes.push(yield* time(`absent-${i}@nowhere.example`))
          }
          const median = (xs: Array<number>) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
          const ratio = median(foreignTimes) / median(absentTimes)
          assert.isTrue(ratio > 0.5 && ratio < 2, `median ratio ${ratio}`)
        }),
      30_000
    )

    it.effect("answers 405 with Allow for other methods, 415 for other bodies, 404 for unknown formats and paths", () =>
      Effect.gen(function* () {
        const { baseUrl } = yield* Harness
        for (const method of ["PUT", "DELETE", "PATCH"]) {
          const answer = yield* fetchBytes(`${baseUrl}/api/distributor.account.xml`, { method })
          assert.strictEqual(answer.status, 405)
          assert.strictEqual(answer.headers.get("allow"), "GET, POST")
          assert.deepStrictEqual(decodeErrors(answer.body, answer.headers.get("content-type")), ["Method not allowed"])
          assert.strictEqual(answer.headers.get("content-type"), "text/xml; charset=ISO-8859-1")
        }
        const json = yield* fetchBytes(`${baseUrl}/apiv2/reseller.account.json`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(overviewParams("under@acme.example"))
        })
        assert.strictEqual(json.status, 415)
        assert.deepStrictEqual(decodeErrors(json.body, json.headers.get("content-type")), ["Unsupported content type"])
        for (const path of ["/api/distributor.account.yaml", "/apiv2/reseller.account.html"]) {
          const answer = yield* fetchBytes(`${baseUrl}${path}`)
          assert.strictEqual(answer.status, 404)
          assert.strictEqual(answer.headers.get("content-type"), "application/json; charset=utf-8")
          assert.deepStrictEqual(JSON.parse(answer.text), {
            message: "error",
            errors: ["Unknown format, use .json or .xml"]
          })
        }
        const unknown = yield* fetchBytes(`${baseUrl}/api/nothing.here`)
        assert.strictEqual(unknown.status, 404)
        assert.deepStrictEqual(JSON.parse(unknown.text), { message: "error", errors: ["Not found"] })
      })
    )

    it.effect("answers 413 past 64 KiB, declared or streamed, without reading on", () =>
      Effect.gen(function* () {
        const { port } = yield* Harness
        const head = (extra: string) =>
          `POST /api/distributor.account.xml HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n${extra}\r\n`
        const declared = yield* rawExchange(port, [head("Content-Length: 70000\r\n"), "a=".repeat(10)])
        assert.match(declared.response, /^HTTP\/1\.1 413 /)
        assert.include(declared.response, "<error>Request body too large</error>")
        assert.isTrue(declared.closedByServer)
        const chunk = `4000\r\n${"x".repeat(0x4000)}\r\n`
        const streamed = yield* rawExchange(port, [head("Transfer-Encoding: chunked\r\n"), ...Array(5).fill(chunk)])
        assert.match(streamed.response, /^HTTP\/1\.1 413 /)
        assert.isTrue(streamed.closedByServer)
      })
    )

    it.effect(
      "returns a non-ASCII package name exactly: ISO-8859-1 with character references in XML, UTF-8 in JSON",
      () =>
        Effect.gen(function* () {
          const { baseUrl } = yield* Harness
          const params = form(overviewParams("umlaut@acme.example"))
          const xml = yield* fetchBytes(`${baseUrl}/api/distributor.account.xml?${params}`)
          assert.strictEqual(xml.status, 200)
          const expectedBytes = Buffer.from("<package>Paket Gr\u00f6\u00dfe 5 &#8212; \u00dc</package>", "latin1")
          assert.isTrue(Buffer.from(xml.body).includes(expectedBytes), xml.text)
          const json = yield* fetchBytes(`${baseUrl}/apiv2/reseller.account.json?${params}`)
          assert.strictEqual(JSON.parse(new TextDecoder().decode(json.body)).package, umlautPackage)
          for (const answer of [xml, json]) {
            const overview = decodeOverview(answer.body, answer.headers.get("content-type"))
            assert.strictEqual(overview.package, umlautPackage)
            assert.strictEqual(overview.creditsOverage, 1_000)
            assert.strictEqual(overview.billingStartDate, "2024-03-10")
          }
        })
    )

    it.effect("follows the clock across a month end and a leap day", () =>
      Effect.gen(function* () {
        const { baseUrl, clock } = yield* Harness
        const get = (user: string) =>
          Effect.map(fetchBytes(`${baseUrl}/api/distributor.account.json?${form(overviewParams(user))}`), (answer) =>
            decodeOverview(answer.body, answer.headers.get("content-type"))
          )
        const saved = clock.now
        try {
          clock.setDate("2024-02-28")
          let end = yield* get("end@acme.example")
          assert.deepStrictEqual(
            [end.billingStartDate, end.billingEndDate, end.billingProcessDate, end.creditsUsed],
            ["2024-01-31", "2024-02-28", "2024-02-29", 0]
          )
          clock.setDate("2024-02-29")
          end = yield* get("end@acme.example")
          assert.deepStrictEqual(
            [end.billingStartDate, end.billingEndDate, end.billingProcessDate, end.creditsUsed],
            ["2024-02-29", "2024-03-30", "2024-03-31", 30]
          )
          clock.setDate("2025-02-27")
          let leap = yield* get("leap@acme.example")
          assert.deepStrictEqual(
            [leap.billingStartDate, leap.billingEndDate, leap.billingProcessDate, leap.creditsUsed],
            ["2025-01-29", "2025-02-27", "2025-02-28", 0]
          )
          clock.setDate("2025-02-28")
          leap = yield* get("leap@acme.example")
          assert.deepStrictEqual(
            [leap.billingStartDate, leap.billingEndDate, leap.billingProcessDate, leap.creditsUsed],
            ["2025-02-28", "2025-03-28", "2025-03-29", 50]
          )
        } finally {
          clock.now = saved
        }
      })
    )

    it.effect("echoes a sane X-Request-Id and makes one otherwise", () =>
      Effect.gen(function* () {
        const { baseUrl } = yield* Harness
        const given = yield* fetchBytes(`${baseUrl}/api/distributor.account.json`, {
          headers: { "x-request-id": "req-42.abc" }
        })
        assert.strictEqual(given.headers.get("x-request-id"), "req-42.abc")
        const insane = yield* fetchBytes(`${baseUrl}/healthz`, { headers: { "x-request-id": 'a b"<script>' } })
        assert.match(insane.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/)
      })
    )

    it.effect(
      "keeps serving while a client trickles its headers, and cuts that client off",
      () =>
        Effect.gen(function* () {
          const { baseUrl, port } = yield* Harness
          const slow = yield* Effect.forkChild(
            Effect.promise(
              () =>
                new Promise<{ readonly closed: boolean; readonly response: string }>((resolve) => {
                  const socket = Net.connect(port, "127.0.0.1")
                  const text = "GET /api/distributor.account.json HTTP/1.1\r\nHost: x\r\nX-Slow: "
                  let i = 0
                  let response = ""
                  const timer = setInterval(() => {
                    if (i < text.length) socket.write(text[i++]!)
                    else socket.write("a")
                  }, 50)
                  const give = setTimeout(() => {
                    clearInterval(timer)
                    socket.destroy()
                    resolve({ closed: false, response })
                  }, 20_000)
                  socket.on("data", (data) => {
                    response += data.toString()
                  })
                  socket.on("error", () => {})
                  socket.on("close", () => {
                    clearInterval(timer)
                    clearTimeout(give)
                    resolve({ closed: true, response })
                  })
                })
            )
          )
          for (let i = 0; i < 20; i++) {
            const started = performance.now()
            const answer = yield* fetchBytes(
              `${baseUrl}/api/distributor.account.json?${form(overviewParams("under@acme.example"))}`
            )
            assert.strictEqual(answer.status, 200)
            assert.isBelow(performance.now() - started, 1_000)
            yield* pause(50)
          }
          const outcome = yield* Fiber.join(slow)
          assert.isTrue(outcome.closed, "the slow client was not cut off")
          assert.notInclude(outcome.response, "200 OK")
        }),
      30_000
    )

    it.effect("never writes a key or token into the logs", () =>
      Effect.gen(function* () {
        const { baseUrl, logs } = yield* Harness
        yield* fetchBytes(`${baseUrl}/api/distributor.account.json?${form(overviewParams("under@acme.example"))}`, {
          headers: { authorization: `Bearer ${other.apiKey}` }
        })
        yield* fetchBytes(`${baseUrl}/metrics`, { headers: { authorization: `Bearer ${other.apiKey}` } })
        assert.isAbove(logs.length, 10)
        assert.isTrue(logs.some((line) => JSON.parse(line).message === "request"))
        for (const line of logs) {
          assert.notInclude(line, acme.apiKey)
          assert.notInclude(line, other.apiKey)
          assert.notInclude(line, "api_key=")
        }
      })
    )
  }
)

// The harness's requests come from 127.0.0.1, the proxy; 10.0.0.0/8 are proxies too.
const behindProxies = parseTrustProxy("127.0.0.1, 10.0.0.0/8") as TrustProxy

layer(harness({ settings: { authFailureLimit: 3, trustProxy: behindProxies } }))("failed-auth throttle", (it) => {
  // Decision 0085: guesses spread over addresses spend the api_user's budget
  // (10 x AUTH_FAILURE_LIMIT), which then refuses the guessing addresses, never
  // the reseller's own clean address (it used to answer that one 429 too).
  it.effect(
    "blocks the addresses guessing an api_user's key, with Retry-After, not the api_user",
    () =>
      Effect.gen(function* () {
        const { baseUrl } = yield* Harness
        const url = `${baseUrl}/api/distributor.account.json`
        const attempt = (key: string, address: string) =>
          fetchBytes(`${url}?${form({ ...overviewParams("under@acme.example"), api_key: key })}`, {
            headers: { "x-forwarded-for": `${address}, 10.9.9.9` }
          })
        for (let i = 0; i < 3; i++) assert.strictEqual((yield* attempt("guess", `192.0.3.${i}`)).status, 401)
        assert.strictEqual((yield* attempt(acme.apiKey, "192.0.3.100")).status, 200)
        for (let i = 3; i < 30; i++) assert.strictEqual((yield* attempt("guess", `192.0.3.${i}`)).status, 401)
        const blocked = yield* attempt(acme.apiKey, "192.0.3.0")
        assert.strictEqual(blocked.status, 429)
        const retryAfter = Number(blocked.headers.get("retry-after"))
        assert.isTrue(retryAfter > 0 && retryAfter <= 60)
        assert.include(decodeErrors(blocked.body, blocked.headers.get("content-type"))[0]!, "Too many requests")
        assert.strictEqual((yield* attempt(acme.apiKey, "192.0.3.101")).status, 200)
        const otherReseller = yield* fetchBytes(`${url}?${form(overviewParams("theirs@other.example", other))}`, {
          headers: { "x-forwarded-for": "10.0.1.2" }
        })
        assert.strictEqual(otherReseller.status, 200)
      }),
    120_000
  )

  it.effect(
    "throttles a client whatever it writes in front of X-Forwarded-For",
    () =>
      Effect.gen(function* () {
        const { baseUrl } = yield* Harness
        const url = `${baseUrl}/api/distributor.account.json`
        const statuses: Array<number> = []
        for (let i = 0; i < 5; i++) {
          const answer = yield* fetchBytes(`${url}?${form({ ...overviewParams("x"), api_user: `spoof${i}` })}`, {
            headers: { "x-forwarded-for": `203.0.113.${i}, 192.0.2.60, 10.9.9.9` }
          })
          statuses.push(answer.status)
        }
        assert.deepStrictEqual(statuses, [401, 401, 401, 429, 429])
      }),
    60_000
  )

  it.effect("blocks a client address after repeated failures across api_users", () =>
    Effect.gen(function* () {
      const { baseUrl } = yield* Harness
      const url = `${baseUrl}/apiv2/reseller.account.xml`
      for (let i = 0; i < 3; i++) {
        const answer = yield* fetchBytes(`${url}?${form({ ...overviewParams("x"), api_user: `ghost${i}` })}`, {
          headers: { "x-forwarded-for": "192.0.2.7" }
        })
        assert.strictEqual(answer.status, 401)
      }
      const blocked = yield* fetchBytes(`${url}?${form(overviewParams("theirs@other.example", other))}`, {
        headers: { "x-forwarded-for": "192.0.2.7, 10.0.0.1" }
      })
      assert.strictEqual(blocked.status, 429)
      assert.isNotNull(blocked.headers.get("retry-after"))
      assert.include(blocked.text, "<error>Too many requests")
      const elsewhere = yield* fetchBytes(`${url}?${form(overviewParams("theirs@other.example", other))}`, {
        headers: { "x-forwarded-for": "192.0.2.8" }
      })
      assert.strictEqual(elsewhere.status, 200)
    })
  )
})

layer(harness({ settings: { rateLimitPerMinute: Option.some(3) } }))("rate limit per reseller", (it) => {
  it.effect("answers 429 with Retry-After past the limit, for that reseller only", () =>
    Effect.gen(function* () {
      const { baseUrl } = yield* Harness
      const call = (user: string, credentials = acme) =>
        fetchBytes(`${baseUrl}/api/distributor.account.json?${form(overviewParams(user, credentials))}`)
      assert.strictEqual((yield* call("under@acme.example")).status, 200)
      assert.strictEqual((yield* call("nobody@acme.example")).status, 404)
      assert.strictEqual((yield* call("over@acme.example")).status, 200)
      const limited = yield* call("under@acme.example")
      assert.strictEqual(limited.status, 429)
      assert.strictEqual(limited.headers.get("retry-after"), "20")
      assert.strictEqual((yield* call("theirs@other.example", other)).status, 200)
    })
  )
})

const failingLedger = Layer.succeed(
  Ledger,
  Ledger.of(
    new Proxy({} as Ledger["Service"], {
      get: () => () => Effect.fail(new Unavailable({ reason: "store", detail: "database /srv/secret.db is locked" }))
    })
  )
)

layer(
  harness({
    store: LedgerOverviews.layer.pipe(Layer.provideMerge(ResellerKeys.layer), Layer.provideMerge(failingLedger))
  })
)("store down", (it) => {
  it.effect("answers 503 with no internals, counted as a store error", () =>
    Effect.gen(function* () {
      const { baseUrl, logs } = yield* Harness
      const answer = yield* fetchBytes(
        `${baseUrl}/apiv2/reseller.account.xml?${form(overviewParams("under@acme.example"))}`
      )
      assert.strictEqual(answer.status, 503)
      assert.deepStrictEqual(decodeErrors(answer.body, answer.headers.get("content-type")), [
        "Service unavailable, retry later"
      ])
      assert.notInclude(answer.text, "secret")
      const metrics = yield* fetchBytes(`${baseUrl}/metrics`)
      assert.match(metrics.text, /^store_errors_total [1-9]/m)
      assert.isTrue(logs.every((line) => !line.includes(acme.apiKey)))
    })
  )
})

const dyingOverviews = Layer.succeed(
  AccountOverviews,
  AccountOverviews.of({
    overview: () => Effect.die(new Error("SQLITE_CORRUPT in /srv/ledger.db near secret row"))
  })
)

layer(
  harness({
    store: Layer.merge(sqliteStore, dyingOverviews)
  })
)("defect", (it) => {
  it.effect("answers 500 with no internals and logs the cause", () =>
    Effect.gen(function* () {
      const { baseUrl, logs } = yield* Harness
      const answer = yield* fetchBytes(`${baseUrl}/api/distributor.account.json?${form(overviewParams("x@y"))}`)
      assert.strictEqual(answer.status, 500)
      assert.deepStrictEqual(JSON.parse(answer.text), { message: "error", errors: ["Internal error"] })
      assert.isTrue(logs.some((line) => line.includes("SQLITE_CORRUPT")))
      assert.isTrue(logs.every((line) => !line.includes(acme.apiKey)))
    })
  )
})
